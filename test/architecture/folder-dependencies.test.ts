import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { partCycles, runtimeImports, type ImportEdge } from './import-graph.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

describe('folders of src/ depend downwards', () => {
  test('no two parts of src/ import each other at run time, directly or round a longer loop', () => {
    const edges = runtimeImports(SRC);
    const cycles = partCycles(edges);
    const explain = cycles.map((cycle) =>
      edges
        .filter((edge) => cycle.includes(edge.from.split('/')[0] ?? '') && cycle.includes(edge.to.split('/')[0] ?? '') && edge.from.split('/')[0] !== edge.to.split('/')[0])
        .map((edge) => `${edge.from} -> ${edge.to}`),
    );
    expect(explain).toEqual([]);
  });

  test('the graph reads the compiled imports: src/ has cross-folder imports, so an empty graph would pass for the wrong reason', () => {
    const edges = runtimeImports(SRC);
    expect(edges).toContainEqual({ from: 'vrrp/instance.ts', to: 'net/address.ts' });
    // A type-only import is not a run-time dependency: manifest/pod.ts imports only the Config type from config/schema.ts.
    expect(edges).not.toContainEqual({ from: 'manifest/pod.ts', to: 'config/schema.ts' });
  });

  test.each<[string, ImportEdge[], string[][]]>([
    ['a pair importing each other', [{ from: 'a/x.ts', to: 'b/y.ts' }, { from: 'b/y.ts', to: 'a/z.ts' }], [['a', 'b']]],
    ['a loop of three', [{ from: 'a/x.ts', to: 'b/y.ts' }, { from: 'b/y.ts', to: 'c/z.ts' }, { from: 'c/z.ts', to: 'a/x.ts' }], [['a', 'b', 'c']]],
    ['downwards only', [{ from: 'a/x.ts', to: 'b/y.ts' }, { from: 'b/y.ts', to: 'c/z.ts' }, { from: 'a/x.ts', to: 'c/z.ts' }], []],
    ['imports inside one folder', [{ from: 'a/x.ts', to: 'a/y.ts' }, { from: 'a/y.ts', to: 'a/x.ts' }], []],
  ])('cycle finder: %s', (_name, edges, cycles) => {
    expect(partCycles(edges)).toEqual(cycles);
  });
});
