// A proxied connection's tries at backends: which backend comes next (and whether one may), the
// socket to it and its non-blocking connect, and abandoning a try that failed. What to do after a
// failure is failover-policy.ts's decision; proxied-connection.ts carries it out.
import type { BackendPool } from '../pool.js';
import type { BackendAddress, BackendCounters } from '../types.js';
import { errnoName, EINPROGRESS } from '../../sys/errno.js';
import type { Libc } from '../../sys/libc.js';
import * as c from '../../sys/socket-constants.js';
import { sockaddrFamily } from '../../net/sockaddr.js';
import { countsAsRetry, rejectReason, retriesLeft, type RejectReason } from './failover-policy.js';
import { resetClose, setSocketOptions } from './socket-options.js';

/** One try at a backend: its socket and what epoll last said of it. */
export interface Upstream {
  backend: BackendAddress;
  counters: BackendCounters;
  fd: number;
  connected: boolean;
  readable: boolean;
  writable: boolean;
  hungUp: boolean;
  released: boolean;
}

/** The failure that sent the client on from a backend, for logs. */
export interface Failure {
  backend: string;
  detail: string;
}

/** What the attempts need of the engine. */
export interface AttemptHost {
  readonly pool: BackendPool;
  readonly settings: { readonly retries: number };
  /** The socket is about to be closed: its late events are not this connection's any more. */
  forget(fd: number): void;
}

export type NextBackend = { upstream: Upstream; retry: boolean } | { reject: RejectReason };

export type ConnectStart =
  | { kind: 'connecting' }
  /** No address, or the connect failed at once: the backend's failure. */
  | { kind: 'failed'; detail: string }
  /** socket() failed for want of descriptors or memory: this host's trouble (the try is released). */
  | { kind: 'no-socket'; error: string };

export class BackendAttempts {
  /** Backends tried by this client, not tried again. */
  readonly tried = new Set<string>();
  /** Tries so far (the first and each retry). */
  count = 0;

  constructor(
    private readonly host: AttemptHost,
    private readonly sys: Libc,
  ) {}

  /** Whether the retries allow one more try. */
  get retriesLeft(): boolean {
    return retriesLeft(this.count, this.host.settings.retries);
  }

  /** Whether a backend not tried yet is up (without moving the balancing state). */
  otherBackendUp(): boolean {
    return this.host.pool.hasCandidate(this.tried);
  }

  /** Picks the next backend, counted active on it (and a retry after the first); or why there is none. */
  next(afterFailure: boolean): NextBackend {
    const { pool } = this.host;
    const exhausted = !this.retriesLeft;
    const backend = exhausted ? null : pool.pick(this.tried);
    if (!backend) return { reject: rejectReason(afterFailure, exhausted) };
    this.tried.add(backend.name);
    const retry = countsAsRetry(this.count);
    const upstream: Upstream = { backend, counters: pool.acquire(backend, retry), fd: -1, connected: false, readable: false, writable: false, hungUp: false, released: false };
    this.count += 1;
    return { upstream, retry };
  }

  /**
   * Opens the try's socket, of the family of `address` (a sockaddr_in or sockaddr_in6: either family of
   * client goes to either family of backend), and starts its non-blocking connect (or the reason there is none).
   */
  connect(upstream: Upstream, address: Buffer | string): ConnectStart {
    if (typeof address === 'string') return { kind: 'failed', detail: address };
    const fd = this.sys.socket(sockaddrFamily(address), c.SOCK_STREAM | c.SOCK_NONBLOCK | c.SOCK_CLOEXEC, 0);
    if (fd < 0) {
      const error = errnoName(this.sys.errno());
      this.release(upstream);
      return { kind: 'no-socket', error };
    }
    upstream.fd = fd;
    setSocketOptions(this.sys, fd);
    const result = this.sys.connect(fd, address, address.length);
    if (result < 0) {
      const error = this.sys.errno();
      if (error !== EINPROGRESS) return { kind: 'failed', detail: `connect ${errnoName(error)}` };
    }
    return { kind: 'connecting' };
  }

  /** Closes the try's socket, with a reset when asked or when it never connected; its late events are ignored. */
  close(upstream: Upstream, reset: boolean): void {
    if (upstream.fd >= 0) {
      this.host.forget(upstream.fd);
      if (reset || !upstream.connected) resetClose(this.sys, upstream.fd);
      else this.sys.close(upstream.fd);
      upstream.fd = -1;
    }
    this.release(upstream);
  }

  /** The backend no longer counts this client active (once per try). */
  release(upstream: Upstream): void {
    if (upstream.released) return;
    upstream.released = true;
    this.host.pool.release(upstream.backend);
  }
}
