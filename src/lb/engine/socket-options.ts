// The options every proxied socket gets, and the reset that ends a failed one.
import type { Libc } from '../../sys/libc.js';
import * as c from '../../sys/socket-constants.js';
import { intOption } from '../../sys/socket-constants.js';

/**
 * Idle time before the first TCP keepalive probe, on both sides of every proxied connection. Linux's
 * default (2 hours) would let a dead peer hold a connection slot for hours; 30 s is Go's order of
 * magnitude (kube-apiserver and client-go use 15-30 s).
 */
export const KEEPALIVE_INITIAL_DELAY_MS = 30_000;

const ONE = intOption(1);
const KEEPALIVE_IDLE = intOption(KEEPALIVE_INITIAL_DELAY_MS / 1000);
const LINGER_RESET = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);
const ERROR_VALUE = Buffer.alloc(4);
const ERROR_LENGTH = Buffer.alloc(4);

/** TCP_NODELAY and keepalive (first probe after KEEPALIVE_INITIAL_DELAY_MS), on both sides of every connection. */
export function setSocketOptions(sys: Libc, fd: number): void {
  sys.setsockopt(fd, c.IPPROTO_TCP, c.TCP_NODELAY, ONE, 4);
  sys.setsockopt(fd, c.SOL_SOCKET, c.SO_KEEPALIVE, ONE, 4);
  sys.setsockopt(fd, c.IPPROTO_TCP, c.TCP_KEEPIDLE, KEEPALIVE_IDLE, 4);
}

/** Closes with a reset (SO_LINGER 0), so the peer sees that the connection failed rather than a clean end. */
export function resetClose(sys: Libc, fd: number): void {
  sys.setsockopt(fd, c.SOL_SOCKET, c.SO_LINGER, LINGER_RESET, LINGER_RESET.length);
  sys.close(fd);
}

/** The errno a non-blocking connect ended with (SO_ERROR); 0 when the socket reports none. */
export function pendingError(sys: Libc, fd: number): number {
  ERROR_LENGTH.writeInt32LE(4, 0);
  sys.getsockopt(fd, c.SOL_SOCKET, c.SO_ERROR, ERROR_VALUE, ERROR_LENGTH);
  return ERROR_VALUE.readInt32LE(0);
}
