// One client's connection through the load balancer, from the accepted socket to both sides closed,
// on raw non-blocking sockets in the data path's worker (engine.ts owns epoll and the timers). The
// phases and what decides between them are failover-policy.ts's; the tries at backends are
// backend-attempt.ts's; this file moves the bytes and carries the decisions out.
//
// connecting: the client's bytes are kept (reading stops once REPLAY_LIMIT_BYTES are held, so nothing
//   grows without bound).
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
import type { BackendAddress } from '../types.js';
import type { CountersRecorder } from '../counters-recorder.js';
import type { DeadlineEntry, DeadlineOwner } from './deadline-heap.js';
import { errnoName, EAGAIN, ECONNRESET } from '../../sys/errno.js';
import { EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLRDHUP } from '../../sys/epoll.js';
import { libc, type Libc } from '../../sys/libc.js';
import * as c from '../../sys/socket-constants.js';
import { formatPeer, type PeerIp } from '../../net/sockaddr.js';
import { BackendAttempts, type AttemptHost, type Failure, type Upstream } from './backend-attempt.js';
import {
  clientReadRoom,
  commitsOnBackendBytes,
  commitsOnClientBytes,
  onBackendEnd,
  onBackendIoFailure,
  onConnectFailure,
  onFirstByteTimeout,
  phaseOnConnect,
  type FailOver,
  type Phase,
  type RejectReason,
} from './failover-policy.js';
import type { EngineSettings } from './protocol.js';
import { pendingError, resetClose } from './socket-options.js';

export { REPLAY_LIMIT_BYTES } from './failover-policy.js';
export { KEEPALIVE_INITIAL_DELAY_MS } from './socket-options.js';

/** What a connection needs from the engine that runs it. */
export interface ConnectionHost extends AttemptHost {
  readonly settings: EngineSettings;
  /** Where every byte, rejection and connect is counted. */
  readonly recorder: CountersRecorder;
  /** The read buffer every connection shares (reads are copied on only when a write falls short). */
  readonly readBuffer: Buffer;
  readonly debug: boolean;
  now(): number;
  /** The sockaddr to connect to for a backend, or why there is none. */
  addressOf(backend: BackendAddress): Buffer | string;
  /** Registers a socket of this connection with epoll (edge-triggered, in and out). */
  watch(fd: number, connection: ProxiedConnection): void;
  schedule(due: number, owner: DeadlineOwner): DeadlineEntry;
  log(level: 'debug' | 'warn', fields: Record<string, unknown>, message: string): void;
  /** socket() failed for want of descriptors or memory: this host's trouble, not a backend's. */
  outOfDescriptors(error: string): void;
  closed(connection: ProxiedConnection): void;
}

/**
 * One direction's end. open: bytes flow; ended: the sender's FIN has been read; shut: it has been
 * passed on (shutdown(SHUT_WR)) once what came before it was written.
 */
type DirectionEnd = 'open' | 'ended' | 'shut';

const HANGUP = EPOLLERR | EPOLLHUP | EPOLLRDHUP;

