// The daemon says when its event loop is slow enough to make adverts late.
// The report period runs on vitest's fake interval timer, so a report comes when the test advances it;
// the delay itself is measured for real (perf_hooks) from a stall the test makes.
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createLogger } from '../../src/log.js';
import { watchEventLoop, type EventLoopWatch } from '../../src/daemon/event-loop-watch.js';

function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { lines, stream };
}

/** A busy loop, as a burst of proxy work would be: the loop cannot run anything for `ms`. */
const blockFor = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy.
  }
};

/**
 * Stalls the loop for 150 ms until the histogram has recorded it (with real timers: only setInterval
 * is faked). Its timer measures from its previous tick, so a stall before its first tick after
 * enable() goes unseen and is made again. 5 s only to catch a hang.
 */
async function stall(watch: EventLoopWatch): Promise<void> {
  const started = performance.now();
  while (watch.snapshot().maxMs < 140) {
    if (performance.now() - started > 5000) throw new Error(`the event loop histogram did not record a 150 ms stall: ${JSON.stringify(watch.snapshot())}`);
    blockFor(150);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('event loop watch', () => {
  const watches: EventLoopWatch[] = [];
  const start = (lines: { stream: Writable }, everyMs: number, warnAboveMs: number): EventLoopWatch => {
    const watch = watchEventLoop({ logger: createLogger({ level: 'debug', destination: lines.stream }), everyMs, warnAboveMs });
    watches.push(watch);
    return watch;
  };
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  });
  afterEach(() => {
    for (const watch of watches.splice(0)) watch.stop();
    vi.useRealTimers();
  });

  test('a 150 ms stall is reported at the end of its period as a warning with code EVENT_LOOP_DELAY when the limit is 50 ms', async () => {
    const log = capture();
    const watch = start(log, 1000, 50);
    await stall(watch);
    expect(log.lines).toEqual([]); // nothing said before the period ends
    vi.advanceTimersByTime(1000);
    const warnings = log.lines.filter((line) => line.code === 'EVENT_LOOP_DELAY');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, warnAboveMs: 50 });
    expect(Number(warnings[0]?.maxMs)).toBeGreaterThanOrEqual(140);
    expect(warnings[0]?.msg).toBe(`event loop delayed up to ${String(warnings[0]?.maxMs)} ms: adverts may be late`);
  });

  test('an idle loop is reported at debug only, once a period', () => {
    const log = capture();
    start(log, 100, 500);
    vi.advanceTimersByTime(350);
    expect(log.lines.filter((line) => line.msg === 'event loop delay')).toHaveLength(3);
    expect(log.lines.every((line) => line.level === 20)).toBe(true);
    expect(log.lines.filter((line) => line.code === 'EVENT_LOOP_DELAY')).toEqual([]);
  });

  test('each period starts afresh: the report after the stalled one is at debug again', async () => {
    const log = capture();
    const watch = start(log, 1000, 50);
    await stall(watch);
    vi.advanceTimersByTime(1000);
    vi.advanceTimersByTime(1000);
    expect(log.lines.map((line) => line.level)).toEqual([40, 20]);
  });

  test('the last whole period is kept for /metrics, and a lowered threshold (a reload) applies to the next report', async () => {
    const log = capture();
    const watch = start(log, 1000, 1000);
    expect(watch.lastPeriod()).toEqual({ p50Ms: 0, p99Ms: 0, maxMs: 0 });
    watch.setWarnAbove(50);
    await stall(watch);
    expect(watch.lastPeriod()).toEqual({ p50Ms: 0, p99Ms: 0, maxMs: 0 }); // the period is not over yet
    vi.advanceTimersByTime(1000);
    expect(log.lines.find((line) => line.code === 'EVENT_LOOP_DELAY')?.warnAboveMs).toBe(50);
    expect(watch.lastPeriod().maxMs).toBeGreaterThanOrEqual(140);
    expect(watch.lastPeriod()).toEqual({ p50Ms: log.lines[0]?.p50Ms, p99Ms: log.lines[0]?.p99Ms, maxMs: log.lines[0]?.maxMs });
  });
});
