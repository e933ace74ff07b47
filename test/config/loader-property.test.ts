// The loader is fed untrusted text: whatever it gets, it returns a config or throws a ConfigError,
// never anything else.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { loadConfigText } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

const example = readFileSync(new URL('../../deploy/vip.yaml', import.meta.url), 'utf8');

function outcome(text: string): 'valid' | 'invalid' {
  try {
    loadConfigText(text, 'vip.yaml');
    return 'valid';
  } catch (error) {
    if (error instanceof ConfigError) {
      expect(error.problems.length).toBeGreaterThan(0);
      for (const problem of error.problems) {
        expect(problem.line).toBeGreaterThanOrEqual(1);
        expect(problem.col).toBeGreaterThanOrEqual(1);
      }
      return 'invalid';
    }
    throw error;
  }
}

/** yaml's stringify gives undefined for undefined (and functions): that is an empty document. */
function asYaml(value: unknown): string {
  return (stringify(value) as string | undefined) ?? '';
}

/** One edit of a text: delete, insert or replace a span at some offset. */
const textEdit = fc.record({
  at: fc.nat(),
  remove: fc.nat({ max: 12 }),
  insert: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(':', '- ', '{', '}', '[', ']', '\n', '  ', '"', "'", '&a', '*a', '!!binary ', '#', '0x1F', '1e400', 'null', '~')),
});

function applyEdits(text: string, edits: { at: number; remove: number; insert: string }[]): string {
  let result = text;
  for (const { at, remove, insert } of edits) {
    const position = at % (result.length + 1);
    result = result.slice(0, position) + insert + result.slice(position + remove);
  }
  return result;
}

/** The example as a value with random values planted at random places. */
function plant(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const [step = 0, ...rest] = path;
  if (Array.isArray(value)) {
    if (value.length === 0) return [replacement];
    const index = step % value.length;
    return value.map((item, i) => (i === index ? plant(item, rest, replacement) : item));
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[step % keys.length] as string;
  return { ...(value as Record<string, unknown>), [key]: plant((value as Record<string, unknown>)[key], rest, replacement) };
}

describe('loader on random input', () => {
  test('the unmutated example is valid (so mutations start from a valid config)', () => {
    expect(outcome(example)).toBe('valid');
  });

  test('random text: a config or a ConfigError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => void outcome(text)), { numRuns: 500 });
  });

  test('random YAML values: a config or a ConfigError', () => {
    fc.assert(fc.property(fc.anything(), (value) => void outcome(asYaml(value))), { numRuns: 300 });
  });

  test('the example with random edits to its text: a config or a ConfigError', () => {
    fc.assert(fc.property(fc.array(textEdit, { minLength: 1, maxLength: 4 }), (edits) => void outcome(applyEdits(example, edits))), { numRuns: 500 });
  });

  test('the example with random values planted in its structure: a config or a ConfigError', () => {
    const parsed = loadConfigText(example, 'vip.yaml').config;
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 5 }), fc.anything(), (path, replacement) => void outcome(asYaml(plant(parsed, path, replacement)))),
      { numRuns: 500 },
    );
  });
});
