import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { vipJsonSchemaText } from '../../src/config/json-schema.js';

describe('JSON Schema for editors', () => {
  test('schema/vip.schema.json matches the zod schema (run `npm run schema` when this fails)', () => {
    const committed = readFileSync(new URL('../../schema/vip.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(vipJsonSchemaText());
  });

  test('deploy/vip.yaml points editors at it', () => {
    const example = readFileSync(new URL('../../deploy/vip.yaml', import.meta.url), 'utf8');
    expect(example.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/vip.schema.json');
  });

  test('it describes the keys and ranges of the config', () => {
    const schema = JSON.parse(vipJsonSchemaText()) as { properties: { vrrp: { anyOf: { items?: { properties: Record<string, unknown>; required: string[] } }[] } } };
    const instance = schema.properties.vrrp.anyOf.find((branch) => branch.items)?.items;
    expect(instance?.required).toEqual(['name', 'interface', 'vrid', 'vips']);
    expect(instance?.properties['vrid']).toMatchObject({ type: 'integer', minimum: 1, maximum: 255 });
    expect(instance?.properties['priority']).toMatchObject({ default: 100, minimum: 1, maximum: 255 });
  });
});
