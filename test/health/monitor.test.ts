// Rise/fall, timeouts and scheduling of HealthMonitor on a fake clock with a scripted checker.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { abortDetail, type CheckOutcome, type Checker } from '../../src/health/checker.js';
import { HealthMonitor, initialHealth, nextHealth, type HealthMonitorOptions, type InitialHealth } from '../../src/health/monitor.js';
import type { TrackerChange, TrackerState } from '../../src/health/tracker.js';
import { FakeClock } from '../vrrp/fake-clock.js';

/** Lets the promise callbacks queued by a check run (the fake clock only moves timers). */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

type Step = boolean | 'hang' | { okAfterMs: number };

/** Answers with the scripted steps in order; 'hang' answers only when aborted. Records each call. */
class ScriptedChecker implements Checker {
  readonly startedAt: number[] = [];
  readonly signals: AbortSignal[] = [];
  running = 0;
  maxRunning = 0;

  constructor(
    private readonly clock: FakeClock,
    private readonly steps: Step[],
  ) {}

  async check(signal: AbortSignal): Promise<CheckOutcome> {
    this.startedAt.push(this.clock.now());
    this.signals.push(signal);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      return await this.answer(this.steps.shift() ?? true, signal);
    } finally {
      this.running--;
    }
  }

  private answer(step: Step, signal: AbortSignal): Promise<CheckOutcome> {
    if (typeof step === 'boolean') return Promise.resolve({ ok: step, detail: step ? 'fine' : 'broken' });
    if (step === 'hang') {
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve({ ok: false, detail: abortDetail(signal) })));
    }
    // Answers ok after a delay on the fake clock, whether or not it was aborted meanwhile.
    return new Promise((resolve) => this.clock.setTimeout(() => resolve({ ok: true, detail: 'late but fine' }), step.okAfterMs));
  }
}

interface Harness {
  clock: FakeClock;
  checker: ScriptedChecker;
  monitor: HealthMonitor;
  changes: TrackerChange[];
  /** Advances the clock by `ms` and lets the checks that started settle. */
  tick(ms: number): Promise<void>;
}

async function harness(steps: Step[], options: Partial<Omit<HealthMonitorOptions, 'checker' | 'clock'>> = {}): Promise<Harness> {
  const clock = new FakeClock();
  const checker = new ScriptedChecker(clock, steps);
  const monitor = new HealthMonitor({ checker, clock, intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 3, initial: 'init', ...options });
  const changes: TrackerChange[] = [];
  monitor.onChange((change) => changes.push(change));
  monitor.start();
  await flush();
  return {
    clock,
    checker,
    monitor,
    changes,
    tick: async (ms) => {
      clock.advance(ms);
      await flush();
    },
  };
}

/** Runs one check per interval for every remaining step; returns the state after each. */
async function statesAfterEach(h: Harness, count: number): Promise<TrackerState[]> {
  const states: TrackerState[] = [h.monitor.state];
  for (let i = 1; i < count; i++) {
    await h.tick(1000);
    states.push(h.monitor.state);
  }
  return states;
}

describe('rise and fall', () => {
  test('fall 3: two failures keep it up, the third brings it down; onChange fires once for that', async () => {
    const h = await harness([true, false, false, false]);
    expect(await statesAfterEach(h, 4)).toEqual(['up', 'up', 'up', 'down']);
    expect(h.changes).toEqual([
      { from: 'init', to: 'up', up: true, detail: 'fine' },
      { from: 'up', to: 'down', up: false, detail: 'broken' },
    ]);
    expect(h.monitor.counters).toEqual({ checks: 4, failures: 3 });
    expect(h.monitor.lastDetail).toBe('broken');
  });

  test('rise 2: from down it takes two successes in a row to come up', async () => {
    const h = await harness([true, true, true], { initial: 'down' });
    expect(await statesAfterEach(h, 3)).toEqual(['down', 'up', 'up']);
    expect(h.changes).toEqual([{ from: 'down', to: 'up', up: true, detail: 'fine' }]);
  });

  test('one answer the other way starts the count again', async () => {
    const h = await harness([true, false, false, true, false, false, false, true, false, true, true]);
    expect(await statesAfterEach(h, 11)).toEqual(['up', 'up', 'up', 'up', 'up', 'up', 'down', 'down', 'down', 'down', 'up']);
    expect(h.changes.map((c) => c.to)).toEqual(['up', 'down', 'up']);
  });

  test("init (keepalived's vrrp_script default): the first failure brings it down at once, then `rise` successes are needed", async () => {
    const h = await harness([false, true, true]);
    expect(await statesAfterEach(h, 3)).toEqual(['down', 'down', 'up']);
    expect(h.changes.map((c) => `${c.from}->${c.to}`)).toEqual(['init->down', 'down->up']);
  });

  test("init: before the first answer the state is 'init', neither up nor down", () => {
    const monitor = new HealthMonitor({ checker: new ScriptedChecker(new FakeClock(), []), intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 3, initial: 'init' });
    expect([monitor.state, monitor.up, monitor.lastDetail]).toEqual(['init', false, 'not checked yet']);
  });

  test('up (haproxy\'s "up, but will fall down at first failure"): the first failure brings it down', async () => {
    const h = await harness([false], { initial: 'up' });
    expect(h.monitor.state).toBe('down');
    expect(h.changes).toEqual([{ from: 'up', to: 'down', up: false, detail: 'broken' }]);
  });

  test('property: the counter agrees with counting consecutive answers (`rise` to come up, `fall` to go down)', () => {
    const initial = fc.constantFrom<InitialHealth>('init', 'up', 'down');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), initial, fc.array(fc.boolean(), { maxLength: 60 }), (rise, fall, start, answers) => {
        let health = initialHealth(start, { rise, fall });
        // Reference: the state, and how many answers in a row have disagreed with it.
        let state: TrackerState = start;
        let against = start === 'up' ? fall - 1 : 0; // haproxy's start: one failure away from down
        for (const ok of answers) {
          health = nextHealth(health, { ok }, { rise, fall });
          if (state === 'init') {
            state = ok ? 'up' : 'down';
            against = 0;
          } else if ((state === 'up') === ok) {
            against = 0;
          } else if (++against >= (state === 'up' ? fall : rise)) {
            state = ok ? 'up' : 'down';
            against = 0;
          }
          expect(health.state).toBe(state);
        }
      }),
    );
  });
});

