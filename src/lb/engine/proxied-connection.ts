// One client's connection through the load balancer, from the accepted socket to both sides closed,
// on raw non-blocking sockets in the data path's worker (engine.ts owns epoll and the timers).
//
//   connecting ──connect──▶ trial ──backend's first byte, or client bytes > REPLAY_LIMIT_BYTES──▶ committed
//       ▲  │ fails/times out  │ silent past firstByteTimeout, or closed/reset before answering
//       │  ▼                  ▼
//       └── next healthy backend (up to `retries` more), replaying the client's bytes so far
//
// connecting: the client's bytes are kept (reading stops once REPLAY_LIMIT_BYTES are held, so nothing
//   grows without bound). A connect that fails or times out delivered nothing, so it is always safe to
//   try the next backend.
// trial: the backend is connected and has not answered. The client's bytes go to it and are also kept,
//   so that a backend that accepted but hangs (a SIGSTOPped apiserver: the kernel still completes the
//   handshake) can be left for the next one: connect there, replay, reset the hung connection and
//   report it. With TLS, the bytes a client sends before the server's first byte are its ClientHello:
//   the server cannot have acted on anything, so a replay is invisible. A plaintext protocol whose
//   server may legitimately take longer than firstByteTimeout to answer a request should set it to 0.
// committed: bytes are copied both ways through one shared read buffer. Backpressure: what a write
//   could not take is kept (at most one read, 64 KiB, per direction) and that direction reads nothing
//   more until it is written. Half-close: an end (FIN) read on one side is passed on with
//   shutdown(SHUT_WR) once what came before it is written; the other direction keeps flowing. An error
//   on either side resets both.
//
// Sockets are edge-triggered in epoll: each side's readable and writable flags are set by events and
// cleared by EAGAIN, so no call is made that is known to find nothing to do (a syscall costs about
// 1 µs here, more than the JavaScript around it).
import type { BackendPool } from '../pool.js';
import type { BackendAddress, BackendCounters, LoadBalancerCounters } from '../types.js';
import type { DeadlineEntry, DeadlineOwner } from './deadline-heap.js';
import { errnoName, EAGAIN, ECONNRESET, EINPROGRESS } from '../../sys/errno.js';
import { EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLRDHUP } from '../../sys/epoll.js';
import { libc, type Libc } from '../../sys/libc.js';
import * as c from '../../sys/socket-constants.js';
import { intOption } from '../../sys/socket-constants.js';
import type { EngineSettings } from './protocol.js';

/**
 * The most client bytes kept for a replay: one TLS record at its largest (16 KiB of plaintext and its
 * 5-byte header). A ClientHello is 0.3-2 KB (a post-quantum key share included); beyond this the
 * client is sending application data the backend may have acted on, and the connection commits.
 */
export const REPLAY_LIMIT_BYTES = 16 * 1024 + 5;

/** What a connection needs from the engine that runs it. */
export interface ConnectionHost {
  readonly pool: BackendPool;
  readonly counters: LoadBalancerCounters;
  readonly settings: EngineSettings;
  /** The read buffer every connection shares (reads are copied on only when a write falls short). */
  readonly readBuffer: Buffer;
  readonly debug: boolean;
  now(): number;
  /** The sockaddr to connect to for a backend, or why there is none. */
  addressOf(backend: BackendAddress): Buffer | string;
  /** Registers a socket of this connection with epoll (edge-triggered, in and out). */
  watch(fd: number, connection: ProxiedConnection): void;
  /** The socket is about to be closed: its late events are not this connection's any more. */
  forget(fd: number): void;
  schedule(due: number, owner: DeadlineOwner): DeadlineEntry;
  log(level: 'debug' | 'warn', fields: Record<string, unknown>, message: string): void;
  /** socket() failed for want of descriptors or memory: this host's trouble, not a backend's. */
  outOfDescriptors(error: string): void;
  closed(connection: ProxiedConnection): void;
}

