// Health of one load balancer's backends: active checks (tcp, http, https) with
// rise/fall, passive marking from the proxy's connect failures, and the pool's state for the
// `backends` tracker.
//
// Active checks: one HealthMonitor (health/monitor.ts) per backend runs the checks on its cadence,
// with the timeout; every answer, active or passive, moves one rise/fall counter per backend here
// (monitor.ts nextHealth), so a passive failure and the checks that follow it add up in one place.
//
// Initial state: 'init', which the proxy treats as up (haproxy: a server starts "up, but will fall
// down at first failure"). The first check runs at start(), so a dead backend is known within
// milliseconds (refused) or `timeout` (hung); until then its clients' connect failures are retried
// elsewhere and mark it down passively. Starting down instead (keepalived's init_fail) would leave a
// freshly started or reloaded pool with no backend for (rise - 1) * interval: every client closed,
// and the `backends` tracker failing on every host at once. The first answer decides, as
// monitor.ts's 'init' does: a failure takes the backend down at once, a success makes it fully up.
// The pool's tracker state stays 'init' (no weight applied, see tracker-set.ts) until a backend has
// passed a check or every backend is down.
//
// Passive: a failed connect (or a backend silent past firstByteTimeout) marks the backend down at
// once, as nginx's default max_fails=1 and haproxy's `observe layer4` with `on-error mark-down` do;
// `rise` active successes bring it back (nginx's fail_timeout timer would re-admit a dead backend
// blind). The proxy only reports what a client actually hit, and each such failure costs a client a
// retry (up to connectTimeout for a hung host), so waiting for `fall` of them at 100 connections a
// second would cost dozens; one spurious failure costs only rise * interval of one backend's share.
// Except for the last usable backend: a passive failure that would leave the pool with none counts as
// one failed check instead (haproxy's `on-error fail-check`), so the active checks decide whether the
// pool is down. nginx likewise never leaves a pool empty on passive evidence ("all peers failed,
// mark them as live for quick recovery"); here a single transient error must not close every client
// and move the VIP through the `backends` tracker.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { LoadBalancerConfig } from '../config/schema.js';
import { TsvipError } from '../errors.js';
import { abortDetail, type CheckOutcome, type Checker } from '../health/checker.js';
import { backendCheckUrl, httpChecker, readCaFile } from '../health/http-check.js';
import { HealthMonitor, initialHealth, MonitorStoppedError, nextHealth, type Health, type RiseFall } from '../health/monitor.js';
import { tcpChecker } from '../health/tcp-check.js';
import type { ExternalTracker } from '../health/tracker-set.js';
import type { TrackerState } from '../health/tracker.js';
import { systemClock, type Clock } from '../clock.js';
import { formatHostPort } from '../net/host-port.js';
import type { BackendAddress, BackendHealthChange, BackendHealthView } from './types.js';

export type HealthCheckConfig = LoadBalancerConfig['healthCheck'];

export interface BackendHealthOptions {
  /** The load balancer's name, for logs. */
  name: string;
  backends: readonly BackendAddress[];
  healthCheck: HealthCheckConfig;
  /** The load balancer's logger (a child with its part and name). */
  logger: Logger;
  /** Runs the check cadence and timeouts; the system clock unless told. */
  clock?: Clock;
  /** Wall time for `since`, ms since the epoch; Date.now unless told. */
  wallClock?: () => number;
}

export interface BackendHealthDescription {
  name: string;
  /** host:port */
  address: string;
  /** 'init' until the first answer; the proxy uses 'init' and 'up' backends. */
  state: TrackerState;
  up: boolean;
  /** What caused the last change of state ('HTTP 503', 'passive: connect ECONNREFUSED'). */
  reason: string;
  /** When the state last changed (or the backend was added), ms since the epoch. */
  since: number;
  /** The detail of the last active check. */
  lastCheck: string;
  checks: number;
  /** Failed active checks. */
  failures: number;
  passiveFailures: number;
  upTransitions: number;
  downTransitions: number;
}

export interface PoolHealth {
  /**
   * 'up': a backend passed its checks; 'down': no backend is up (clients are closed at once);
   * 'init': no backend is down-only, but none has passed a check yet.
   */
  state: TrackerState;
  up: boolean;
  /** Backends the proxy may use ('init' or 'up'). */
  usable: number;
  total: number;
  detail: string;
}

