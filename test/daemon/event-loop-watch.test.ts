// The daemon says when its event loop is slow enough to make adverts late (design.md "Architecture").
import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { createLogger } from '../../src/log.js';
import { watchEventLoop } from '../../src/daemon/event-loop-watch.js';

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

const blockFor = (ms: number): void => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // A busy loop, as a burst of proxy work would be.
  }
};

describe('event loop watch', () => {
  test('a 150 ms stall is reported as a warning with code EVENT_LOOP_DELAY when the limit is 50 ms', async () => {
    const { lines, stream } = capture();
    const watch = watchEventLoop({ logger: createLogger({ level: 'debug', destination: stream }), everyMs: 300, warnAboveMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    blockFor(150);
    await new Promise((resolve) => setTimeout(resolve, 400));
    watch.stop();
    const warning = lines.find((line) => line.code === 'EVENT_LOOP_DELAY');
    expect(warning).toBeDefined();
    expect(Number(warning?.maxMs)).toBeGreaterThanOrEqual(140);
  });

  test('an idle loop is reported at debug only', async () => {
    const { lines, stream } = capture();
    const watch = watchEventLoop({ logger: createLogger({ level: 'debug', destination: stream }), everyMs: 100, warnAboveMs: 500 });
    await new Promise((resolve) => setTimeout(resolve, 350));
    watch.stop();
    expect(lines.filter((line) => line.msg === 'event loop delay').length).toBeGreaterThanOrEqual(2);
    expect(lines.filter((line) => line.code === 'EVENT_LOOP_DELAY')).toEqual([]);
  });

  test('the last whole period is kept for /metrics, and a lowered threshold (a reload) applies to the next report', async () => {
    const { lines, stream } = capture();
    const watch = watchEventLoop({ logger: createLogger({ level: 'debug', destination: stream }), everyMs: 1000, warnAboveMs: 1000 });
    try {
      expect(watch.lastPeriod()).toEqual({ p50Ms: 0, p99Ms: 0, maxMs: 0 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      watch.setWarnAbove(50);
      blockFor(150);
      // The report that closes the period with the stall in it (at 1 s; 3 s only to catch a hang).
      for (let waited = 0; !lines.some((line) => line.code === 'EVENT_LOOP_DELAY') && waited < 3000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(lines.find((line) => line.code === 'EVENT_LOOP_DELAY')?.warnAboveMs).toBe(50);
      expect(watch.lastPeriod().maxMs).toBeGreaterThanOrEqual(140);
    } finally {
      watch.stop();
    }
  });
});
