// One `loadBalancers[]` entry: where it listens, its backends and settings, its counters. The daemon
// decides where and when to listen (a `vip:` bind only while MASTER); this class does the rest.
//
// The bytes do not pass through this thread: every listening socket and proxied connection lives in the
// load balancer's data path, an epoll loop on raw sockets in a worker thread (engine/engine.ts). Node's
// net.Socket cost 2.6x haproxy's CPU per connection (docs/benchmarks.md); the election's timers
// also keep their own event loop this way. Health checks, logs and counters stay here: the worker
// reports passive failures, log lines and counter snapshots (every 50 ms at most) in messages, and is
// told which backends are up, the config, and where to listen.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { getAsset } from 'node:sea';
import type { LoadBalancerConfig } from '../config/schema.js';
import { TsvipError } from '../errors.js';
import { errorDetail } from '../health/checker.js';
import { partLogger, type Logger } from '../log.js';
import { formatHostPort } from '../net/host-port.js';
import { inSingleExecutable } from '../self.js';
import { systemClock, type Clock } from '../clock.js';
import { errnoName } from '../sys/errno.js';
import { libc } from '../sys/libc.js';
import { EFD_CLOEXEC, EFD_NONBLOCK } from '../sys/socket-constants.js';
import type { EngineBackend, EngineConfig, EngineInit, EngineReply, EngineStats, FromEngine, ToEngine } from './engine/protocol.js';
import { backendAddresses } from './pool.js';
import { isLiteral, literalBackend, resolveBackend } from './backend-resolution.js';
import { CountersRecorder } from './counters-recorder.js';
import type { BackendAddress, BackendHealthView, LoadBalancerCounters } from './types.js';

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

const BIND_HINTS: Record<string, string> = {
  EADDRINUSE: 'the port is in use',
  EADDRNOTAVAIL: 'no interface has this address',
  EACCES: 'ports below 1024 need CAP_NET_BIND_SERVICE',
};

/** The worker's script in the single executable (scripts/package.mjs). */
const ENGINE_WORKER_ASSET = 'engine-worker.cjs';

/** The worker's script: the compiled engine-worker.js beside this module, or the build's when running from the TypeScript sources (vitest). */
function engineWorkerPath(): string {
  const here = import.meta.url;
  const url = here.endsWith('.ts') ? new URL('../../dist/lb/engine/engine-worker.js', here) : new URL('./engine/engine-worker.js', here);
  const path = fileURLToPath(url);
  if (!existsSync(path)) throw new TsvipError('ERR_LB_ENGINE', `the load balancer's worker script ${path} is missing: run npm run build`);
  return path;
}

/**
 * node's options for the worker: the process's own, inherited (--cpu-prof; V8 flags such as
 * --max-semi-space-size are process-wide anyway, and Node refuses them when passed explicitly), except
 * when the main script came as code (`node --input-type=module -e CODE`): a worker from a file fails
 * with those, so it gets none.
 */
function workerExecArgv(): string[] | undefined {
  const scriptAsCode = process.execArgv.some((arg) => arg.startsWith('--input-type') || ['-e', '--eval', '-p', '--print'].includes(arg.split('=')[0] as string));
  return scriptAsCode ? [] : undefined;
}

export class LoadBalancer {
  readonly name: string;
  private stats: EngineStats;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly health: BackendHealthView;
  private readonly unsubscribeHealth: () => void;
  private backends: readonly BackendAddress[];
  private readonly listeners: ListenAddress[] = [];
  private readonly worker: Worker;
  private readonly wakeFd: number;
  private readonly pending = new Map<number, (reply: EngineReply) => void>();
  private nextId = 1;
  /** Resolves once the backends' host names are resolved and the worker has them. */
  private configured: Promise<void>;
  private exited = false;
  private readonly exitedPromise: Promise<void>;
  private readonly statsWatchers = new Set<() => void>();
  /** maxConnections of the config last applied: the listen backlog follows it. */
  private maxConnectionsNow = 0;