interface Entry {
  address: BackendAddress;
  key: string;
  health: Health;
  monitor: HealthMonitor;
  reason: string;
  sinceMs: number;
  lastCheck: string;
  counters: { checks: number; failures: number; passiveFailures: number; upTransitions: number; downTransitions: number };
}

const usable = (state: TrackerState): boolean => state !== 'down';
const hostPort = (address: BackendAddress): string => formatHostPort(address.host, address.port);

export class BackendHealth implements BackendHealthView {
  private entries = new Map<string, Entry>();
  private check: HealthCheckConfig;
  private started = false;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly wallClock: () => number;
  private readonly changeListeners = new Set<(change: BackendHealthChange) => void>();
  private readonly poolListeners = new Set<(pool: PoolHealth) => void>();
  private lastPool: PoolHealth;

  constructor(private readonly options: BackendHealthOptions) {
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
    this.wallClock = options.wallClock ?? Date.now;
    this.check = options.healthCheck;
    const key = checkKey(options.healthCheck);
    for (const backend of uniqueBackends(options.backends)) {
      this.entries.set(backend.name, this.newEntry(backend, options.healthCheck, key, initial(options.healthCheck), 'not checked yet'));
    }
    this.lastPool = this.pool();
  }

  /** Checks every backend at once, then every interval. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const entry of this.entries.values()) entry.monitor.start();
  }

  /** Stops the checks; a running one is aborted and not counted. States stay as they are. */
  stop(): void {
    this.started = false;
    for (const entry of this.entries.values()) entry.monitor.stop();
  }

  /**
   * SIGHUP: applies a new backend list and check. A backend with the same name, address and check
   * (the caFile's content included) keeps everything: state, counters, check cadence. Same name and
   * address with a changed check keeps its state (fully up or fully down under the new rise/fall) and
   * checks anew at once. A new name, or a name at a new address, starts in 'init'. Nothing changes
   * when this throws (ERR_CA_FILE, ERR_BACKEND_NAME).
   */
  update(backends: readonly BackendAddress[], healthCheck: HealthCheckConfig): void {
    const list = uniqueBackends(backends);
    const key = checkKey(healthCheck);
    const next = new Map<string, Entry>();
    const built: Entry[] = [];
    for (const backend of list) {
      const old = this.entries.get(backend.name);
      const sameAddress = old !== undefined && hostPort(old.address) === hostPort(backend);
      if (old && sameAddress && old.key === key) {
        next.set(backend.name, old);
        continue;
      }
      const entry = old && sameAddress ? this.recheck(old, backend, healthCheck, key) : this.newEntry(backend, healthCheck, key, initial(healthCheck), old ? `address changed from ${hostPort(old.address)}` : 'added by reload');
      built.push(entry);
      next.set(backend.name, entry);
    }
    for (const [name, old] of this.entries) {
      if (next.get(name) !== old) old.monitor.stop();
    }
    for (const backend of list) {
      const entry = next.get(backend.name);
      if (entry) entry.address = { ...backend };
    }
    this.entries = next;
    this.check = healthCheck;
    if (this.started) for (const entry of built) entry.monitor.start();
    this.poolMayHaveChanged();
  }

  isUp(backend: string): boolean {
    const entry = this.entries.get(backend);
    return entry !== undefined && usable(entry.health.state);
  }

  /** Some backend may take clients; false means the proxy closes clients at once. */
  anyUp(): boolean {
    for (const entry of this.entries.values()) if (usable(entry.health.state)) return true;
    return false;
  }

  reportFailure(backend: string, detail: string): void {
    const entry = this.entries.get(backend);
    if (!entry) return; // removed by a reload while the connect was under way
    entry.counters.passiveFailures++;
    const othersUsable = [...this.entries.values()].some((other) => other !== entry && usable(other.health.state));
    const health: Health = othersUsable ? { state: 'down', count: 0 } : nextHealth(entry.health, { ok: false }, this.check);
    this.apply(entry, health, `passive: ${detail}`);
  }

