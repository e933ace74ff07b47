// Runs one Checker every interval, with a timeout, and turns its answers into up/down with rise/fall.
//
// Rise/fall is the health counter keepalived (vrrp_script_child_thread) and haproxy
// (set_server_check_status) share: a counter in 0..rise+fall-1, up while it is >= rise.
//   success: below rise-1 it counts up (still down); from rise-1 on it jumps to the top (up).
//   failure: above rise it counts down (still up); from rise down it drops to 0 (down).
// So it takes `rise` consecutive successes to come up and `fall` consecutive failures to go down,
// and one answer the other way starts the count again.
//
// The starting point is where the two differ (`initial`):
// - 'init' (trackers; keepalived's vrrp_script without `init_fail`): the counter starts at rise-1 in
//   a third state, "no answer yet". The first answer decides at once: a success brings it up (to the
//   top, so `fall` failures are needed to go down), a failure brings it down (0, so `rise` successes
//   are needed). Until then keepalived holds an instance with a weight-0 script in FAULT and applies
//   no weight (vrrp_scheduler.c vrrp_init_script: "result = rise - 1; one success is enough";
//   vrrp_track.c initialise_track_script_state counts it in num_script_init). tracker-set.ts does the same.
// - 'down' (keepalived's `init_fail`): counter 0, `rise` successes needed.
// - 'up' (haproxy servers: "up, but will fall down at first failure"): counter at rise, so the first
//   failure takes it down and the first success makes it fully up. The load balancer's choice.
//
// The first check runs at start(); the next ones on a fixed cadence of `intervalMs` from the first.
// A check that is still running when its next slot comes skips that slot (keepalived: "expect idle -
// skipping run"), so checks never overlap.
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { TsvipError } from '../errors.js';
import { errorDetail, type CheckOutcome, type Checker } from './checker.js';
import { ChangeListeners, type Tracker, type TrackerListener, type TrackerState } from './tracker.js';

/** The reason a running check is aborted when its monitor stops: its answer is not counted. */
export class MonitorStoppedError extends TsvipError {
  constructor() {
    super('ERR_MONITOR_STOPPED', 'monitor stopped');
  }
}

export interface RiseFall {
  rise: number;
  fall: number;
}

export interface Health {
  state: TrackerState;
  count: number;
}

export type InitialHealth = TrackerState;

export function initialHealth(initial: InitialHealth, { rise }: RiseFall): Health {
  switch (initial) {
    case 'init':
      return { state: 'init', count: rise - 1 };
    case 'down':
      return { state: 'down', count: 0 };
    case 'up':
      return { state: 'up', count: rise };
  }
}

/** Pure: the health after one more answer. */
export function nextHealth(health: Health, answer: { ok: boolean }, { rise, fall }: RiseFall): Health {
  const top = rise + fall - 1;
  if (answer.ok) {
    if (health.count < rise - 1) return { state: health.state, count: health.count + 1 };
    return { state: 'up', count: top };
  }
  if (health.count > rise) return { state: health.state, count: health.count - 1 };
  return { state: 'down', count: 0 };
}

export interface HealthMonitorOptions extends RiseFall {
  checker: Checker;
  intervalMs: number;
  timeoutMs: number;
  initial: InitialHealth;
  clock?: Clock;
}

export interface MonitorCounters {
  checks: number;
  failures: number;
}

export class HealthMonitor implements Tracker {
  readonly counters: MonitorCounters = { checks: 0, failures: 0 };
  private health: Health;
  private detail = 'not checked yet';
  private readonly listeners = new ChangeListeners();
  private readonly clock: Clock;
  private timer: TimerHandle | null = null;
  private running: AbortController | null = null;
  private started = false;
  private firstStartMs = 0;
  /** Which slot of the cadence (firstStartMs + slot * intervalMs) the current or last check ran in. */
  private slot = 0;

  constructor(private readonly options: HealthMonitorOptions) {
    if (!(options.rise >= 1 && options.fall >= 1 && options.intervalMs > 0 && options.timeoutMs > 0)) {
      throw new TsvipError('ERR_MONITOR_OPTIONS', `rise, fall, interval and timeout must be positive (got ${JSON.stringify(options)})`);
    }
    this.clock = options.clock ?? systemClock;
    this.health = initialHealth(options.initial, options);
  }

  get state(): TrackerState {
    return this.health.state;
  }

  get up(): boolean {
    return this.health.state === 'up';
  }

  get lastDetail(): string {
    return this.detail;
  }

  onChange(listener: TrackerListener): () => void {
    return this.listeners.add(listener);
  }

  /** Checks at once, then every intervalMs. Calling it again while started does nothing. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.firstStartMs = this.clock.now();
    this.slot = 0;
    void this.runOnce();
  }

  /** Cancels the next check and aborts a running one; its answer is not counted. */
  stop(): void {
    this.started = false;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.running?.abort(new MonitorStoppedError());
    this.running = null;
  }

  private async runOnce(): Promise<void> {
    const controller = new AbortController();
    this.running = controller;
    const { timeoutMs } = this.options;
    const deadline = this.clock.setTimeout(() => {
      controller.abort(new TsvipError('ERR_CHECK_TIMEOUT', `timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    let outcome: CheckOutcome;
    try {
      outcome = await this.options.checker.check(controller.signal);
    } catch (error) {
      outcome = { ok: false, detail: errorDetail(error) }; // checkers should not throw; count it anyway
    }
    this.clock.clearTimeout(deadline);
    if (this.running !== controller) return; // stopped meanwhile (and maybe started again)
    this.running = null;
    // An answer that came after the deadline is a timeout, whatever it says (as in keepalived and haproxy).
    if (controller.signal.aborted && outcome.ok) outcome = { ok: false, detail: `timed out after ${timeoutMs} ms` };
    this.record(outcome);
    this.scheduleNext();
  }

  private record(outcome: CheckOutcome): void {
    this.counters.checks++;
    if (!outcome.ok) this.counters.failures++;
    this.detail = outcome.detail;
    const before = this.health.state;
    this.health = nextHealth(this.health, outcome, this.options);
    if (this.health.state !== before) {
      this.listeners.emit({ from: before, to: this.health.state, up: this.up, detail: outcome.detail });
    }
  }

  private scheduleNext(): void {
    if (!this.started) return;
    const { intervalMs } = this.options;
    const now = this.clock.now();
    // The slot after this check's, or if this check overran it, the first one not yet begun.
    this.slot = Math.max(this.slot + 1, Math.ceil((now - this.firstStartMs) / intervalMs));
    const delay = Math.max(0, this.firstStartMs + this.slot * intervalMs - now);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.runOnce();
    }, delay);
  }
}
