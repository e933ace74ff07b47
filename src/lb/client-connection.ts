// One client's connection through the load balancer, from the accepted socket to both sides closed.
//
//   connecting ──connect──▶ trial ──backend's first byte, or client bytes > REPLAY_LIMIT_BYTES──▶ committed
//       ▲  │ fails/times out  │ silent past firstByteTimeout, or closed/reset before answering
//       │  ▼                  ▼
//       └── next healthy backend (up to `retries` more), replaying the client's bytes so far
//
// connecting: the client's bytes are kept (reading pauses once REPLAY_LIMIT_BYTES are held, so nothing
//   grows without bound). A connect that fails or times out delivered nothing, so it is always safe to
//   try the next backend.
// trial: the backend is connected and has not answered. The client's bytes go to it and are also kept,
//   so that a backend that accepted but hangs (a SIGSTOPped apiserver: the kernel still completes the
//   handshake) can be left for the next one: connect there, replay, destroy the hung connection and
//   report it. With TLS, the bytes a client sends before the server's first byte are its ClientHello:
//   the server cannot have acted on anything, so a replay is invisible. A plaintext protocol whose
//   server may legitimately take longer than firstByteTimeout to answer a request should set it to 0.
// committed: a plain pipe both ways. Backpressure as stream.pipe: a write that returns false pauses
//   the reader until 'drain'. Half-close: an 'end' on one side ends the other; the other direction
//   keeps flowing (allowHalfOpen on both sockets). An error on either side resets both.
import type { Socket } from 'node:net';
import { errorDetail } from '../health/checker.js';
import type { Logger } from '../log.js';
import type { Clock, TimerHandle } from '../vrrp/clock.js';
import { connectBackend, type ConnectAttempt } from './backend-connect.js';
import type { BackendPool } from './pool.js';
import type { BackendAddress, BackendCounters, LoadBalancerCounters } from './types.js';

/**
 * The most client bytes kept for a replay: one TLS record at its largest (16 KiB of plaintext and its
 * 5-byte header). A ClientHello is 0.3-2 KB (a post-quantum key share included); beyond this the
 * client is sending application data the backend may have acted on, and the connection commits.
 */
export const REPLAY_LIMIT_BYTES = 16 * 1024 + 5;

export interface ClientSettings {
  connectTimeoutMs: number;
  retries: number;
  /** 0: off (commit as soon as connected). */
  firstByteTimeoutMs: number;
  /** 0: never. */
  idleTimeoutMs: number;
}

export interface ClientConnectionOptions {
  client: Socket;
  pool: BackendPool;
  counters: LoadBalancerCounters;
  settings: ClientSettings;
  clock: Clock;
  logger: Logger;
  /** Called once, when the client socket and the backend socket (if any) are both closed. */
  onClosed: () => void;
}

type Phase = 'connecting' | 'trial' | 'committed' | 'closed';

/** One backend attempt: connecting (socket null), then connected. */
interface Upstream {
  readonly backend: BackendAddress;
  readonly counters: BackendCounters;
  attempt: ConnectAttempt | null;
  socket: Socket | null;
  released: boolean;
}

interface Failure {
  backend: string;
  detail: string;
}

export class ClientConnection {
  private phase: Phase = 'connecting';
  private upstream: Upstream | null = null;
  private readonly tried = new Set<string>();
  private attempts = 0;
  private replay: Buffer[] = [];
  private replayBytes = 0;
  private clientEnded = false;
  private clientClosed = false;
  private finished = false;
  private firstByteTimer: TimerHandle | null = null;

  constructor(private readonly options: ClientConnectionOptions) {}

  /** Bytes this connection holds in user space (socket buffers both ways and the replay buffer). */
  get bufferedBytes(): number {
    const { client } = this.options;
    const socket = this.upstream?.socket;
    const backendBytes = socket ? socket.writableLength + socket.readableLength : 0;
    return client.writableLength + client.readableLength + backendBytes + this.replayBytes;
  }

  start(): void {
    const { client, settings } = this.options;
    client.on('data', (chunk: Buffer) => this.onClientData(chunk));
    client.on('end', () => this.onClientEnd());
    client.on('drain', () => {
      if (this.phase === 'committed') this.upstream?.socket?.resume();
    });
    client.on('error', (error) => this.onClientError(error));
    client.on('close', (hadError) => this.onClientClose(hadError));
    if (settings.idleTimeoutMs > 0) client.setTimeout(settings.idleTimeoutMs, () => this.onIdle());
    this.tryNextBackend(null);
  }

  /** Closes both sides now (drain's deadline), also a backend socket still flushing after the client left. */
  destroy(): void {
    this.close();
    this.options.client.destroy();
    this.upstream?.socket?.destroy();
  }

