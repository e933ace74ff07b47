// The load balancer's data path: one epoll loop in a worker thread (engine-worker.ts) that owns the
// listening sockets and every proxied connection. The main thread keeps what is not per-packet:
// config, health checks, logs, /status; it talks to this loop in messages (protocol.ts).
//
// maxConnections is haproxy's: at the limit the loop stops accepting and new clients wait in the
// listening socket's kernel queue (their handshake completes there); each connection that ends lets
// the oldest one in. Nothing is dropped, and a client that gave up while waiting is met at its turn.
import { performance } from 'node:perf_hooks';
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { BackendPool } from '../pool.js';
import { CountersRecorder } from '../counters-recorder.js';
import type { BackendAddress, PoolHealthView } from '../types.js';
import { Acceptor, type AcceptHost } from './acceptor.js';
import { DeadlineHeap, type DeadlineEntry, type DeadlineOwner } from './deadline-heap.js';
import { errnoName, EINTR } from '../../sys/errno.js';
import { EPOLL_CLOEXEC, EPOLL_CTL_ADD, EPOLL_EVENT_SIZE, EPOLLET, EPOLLIN, EPOLLOUT, EPOLLRDHUP, epollEvent, epollEventAt } from '../../sys/epoll.js';
import { libc, type Libc } from '../../sys/libc.js';
import * as c from '../../sys/socket-constants.js';
import { intOption } from '../../sys/socket-constants.js';
import { addressFamily } from '../../net/address.js';
import { readSockaddr, sockaddrOf, SOCKADDR_MAX_LENGTH, type PeerIp } from '../../net/sockaddr.js';
import { ProxiedConnection, type ConnectionHost } from './proxied-connection.js';
import { setSocketOptions } from './socket-options.js';
import type { EngineBackend, EngineConfig, EngineInit, EngineReply, EngineSettings, FromEngine, ToEngine } from './protocol.js';

/** Stats go to the main thread at most this often (and only when something changed). */
const STATS_INTERVAL_MS = 50;
/** epoll_wait's longest sleep: the loop also wakes for messages (eventfd) and deadlines. */
const MAX_WAIT_MS = 1000;
const MAX_EVENTS = 512;
const READ_BUFFER_BYTES = 64 * 1024;

interface Listener {
  fd: number;
  host: string;
  port: number;
}

/** The up/down view the pool asks; the main thread's BackendHealth decides and tells the engine. */
class RelayedHealth implements PoolHealthView {
  up: ReadonlySet<string>;

  constructor(
    up: readonly string[],
    private readonly send: (message: FromEngine) => void,
  ) {
    this.up = new Set(up);
  }

  isUp(backend: string): boolean {
    return this.up.has(backend);
  }

  reportFailure(backend: string, detail: string): void {
    this.send({ type: 'failure', backend, detail });
  }

}

export class Engine implements ConnectionHost, AcceptHost {
  readonly recorder = new CountersRecorder();
  readonly pool: BackendPool;
  readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private readonly sys: Libc = libc();
  settings: EngineSettings;
  readonly debug: boolean;
  private readonly health: RelayedHealth;
  private readonly epollFd: number;
  private readonly events = Buffer.alloc(EPOLL_EVENT_SIZE * MAX_EVENTS);
  private readonly deadlines = new DeadlineHeap();
  private readonly sockets = new Map<number, ProxiedConnection>();
  private readonly listeners = new Map<number, Listener>();
  private readonly connections = new Set<ProxiedConnection>();
  private addresses = new Map<string, Buffer | string>();
  private readonly acceptor: Acceptor;
  private statsDirty = true;
  private statsSentAt = -Infinity;
  private exiting = false;
  private readonly wakeBuffer = Buffer.alloc(8);
  private readonly tcpInfo = Buffer.alloc(104);
  private readonly tcpInfoLength = Buffer.alloc(4);

  constructor(
    private readonly init: EngineInit,
    private readonly port: MessagePort,
  ) {
    this.settings = init.config.settings;
    this.debug = init.debug;
    this.health = new RelayedHealth(init.up, (message) => this.send(message));
    this.addresses = addressTable(init.config.backends);
    this.pool = new BackendPool({ backends: poolBackends(init.config.backends), algorithm: init.config.algorithm, health: this.health, recorder: this.recorder });
    this.acceptor = new Acceptor(this, this.sys);
    this.epollFd = this.sys.epollCreate(EPOLL_CLOEXEC);
    if (this.epollFd < 0) throw new Error(`epoll_create1: ${errnoName(this.sys.errno())}`);
    this.add(init.wakeFd, EPOLLIN);
  }

