// `npm run schema`: regenerates schema/vip.schema.json from the zod schema.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { vipJsonSchemaText } from './json-schema.js';

const target = fileURLToPath(new URL('../../schema/vip.schema.json', import.meta.url));
writeFileSync(target, vipJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