  private tryNextBackend(after: Failure | null): void {
    const { pool, settings, counters } = this.options;
    const exhausted = this.attempts > settings.retries;
    const backend = exhausted ? null : pool.pick(this.tried);
    if (!backend) {
      this.reject(after, exhausted);
      return;
    }
    this.tried.add(backend.name);
    const upstream: Upstream = { backend, counters: pool.acquire(backend), attempt: null, socket: null, released: false };
    if (this.attempts > 0) {
      counters.retries += 1;
      upstream.counters.retries += 1;
      this.logAt('debug', { backend: backend.name, attempt: this.attempts + 1, after, replayBytes: this.replayBytes }, 'trying the next backend');
    }
    this.attempts += 1;
    this.upstream = upstream;
    this.phase = 'connecting';
    upstream.attempt = connectBackend({
      backend,
      timeoutMs: settings.connectTimeoutMs,
      clock: this.options.clock,
      onConnected: (socket) => this.onConnected(upstream, socket),
      onFailed: (detail) => this.onConnectFailed(upstream, detail),
    });
    this.flowClient();
  }

  private reject(after: Failure | null, exhausted: boolean): void {
    this.options.counters.rejected += 1;
    const reason = after === null ? 'no backend is up' : exhausted ? 'retries exhausted' : 'no other backend is up';
    this.logAt('warn', { code: 'ERR_LB_NO_BACKEND', reason, tried: [...this.tried], after }, `client closed: ${reason}`);
    this.close();
    this.options.client.destroy();
  }

  private onConnectFailed(upstream: Upstream, detail: string): void {
    if (upstream !== this.upstream || this.phase === 'closed') return;
    this.options.pool.reportFailure(upstream.backend, detail);
    this.discard(upstream);
    this.tryNextBackend({ backend: upstream.backend.name, detail });
  }

  private onConnected(upstream: Upstream, socket: Socket): void {
    upstream.attempt = null;
    upstream.socket = socket;
    upstream.counters.total += 1;
    socket.on('data', (chunk: Buffer) => this.onBackendData(upstream, chunk));
    socket.on('end', () => this.onBackendEnd(upstream));
    socket.on('drain', () => {
      if (upstream === this.upstream) this.flowClient();
    });
    socket.on('error', (error) => this.onBackendError(upstream, error));
    socket.on('close', (hadError) => this.onBackendClose(upstream, hadError));
    const replayable = this.options.settings.firstByteTimeoutMs > 0 && this.replayBytes <= REPLAY_LIMIT_BYTES;
    this.phase = replayable ? 'trial' : 'committed';
    for (const chunk of this.replay) this.writeToBackend(upstream, chunk);
    if (!replayable) this.dropReplay();
    else if (this.replayBytes > 0) this.armFirstByteTimer(upstream);
    if (this.clientEnded) socket.end();
    this.flowClient();
  }

  private onClientData(chunk: Buffer): void {
    if (this.phase === 'closed') return;
    this.options.counters.bytesIn += chunk.length;
    const upstream = this.upstream;
    const socket = upstream?.socket;
    if (this.phase === 'committed' && upstream && socket) {
      if (!this.writeToBackend(upstream, chunk)) this.options.client.pause();
      return;
    }
    this.replay.push(chunk);
    this.replayBytes += chunk.length;
    if (this.phase === 'trial' && upstream && socket) {
      const flushed = this.writeToBackend(upstream, chunk);
      if (this.firstByteTimer === null) this.armFirstByteTimer(upstream);
      if (this.replayBytes > REPLAY_LIMIT_BYTES) this.commit();
      if (!flushed) this.options.client.pause();
      return;
    }
    if (this.replayBytes >= REPLAY_LIMIT_BYTES) this.options.client.pause();
  }

  private onClientEnd(): void {
    this.clientEnded = true;
    if (this.phase === 'trial' || this.phase === 'committed') this.upstream?.socket?.end();
  }

  private onBackendData(upstream: Upstream, chunk: Buffer): void {
    if (upstream !== this.upstream || this.phase === 'closed') return;
    if (this.phase === 'trial') this.commit();
    this.options.counters.bytesOut += chunk.length;
    upstream.counters.bytesOut += chunk.length;
    if (!this.options.client.write(chunk)) upstream.socket?.pause();
  }

  private onBackendEnd(upstream: Upstream): void {
    if (upstream !== this.upstream || this.phase === 'closed') return;
    // Closed after the client's bytes without a word: as good as hung, unless the client had finished
    // too (a port probe that connects and closes is not the backend's failure).
    if (this.phase === 'trial' && this.replayBytes > 0 && !this.clientEnded) {
      this.backendFailed(upstream, 'closed the connection without answering');
      return;
    }
    if (this.phase === 'trial') this.commit();
    this.options.client.end();
  }

  private onBackendError(upstream: Upstream, error: Error): void {
    if (upstream !== this.upstream || this.phase === 'closed') return;
    if (this.phase === 'trial' && !this.clientEnded) {
      this.backendFailed(upstream, `${errorDetail(error)} before answering`);
      return;
    }
    this.logAt('debug', { backend: upstream.backend.name, error: errorDetail(error) }, 'backend connection failed: closing both sides');
    this.close();
    resetSocket(this.options.client);
  }