  constructor(config: LoadBalancerConfig, options: LoadBalancerOptions) {
    this.name = config.name;
    this.log = partLogger(options.logger, 'lb', { loadBalancer: config.name });
    this.clock = options.clock ?? systemClock;
    this.health = options.health;
    this.backends = backendAddresses(config);
    this.stats = { counters: initialCounters(this.backends), active: 0, waiting: 0, buffered: 0 };
    this.wakeFd = libc().eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (this.wakeFd < 0) throw new TsvipError('ERR_LB_ENGINE', `load balancer ${this.name}: eventfd: ${errnoName(libc().errno())}`);
    const literal = this.backends.map(literalBackend);
    this.maxConnectionsNow = config.maxConnections;
    const init: EngineInit = {
      wakeFd: this.wakeFd,
      config: engineConfig(config, literal),
      up: this.upBackends(),
      debug: this.log.isLevelEnabled('debug'),
    };
    const execArgv = workerExecArgv();
    const workerOptions = { workerData: init, name: `tsvip lb ${this.name}`, ...(execArgv ? { execArgv } : {}) };
    // The single executable carries the worker's bundled script as an asset; elsewhere it is a file.
    this.worker = inSingleExecutable ? new Worker(getAsset(ENGINE_WORKER_ASSET, 'utf8'), { ...workerOptions, eval: true }) : new Worker(engineWorkerPath(), workerOptions);
    // As a net.Server: the process stays alive while the load balancer listens, not because it exists.
    this.worker.unref();
    this.worker.on('message', (message: FromEngine) => this.onMessage(message));
    this.exitedPromise = new Promise<void>((resolve) => {
      this.worker.once('exit', () => {
        this.exited = true;
        libc().close(this.wakeFd);
        for (const [, settle] of this.pending) settle({ id: 0, ok: false, errno: 'the data path has stopped' });
        this.pending.clear();
        resolve();
      });
    });
    this.worker.on('error', (error) => this.onEngineError(error));
    this.unsubscribeHealth = this.health.onChange(() => this.sendHealth());
    // The worker starts with the config; host names still to be resolved follow in a `config` message.
    this.configured = literal.every((backend) => backend.ip !== null) ? Promise.resolve() : this.sendConfig(config);
  }

  /** Counters as of the data path's last report (at most 50 ms old). */
  get counters(): LoadBalancerCounters {
    return this.stats.counters;
  }

  /** Clients being served. */
  get activeConnections(): number {
    return this.stats.active;
  }

  /** Clients waiting in the listening sockets' queues while maxConnections is reached. */
  get waitingConnections(): number {
    return this.stats.waiting;
  }

  /** Bytes held in user space by all connections: what backpressure keeps bounded. */
  get bufferedBytes(): number {
    return this.stats.buffered;
  }

  /**
   * Has the data path report now: counters, connections and the passive failures it has seen are
   * current when this resolves (tests; a report otherwise comes at most every 50 ms).
   */
  async refreshStats(): Promise<void> {
    await this.request((id) => ({ type: 'flush', id }));
  }

  /** Where the load balancer listens now, ports as bound (a port 0 in listen() becomes the real one). */
  get listeningAddresses(): ListenAddress[] {
    return this.listeners.map((listener) => ({ ...listener }));
  }

  /** Starts accepting on host:port; several addresses may be listened on at once. */
  async listen(address: ListenAddress): Promise<void> {
    const text = formatHostPort(address.host, address.port);
    if (this.listenersAt(address).length > 0) throw new TsvipError('ERR_LB_BIND', `load balancer ${this.name}: already listening on ${text}`);
    await this.configured;
    // haproxy sizes the backlog from maxconn; the kernel caps it at net.core.somaxconn. Clients beyond
    // maxConnections wait there.
    const backlog = Math.max(LISTEN_BACKLOG_MIN, Math.min(this.maxConnectionsNow, LISTEN_BACKLOG_MAX));
    const reply = await this.request((id) => ({ type: 'listen', id, host: address.host, port: address.port, backlog }));
    if (!reply.ok) {
      const hint = BIND_HINTS[reply.errno];
      throw new TsvipError('ERR_LB_BIND', `load balancer ${this.name}: cannot listen on ${text}: ${reply.errno}${hint ? ` (${hint})` : ''}`);
    }
    const bound = { host: reply.host ?? address.host, port: reply.port ?? address.port };
    this.listeners.push(bound);
    this.worker.ref();
    this.log.info({ address: formatHostPort(bound.host, bound.port) }, 'listening');
  }

  /** Closes the listening socket(s); open connections carry on. */
  async stopAccepting(): Promise<void> {
    await this.closeListeners([...this.listeners]);
  }

  /** Closes one listening socket (a `vip:` bind whose instance left MASTER); connections carry on. */
  async stopListening(address: ListenAddress): Promise<void> {
    await this.closeListeners(this.listenersAt(address));
  }

  /**
   * Stops accepting, waits up to `timeoutMs` for open connections to end, then closes what is left and
   * stops the data path: the load balancer cannot listen again. Resolves to the number of client
   * connections cut.
   */
  async drain(options: { timeoutMs: number }): Promise<number> {
    if (this.exited) return 0;
    await this.stopAccepting();
    await this.refreshStats();
    let cut = 0;
    if (this.stats.active > 0) {
      this.log.info({ active: this.stats.active, timeoutMs: options.timeoutMs }, 'draining');
      const drained = await this.waitForIdle(options.timeoutMs);
      if (drained) this.log.info('drained');
      else {
        const reply = await this.request((id) => ({ type: 'cut', id }));
        cut = reply.ok ? (reply.cut ?? 0) : 0;
        this.log.info({ cut }, 'drain timeout: closed the connections left');
      }
    }
    await this.close();
    return cut;
  }