interface Upstream {
  backend: BackendAddress;
  counters: BackendCounters;
  fd: number;
  connected: boolean;
  readable: boolean;
  writable: boolean;
  hungUp: boolean;
  released: boolean;
}

interface Failure {
  backend: string;
  detail: string;
}

type Phase = 'connecting' | 'trial' | 'committed' | 'closed';

const HANGUP = EPOLLERR | EPOLLHUP | EPOLLRDHUP;
const LINGER_RESET = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);
const ERROR_VALUE = Buffer.alloc(4);
const ERROR_LENGTH = Buffer.alloc(4);

export class ProxiedConnection implements DeadlineOwner {
  private phase: Phase = 'connecting';
  private upstream: Upstream | null = null;
  private clientReadable = false;
  private clientWritable = true;
  /** The client's FIN (or an error) has been signalled: read until read() says so, short reads notwithstanding. */
  private clientHungUp = false;
  /** The client's FIN has been read; shutToBackend once it has been passed on. */
  private clientEnded = false;
  private shutToBackend = false;
  private backendEnded = false;
  private shutToClient = false;
  private toBackend: Buffer | null = null;
  private toClient: Buffer | null = null;
  private replay: Buffer[] = [];
  private replayBytes = 0;
  private readonly tried = new Set<string>();
  private attempts = 0;
  private connectDue = 0;
  private firstByteDue = 0;
  private lastActivity: number;
  /** The deadline this connection has in the engine's heap (Infinity: none). */
  private scheduled = Infinity;
  private scheduledEntry: DeadlineEntry | null = null;
  // The thread's libc binding (made on the engine's first use).
  private readonly sys: Libc = libc();

  constructor(
    private readonly host: ConnectionHost,
    readonly fd: number,
    /** The client's IPv4 address (host order) and port, formatted only for a log line. */
    private readonly clientIp: number,
    private readonly clientPort: number,
  ) {
    this.lastActivity = host.now();
  }