  private onClientError(error: Error): void {
    if (this.phase === 'closed') return;
    this.logAt('debug', { error: errorDetail(error) }, 'client connection failed: closing both sides');
    const socket = this.upstream?.socket;
    this.close();
    if (socket) resetSocket(socket);
  }

  private onBackendClose(upstream: Upstream, hadError: boolean): void {
    this.release(upstream);
    if (upstream === this.upstream && hadError && !this.clientClosed) {
      this.close();
      resetSocket(this.options.client);
    }
    this.checkFinished();
  }

  private onClientClose(hadError: boolean): void {
    this.clientClosed = true;
    const upstream = this.upstream;
    const socket = upstream?.socket;
    if (upstream && !socket) this.discard(upstream);
    // A clean close means the client both sent and received its FIN; a backend that has also sent
    // its FIN is left to flush what it still has to write and close by itself.
    if (socket && !socket.destroyed && (hadError || !socket.readableEnded || this.phase !== 'committed')) resetSocket(socket);
    this.close();
    this.checkFinished();
  }

  private onIdle(): void {
    this.logAt('debug', { idleTimeoutMs: this.options.settings.idleTimeoutMs }, 'idle timeout: closing both sides');
    this.destroy();
  }

  private onFirstByteTimeout(upstream: Upstream): void {
    this.firstByteTimer = null;
    if (upstream !== this.upstream || this.phase !== 'trial') return;
    const detail = `no first byte within ${this.options.settings.firstByteTimeoutMs} ms`;
    if (this.attempts > this.options.settings.retries || !this.options.pool.hasCandidate(this.tried)) {
      // Nowhere to go: a slow backend may still answer, and cutting the client would help no one. Not
      // reported either: with a single backend that is only slow, a passive failure would turn slow
      // into down for every new client.
      this.logAt('debug', { backend: upstream.backend.name, detail }, 'backend silent but no other backend to replay on: waiting');
      return;
    }
    this.backendFailed(upstream, detail);
  }

  /** The connected backend is hung or died before answering: report it and replay elsewhere. */
  private backendFailed(upstream: Upstream, detail: string): void {
    this.options.pool.reportFailure(upstream.backend, detail);
    this.discard(upstream);
    this.tryNextBackend({ backend: upstream.backend.name, detail });
  }

  private writeToBackend(upstream: Upstream, chunk: Buffer): boolean {
    upstream.counters.bytesIn += chunk.length;
    return upstream.socket?.write(chunk) ?? false;
  }

  /** Reads from the client unless what it sent has nowhere to go yet. */
  private flowClient(): void {
    if (this.phase === 'closed') return;
    const socket = this.upstream?.socket;
    const blocked = socket ? socket.writableNeedDrain : this.replayBytes >= REPLAY_LIMIT_BYTES;
    if (blocked) this.options.client.pause();
    else this.options.client.resume();
  }

  private armFirstByteTimer(upstream: Upstream): void {
    const { clock, settings } = this.options;
    this.clearFirstByteTimer();
    this.firstByteTimer = clock.setTimeout(() => this.onFirstByteTimeout(upstream), settings.firstByteTimeoutMs);
  }

  private clearFirstByteTimer(): void {
    if (this.firstByteTimer === null) return;
    this.options.clock.clearTimeout(this.firstByteTimer);
    this.firstByteTimer = null;
  }

  private commit(): void {
    this.phase = 'committed';
    this.clearFirstByteTimer();
    this.dropReplay();
  }

  private dropReplay(): void {
    this.replay = [];
    this.replayBytes = 0;
  }

  /** Abandons an attempt: stops connecting or destroys the socket; its late events are ignored. */
  private discard(upstream: Upstream): void {
    this.clearFirstByteTimer();
    upstream.attempt?.cancel();
    upstream.attempt = null;
    if (upstream.socket) resetSocket(upstream.socket);
    this.release(upstream);
    if (this.upstream === upstream) this.upstream = null;
  }

  private release(upstream: Upstream): void {
    if (upstream.released) return;
    upstream.released = true;
    this.options.pool.release(upstream.backend);
  }

  private close(): void {
    this.phase = 'closed';
    this.clearFirstByteTimer();
    this.dropReplay();
    const upstream = this.upstream;
    if (upstream && !upstream.socket) this.discard(upstream);
  }

  /** Logs with the client's address; no per-connection child logger (10,000 connections a second). */
  private logAt(level: 'debug' | 'warn', fields: Record<string, unknown>, message: string): void {
    const { logger, client } = this.options;
    if (!logger.isLevelEnabled(level)) return;
    logger[level]({ client: `${client.remoteAddress ?? '?'}:${client.remotePort ?? '?'}`, ...fields }, message);
  }

  private checkFinished(): void {
    if (this.finished || !this.clientClosed) return;
    if (this.upstream && !this.upstream.released) return;
    this.finished = true;
    this.close();
    this.options.onClosed();
  }
}

/** Closes with a reset, so the peer sees that the connection failed rather than a clean end. */
function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  socket.on('error', () => {});
  if (socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}
