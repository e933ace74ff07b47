// The codes catalogue is whole: every code src/ gives an error or a log line is listed in src/codes.ts
// and explained in docs/codes.md, and nothing listed there is unused.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ERROR_CODES, EVENT_CODES } from '../../src/codes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CATALOGUE = 'src/codes.ts';
/** What a code looks like in source: a string literal of upper-case words with one of these prefixes. */
const CODE_LITERAL = /'((?:ERR|LB|VIP|STALE|STATUS|EVENT)_[A-Z0-9_]+)'/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function codesUsedInSource(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const path of sourceFiles(join(ROOT, 'src'))) {
    const file = relative(ROOT, path);
    if (file === CATALOGUE) continue;
    for (const match of readFileSync(path, 'utf8').matchAll(CODE_LITERAL)) {
      const code = match[1] as string;
      used.set(code, [...(used.get(code) ?? []), file]);
    }
  }
  return used;
}

const listed = [...ERROR_CODES, ...EVENT_CODES];
const documented = new Set([...readFileSync(join(ROOT, 'docs/codes.md'), 'utf8').matchAll(/^\| `([A-Z0-9_]+)` \|(.+)$/gm)].filter((row) => (row[2] ?? '').replace(/\|\s*$/, '').split('|').every((cell) => cell.trim().length > 0)).map((row) => row[1]));

describe('the codes catalogue (src/codes.ts, docs/codes.md)', () => {
  test('no code is listed twice', () => {
    expect(listed.length).toBe(new Set(listed).size);
  });

  test('every code used in src/ is listed', () => {
    const unlisted = [...codesUsedInSource()].filter(([code]) => !listed.includes(code as never)).map(([code, files]) => `${code} (${files.join(', ')})`);
    expect(unlisted).toEqual([]);
  });

  test('every listed code is used somewhere in src/', () => {
    const used = codesUsedInSource();
    expect(listed.filter((code) => !used.has(code))).toEqual([]);
  });

  test('every listed code has a row in docs/codes.md saying what happened and what to do', () => {
    expect(listed.filter((code) => !documented.has(code))).toEqual([]);
  });
});
