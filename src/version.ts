import { readFileSync } from 'node:fs';

// package.json is the one place the version is written; dist/ and src/ both sit one level below it.
const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export const VERSION: string = packageJson.version;