  /** Runs until an `exit` message; blocks the thread (epoll_wait) between events. */
  run(): void {
    const events = this.events;
    while (!this.exiting) {
      const n = this.sys.epollWait(this.epollFd, events, MAX_EVENTS, this.waitMs());
      if (n < 0 && this.sys.errno() !== EINTR) throw new Error(`epoll_wait: ${errnoName(this.sys.errno())}`);
      for (let i = 0; i < n; i += 1) {
        const { events: flags, fd } = epollEventAt(events, i);
        const connection = this.sockets.get(fd);
        if (connection) connection.onEvent(fd, flags);
        else if (fd === this.init.wakeFd) this.readMessages();
        else if (this.listeners.has(fd)) this.acceptor.acceptFrom(fd);
      }
      const now = this.now();
      this.deadlines.runDue(now);
      this.acceptor.runDue(now, this.listeners.keys());
      this.sendStats(now);
    }
    this.shutDown();
  }

  now(): number {
    return performance.now();
  }

  addressOf(backend: BackendAddress): Buffer | string {
    return this.addresses.get(backend.name) ?? `no address for ${backend.name}`;
  }

  watch(fd: number, connection: ProxiedConnection): void {
    this.sockets.set(fd, connection);
    this.add(fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
  }

  forget(fd: number): void {
    this.sockets.delete(fd);
  }

  schedule(due: number, owner: DeadlineOwner): DeadlineEntry {
    return this.deadlines.push(due, owner);
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', fields: Record<string, unknown>, message: string): void {
    this.send({ type: 'log', level, fields, message });
  }

  outOfDescriptors(error: string): void {
    this.acceptor.pause(error);
  }

  activeConnections(): number {
    return this.connections.size;
  }

  accepted(fd: number, ip: PeerIp, port: number): void {
    this.recorder.clientAccepted();
    this.statsDirty = true;
    const connection = new ProxiedConnection(this, fd, ip, port);
    this.connections.add(connection);
    connection.start();
  }

  statsChanged(): void {
    this.statsDirty = true;
  }

  closed(connection: ProxiedConnection): void {
    this.connections.delete(connection);
    this.recorder.clientClosed();
    this.statsDirty = true;
    if (this.acceptor.full) this.acceptor.acceptAll(this.listeners.keys());
  }

  private waitMs(): number {
    let due = this.deadlines.next;
    if (this.acceptor.retryAt !== 0 && this.acceptor.retryAt < due) due = this.acceptor.retryAt;
    if (this.statsDirty || this.acceptor.full) due = Math.min(due, this.statsSentAt + STATS_INTERVAL_MS);
    if (due === Infinity) return MAX_WAIT_MS;
    return Math.max(0, Math.min(MAX_WAIT_MS, Math.ceil(due - this.now())));
  }

  private add(fd: number, events: number): void {
    if (this.sys.epollCtl(this.epollFd, EPOLL_CTL_ADD, fd, epollEvent(events, fd)) < 0) throw new Error(`epoll_ctl: ${errnoName(this.sys.errno())}`);
  }

  private send(message: FromEngine): void {
    this.port.postMessage(message);
  }

  private reply(reply: EngineReply): void {
    this.send({ type: 'reply', reply });
  }

  private readMessages(): void {
    this.sys.read(this.init.wakeFd, this.wakeBuffer, 8);
    for (;;) {
      const received = receiveMessageOnPort(this.port);
      if (received === undefined) return;
      this.handle(received.message as ToEngine);
    }
  }

  private handle(message: ToEngine): void {
    switch (message.type) {
      case 'listen':
        this.reply(this.listen(message.id, message.host, message.port, message.backlog));
        return;
      case 'unlisten':
        this.unlisten(message.host, message.port);
        this.reply({ id: message.id, ok: true });
        return;
      case 'config':
        this.health.up = new Set(message.up);
        this.configure(message.config);
        return;
      case 'health':
        this.health.up = new Set(message.up);
        return;
      case 'cut':
        this.reply({ id: message.id, ok: true, cut: this.cutAll() });
        return;
      case 'flush':
        this.statsSentAt = -Infinity;
        this.statsDirty = true;
        this.sendStats(this.now());
        this.reply({ id: message.id, ok: true });
        return;
      case 'exit':
        this.exiting = true;
        return;
      default: {
        const never: never = message;
        throw new Error(`unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  private listen(id: number, host: string, port: number, backlog: number): EngineReply {
    const family = addressFamily(host);
    if (family === null) return { id, ok: false, errno: 'EINVAL' };
    const fd = this.sys.socket(family === 'ipv6' ? c.AF_INET6 : c.AF_INET, c.SOCK_STREAM | c.SOCK_NONBLOCK | c.SOCK_CLOEXEC, 0);
    if (fd < 0) return { id, ok: false, errno: errnoName(this.sys.errno()) };
    this.sys.setsockopt(fd, c.SOL_SOCKET, c.SO_REUSEADDR, intOption(1), 4);
    // `::` is every address of both families (haproxy's `v4v6`; config/meaning.ts refuses 0.0.0.0 on the
    // same port for that reason), whatever net.ipv6.bindv6only says. A specific IPv6 address is IPv6 only.
    if (family === 'ipv6') this.sys.setsockopt(fd, c.IPPROTO_IPV6, c.IPV6_V6ONLY, intOption(host === '::' ? 0 : 1), 4);
    // Accepted sockets inherit TCP_NODELAY and the keepalive settings from the listening socket: three
    // syscalls fewer per client.
    setSocketOptions(this.sys, fd);
    const address = sockaddrOf(host, port);
    if (this.sys.bind(fd, address, address.length) < 0 || this.sys.listen(fd, backlog) < 0) {
      const error = errnoName(this.sys.errno());
      this.sys.close(fd);
      return { id, ok: false, errno: error };
    }
    const bound = Buffer.alloc(SOCKADDR_MAX_LENGTH);
    const length = intOption(SOCKADDR_MAX_LENGTH);
    this.sys.getsockname(fd, bound, length);
    const listener = { fd, ...(readSockaddr(bound) ?? { host, port }) };
    this.listeners.set(fd, listener);
    this.add(fd, EPOLLIN | EPOLLET);
    return { id, ok: true, host: listener.host, port: listener.port };
  }

  /** Closing a listening socket resets the clients in its queue, as haproxy's and Node's do. */
  private unlisten(host: string, port: number): void {
    for (const listener of this.listeners.values()) {
      if (listener.host !== host || listener.port !== port) continue;
      this.listeners.delete(listener.fd);
      this.sys.close(listener.fd);
    }
    this.statsDirty = true;
  }

  private configure(config: EngineConfig): void {
    this.settings = config.settings;
    this.addresses = addressTable(config.backends);
    this.pool.update({ backends: poolBackends(config.backends), algorithm: config.algorithm });
    this.statsDirty = true;
    this.acceptor.acceptAll(this.listeners.keys());
  }

  private cutAll(): number {
    const cut = this.connections.size;
    for (const connection of [...this.connections]) connection.destroy();
    return cut;
  }

  /** Clients waiting in the listeners' queues: a listening socket's tcpi_unacked is its accept queue length. */
  private waiting(): number {
    if (!this.acceptor.full) return 0;
    let total = 0;
    for (const fd of this.listeners.keys()) {
      this.tcpInfoLength.writeInt32LE(this.tcpInfo.length, 0);
      if (this.sys.getsockopt(fd, c.IPPROTO_TCP, c.TCP_INFO, this.tcpInfo, this.tcpInfoLength) === 0) total += this.tcpInfo.readUInt32LE(24);
    }
    return total;
  }

  private sendStats(now: number): void {
    if (!(this.statsDirty || this.acceptor.full) || now - this.statsSentAt < STATS_INTERVAL_MS) return;
    this.statsDirty = false;
    this.statsSentAt = now;
    let buffered = 0;
    for (const connection of this.connections) buffered += connection.bufferedBytes;
    this.send({ type: 'stats', stats: { counters: this.recorder.counters, active: this.connections.size, waiting: this.waiting(), buffered } });
  }

  private shutDown(): void {
    for (const fd of this.listeners.keys()) this.sys.close(fd);
    this.listeners.clear();
    this.cutAll();
    this.deadlines.clear();
    this.sys.close(this.epollFd);
    this.statsSentAt = -Infinity;
    this.statsDirty = true;
    this.sendStats(this.now());
  }
}

function poolBackends(backends: readonly EngineBackend[]): BackendAddress[] {
  return backends.map((backend) => ({ name: backend.name, host: backend.ip ?? backend.address, port: backend.port, weight: backend.weight }));
}

/** Each backend's sockaddr (of its address's family), or why a connect to it cannot be made. */
function addressTable(backends: readonly EngineBackend[]): Map<string, Buffer | string> {
  return new Map(backends.map((backend) => [backend.name, backend.ip === null ? (backend.unresolved ?? `cannot resolve ${backend.address}`) : backendSockaddr(backend.ip, backend.port)]));
}

/** The main thread sends addresses it has checked; a bad one is this backend's failure, not the data path's end. */
function backendSockaddr(ip: string, port: number): Buffer | string {
  try {
    return sockaddrOf(ip, port);
  } catch (error) {
    return (error as Error).message;
  }
}
