// One load balancer's backends: the current list (replaced on reload), who is up (asked of the health
// view), the balancing state, and the per-backend counters. A backend removed by a reload keeps its
// counters while it still has connections, and leaves `counters.backends` when the last one ends.
import { parseHostPort } from '../net/address.js';
import type { LoadBalancerConfig } from '../config/schema.js';
import { TsvipError } from '../errors.js';
import { INITIAL_BALANCE_STATE, isEligible, pickBackend, type BalanceAlgorithm, type BalanceState, type Candidate } from './balance.js';
import type { BackendAddress, BackendCounters, LoadBalancerCounters, PoolHealthView } from './types.js';

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

export function newBackendCounters(): BackendCounters {
  return { active: 0, total: 0, failedConnects: 0, retries: 0, bytesIn: 0, bytesOut: 0 };
}

export function newLoadBalancerCounters(): LoadBalancerCounters {
  return { active: 0, total: 0, failedConnects: 0, retries: 0, rejected: 0, bytesIn: 0, bytesOut: 0, backends: {} };
}

export interface BackendPoolOptions {
  backends: readonly BackendAddress[];
  algorithm: BalanceAlgorithm;
  health: PoolHealthView;
  /** The load balancer's counters; the pool keeps `counters.backends` in step with its list. */
  counters: LoadBalancerCounters;
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
  private readonly counters: LoadBalancerCounters;

  constructor(options: BackendPoolOptions) {
    this.list = options.backends;
    this.algorithm = options.algorithm;
    this.health = options.health;
    this.counters = options.counters;
    for (const backend of this.list) this.countersOf(backend.name);
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
    for (const backend of this.list) this.countersOf(backend.name);
    for (const [name, counters] of Object.entries(this.counters.backends)) {
      if (counters.active === 0 && !this.isListed(name)) delete this.counters.backends[name];
    }
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

  /** A connection to `backend` is opening: counted active (leastconn sees it) until release(). */
  acquire(backend: BackendAddress): BackendCounters {
    const counters = this.countersOf(backend.name);
    counters.active += 1;
    return counters;
  }

  release(backend: BackendAddress): void {
    const counters = this.counters.backends[backend.name];
    if (!counters) return;
    counters.active = Math.max(0, counters.active - 1);
    if (counters.active === 0 && !this.isListed(backend.name)) delete this.counters.backends[backend.name];
  }

  /** Passive health: a connect failed or timed out, or the backend stayed silent (engine/proxied-connection.ts). */
  reportFailure(backend: BackendAddress, detail: string): void {
    this.counters.failedConnects += 1;
    const counters = this.counters.backends[backend.name];
    if (counters) counters.failedConnects += 1;
    this.health.reportFailure(backend.name, detail);
  }

  private candidates(): Candidate[] {
    return this.list.map((backend) => ({
      name: backend.name,
      weight: backend.weight,
      up: this.health.isUp(backend.name),
      active: this.counters.backends[backend.name]?.active ?? 0,
    }));
  }

  private isListed(name: string): boolean {
    return this.list.some((backend) => backend.name === name);
  }

  private countersOf(name: string): BackendCounters {
    let counters = this.counters.backends[name];
    if (!counters) {
      counters = newBackendCounters();
      this.counters.backends[name] = counters;
    }
    return counters;
  }
}
