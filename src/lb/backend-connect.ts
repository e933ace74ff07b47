// One attempt to open a TCP connection to one backend, bounded by connectTimeout. It reports once:
// connected (the socket is handed over) or failed (with a short detail for logs and passive health).
import { connect, type Socket } from 'node:net';
import { errorDetail } from '../health/checker.js';
import type { Clock } from '../vrrp/clock.js';
import type { BackendAddress } from './types.js';

/**
 * Idle time before the first TCP keepalive probe, on both sides of every proxied connection. Linux's
 * default (2 hours) would let a dead peer hold a connection slot for hours; 30 s is Go's order of
 * magnitude (kube-apiserver and client-go use 15-30 s).
 */
export const KEEPALIVE_INITIAL_DELAY_MS = 30_000;

export interface ConnectAttemptOptions {
  backend: BackendAddress;
  timeoutMs: number;
  clock: Clock;
  onConnected: (socket: Socket) => void;
  /** 'connect ECONNREFUSED', 'connect timed out after 1000 ms', 'getaddrinfo ENOTFOUND' ... */
  onFailed: (detail: string) => void;
}

export interface ConnectAttempt {
  /** Gives up without reporting (the client went away). */
  cancel(): void;
}

export function connectBackend(options: ConnectAttemptOptions): ConnectAttempt {
  const socket = connect({
    host: options.backend.host,
    port: options.backend.port,
    allowHalfOpen: true,
    noDelay: true,
    keepAlive: true,
    keepAliveInitialDelay: KEEPALIVE_INITIAL_DELAY_MS,
  });
  let settled = false;
  const settle = (then: () => void): void => {
    if (settled) return;
    settled = true;
    options.clock.clearTimeout(timer);
    socket.off('connect', onConnect);
    socket.off('error', onError);
    then();
  };
  const fail = (detail: string): void =>
    settle(() => {
      socket.on('error', ignore);
      socket.destroy();
      options.onFailed(detail);
    });
  const onConnect = (): void => settle(() => options.onConnected(socket));
  const onError = (error: Error): void => fail(errorDetail(error));
  const timer = options.clock.setTimeout(() => fail(`connect timed out after ${options.timeoutMs} ms`), options.timeoutMs);
  socket.once('connect', onConnect);
  socket.on('error', onError);
  return {
    cancel: () =>
      settle(() => {
        socket.on('error', ignore);
        socket.destroy();
      }),
  };
}

function ignore(): void {}
