// The one writer of a load balancer's counters in the data path's worker: the engine, each proxied
// connection and its backend attempts, and the pool report what happened, and only this file turns it
// into numbers. The pool reads a backend's active count here (leastconn balances on it). A backend
// removed by a reload keeps its counters while it still has connections, and leaves `backends` when
// the last one ends, so /metrics never shows a backend that is neither listed nor in use.
import type { BackendCounters, LoadBalancerCounters } from './types.js';

export function newBackendCounters(): BackendCounters {
  return { active: 0, total: 0, failedConnects: 0, retries: 0, bytesIn: 0, bytesOut: 0 };
}

function newLoadBalancerCounters(): LoadBalancerCounters {
  return { active: 0, total: 0, failedConnects: 0, retries: 0, rejected: 0, bytesIn: 0, bytesOut: 0, backends: {} };
}

export class CountersRecorder {
  readonly counters: LoadBalancerCounters = newLoadBalancerCounters();
  private listed = new Set<string>();

  /** The backends a config lists now: each has counters; an unlisted one goes once it is idle. */
  list(names: readonly string[]): void {
    this.listed = new Set(names);
    for (const name of names) this.backend(name);
    for (const [name, counters] of Object.entries(this.counters.backends)) if (counters.active === 0 && !this.listed.has(name)) delete this.counters.backends[name];
  }

  /** The counters of one backend (made when first asked): what a connection's attempt holds on to. */
  backend(name: string): BackendCounters {
    let counters = this.counters.backends[name];
    if (!counters) {
      counters = newBackendCounters();
      this.counters.backends[name] = counters;
    }
    return counters;
  }

  activeOn(name: string): number {
    return this.counters.backends[name]?.active ?? 0;
  }

  clientAccepted(): void {
    this.counters.active += 1;
    this.counters.total += 1;
  }

  clientClosed(): void {
    this.counters.active = Math.max(0, this.counters.active - 1);
  }

  /** A client closed because no backend could take it, or no socket could be opened for it. */
  clientRejected(): void {
    this.counters.rejected += 1;
  }

  /** A connection to the backend is being tried: active on it until attemptEnded(). */
  attemptStarted(backend: BackendCounters, retry: boolean): void {
    backend.active += 1;
    if (retry) {
      this.counters.retries += 1;
      backend.retries += 1;
    }
  }

  attemptEnded(name: string): void {
    const backend = this.counters.backends[name];
    if (!backend) return;
    backend.active = Math.max(0, backend.active - 1);
    if (backend.active === 0 && !this.listed.has(name)) delete this.counters.backends[name];
  }

  backendConnected(backend: BackendCounters): void {
    backend.total += 1;
  }

  /** A connect failed or timed out, or the backend stayed silent past firstByteTimeout. */
  backendFailed(name: string): void {
    this.counters.failedConnects += 1;
    const backend = this.counters.backends[name];
    if (backend) backend.failedConnects += 1;
  }

  /** Bytes read from the client. */
  fromClient(n: number): void {
    this.counters.bytesIn += n;
  }

  /** Bytes handed to a backend (once per chunk: the rest of a short write is not counted again). */
  toBackend(backend: BackendCounters, n: number): void {
    backend.bytesIn += n;
  }

  /** Bytes read from a backend, on their way to the client. */
  fromBackend(backend: BackendCounters, n: number): void {
    this.counters.bytesOut += n;
    backend.bytesOut += n;
  }
}
