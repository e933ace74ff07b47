// One load balancer's backends: the current list (replaced on reload), who is up (asked of the health
// view) and the balancing state. What happens to each backend is told to the counters recorder, which
// also says how many connections each has (leastconn balances on it).
import { parseHostPort } from '../net/host-port.js';
import type { LoadBalancerConfig } from '../config/schema.js';
import { TsvipError } from '../errors.js';
import { INITIAL_BALANCE_STATE, isEligible, pickBackend, type BalanceAlgorithm, type BalanceState, type Candidate } from './balance.js';
import type { CountersRecorder } from './counters-recorder.js';
import type { BackendAddress, BackendCounters, PoolHealthView } from './types.js';

/** The backends of a validated config, addresses split into host and port. */
export function backendAddresses(config: LoadBalancerConfig): BackendAddress[] {
  return config.backends.map((backend) => {
    const parsed = parseHostPort(backend.address, { allowHostname: true, keywords: [] });
    if (!parsed.ok) {
      // The schema has already checked it; this only happens to a config that skipped validation.
      throw new TsvipError('ERR_LB_CONFIG', `load balancer ${config.name}: backend ${backend.name}: address ${backend.address} ${parsed.reason}`);
    }
    return { name: backend.name, host: parsed.value.host, port: parsed.value.port, weight: backend.weight };
  });
}

export interface BackendPoolOptions {
  backends: readonly BackendAddress[];
  algorithm: BalanceAlgorithm;
  health: PoolHealthView;
  /** Where the pool reports its list, each attempt and each failure. */
  recorder: CountersRecorder;
}

export interface BackendPoolUpdate {
  backends: readonly BackendAddress[];
  algorithm: BalanceAlgorithm;
}

export class BackendPool {
  private list: readonly BackendAddress[];
  private algorithm: BalanceAlgorithm;
  private readonly health: PoolHealthView;
  private state: BalanceState = INITIAL_BALANCE_STATE;
  private readonly recorder: CountersRecorder;

  constructor(options: BackendPoolOptions) {
    this.list = options.backends;
    this.algorithm = options.algorithm;
    this.health = options.health;
    this.recorder = options.recorder;
    this.recorder.list(this.list.map((backend) => backend.name));
  }

  get backends(): readonly BackendAddress[] {
    return this.list;
  }

  /** New connections use the new list at once; connections to removed backends are left alone. */
  update(update: BackendPoolUpdate): void {
    this.list = update.backends;
    // A fresh start, as after an haproxy or nginx reload: current weights left from the old list
    // would skew the first cycle of the new one.
    this.state = INITIAL_BALANCE_STATE;
    this.algorithm = update.algorithm;
    this.recorder.list(this.list.map((backend) => backend.name));
  }

  /** The next backend for a client, skipping those in `exclude`; null when none is up. */
  pick(exclude: ReadonlySet<string>): BackendAddress | null {
    const { index, state } = pickBackend(this.algorithm, this.state, this.candidates(), exclude);
    this.state = state;
    return index === null ? null : (this.list[index] ?? null);
  }

  /** Whether pick(exclude) would find a backend, without moving the balancing state. */
  hasCandidate(exclude: ReadonlySet<string>): boolean {
    return this.candidates().some((candidate) => isEligible(candidate, exclude));
  }

  /** A connection to `backend` is opening (a retry after another failed): active on it until release(). */
  acquire(backend: BackendAddress, retry: boolean): BackendCounters {
    const counters = this.recorder.backend(backend.name);
    this.recorder.attemptStarted(counters, retry);
    return counters;
  }

  release(backend: BackendAddress): void {
    this.recorder.attemptEnded(backend.name);
  }

  /** Passive health: a connect failed or timed out, or the backend stayed silent (engine/proxied-connection.ts). */
  reportFailure(backend: BackendAddress, detail: string): void {
    this.recorder.backendFailed(backend.name);
    this.health.reportFailure(backend.name, detail);
  }

  private candidates(): Candidate[] {
    return this.list.map((backend) => ({
      name: backend.name,
      weight: backend.weight,
      up: this.health.isUp(backend.name),
      active: this.recorder.activeOn(backend.name),
    }));
  }
}
