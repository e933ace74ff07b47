// One `loadBalancers[]` entry: its listening socket(s), its backend pool, its client connections and
// counters. The daemon decides where and when to listen (a `vip:` bind only while MASTER); this class
// does the rest.
//
// maxConnections: Node cannot stop accepting on a listening socket short of closing it (libuv accepts
// as long as the socket is readable, and a closed listener resets every client in its queue), and
// server.maxConnections closes the clients it accepts beyond the limit. So clients beyond the limit
// are accepted and left unread (pauseOnConnect), first in first out, until a connection ends: to the
// client this is the kernel backlog (its handshake completed there too), and none is dropped. At most
// WAITING_LIMIT wait; beyond that a client is closed at once, counted as rejected and logged.
import { createServer, type Server, type Socket } from 'node:net';
import type { LoadBalancerConfig } from '../config/schema.js';
import { TsvipError } from '../errors.js';
import { errorDetail } from '../health/checker.js';
import { partLogger, type Logger } from '../log.js';
import { systemClock, type Clock } from '../vrrp/clock.js';
import { KEEPALIVE_INITIAL_DELAY_MS } from './backend-connect.js';
import { ClientConnection, type ClientSettings } from './client-connection.js';
import { BackendPool, backendAddresses, newLoadBalancerCounters } from './pool.js';
import type { BackendHealthView, LoadBalancerCounters } from './types.js';

/** The most clients kept waiting beyond maxConnections: Linux's default somaxconn, the most a kernel backlog holds. */
export const WAITING_LIMIT = 4096;

const LISTEN_BACKLOG_MIN = 511;
const LISTEN_BACKLOG_MAX = 65535;

export interface LoadBalancerOptions {
  health: BackendHealthView;
  /** The process's root logger; the load balancer logs through a child `{ part: 'lb', loadBalancer }`. */
  logger: Logger;
  clock?: Clock;
}

export interface ListenAddress {
  host: string;
  port: number;
}

export interface LoadBalancerUpdateOptions {
  /** A health view rebuilt by the reload; the current one is kept otherwise. */
  health?: BackendHealthView;
}

const BIND_HINTS: Record<string, string> = {
  EADDRINUSE: 'the port is in use',
  EADDRNOTAVAIL: 'no interface has this address',
  EACCES: 'ports below 1024 need CAP_NET_BIND_SERVICE',
};

interface Listener {
  server: Server;
  /** The address as bound (the real port when listen() was given 0). */
  bound: ListenAddress;
}

function clientSettings(config: LoadBalancerConfig): ClientSettings {
  return {
    connectTimeoutMs: config.connectTimeout,
    retries: config.retries,
    firstByteTimeoutMs: config.firstByteTimeout,
    idleTimeoutMs: config.idleTimeout,
  };
}

export class LoadBalancer {
  readonly name: string;
  readonly counters: LoadBalancerCounters = newLoadBalancerCounters();
  private readonly pool: BackendPool;
  private readonly log: Logger;
  private readonly clock: Clock;
  private settings: ClientSettings;
  private maxConnections: number;
  private readonly listeners: Listener[] = [];
  private readonly connections = new Set<ClientConnection>();
  /** Accepted beyond maxConnections, unread, oldest first; the value removes the socket's listeners. */
  private readonly waiting = new Map<Socket, () => void>();
  private full = false;
  private readonly closeWatchers = new Set<() => void>();

  constructor(config: LoadBalancerConfig, options: LoadBalancerOptions) {
    this.name = config.name;
    this.log = partLogger(options.logger, 'lb', { loadBalancer: config.name });
    this.clock = options.clock ?? systemClock;
    this.settings = clientSettings(config);
    this.maxConnections = config.maxConnections;
    this.pool = new BackendPool({ backends: backendAddresses(config), algorithm: config.balance, health: options.health, counters: this.counters });
  }

  /** Clients being served (not those waiting beyond maxConnections). */
  get activeConnections(): number {
    return this.connections.size;
  }

