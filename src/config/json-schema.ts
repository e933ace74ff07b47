// vip.yaml's JSON Schema for editors (yaml-language-server), generated from the zod schema so the two
// can never disagree. `npm run schema` writes it to schema/vip.schema.json; a test keeps that file current.
import { z } from 'zod';
import { configSchema } from './schema.js';

export function vipJsonSchema(): Record<string, unknown> {
  // `input`: the editor checks what people write (`1s`), not what tsvip turns it into (1000).
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
  return { ...schema, title: 'tsvip vip.yaml' };
}

export function vipJsonSchemaText(): string {
  return `${JSON.stringify(vipJsonSchema(), null, 2)}\n`;
}

/** Every property name the schema knows, for "did you mean" hints on unknown keys. */
export function knownConfigKeys(): string[] {
  const keys = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(walk);
    } else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      const properties = record['properties'];
      if (properties !== null && typeof properties === 'object') Object.keys(properties).forEach((k) => keys.add(k));
      Object.values(record).forEach(walk);
    }
  };
  walk(vipJsonSchema());
  return [...keys];
}
