// Comments point only inside the repository: a reader of src/, test/, bench/, scripts/ or the tool
// configs has the
// repository, not the team's planning documents, its tracker's numbers or a notes folder beside it.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FOLDERS = ['src', 'test', 'bench', 'scripts'];
const EXTENSIONS = /\.(ts|mts|mjs|js|sh)$/;

// Built from parts so that this file does not match itself.
const OUTSIDE: readonly { what: string; pattern: RegExp }[] = [
  { what: 'the design document', pattern: new RegExp(`\\bdesign${'\\.'}md\\b`) },
  { what: 'the style document', pattern: new RegExp(`\\bstyle${'\\.'}md\\b`) },
  { what: 'an issue number', pattern: new RegExp(`\\b${'issue'}s?\\s*#?\\d+`, 'i') },
  { what: 'the shared folder', pattern: new RegExp(`\\.\\./${'shared'}\\b`) },
  { what: 'a notes folder', pattern: new RegExp(`(^|[\\s(/])${'notes'}/`) },
];

/** The comment part of each line: after `//` or `#` (shell), or a line inside a block comment. */
export function commentsOf(text: string, shell: boolean): { line: number; comment: string }[] {
  const found: { line: number; comment: string }[] = [];
  let inBlock = false;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (inBlock || line.startsWith('/*')) {
      found.push({ line: index + 1, comment: line });
      inBlock = !line.includes('*/');
      return;
    }
    const marker = shell ? line.indexOf('#') : line.search(/(^|\s)\/\//);
    if (marker >= 0) found.push({ line: index + 1, comment: line.slice(marker) });
  });
  return found;
}

export function pointersOutside(text: string, shell = false): string[] {
  return commentsOf(text, shell).flatMap(({ line, comment }) => {
    const hit = OUTSIDE.find(({ pattern }) => pattern.test(comment));
    return hit === undefined ? [] : [`${line}: ${hit.what}: ${comment}`];
  });
}

function sourceFiles(): string[] {
  const rootConfigs = readdirSync(ROOT).filter((file) => /\.config\.(js|ts|mjs)$/.test(file)).map((file) => join(ROOT, file));
  return rootConfigs.concat(...FOLDERS.map((folder) =>
    readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
      .filter((file) => EXTENSIONS.test(file) && !file.startsWith('fixtures/') && !file.includes('node_modules'))
      .map((file) => join(ROOT, folder, file)),
  ));
}

describe('comments point only inside the repository', () => {
  test('no comment in src, test, bench or scripts cites the design or style document, an issue number, or a folder outside', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((file) => pointersOutside(readFileSync(file, 'utf8'), file.endsWith('.sh')).map((hit) => `${relative(ROOT, file)}:${hit}`));
    expect(found).toEqual([]);
  });

  test.each<[string, string, boolean, number]>([
    ['a line comment citing the design document', `const x = 1; // as ${'design'}.md says`, false, 1],
    ['a block comment citing an issue number', `/**\n * fixed in ${'issue'} 12\n */\nconst y = 2;`, false, 1],
    ['a shell comment pointing at the shared folder', `# see ../${'shared'}/notes\necho hi`, true, 1],
    ['code that only uses the word issue', 'for (const issue of parsed.error.issues) use(issue.code);', false, 0],
    ['a URL in code, not a comment', "const url = 'https://example.com/a//b';", false, 0],
    ['a comment pointing inside the repository', '// docs/benchmarks.md, "Failover"', false, 0],
  ])('%s', (_name, text, shell, hits) => {
    expect(pointersOutside(text, shell)).toHaveLength(hits);
  });
});