  /** Clients accepted beyond maxConnections, waiting for a connection to end. */
  get waitingConnections(): number {
    return this.waiting.size;
  }

  /** Bytes held in user space by all connections: what backpressure keeps bounded. */
  get bufferedBytes(): number {
    let total = 0;
    for (const connection of this.connections) total += connection.bufferedBytes;
    return total;
  }

  /** Where the load balancer listens now, ports as bound (a port 0 in listen() becomes the real one). */
  get listeningAddresses(): ListenAddress[] {
    return this.listeners.map((listener) => ({ ...listener.bound }));
  }

  /** Starts accepting on host:port; several addresses may be listened on at once. */
  async listen(address: ListenAddress): Promise<void> {
    const text = `${address.host}:${address.port}`;
    if (this.listenersAt(address).length > 0) throw new TsvipError('ERR_LB_BIND', `load balancer ${this.name}: already listening on ${text}`);
    const server = createServer({
      allowHalfOpen: true,
      pauseOnConnect: true,
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: KEEPALIVE_INITIAL_DELAY_MS,
    });
    server.on('connection', (socket: Socket) => this.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => {
        const code = (error as { code?: unknown }).code;
        const what = typeof code === 'string' ? code + (BIND_HINTS[code] ? ` (${BIND_HINTS[code]})` : '') : error.message;
        reject(new TsvipError('ERR_LB_BIND', `load balancer ${this.name}: cannot listen on ${text}: ${what}`, { cause: error }));
      };
      server.once('error', onError);
      // Node's default backlog (511) overflowed under a burst of 10k connections in the benchmark (each
      // overflow costs a client a 1 s SYN retry); haproxy sizes it from maxconn. The kernel caps it at
      // net.core.somaxconn.
      server.listen({ host: address.host, port: address.port, backlog: Math.max(LISTEN_BACKLOG_MIN, Math.min(this.maxConnections, LISTEN_BACKLOG_MAX)) }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const bound = server.address();
    const listener = { server, bound: typeof bound === 'object' && bound !== null ? { host: bound.address, port: bound.port } : { ...address } };
    server.on('error', (error) => this.log.error({ address: `${listener.bound.host}:${listener.bound.port}`, error: errorDetail(error) }, 'listener error'));
    this.listeners.push(listener);
    this.log.info({ address: `${listener.bound.host}:${listener.bound.port}` }, 'listening');
  }

  /** Closes the listening socket(s); open and waiting connections carry on. */
  async stopAccepting(): Promise<void> {
    await this.closeListeners([...this.listeners]);
  }

  /** Closes one listening socket (a `vip:` bind whose instance left MASTER); connections carry on. */
  async stopListening(address: ListenAddress): Promise<void> {
    await this.closeListeners(this.listenersAt(address));
  }

  /**
   * Stops accepting, waits up to `timeoutMs` for open connections to end, then closes what is left.
   * Resolves to the number of client connections cut.
   */
  async drain(options: { timeoutMs: number }): Promise<number> {
    await this.stopAccepting();
    if (this.openCount() === 0) return 0;
    this.log.info({ active: this.connections.size, waiting: this.waiting.size, timeoutMs: options.timeoutMs }, 'draining');
    return new Promise<number>((resolve) => {
      const watcher = (): void => {
        if (this.openCount() > 0) return;
        this.closeWatchers.delete(watcher);
        this.clock.clearTimeout(timer);
        this.log.info('drained');
        resolve(0);
      };
      const timer = this.clock.setTimeout(() => {
        this.closeWatchers.delete(watcher);
        resolve(this.cutAll());
      }, options.timeoutMs);
      this.closeWatchers.add(watcher);
    });
  }

  /**
   * A reload (SIGHUP): backends, balance, timeouts and maxConnections apply to new connections; open
   * connections, also to removed backends, carry on until they end. `bind` is the daemon's business
   * (stopAccepting and listen again).
   */
  update(config: LoadBalancerConfig, options: LoadBalancerUpdateOptions = {}): void {
    if (config.name !== this.name) {
      throw new TsvipError('ERR_LB_CONFIG', `load balancer ${this.name}: cannot be updated with the config of ${config.name}`);
    }
    const backends = backendAddresses(config);
    this.settings = clientSettings(config);
    this.maxConnections = config.maxConnections;
    this.pool.update({ backends, algorithm: config.balance, ...(options.health ? { health: options.health } : {}) });
    this.log.info({ backends: backends.map((backend) => backend.name), balance: config.balance }, 'configuration updated');
    this.dispatchWaiting();
  }

  private listenersAt(address: ListenAddress): Listener[] {
    return this.listeners.filter((listener) => listener.bound.host === address.host && listener.bound.port === address.port);
  }

  private async closeListeners(listeners: readonly Listener[]): Promise<void> {
    if (listeners.length === 0) return;
    for (const listener of listeners) {
      listener.server.close();
      this.listeners.splice(this.listeners.indexOf(listener), 1);
    }
    const addresses = listeners.map((listener) => `${listener.bound.host}:${listener.bound.port}`);
    this.log.info({ addresses, active: this.connections.size, waiting: this.waiting.size }, 'stopped accepting');
    // The listening fd is closed synchronously; the handle finishes closing on the next loop turn.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  private openCount(): number {
    return this.connections.size + this.waiting.size;
  }

  private onConnection(socket: Socket): void {
    if (this.waiting.size === 0 && this.connections.size < this.maxConnections) this.serve(socket);
    else this.park(socket);
  }

  private serve(socket: Socket): void {
    this.counters.active += 1;
    this.counters.total += 1;
    const connection: ClientConnection = new ClientConnection({
      client: socket,
      pool: this.pool,
      counters: this.counters,
      settings: this.settings,
      clock: this.clock,
      logger: this.log,
      onClosed: () => this.onConnectionClosed(connection),
    });
    this.connections.add(connection);
    connection.start();
  }

  private park(socket: Socket): void {
    if (this.waiting.size >= WAITING_LIMIT) {
      this.counters.rejected += 1;
      this.log.warn({ code: 'ERR_LB_FULL', maxConnections: this.maxConnections, waiting: this.waiting.size }, 'client closed: too many clients waiting');
      socket.destroy();
      return;
    }
    if (!this.full) {
      this.full = true;
      this.log.warn({ maxConnections: this.maxConnections }, 'maxConnections reached: new clients wait');
    }
    const onClose = (): void => {
      this.waiting.delete(socket);
      this.notifyCloseWatchers();
    };
    const ignoreError = (): void => {};
    socket.once('close', onClose);
    socket.on('error', ignoreError);
    this.waiting.set(socket, () => {
      socket.off('close', onClose);
      socket.off('error', ignoreError);
    });
  }

  private onConnectionClosed(connection: ClientConnection): void {
    this.connections.delete(connection);
    this.counters.active -= 1;
    this.dispatchWaiting();
    this.notifyCloseWatchers();
  }

  private dispatchWaiting(): void {
    for (const [socket, detach] of this.waiting) {
      if (this.connections.size >= this.maxConnections) return;
      this.waiting.delete(socket);
      detach();
      if (!socket.destroyed) this.serve(socket);
    }
    if (this.full && this.connections.size < this.maxConnections) {
      this.full = false;
      this.log.info({ maxConnections: this.maxConnections }, 'below maxConnections again');
    }
  }

  private notifyCloseWatchers(): void {
    for (const watcher of [...this.closeWatchers]) watcher();
  }

  private cutAll(): number {
    const cut = this.openCount();
    for (const [socket, detach] of this.waiting) {
      detach();
      socket.destroy();
    }
    this.waiting.clear();
    for (const connection of this.connections) connection.destroy();
    this.log.info({ cut }, 'drain timeout: closed the connections left');
    return cut;
  }
}
