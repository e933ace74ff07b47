// The failover benchmark's verdicts go into docs/benchmarks.md and the README's status: a tie within
// what the client can resolve must not read as "not met", and a real loss must.
import { describe, expect, test } from 'vitest';
import type { KillRunResult } from '../../bench/kill-run.js';
import { failoverMarkdown } from '../../bench/report.js';
import type { FailoverResults } from '../../bench/report.js';
import type { ImplementationName } from '../../bench/vrrp-group.js';

function kill(implementation: ImplementationName, run: number, outageMs: number): KillRunResult {
  return {
    implementation,
    setup: 'v2',
    run,
    coldStartMs: 3_500,
    firstMaster: 'h1',
    startupTakeovers: 1,
    phaseMs: 100,
    killed: 'h1',
    outageMs,
    failedAttempts: Math.round(outageMs / 10),
    recovered: true,
    serverAfter: 'h2',
    takeoverMs: outageMs - 10,
    holdersAfter: ['h2'],
    killedKeptVip: false,
    clientArpHost: 'h2',
    rssKiB: { h1: 13_000 },
    clientErrors: { ECONNREFUSED: 1 },
  };
}

function results(keepalivedMs: readonly number[], tsvipMs: readonly number[]): FailoverResults {
  return {
    command: 'npm run bench -- failover',
    date: '2026-12-05',
    environment: 'test',
    setups: ['v2'],
    busySeconds: 0,
    healWaitMs: 60_000,
    tsvipMissing: null,
    kills: [...keepalivedMs.map((ms, i) => kill('keepalived', i + 1, ms)), ...tsvipMs.map((ms, i) => kill('tsvip', i + 1, ms))],
    heals: [],
    busy: [],
    failures: [],
  };
}

const v2Target = (markdown: string) => markdown.split('\n').find((line) => line.startsWith('- v2/1 s median outage'));

describe('failover targets', () => {
  test('a median within the 10 ms probing resolution of keepalived\'s is no worse', () => {
    expect(v2Target(failoverMarkdown(results([3_110, 3_120, 3_130], [3_115, 3_129, 3_140])))).toMatch(/10 ms resolution: met$/);
  });

  test('a median more than one probe interval slower is not met', () => {
    expect(v2Target(failoverMarkdown(results([3_110, 3_120, 3_130], [3_125, 3_131, 3_140])))).toMatch(/: \*\*not met\*\*$/);
  });
});
