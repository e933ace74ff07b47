// Taking clients off the listening sockets' queues, up to maxConnections, and pausing when the host
// is out of descriptors (EMFILE, ENFILE) or kernel memory. At the limit, and while paused, new clients
// wait in the listening socket's kernel queue (their handshake completes there); nothing is dropped.
import { errnoName, EAGAIN, EINTR } from '../../sys/errno.js';
import type { Libc } from '../../sys/libc.js';
import * as c from '../../sys/socket-constants.js';
import { peerIp, peerPort, SOCKADDR_MAX_LENGTH, type PeerIp } from '../../net/sockaddr.js';

/** After EMFILE or ENFILE, accepting is tried again this much later (the queue waits meanwhile). */
const ACCEPT_RETRY_MS = 100;
const DESCRIPTOR_WARNING_INTERVAL_MS = 10_000;
const ECONNABORTED = 103;

/** What accepting needs of the engine. */
export interface AcceptHost {
  readonly settings: { readonly maxConnections: number };
  /** Clients being served now. */
  activeConnections(): number;
  /** A client was accepted: `ip` as peerIp reads it (IPv4, also from a dual-stack listener, as a number). */
  accepted(fd: number, ip: PeerIp, port: number): void;
  /** Something /status shows changed (full, or a client came in). */
  statsChanged(): void;
  now(): number;
  log(level: 'info' | 'warn', fields: Record<string, unknown>, message: string): void;
}

export class Acceptor {
  /** maxConnections reached: accepting waits for a connection to end. */
  full = false;
  /** When accepting is tried again after running out of descriptors (0: not paused). */
  retryAt = 0;
  /** Pauses since the last ERR_LB_DESCRIPTORS warning, which comes at most every 10 s. */
  private descriptorPauses = 0;
  private descriptorWarnedAt = -Infinity;
  /** accept()'s peer address: room for a sockaddr_in6, as listeners may be of either family. */
  private readonly address = Buffer.alloc(SOCKADDR_MAX_LENGTH);
  private readonly addressLength = Buffer.alloc(4);

  constructor(
    private readonly host: AcceptHost,
    private readonly sys: Libc,
  ) {}

  /** Accepts from every listener, and says so once there is room again below maxConnections. */
  acceptAll(listenFds: Iterable<number>): void {
    for (const fd of [...listenFds]) this.acceptFrom(fd);
    const { maxConnections } = this.host.settings;
    if (this.full && this.host.activeConnections() < maxConnections) {
      this.full = false;
      this.host.log('info', { maxConnections }, 'below maxConnections again');
    }
  }

  /** Accepts what the listener's queue holds, up to maxConnections (edge-triggered: until EAGAIN). */
  acceptFrom(listenFd: number): void {
    if (this.retryAt !== 0) return; // out of descriptors a moment ago: the clients wait in the queue meanwhile
    for (;;) {
      const { maxConnections } = this.host.settings;
      if (this.host.activeConnections() >= maxConnections) {
        if (!this.full) {
          this.full = true;
          this.host.log('warn', { maxConnections }, 'maxConnections reached: new clients wait');
        }
        this.host.statsChanged();
        return;
      }
      this.addressLength.writeInt32LE(SOCKADDR_MAX_LENGTH, 0);
      const fd = this.sys.accept4(listenFd, this.address, this.addressLength, c.SOCK_NONBLOCK | c.SOCK_CLOEXEC);
      if (fd < 0) {
        const error = this.sys.errno();
        if (error === EAGAIN) return;
        if (error === EINTR || error === ECONNABORTED) continue;
        this.pause(errnoName(error));
        return;
      }
      this.host.accepted(fd, peerIp(this.address), peerPort(this.address));
    }
  }

  /** The pause, if any, is over at `now`: accept from every listener again. */
  runDue(now: number, listenFds: Iterable<number>): void {
    if (this.retryAt === 0 || now < this.retryAt) return;
    this.retryAt = 0;
    this.acceptAll(listenFds);
  }

  /**
   * Out of file descriptors (EMFILE, ENFILE) or kernel memory: new clients stay in the listening queue and
   * accepting is tried again shortly, rather than in a busy loop. Logged once per pause.
   */
  pause(error: string): void {
    if (this.retryAt !== 0) return;
    const now = this.host.now();
    this.retryAt = now + ACCEPT_RETRY_MS;
    this.descriptorPauses += 1;
    if (now - this.descriptorWarnedAt < DESCRIPTOR_WARNING_INTERVAL_MS) return;
    this.host.log(
      'warn',
      { code: 'ERR_LB_DESCRIPTORS', error, active: this.host.activeConnections(), pauses: this.descriptorPauses },
      `out of sockets (${error}): new clients wait in the queue, accepting again every ${ACCEPT_RETRY_MS} ms`,
    );
    this.descriptorWarnedAt = now;
    this.descriptorPauses = 0;
  }
}
