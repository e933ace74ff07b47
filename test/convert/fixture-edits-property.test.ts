// Random edits of every fixture, as an operator's hand or a template engine makes them (a line deleted,
// doubled or moved, a value replaced by a wrong one, a brace lost): `convert` either says there is
// nothing to convert or prints a vip.yaml that `check` accepts. It never throws and never prints a
// config it would refuse. Runs in process, on the files as a virtual file system.
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { convertFiles, type ConvertInputs } from '../../src/convert/convert.js';
import { realSourceFiles, type SourceFiles } from '../../src/convert/source-files.js';
import { FIXTURES } from './convert-fixture.js';

const INPUT_OF: Record<string, keyof ConvertInputs> = {
  'keepalived.conf': 'keepalived',
  'haproxy.cfg': 'haproxy',
  'nginx.conf': 'nginx',
  'config.yaml': 'kubeVip',
  'kube-vip.yaml': 'kubeVip',
};

interface FixtureSet {
  name: string;
  inputs: ConvertInputs;
  /** Every file convert reads for this set (the inputs and what they include). */
  files: string[];
}

function fixtureSets(): FixtureSet[] {
  const sets: FixtureSet[] = [];
  for (const dir of readdirSync(FIXTURES).sort()) {
    const all = readdirSync(`${FIXTURES}/${dir}`, { recursive: true, encoding: 'utf8' }).map((f) => `${FIXTURES}/${dir}/${f}`);
    const inputs: ConvertInputs = {};
    for (const file of all) {
      const input = INPUT_OF[file.slice(file.lastIndexOf('/') + 1)];
      // kube-vip's two shapes are converted one at a time.
      if (input !== undefined && inputs[input] === undefined) inputs[input] = file;
    }
    if (Object.keys(inputs).length === 0) continue;
    const files = all.filter((f) => /\.(conf|cfg|yaml)$/.test(f));
    sets.push({ name: dir, inputs, files });
  }
  const kubeVipManifest = `${FIXTURES}/kube-vip/kube-vip.yaml`;
  sets.push({ name: 'kube-vip manifest', inputs: { kubeVip: kubeVipManifest }, files: [kubeVipManifest] });
  return sets;
}

type Edit =
  | { kind: 'delete'; line: number }
  | { kind: 'double'; line: number }
  | { kind: 'move'; line: number; to: number }
  | { kind: 'replaceWord'; line: number; word: number; with: string }
  | { kind: 'truncate'; line: number; at: number };

// Values people get wrong: out of range, the wrong type, the wrong family, half a token.
const WRONG_VALUES = ['0', '-1', '256', '300', '1.5', '99999', '', '{', '}', '"', 'yes', 'MASTER', 'BACKUP', '10.0.0', '10.0.0.256', '::1', '[::]:6443', '*:0', 'eth0', '2s', '0s', 'check', 'weight', '#', '!', '$VIP', '{{ .Vip }}', 'a'.repeat(300)];

const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('double' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('move' as const), line: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant('replaceWord' as const), line: fc.nat(), word: fc.nat(), with: fc.constantFrom(...WRONG_VALUES) }),
  fc.record({ kind: fc.constant('truncate' as const), line: fc.nat(), at: fc.nat() }),
);

function applyEdit(text: string, edit: Edit): string {
  const lines = text.split('\n');
  const i = edit.line % lines.length;
  const line = lines[i] ?? '';
  switch (edit.kind) {
    case 'delete':
      lines.splice(i, 1);
      break;
    case 'double':
      lines.splice(i, 0, line);
      break;
    case 'move':
      lines.splice(i, 1);
      lines.splice(edit.to % (lines.length + 1), 0, line);
      break;
    case 'replaceWord': {
      const words = line.split(/(\s+)/);
      const wordIndexes = words.flatMap((w, index) => (/\S/.test(w) ? [index] : []));
      if (wordIndexes.length === 0) break;
      words[wordIndexes[edit.word % wordIndexes.length] ?? 0] = edit.with;
      lines[i] = words.join('');
      break;
    }
    case 'truncate':
      lines[i] = line.slice(0, edit.at % (line.length + 1));
      break;
  }
  return lines.join('\n');
}

/** The real files, with the edited ones read from memory. */
function editedFiles(edited: ReadonlyMap<string, string>): SourceFiles {
  return { read: (file) => edited.get(file) ?? realSourceFiles.read(file), glob: (pattern) => realSourceFiles.glob(pattern) };
}

describe('random edits of every fixture: convert refuses with a reason or prints a vip.yaml check accepts', () => {
  const sets = fixtureSets();

  test('every fixture directory is covered', () => {
    expect(sets.length).toBeGreaterThanOrEqual(12);
  });

  test.each(sets)('$name', ({ inputs, files }) => {
    const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
    const editsArbitrary = fc.array(fc.tuple(fc.constantFrom(...files), editArbitrary), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(editsArbitrary, (edits) => {
        const edited = new Map(texts);
        for (const [file, edit] of edits) edited.set(file, applyEdit(edited.get(file) ?? '', edit));
        const outcome = convertFiles(inputs, editedFiles(edited));
        if (!outcome.ok) {
          // Nothing left to convert is a reason; a converted config that check refuses is a bug.
          expect(outcome.reason, outcome.errors.join('\n')).toBe('nothing');
          expect(outcome.errors.length).toBeGreaterThan(0);
          return;
        }
        expect(() => loadConfigText(outcome.yaml, 'vip.yaml')).not.toThrow();
      }),
      { numRuns: 150 },
    );
  });
});