  /** The client's address as ip:port, for logs. */
  get client(): string {
    const ip = this.clientIp;
    return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}:${this.clientPort}`;
  }

  /** Bytes held in user space: write remainders and the replay buffer. */
  get bufferedBytes(): number {
    return (this.toBackend?.length ?? 0) + (this.toClient?.length ?? 0) + this.replayBytes;
  }

  start(): void {
    this.host.watch(this.fd, this);
    this.tryNextBackend(null);
    this.reschedule();
  }

  onEvent(fd: number, events: number): void {
    if (this.phase === 'closed') return;
    const upstream = this.upstream;
    if (fd === this.fd) {
      if (events & HANGUP) this.clientHungUp = true;
      if (events & (EPOLLIN | HANGUP)) this.clientReadable = true;
      if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) this.clientWritable = true;
    } else if (upstream && fd === upstream.fd) {
      if (!upstream.connected) {
        // A connect that failed is signalled with EPOLLERR (and HUP); only then is SO_ERROR worth a syscall.
        if (events & (EPOLLERR | EPOLLHUP)) {
          ERROR_LENGTH.writeInt32LE(4, 0);
          this.sys.getsockopt(fd, c.SOL_SOCKET, c.SO_ERROR, ERROR_VALUE, ERROR_LENGTH);
          const error = ERROR_VALUE.readInt32LE(0);
          this.connectFailed(upstream, `connect ${errnoName(error === 0 ? ECONNRESET : error)}`);
          this.reschedule();
          return;
        }
        if (!(events & EPOLLOUT)) return;
        this.onConnected(upstream);
      }
      if (events & HANGUP) upstream.hungUp = true;
      if (events & (EPOLLIN | HANGUP)) upstream.readable = true;
      if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) upstream.writable = true;
    } else {
      return;
    }
    this.flow();
    this.reschedule();
  }

  onDeadline(now: number): void {
    this.scheduled = Infinity;
    this.scheduledEntry = null;
    if (this.phase === 'closed') return;
    const upstream = this.upstream;
    const { settings } = this.host;
    if (this.connectDue !== 0 && now >= this.connectDue && upstream && !upstream.connected) {
      this.connectFailed(upstream, `connect timed out after ${settings.connectTimeoutMs} ms`);
    } else if (this.firstByteDue !== 0 && now >= this.firstByteDue && upstream && this.phase === 'trial') {
      this.firstByteDue = 0;
      this.onFirstByteTimeout(upstream);
    } else if (settings.idleTimeoutMs > 0 && now >= this.lastActivity + settings.idleTimeoutMs) {
      this.debug({ idleTimeoutMs: settings.idleTimeoutMs }, 'idle timeout: closing both sides');
      this.finish(false);
      return;
    }
    this.reschedule();
  }

  /** Closes both sides now (drain's deadline). */
  destroy(): void {
    if (this.phase !== 'closed') this.finish(false);
  }

  /** A method, not a comparison in place: the calls in between may have closed the connection. */
  private isOpen(): boolean {
    return this.phase !== 'closed';
  }

  private flow(): void {
    if (this.flowToBackend() && this.flowToClient()) this.checkFinished();
  }

  /** Client to backend; false once the connection has closed. */
  private flowToBackend(): boolean {
    const buffer = this.host.readBuffer;
    for (;;) {
      if (this.phase === 'closed') return false;
      const upstream = this.upstream;
      const connected = upstream !== null && upstream.connected;
      if (this.toBackend) {
        if (!connected || !upstream.writable) return true;
        if (!this.writeToBackend(upstream, this.toBackend)) return this.isOpen();
        this.toBackend = null;
      }
      if (this.clientEnded) {
        if (connected && !this.shutToBackend) {
          this.shutToBackend = true;
          // The last direction to end: close() right after sends the FIN.
          if (!this.otherDirectionDone(this.backendEnded, this.shutToClient, this.toClient)) this.sys.shutdown(upstream.fd, c.SHUT_WR);
        }
        return true;
      }
      if (!this.clientReadable) return true;
      const holding = this.phase === 'connecting' || this.phase === 'trial';
      if (this.phase === 'connecting' && this.replayBytes > REPLAY_LIMIT_BYTES) return true;
      // While a replay is possible, read no more than can still be kept for it, plus one byte to know it is exceeded.
      const room = this.phase === 'connecting' ? Math.min(buffer.length, REPLAY_LIMIT_BYTES + 1 - this.replayBytes) : buffer.length;
      const n = this.sys.read(this.fd, buffer, room);
      if (n < 0) {
        const error = this.sys.errno();
        if (error === EAGAIN) {
          this.clientReadable = false;
          return true;
        }
        this.clientFailed(`read ${errnoName(error)}`);
        return false;
      }
      if (n === 0) {
        this.clientEnded = true;
        continue;
      }
      // Less than asked: the socket is drained. Edge-triggered epoll reports the next bytes, so the
      // read that would only say EAGAIN is saved, unless a FIN is known to be waiting behind them.
      if (n < room && !this.clientHungUp) this.clientReadable = false;
      this.lastActivity = this.host.now();
      this.host.counters.bytesIn += n;
      if (holding) {
        const chunk = Buffer.from(buffer.subarray(0, n));
        this.replay.push(chunk);
        this.replayBytes += n;
        if (this.phase === 'connecting' || !upstream) continue;
        if (this.firstByteDue === 0) this.firstByteDue = this.host.now() + this.host.settings.firstByteTimeoutMs;
        if (this.replayBytes > REPLAY_LIMIT_BYTES) this.commit();
        if (!this.writeToBackend(upstream, chunk)) return this.isOpen();
        continue;
      }
      if (!upstream || !this.writeToBackend(upstream, buffer.subarray(0, n))) return this.isOpen();
    }
  }

  /** Backend to client; false once the connection has closed. */
  private flowToClient(): boolean {
    const buffer = this.host.readBuffer;
    for (;;) {
      if (this.phase === 'closed') return false;
      const upstream = this.upstream;
      if (!upstream || !upstream.connected) return true;
      if (this.toClient) {
        if (!this.clientWritable) return true;
        if (!this.writeToClient(this.toClient)) return this.isOpen();
        this.toClient = null;
      }
      if (this.backendEnded) {
        if (!this.shutToClient) {
          this.shutToClient = true;
          if (!this.otherDirectionDone(this.clientEnded, this.shutToBackend, this.toBackend)) this.sys.shutdown(this.fd, c.SHUT_WR);
        }
        return true;
      }
      if (!upstream.readable) return true;
      const n = this.sys.read(upstream.fd, buffer, buffer.length);
      if (n < 0) {
        const error = this.sys.errno();
        if (error === EAGAIN) {
          upstream.readable = false;
          return true;
        }
        this.backendIoFailed(upstream, `read ${errnoName(error)}`);
        return this.isOpen();
      }
      if (n === 0) {
        // Closed without a word: as good as hung, unless the client had finished too (a port probe
        // that connects and closes is not the backend's failure). Also when the client's first bytes
        // have not been read yet: an apiserver killed just after its kernel completed the handshake
        // closes before the ClientHello reaches it, and passing that end on would fail the client.
        if (this.phase === 'trial' && !this.clientEnded) {
          this.backendFailed(upstream, 'closed the connection without answering');
          return this.isOpen();
        }
        if (this.phase === 'trial') this.commit();
        this.backendEnded = true;
        continue;
      }
      if (this.phase === 'trial') this.commit();
      if (n < buffer.length && !upstream.hungUp) upstream.readable = false;
      this.lastActivity = this.host.now();
      this.host.counters.bytesOut += n;
      upstream.counters.bytesOut += n;
      if (!this.writeToClient(buffer.subarray(0, n))) return this.isOpen();
    }
  }

  /** Writes what it can; keeps the rest as toBackend. False when not all was written (or it failed). */
  private writeToBackend(upstream: Upstream, data: Buffer): boolean {
    if (data !== this.toBackend) upstream.counters.bytesIn += data.length;
    const n = upstream.writable ? this.sys.write(upstream.fd, data, data.length) : -2;
    if (n === data.length) return true;
    if (n === -1) {
      const error = this.sys.errno();
      if (error !== EAGAIN) {
        this.backendIoFailed(upstream, `write ${errnoName(error)}`);
        return false;
      }
    }
    upstream.writable = false;
    this.toBackend = Buffer.from(data.subarray(Math.max(0, n)));
    return false;
  }

  private writeToClient(data: Buffer): boolean {
    const n = this.clientWritable ? this.sys.write(this.fd, data, data.length) : -2;
    if (n === data.length) return true;
    if (n === -1) {
      const error = this.sys.errno();
      if (error !== EAGAIN) {
        this.clientFailed(`write ${errnoName(error)}`);
        return false;
      }
    }
    this.clientWritable = false;
    this.toClient = Buffer.from(data.subarray(Math.max(0, n)));
    return false;
  }

  private tryNextBackend(after: Failure | null): void {
    const { pool, settings, counters } = this.host;
    const exhausted = this.attempts > settings.retries;
    const backend = exhausted ? null : pool.pick(this.tried);
    if (!backend) {
      this.reject(after, exhausted);
      return;
    }
    this.tried.add(backend.name);
    const upstream: Upstream = { backend, counters: pool.acquire(backend), fd: -1, connected: false, readable: false, writable: false, hungUp: false, released: false };
    if (this.attempts > 0) {
      counters.retries += 1;
      upstream.counters.retries += 1;
      this.debug({ backend: backend.name, attempt: this.attempts + 1, after, replayBytes: this.replayBytes }, 'trying the next backend');
    }
    this.attempts += 1;
    this.upstream = upstream;
    this.phase = 'connecting';
    this.toBackend = null;
    this.shutToBackend = false;
    const address = this.host.addressOf(backend);
    if (typeof address === 'string') {
      this.connectFailed(upstream, address);
      return;
    }
    const fd = this.sys.socket(c.AF_INET, c.SOCK_STREAM | c.SOCK_NONBLOCK | c.SOCK_CLOEXEC, 0);
    if (fd < 0) {
      // Not the backend's failure (no passive health report, which would take every backend down in
      // turn and move the VIP): this host is out of sockets. The client is closed, as haproxy does.
      const error = errnoName(this.sys.errno());
      this.release(upstream);
      this.upstream = null;
      this.host.counters.rejected += 1;
      this.host.log('warn', { client: this.client, code: 'ERR_LB_DESCRIPTORS', error }, `client closed: cannot open a socket to a backend (${error})`);
      this.host.outOfDescriptors(error);
      this.finish(false);
      return;
    }
    upstream.fd = fd;
    setSocketOptions(this.sys, fd);
    const result = this.sys.connect(fd, address, address.length);
    if (result < 0) {
      const error = this.sys.errno();
      if (error !== EINPROGRESS) {
        this.connectFailed(upstream, `connect ${errnoName(error)}`);
        return;
      }
    }
    this.host.watch(fd, this);
    this.connectDue = this.host.now() + settings.connectTimeoutMs;
  }

  private onConnected(upstream: Upstream): void {
    upstream.connected = true;
    upstream.writable = true;
    this.connectDue = 0;
    upstream.counters.total += 1;
    const replayable = this.host.settings.firstByteTimeoutMs > 0 && this.replayBytes <= REPLAY_LIMIT_BYTES;
    this.phase = replayable ? 'trial' : 'committed';
    const replay = this.replayBytes > 0 ? Buffer.concat(this.replay) : null;
    if (!replayable) this.dropReplay();
    else if (replay) this.firstByteDue = this.host.now() + this.host.settings.firstByteTimeoutMs;
    if (replay) this.writeToBackend(upstream, replay);
  }

  private reject(after: Failure | null, exhausted: boolean): void {
    this.host.counters.rejected += 1;
    const reason = after === null ? 'no backend is up' : exhausted ? 'retries exhausted' : 'no other backend is up';
    this.host.log('warn', { client: this.client, code: 'ERR_LB_NO_BACKEND', reason, tried: [...this.tried], after }, `client closed: ${reason}`);
    this.finish(false);
  }

  private connectFailed(upstream: Upstream, detail: string): void {
    if (upstream !== this.upstream || this.phase === 'closed') return;
    this.host.pool.reportFailure(upstream.backend, detail);
    this.discard(upstream);
    this.tryNextBackend({ backend: upstream.backend.name, detail });
  }

  private onFirstByteTimeout(upstream: Upstream): void {
    const detail = `no first byte within ${this.host.settings.firstByteTimeoutMs} ms`;
    if (this.attempts > this.host.settings.retries || !this.host.pool.hasCandidate(this.tried)) {
      // Nowhere to go: a slow backend may still answer, and cutting the client would help no one. Not
      // reported either: with a single backend that is only slow, a passive failure would turn slow
      // into down for every new client.
      this.debug({ backend: upstream.backend.name, detail }, 'backend silent but no other backend to replay on: waiting');
      return;
    }
    this.backendFailed(upstream, detail);
  }

  /** The connected backend is hung or died before answering: report it and replay elsewhere. */
  private backendFailed(upstream: Upstream, detail: string): void {
    this.host.pool.reportFailure(upstream.backend, detail);
    this.discard(upstream);
    this.backendEnded = false;
    this.tryNextBackend({ backend: upstream.backend.name, detail });
  }

  /** A read or write on the backend failed: before its answer that is a hung backend, after it both sides are reset. */
  private backendIoFailed(upstream: Upstream, detail: string): void {
    if (this.phase === 'trial' && !this.clientEnded) {
      this.backendFailed(upstream, `${detail} before answering`);
      return;
    }
    this.debug({ backend: upstream.backend.name, error: detail }, 'backend connection failed: closing both sides');
    this.finish(true);
  }

  private clientFailed(detail: string): void {
    this.debug({ error: detail }, 'client connection failed: closing both sides');
    this.finish(true);
  }

  private commit(): void {
    this.phase = 'committed';
    this.firstByteDue = 0;
    this.dropReplay();
  }

  private dropReplay(): void {
    this.replay = [];
    this.replayBytes = 0;
  }

  /** Abandons an attempt: closes its socket with a reset; its late events are ignored. */
  private discard(upstream: Upstream): void {
    this.firstByteDue = 0;
    this.connectDue = 0;
    if (upstream.fd >= 0) {
      this.host.forget(upstream.fd);
      resetClose(this.sys, upstream.fd);
      upstream.fd = -1;
    }
    this.release(upstream);
    if (this.upstream === upstream) this.upstream = null;
  }

  private release(upstream: Upstream): void {
    if (upstream.released) return;
    upstream.released = true;
    this.host.pool.release(upstream.backend);
  }

  private otherDirectionDone(ended: boolean, shut: boolean, pending: Buffer | null): boolean {
    return ended && shut && pending === null;
  }

  private checkFinished(): void {
    if (this.clientEnded && this.backendEnded && this.shutToBackend && this.shutToClient && !this.toBackend && !this.toClient) this.finish(false);
  }

  /** Closes both sides, with a reset when the connection failed, and tells the engine. */
  private finish(reset: boolean): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.dropReplay();
    this.toBackend = null;
    this.toClient = null;
    const upstream = this.upstream;
    if (upstream) {
      if (upstream.fd >= 0) {
        this.host.forget(upstream.fd);
        if (reset || !upstream.connected) resetClose(this.sys, upstream.fd);
        else this.sys.close(upstream.fd);
        upstream.fd = -1;
      }
      this.release(upstream);
    }
    // Not kept alive by a deadline in the heap until it comes due (a connectTimeout after 10,000 connections a second).
    if (this.scheduledEntry) this.scheduledEntry.owner = null;
    this.host.forget(this.fd);
    if (reset) resetClose(this.sys, this.fd);
    else this.sys.close(this.fd);
    this.host.closed(this);
  }

  private reschedule(): void {
    if (this.phase === 'closed') return;
    const idle = this.host.settings.idleTimeoutMs;
    let due = Infinity;
    if (this.connectDue !== 0) due = this.connectDue;
    if (this.firstByteDue !== 0 && this.firstByteDue < due) due = this.firstByteDue;
    if (idle > 0 && this.lastActivity + idle < due) due = this.lastActivity + idle;
    if (due < this.scheduled) {
      this.scheduled = due;
      this.scheduledEntry = this.host.schedule(due, this);
    }
  }

  private debug(fields: Record<string, unknown>, message: string): void {
    if (this.host.debug) this.host.log('debug', { client: this.client, ...fields }, message);
  }
}

/** TCP_NODELAY and keepalive (first probe after KEEPALIVE_INITIAL_DELAY_MS), on both sides of every connection. */
export function setSocketOptions(sys: Libc, fd: number): void {
  sys.setsockopt(fd, c.IPPROTO_TCP, c.TCP_NODELAY, ONE, 4);
  sys.setsockopt(fd, c.SOL_SOCKET, c.SO_KEEPALIVE, ONE, 4);
  sys.setsockopt(fd, c.IPPROTO_TCP, c.TCP_KEEPIDLE, KEEPALIVE_IDLE, 4);
}

/**
 * Idle time before the first TCP keepalive probe, on both sides of every proxied connection. Linux's
 * default (2 hours) would let a dead peer hold a connection slot for hours; 30 s is Go's order of
 * magnitude (kube-apiserver and client-go use 15-30 s).
 */
export const KEEPALIVE_INITIAL_DELAY_MS = 30_000;

const ONE = intOption(1);
const KEEPALIVE_IDLE = intOption(KEEPALIVE_INITIAL_DELAY_MS / 1000);

/** Closes with a reset (SO_LINGER 0), so the peer sees that the connection failed rather than a clean end. */
export function resetClose(sys: Libc, fd: number): void {
  sys.setsockopt(fd, c.SOL_SOCKET, c.SO_LINGER, LINGER_RESET, LINGER_RESET.length);
  sys.close(fd);
}
