// The footprint benchmark's tables go into docs/benchmarks.md: the start steps must be moved to the
// spawn correctly, and only tsvip as the targets run it is judged against them.
import { describe, expect, test } from 'vitest';
import { startupStepsOf } from '../../bench/footprint-start.js';
import type { StartResult } from '../../bench/footprint-start.js';
import { footprintMarkdown } from '../../bench/footprint-report.js';

describe("the 'started' line's steps", () => {
  test('are moved from Node\'s time origin to the spawn, with the origin itself as nodeStarted', () => {
    const stdout = ['{"level":30,"time":1000300,"msg":"instance starting"}', '{"level":30,"time":1000450,"msg":"started","startupMs":{"configLoaded":200,"staleVipsCleared":300,"started":400}}', ''].join('\n');
    expect(startupStepsOf(stdout, 1_000_000)).toEqual([{ nodeStarted: 50, configLoaded: 250, staleVipsCleared: 350, started: 450 }]);
  });

  test("tsvip's ISO times are read as well", () => {
    const stdout = '{"level":30,"time":"1970-01-01T00:16:40.450Z","msg":"started","startupMs":{"configLoaded":200,"started":400}}\n';
    expect(startupStepsOf(stdout, 1_000_000)).toEqual([{ nodeStarted: 50, configLoaded: 250, started: 450 }]);
  });

  test('a daemon that never started has none', () => {
    expect(startupStepsOf('{"level":60,"msg":"cannot start"}\n', 0)).toEqual([]);
  });
});

function start(subject: string, judged: boolean, firstMasterMs: number): StartResult {
  return { subject, round: 1, firstMasterMs, firstMaster: 'h2', lowerPriorityFirst: true, takeovers: 2, staleVipGoneMs: 500, idleRssKiB: [90_000], idleAnonKiB: [38_000], idleByKind: [{ programCodeKiB: 23_000, programDataKiB: 18_000, otherFilesKiB: 2_000, anonymousKiB: 38_000 }], judged, startupSteps: [] };
}

/** The section for these starts alone (no commands, idle Node or holds measured). */
function markdownOf(starts: StartResult[]): string {
  return footprintMarkdown({ command: 'npm run bench -- footprint', commit: 'abc1234', date: '2026-12-05', environment: 'test', setup: 'VRRPv3', idleSeconds: 5, commands: [], idleNodes: [], starts, holds: [], failures: [] });
}

describe('footprint targets', () => {
  test('a variant (startupDelay) shows its ratio but no verdict; tsvip as the targets run it gets one', () => {
    const markdown = markdownOf([start('keepalived', true, 400), start('tsvip (single executable)', true, 800), start('tsvip (single executable, startupDelay 1 s)', false, 1600)]);
    const firstMaster = markdown.split('\n').find((line) => line.startsWith('| spawn to the first MASTER'));
    expect(firstMaster).toContain('(2.00×: **not met**)');
    expect(firstMaster).toContain('(4.00×)');
    const lowerFirst = markdown.split('\n').find((line) => line.startsWith('| starts where a lower priority'));
    expect(lowerFirst).toBe('| starts where a lower priority took the VIP first | 1 of 1 | 1 of 1 (**not met**) | 1 of 1 | 0 |');
    const anonymous = markdown.split('\n').find((line) => line.startsWith('| anonymous ('));
    expect(anonymous).toBe("| anonymous (V8's heaps, stacks, malloc) | 37.1 MiB | 37.1 MiB | 37.1 MiB |");
  });

  test('a startupDelay variant is compared with keepalived held by the same vrrp_startup_delay, which is not judged either', () => {
    const markdown = markdownOf([
      start('keepalived', true, 400),
      start('keepalived (vrrp_startup_delay 1 s)', false, 1400),
      start('tsvip (single executable, startupDelay 1 s)', false, 1540),
    ]);
    const firstMaster = markdown.split('\n').find((line) => line.startsWith('| spawn to the first MASTER'));
    expect(firstMaster).toContain('| 1.40 s / **1.40 s** / 1.40 s |');
    expect(firstMaster).toContain('(1.10×)');
    expect(firstMaster).not.toContain('met');
  });
});