describe('timeouts', () => {
  test('a check that does not answer is aborted at the timeout and counts as a failure', async () => {
    const h = await harness(['hang'], { rise: 1, fall: 1 });
    expect(h.checker.signals[0]?.aborted).toBe(false);
    await h.tick(499);
    expect(h.monitor.state).toBe('init');
    await h.tick(1);
    expect(h.checker.signals[0]?.aborted).toBe(true);
    expect(h.changes).toEqual([{ from: 'init', to: 'down', up: false, detail: 'timed out after 500 ms' }]);
  });

  test('a success that comes after the deadline is still a timeout', async () => {
    const h = await harness([{ okAfterMs: 700 }], { rise: 1, fall: 1 });
    await h.tick(700);
    expect(h.monitor.state).toBe('down');
    expect(h.monitor.lastDetail).toBe('timed out after 500 ms');
  });

  test('a checker that throws is a failure with the error as detail', async () => {
    const clock = new FakeClock();
    const checker: Checker = { check: () => Promise.reject(new Error('bug in checker')) };
    const monitor = new HealthMonitor({ checker, clock, intervalMs: 1000, timeoutMs: 500, rise: 1, fall: 1, initial: 'init' });
    monitor.start();
    await flush();
    expect([monitor.state, monitor.lastDetail]).toEqual(['down', 'bug in checker']);
  });
});

describe('scheduling', () => {
  test('checks at start, then every interval', async () => {
    const h = await harness([true, true, true, true]);
    await h.tick(1000);
    await h.tick(1000);
    await h.tick(999);
    expect(h.checker.startedAt).toEqual([0, 1000, 2000]);
    await h.tick(1);
    expect(h.checker.startedAt).toEqual([0, 1000, 2000, 3000]);
  });

  test('a slow check delays the next one: checks never overlap, a slot it overran is skipped', async () => {
    const h = await harness([{ okAfterMs: 2500 }, true, true], { timeoutMs: 10_000 });
    for (let i = 0; i < 8; i++) await h.tick(500);
    expect(h.checker.startedAt).toEqual([0, 3000, 4000]);
    expect(h.checker.maxRunning).toBe(1);
  });

  test('stop() aborts the running check, discards its answer and schedules nothing more', async () => {
    const h = await harness(['hang', true, true]);
    h.monitor.stop();
    await flush();
    expect(h.checker.signals[0]?.aborted).toBe(true);
    await h.tick(10_000);
    expect(h.checker.startedAt).toEqual([0]);
    expect(h.monitor.counters.checks).toBe(0);
    expect(h.changes).toEqual([]);
  });

  test('start() again after stop() resumes checking', async () => {
    const h = await harness([true, true]);
    h.monitor.stop();
    await h.tick(5000);
    h.monitor.start();
    await flush();
    expect(h.checker.startedAt).toEqual([0, 5000]);
  });

  test('options that cannot work are refused', () => {
    const checker = new ScriptedChecker(new FakeClock(), []);
    expect(() => new HealthMonitor({ checker, intervalMs: 0, timeoutMs: 500, rise: 1, fall: 1, initial: 'init' })).toThrow(
      expect.objectContaining({ code: 'ERR_MONITOR_OPTIONS' }),
    );
  });
});