export class ProxiedConnection implements DeadlineOwner {
  private phase: Phase = 'connecting';
  private upstream: Upstream | null = null;
  private readonly attempts: BackendAttempts;
  private clientReadable = false;
  private clientWritable = true;
  /** The client's FIN (or an error) has been signalled: read until read() says so, short reads notwithstanding. */
  private clientHungUp = false;
  /** Client to backend: ended once the client's FIN is read, shut once passed on to the backend. */
  private towardBackend: DirectionEnd = 'open';
  /** Backend to client: ended once the backend's FIN is read, shut once passed on to the client. */
  private towardClient: DirectionEnd = 'open';
  private toBackend: Buffer | null = null;
  private toClient: Buffer | null = null;
  private replay: Buffer[] = [];
  private replayBytes = 0;
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
    /** The client's address (sockaddr.ts's PeerIp) and port, formatted only for a log line. */
    private readonly clientIp: PeerIp,
    private readonly clientPort: number,
  ) {
    this.lastActivity = host.now();
    this.attempts = new BackendAttempts(host, this.sys);
  }

  /** The client's address as ip:port (an IPv6 one in brackets), for logs. */
  get client(): string {
    return formatPeer(this.clientIp, this.clientPort);
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
          const error = pendingError(this.sys, fd);
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
      if (this.towardBackend !== 'open') {
        if (connected && this.towardBackend === 'ended') {
          this.towardBackend = 'shut';
          // The last direction to end: close() right after sends the FIN.
          if (!this.directionDone(this.towardClient, this.toClient)) this.sys.shutdown(upstream.fd, c.SHUT_WR);
        }
        return true;
      }
      if (!this.clientReadable) return true;
      const holding = this.phase === 'connecting' || this.phase === 'trial';
      const room = clientReadRoom(this.phase, this.replayBytes, buffer.length);
      if (room === 0) return true;
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
        this.towardBackend = 'ended';
        continue;
      }
      // Less than asked: the socket is drained. Edge-triggered epoll reports the next bytes, so the
      // read that would only say EAGAIN is saved, unless a FIN is known to be waiting behind them.
      if (n < room && !this.clientHungUp) this.clientReadable = false;
      this.lastActivity = this.host.now();
      this.host.recorder.fromClient(n);
      if (holding) {
        const chunk = Buffer.from(buffer.subarray(0, n));
        this.replay.push(chunk);
        this.replayBytes += n;
        if (this.phase === 'connecting' || !upstream) continue;
        if (this.firstByteDue === 0) this.firstByteDue = this.host.now() + this.host.settings.firstByteTimeoutMs;
        if (commitsOnClientBytes(this.replayBytes)) this.commit();
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
      if (this.towardClient !== 'open') {
        if (this.towardClient === 'ended') {
          this.towardClient = 'shut';
          if (!this.directionDone(this.towardBackend, this.toBackend)) this.sys.shutdown(this.fd, c.SHUT_WR);
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
        const decision = onBackendEnd(this.phase, this.towardBackend !== 'open');
        if (decision.action === 'fail-over') {
          this.failOver(upstream, decision);
          return this.isOpen();
        }
        if (decision.commit) this.commit();
        this.towardClient = 'ended';
        continue;
      }
      if (commitsOnBackendBytes(this.phase)) this.commit();
      if (n < buffer.length && !upstream.hungUp) upstream.readable = false;
      this.lastActivity = this.host.now();
      this.host.recorder.fromBackend(upstream.counters, n);
      if (!this.writeToClient(buffer.subarray(0, n))) return this.isOpen();
    }
  }

  /** Writes what it can; keeps the rest as toBackend. False when not all was written (or it failed). */
  private writeToBackend(upstream: Upstream, data: Buffer): boolean {
    if (data !== this.toBackend) this.host.recorder.toBackend(upstream.counters, data.length);
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
    const next = this.attempts.next(after !== null);
    if ('reject' in next) {
      this.reject(after, next.reject);
      return;
    }
    const { upstream } = next;
    if (next.retry) this.debug({ backend: upstream.backend.name, attempt: this.attempts.count, after, replayBytes: this.replayBytes }, 'trying the next backend');
    this.upstream = upstream;
    this.phase = 'connecting';
    this.toBackend = null;
    // The client's end goes to the new backend too, once it is connected.
    if (this.towardBackend === 'shut') this.towardBackend = 'ended';
    const started = this.attempts.connect(upstream, this.host.addressOf(upstream.backend));
    if (started.kind === 'failed') {
      this.connectFailed(upstream, started.detail);
      return;
    }
    if (started.kind === 'no-socket') {
      // Not the backend's failure (no passive health report, which would take every backend down in
      // turn and move the VIP): this host is out of sockets. The client is closed, as haproxy does.
      this.upstream = null;
      this.host.recorder.clientRejected();
      this.host.log('warn', { client: this.client, code: 'ERR_LB_DESCRIPTORS', error: started.error }, `client closed: cannot open a socket to a backend (${started.error})`);
      this.host.outOfDescriptors(started.error);
      this.finish(false);
      return;
    }
    this.host.watch(upstream.fd, this);
    this.connectDue = this.host.now() + this.host.settings.connectTimeoutMs;
  }

  private onConnected(upstream: Upstream): void {
    upstream.connected = true;
    upstream.writable = true;
    this.connectDue = 0;
    this.host.recorder.backendConnected(upstream.counters);
    this.phase = phaseOnConnect(this.host.settings.firstByteTimeoutMs, this.replayBytes);
    const replay = this.replayBytes > 0 ? Buffer.concat(this.replay) : null;
    if (this.phase === 'committed') this.dropReplay();
    else if (replay) this.firstByteDue = this.host.now() + this.host.settings.firstByteTimeoutMs;
    if (replay) this.writeToBackend(upstream, replay);
  }

  private reject(after: Failure | null, reason: RejectReason): void {
    this.host.recorder.clientRejected();
    this.host.log('warn', { client: this.client, code: 'ERR_LB_NO_BACKEND', reason, tried: [...this.attempts.tried], after }, `client closed: ${reason}`);
    this.finish(false);
  }

  private connectFailed(upstream: Upstream, detail: string): void {
    if (upstream !== this.upstream || this.phase === 'closed') return;
    this.failOver(upstream, onConnectFailure(detail));
  }

  private onFirstByteTimeout(upstream: Upstream): void {
    const decision = onFirstByteTimeout(this.host.settings.firstByteTimeoutMs, this.attempts.retriesLeft, this.attempts.otherBackendUp());
    if (decision.action === 'wait') {
      this.debug({ backend: upstream.backend.name, detail: decision.detail }, 'backend silent but no other backend to replay on: waiting');
      return;
    }
    this.failOver(upstream, decision);
  }

  /** The backend failed the client before answering: report it, leave it and replay elsewhere. */
  private failOver(upstream: Upstream, decision: FailOver): void {
    this.host.pool.reportFailure(upstream.backend, decision.detail);
    this.discard(upstream);
    this.towardClient = 'open';
    this.tryNextBackend({ backend: upstream.backend.name, detail: decision.detail });
  }

  private backendIoFailed(upstream: Upstream, detail: string): void {
    const decision = onBackendIoFailure(this.phase, this.towardBackend !== 'open', detail);
    if (decision.action === 'fail-over') {
      this.failOver(upstream, decision);
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

  /** Abandons a try: closes its socket with a reset; its late events are ignored. */
  private discard(upstream: Upstream): void {
    this.firstByteDue = 0;
    this.connectDue = 0;
    this.attempts.close(upstream, true);
    if (this.upstream === upstream) this.upstream = null;
  }

  /** A direction is done once its end has been passed on and nothing of it waits to be written. */
  private directionDone(end: DirectionEnd, pending: Buffer | null): boolean {
    return end === 'shut' && pending === null;
  }

  private checkFinished(): void {
    if (this.directionDone(this.towardBackend, this.toBackend) && this.directionDone(this.towardClient, this.toClient)) this.finish(false);
  }

  /** Closes both sides, with a reset when the connection failed, and tells the engine. */
  private finish(reset: boolean): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.dropReplay();
    this.toBackend = null;
    this.toClient = null;
    const upstream = this.upstream;
    if (upstream) this.attempts.close(upstream, reset);
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
