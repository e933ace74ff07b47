// A VRRP advert that waits behind proxy work can cause a false failover at short
// intervals. The daemon measures its event-loop delay (perf_hooks) and says when it grows past half
// the shortest advert interval, the point where a backup could start to miss adverts. The numbers are
// what would justify moving the proxy into a worker thread.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from 'pino';

export interface EventLoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface EventLoopWatch {
  /** The delay since the last report (or since start). */
  snapshot(): EventLoopDelay;
  /** The delay over the last whole report period (zeros before the first): what /metrics shows. */
  lastPeriod(): EventLoopDelay;
  /** A reload that changes the shortest advert interval moves the warning threshold. */
  setWarnAbove(ms: number): void;
  stop(): void;
}

export interface EventLoopWatchOptions {
  logger: Logger;
  /** A report every this long: debug, or warn with code EVENT_LOOP_DELAY above `warnAboveMs`. */
  everyMs: number;
  warnAboveMs: number;
}

const NS_PER_MS = 1e6;

export function watchEventLoop(options: EventLoopWatchOptions): EventLoopWatch {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const snapshot = (): EventLoopDelay => ({
    p50Ms: round(histogram.percentile(50) / NS_PER_MS),
    p99Ms: round(histogram.percentile(99) / NS_PER_MS),
    maxMs: round(histogram.max / NS_PER_MS),
  });
  let warnAboveMs = options.warnAboveMs;
  let last: EventLoopDelay = { p50Ms: 0, p99Ms: 0, maxMs: 0 };
  const timer = setInterval(() => {
    const delay = snapshot();
    last = delay;
    histogram.reset();
    if (delay.maxMs > warnAboveMs) {
      options.logger.warn({ ...delay, warnAboveMs, code: 'EVENT_LOOP_DELAY' }, `event loop delayed up to ${delay.maxMs} ms: adverts may be late`);
    } else {
      options.logger.debug(delay, 'event loop delay');
    }
  }, options.everyMs);
  timer.unref();
  return {
    snapshot,
    lastPeriod: () => last,
    setWarnAbove: (ms) => {
      warnAboveMs = ms;
    },
    stop: () => {
      clearInterval(timer);
      histogram.disable();
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
