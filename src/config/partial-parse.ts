// The parts of a value that pass their schema, when the whole does not: an instance with a bad `vrid`
// still has an `advertInterval` and trackers worth checking, so `check` reports every problem at once.
import type { z } from 'zod';

/** A parsed value with any field, list item or tracker that failed its schema left out. */
export type Partly<T> = T extends readonly (infer U)[] ? (Partly<U> | undefined)[] : T extends object ? { [K in keyof T]?: Partly<T[K]> } : T;

interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { def: SchemaDef }).def;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The whole value when it parses; otherwise, for mappings, lists and tagged unions, the parts that do
 * (defaults applied as the schema would), and undefined for anything that cannot be salvaged.
 */
export function parsePartly<T>(schema: z.ZodType<T>, input: unknown): Partly<T> | undefined {
  return salvage(schema, input) as Partly<T> | undefined;
}

function salvage(schema: z.ZodType, input: unknown): unknown {
  const whole = schema.safeParse(input);
  if (whole.success) return whole.data;
  const def = defOf(schema);
  switch (def.type) {
    case 'default':
    case 'prefault':
    case 'optional':
    case 'nullable':
      return input === undefined || def.innerType === undefined ? undefined : salvage(def.innerType, input);
    case 'object': {
      if (!isRecord(input) || def.shape === undefined) return undefined;
      const parts: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(def.shape)) {
        const part = salvage(field, input[key]);
        if (part !== undefined) parts[key] = part;
      }
      return parts;
    }
    case 'array':
      return Array.isArray(input) && def.element !== undefined ? input.map((item) => salvage(def.element as z.ZodType, item)) : undefined;
    case 'union': {
      // Only a tagged union can be salvaged: its tag says which shape the user meant.
      const tag = def.discriminator;
      if (tag === undefined || !isRecord(input)) return undefined;
      const meant = def.options?.find((option) => {
        const tagSchema = defOf(option).shape?.[tag];
        return tagSchema !== undefined && tagSchema.safeParse(input[tag]).success;
      });
      return meant === undefined ? undefined : salvage(meant, input);
    }
    default:
      return undefined;
  }
}
