// The failover benchmark's verdicts go into docs/benchmarks.md and the README's status: a tie within
// what the client can resolve must not read as "not met", and a real loss must.
import { describe, expect, test } from 'vitest';
import type { KillRunResult } from '../../bench/kill-run.js';
import { failoverMarkdown } from '../../bench/report.js';
import type { FailoverResults } from '../../bench/report.js';
import type { ImplementationName, SetupId } from '../../bench/vrrp-group.js';

function kill(implementation: ImplementationName, run: number, outageMs: number, setup: SetupId = 'v2'): KillRunResult {
  return {
    implementation,
    setup,
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

/** Kill runs of the IPv6 setup alone, as `--setups v3-ipv6` gives them. */
function ipv6Results(keepalivedMs: readonly number[], tsvipMs: readonly number[]): FailoverResults {
  return {
    ...results([], []),
    setups: ['v3-ipv6'],
    busySeconds: 60,
    kills: [...keepalivedMs.map((ms, i) => kill('keepalived', i + 1, ms, 'v3-ipv6')), ...tsvipMs.map((ms, i) => kill('tsvip', i + 1, ms, 'v3-ipv6'))],
  };
}

const ipv6Target = (markdown: string) => markdown.split('\n').find((line) => line.startsWith('- v3/100 ms over IPv6 median outage'));

describe('IPv6 failover rows', () => {
  test("a median outage at most 1.1x keepalived's meets the IPv6 target, with the ratio", () => {
    expect(ipv6Target(failoverMarkdown(ipv6Results([300, 330, 360], [320, 363, 400])))).toBe("- v3/100 ms over IPv6 median outage at most 1.1× keepalived's in the same run: met (1.10×)");
  });

  test("a median outage above 1.1x keepalived's is not met", () => {
    expect(ipv6Target(failoverMarkdown(ipv6Results([300, 330, 360], [320, 370, 400])))).toMatch(/: \*\*not met\*\* \(1\.12×\)$/);
  });

  test('without tsvip runs the IPv6 target is not measured; without the IPv6 setup it is not listed', () => {
    expect(ipv6Target(failoverMarkdown(ipv6Results([300, 330, 360], [])))).toMatch(/: not measured$/);
    expect(ipv6Target(failoverMarkdown(results([3_110, 3_120, 3_130], [3_115, 3_129, 3_140])))).toBeUndefined();
  });

  test("the IPv6 rows say how the lab differs and name the client's NDP entry; the CPU-busy rows are IPv4 only", () => {
    const markdown = failoverMarkdown(ipv6Results([300, 330, 360], [320, 330, 350]));
    expect(markdown).toContain('| **v3, 100 ms, multicast, IPv6**, kill -9 of the master | | | |');
    expect(markdown).toContain('| outage min / **median** / max (3 runs) | 300 ms / **330 ms** / 360 ms | 320 ms / **330 ms** / 350 ms | 1.00× |');
    expect(markdown).toContain("| client's neighbour (NDP) entry on the new master at the end | 3/3 | 3/3 | |");
    expect(markdown).toContain('h4 connects to [2001:2::100]:6443');
    expect(markdown).toContain('| client ARP / NDP → |');
    expect(markdown).not.toContain('s with the CPU busy |');
  });

  test('IPv4 runs alone read as before: no IPv6 paragraph, the ARP column and row', () => {
    const markdown = failoverMarkdown(results([3_110, 3_120, 3_130], [3_115, 3_129, 3_140]));
    expect(markdown).not.toContain('2001:2::');
    expect(markdown).toContain("| client's ARP entry on the new master at the end | 3/3 | 3/3 | |");
    expect(markdown).toContain('| client ARP → |');
  });
});