  onChange(listener: (change: BackendHealthChange) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Called when the pool's state or detail changes (for the `backends` tracker and the status page). */
  onPoolChange(listener: (pool: PoolHealth) => void): () => void {
    this.poolListeners.add(listener);
    return () => this.poolListeners.delete(listener);
  }

  pool(): PoolHealth {
    const entries = [...this.entries.values()];
    const usableCount = entries.filter((entry) => usable(entry.health.state)).length;
    const upCount = entries.filter((entry) => entry.health.state === 'up').length;
    const total = entries.length;
    if (upCount > 0) return { state: 'up', up: true, usable: usableCount, total, detail: `${upCount} of ${total} backends up` };
    if (usableCount === 0) {
      const reasons = entries.map((entry) => `${entry.address.name}: ${entry.reason}`).join('; ');
      return { state: 'down', up: false, usable: 0, total, detail: total === 0 ? 'no backends' : `no backend up (${reasons})` };
    }
    return { state: 'init', up: false, usable: usableCount, total, detail: 'waiting for the first checks' };
  }

  describe(): BackendHealthDescription[] {
    return [...this.entries.values()].map((entry) => ({
      name: entry.address.name,
      address: hostPort(entry.address),
      state: entry.health.state,
      up: usable(entry.health.state),
      reason: entry.reason,
      since: entry.sinceMs,
      lastCheck: entry.lastCheck,
      ...entry.counters,
    }));
  }

  /** The same backend under a changed check: its state, fully up or fully down under the new rise/fall. */
  private recheck(old: Entry, backend: BackendAddress, check: HealthCheckConfig, key: string): Entry {
    const { rise, fall } = check;
    const health: Health = old.health.state === 'init' ? initial(check) : old.health.state === 'up' ? { state: 'up', count: rise + fall - 1 } : { state: 'down', count: 0 };
    const entry = this.newEntry(backend, check, key, health, old.reason);
    entry.sinceMs = old.sinceMs;
    entry.lastCheck = old.lastCheck;
    entry.counters = old.counters;
    return entry;
  }

  private newEntry(address: BackendAddress, check: HealthCheckConfig, key: string, health: Health, reason: string): Entry {
    const checker = backendChecker(address, check);
    // The monitor schedules the checks and times them out; their answers are counted here, in one
    // rise/fall counter with the passive failures.
    const observed: Checker = {
      check: async (signal) => {
        const outcome = await checker.check(signal);
        if (this.entries.get(entry.address.name) === entry && !stoppedBy(signal)) this.recordCheck(entry, lateAsTimeout(outcome, signal), check);
        return outcome;
      },
    };
    const monitor = new HealthMonitor({
      checker: observed,
      intervalMs: check.interval,
      timeoutMs: check.timeout,
      rise: check.rise,
      fall: check.fall,
      initial: 'init',
      clock: this.clock,
    });
    const entry: Entry = {
      address: { ...address },
      key,
      health,
      monitor,
      reason,
      sinceMs: this.wallClock(),
      lastCheck: 'not checked yet',
      counters: { checks: 0, failures: 0, passiveFailures: 0, upTransitions: 0, downTransitions: 0 },
    };
    return entry;
  }

  private recordCheck(entry: Entry, outcome: CheckOutcome, check: HealthCheckConfig): void {
    entry.counters.checks++;
    if (!outcome.ok) entry.counters.failures++;
    entry.lastCheck = outcome.detail;
    this.apply(entry, nextHealth(entry.health, outcome, check), outcome.detail);
  }

  private apply(entry: Entry, health: Health, reason: string): void {
    const from = entry.health.state;
    entry.health = health;
    if (health.state === from) return;
    entry.reason = reason;
    entry.sinceMs = this.wallClock();
    const { name } = entry.address;
    const fields = { backend: name, address: hostPort(entry.address), from, to: health.state, reason };
    if (usable(from) === usable(health.state)) {
      // init -> up: the proxy was already using it; said once, not counted as a transition.
      this.logger.info({ code: 'LB_BACKEND_UP', ...fields }, `backend ${name} (${fields.address}) up: ${reason}`);
      this.poolMayHaveChanged();
      return;
    }
    const up = usable(health.state);
    if (up) {
      entry.counters.upTransitions++;
      this.logger.info({ code: 'LB_BACKEND_UP', ...fields, transitions: entry.counters.upTransitions }, `backend ${name} (${fields.address}) up: ${reason}`);
    } else {
      entry.counters.downTransitions++;
      this.logger.warn({ code: 'LB_BACKEND_DOWN', ...fields, transitions: entry.counters.downTransitions }, `backend ${name} (${fields.address}) down: ${reason}`);
    }
    const change: BackendHealthChange = { backend: name, up, reason };
    for (const listener of [...this.changeListeners]) callSafely(() => listener(change));
    this.poolMayHaveChanged();
  }

  private poolMayHaveChanged(): void {
    const before = this.lastPool;
    const pool = this.pool();
    this.lastPool = pool;
    if (pool.state === before.state && pool.detail === before.detail) return;
    if (pool.state === 'down' && before.state !== 'down') {
      this.logger.warn({ code: 'LB_POOL_DOWN', loadBalancer: this.options.name, detail: pool.detail }, `load balancer ${this.options.name}: ${pool.detail}; clients are closed`);
    } else if (pool.state !== 'down' && before.state === 'down') {
      this.logger.info({ code: 'LB_POOL_UP', loadBalancer: this.options.name, detail: pool.detail }, `load balancer ${this.options.name}: a backend is usable again`);
    }
    for (const listener of [...this.poolListeners]) callSafely(() => listener({ ...pool }));
  }
}

/**
 * Feeds a `backends` tracker (health/build-trackers.ts makes it, in 'init'): down while no backend of
 * the pool is up, up once one has passed a check; left in 'init' until then. Returns the unsubscribe.
 */
export function feedBackendsTracker(health: BackendHealth, tracker: ExternalTracker): () => void {
  const report = (pool: PoolHealth): void => {
    if (pool.state !== 'init') tracker.set({ up: pool.up, detail: pool.detail });
  };
  report(health.pool());
  return health.onPoolChange(report);
}

/** 'init' (monitor.ts): the first answer decides, either way. */
function initial(check: RiseFall): Health {
  return initialHealth('init', check);
}

/** The checker for one backend: its address, the load balancer's check. Throws ERR_CA_FILE. */
export function backendChecker(backend: BackendAddress, check: HealthCheckConfig): Checker {
  if (check.type === 'tcp') return tcpChecker({ host: backend.host, port: backend.port });
  return httpChecker({
    url: backendCheckUrl({ type: check.type, host: backend.host, port: backend.port, path: check.path }),
    insecureSkipVerify: check.insecureSkipVerify,
    caFile: check.caFile,
  });
}

/** What makes two checks the same for update(): every key, and the CA file's content (a rotated CA is a change). */
function checkKey(check: HealthCheckConfig): string {
  const ca = check.type === 'https' && check.caFile ? createHash('sha256').update(readCaFile(check.caFile)).digest('hex') : null;
  const { type, path, insecureSkipVerify, caFile, interval, timeout, rise, fall } = check;
  return JSON.stringify({ type, path, insecureSkipVerify, caFile, interval, timeout, rise, fall, ca });
}

function uniqueBackends(backends: readonly BackendAddress[]): BackendAddress[] {
  const seen = new Set<string>();
  for (const backend of backends) {
    if (seen.has(backend.name)) throw new TsvipError('ERR_BACKEND_NAME', `two backends are named ${backend.name}`);
    seen.add(backend.name);
  }
  return backends.map((backend) => ({ ...backend }));
}

/** The monitor aborts a running check when it is stopped; that answer is not counted (monitor.ts). */
function stoppedBy(signal: AbortSignal): boolean {
  const reason: unknown = signal.reason;
  return signal.aborted && reason instanceof MonitorStoppedError;
}

/** An answer that came after the deadline is a timeout, whatever it says (as the monitor counts it). */
function lateAsTimeout(outcome: CheckOutcome, signal: AbortSignal): CheckOutcome {
  return signal.aborted && outcome.ok ? { ok: false, detail: abortDetail(signal) } : outcome;
}

/** A listener that throws is a bug elsewhere: surface it without losing the other listeners' calls. */
function callSafely(call: () => void): void {
  try {
    call();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