  /**
   * A reload (SIGHUP): backends, balance, timeouts and maxConnections apply to new connections; open
   * connections, also to removed backends, carry on until they end. `bind` is the daemon's business
   * (stopAccepting and listen again).
   */
  update(config: LoadBalancerConfig): void {
    if (config.name !== this.name) {
      throw new TsvipError('ERR_LB_CONFIG', `load balancer ${this.name}: cannot be updated with the config of ${config.name}`);
    }
    this.backends = backendAddresses(config);
    this.configured = this.sendConfig(config);
    this.log.info({ backends: this.backends.map((backend) => backend.name), balance: config.balance }, 'configuration updated');
  }

  private async sendConfig(config: LoadBalancerConfig): Promise<void> {
    this.maxConnectionsNow = config.maxConnections;
    const backends = this.backends;
    // Host names are resolved here, once per start and reload (backend-resolution.ts): the data path
    // connects to addresses. Literal addresses go at once, in order with what follows.
    const engineBackends = backends.every(isLiteral) ? backends.map(literalBackend) : await Promise.all(backends.map((backend) => resolveBackend(backend)));
    if (this.backends !== backends) return; // a later update() has taken over
    this.post({ type: 'config', config: engineConfig(config, engineBackends), up: this.upBackends() });
  }

  private sendHealth(): void {
    this.post({ type: 'health', up: this.upBackends() });
  }

  private upBackends(): string[] {
    return this.backends.filter((backend) => this.health.isUp(backend.name)).map((backend) => backend.name);
  }

  private onMessage(message: FromEngine): void {
    switch (message.type) {
      case 'reply': {
        const settle = this.pending.get(message.reply.id);
        this.pending.delete(message.reply.id);
        settle?.(message.reply);
        return;
      }
      case 'stats':
        this.stats = message.stats;
        for (const watcher of [...this.statsWatchers]) watcher();
        return;
      case 'failure':
        this.health.reportFailure(message.backend, message.detail);
        return;
      case 'log':
        this.log[message.level](message.fields, message.message);
        return;
      default: {
        const never: never = message;
        this.log.error({ message: never }, 'unknown message from the data path');
      }
    }
  }

  private onEngineError(error: Error): void {
    // The data path is gone: no client can be served here. Stopping the daemon gives the VIP up
    // (priority 0), so a peer whose load balancer works takes it.
    this.log.error({ code: 'ERR_LB_ENGINE', error: errorDetail(error), stack: error.stack }, 'the load balancer data path failed: stopping');
    process.exitCode = 1;
    process.kill(process.pid, 'SIGTERM');
  }

  private post(message: ToEngine): void {
    if (this.exited) return;
    this.worker.postMessage(message);
    libc().write(this.wakeFd, WAKE, 8);
  }

  private request(make: (id: number) => ToEngine): Promise<EngineReply> {
    if (this.exited) return Promise.resolve({ id: 0, ok: false, errno: 'the data path has stopped' });
    const id = this.nextId++;
    return new Promise<EngineReply>((resolve) => {
      this.pending.set(id, resolve);
      this.post(make(id));
    });
  }

  private waitForIdle(timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const watcher = (): void => {
        if (this.stats.active > 0) return;
        this.statsWatchers.delete(watcher);
        this.clock.clearTimeout(timer);
        resolve(true);
      };
      const timer = this.clock.setTimeout(() => {
        this.statsWatchers.delete(watcher);
        resolve(false);
      }, timeoutMs);
      this.statsWatchers.add(watcher);
    });
  }

  private async close(): Promise<void> {
    this.unsubscribeHealth();
    this.post({ type: 'exit' });
    await this.exitedPromise;
  }

  private listenersAt(address: ListenAddress): ListenAddress[] {
    return this.listeners.filter((listener) => listener.host === address.host && listener.port === address.port);
  }

  private async closeListeners(listeners: readonly ListenAddress[]): Promise<void> {
    if (listeners.length === 0) return;
    for (const listener of listeners) {
      this.listeners.splice(this.listeners.indexOf(listener), 1);
      await this.request((id) => ({ type: 'unlisten', id, host: listener.host, port: listener.port }));
    }
    if (this.listeners.length === 0) this.worker.unref();
    const addresses = listeners.map((listener) => formatHostPort(listener.host, listener.port));
    this.log.info({ addresses, active: this.stats.active }, 'stopped accepting');
  }
}

const WAKE = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);

function engineConfig(config: LoadBalancerConfig, backends: EngineBackend[]): EngineConfig {
  return {
    settings: {
      connectTimeoutMs: config.connectTimeout,
      retries: config.retries,
      firstByteTimeoutMs: config.firstByteTimeout,
      idleTimeoutMs: config.idleTimeout,
      maxConnections: config.maxConnections,
    },
    algorithm: config.balance,
    backends,
  };
}

function initialCounters(backends: readonly BackendAddress[]): LoadBalancerCounters {
  // What the worker's recorder starts from, until its first stats arrive.
  const recorder = new CountersRecorder();
  recorder.list(backends.map((backend) => backend.name));
  return recorder.counters;
}
