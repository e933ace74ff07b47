// Loopback fixtures for the load balancer tests: a fake health view, backend servers that answer,
// hang or are closed, clients, a captured logger, and a port whose SYNs are never answered.
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { afterEach } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { loadBalancerSchema, type LoadBalancerConfig } from '../../src/config/schema.js';
import { createLogger, type Logger } from '../../src/log.js';
import { LoadBalancer } from '../../src/lb/load-balancer.js';
import type { BackendHealthChange, BackendHealthView } from '../../src/lb/types.js';

export const HOST = '127.0.0.1';

/** Everything up unless put down with setDown; failures recorded. */
export class FakeHealth implements BackendHealthView {
  private readonly down = new Set<string>();
  private readonly listeners = new Set<(change: BackendHealthChange) => void>();
  readonly failures: { backend: string; detail: string }[] = [];

  isUp(backend: string): boolean {
    return !this.down.has(backend);
  }

  setDown(backend: string): void {
    this.down.add(backend);
    for (const listener of this.listeners) listener({ backend, up: false, reason: 'set down by the test' });
  }

  reportFailure(backend: string, detail: string): void {
    this.failures.push({ backend, detail });
  }

  onChange(listener: (change: BackendHealthChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface LogCapture {
  logger: Logger;
  lines: Record<string, unknown>[];
}

export function captureLogger(): LogCapture {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

/** A validated config, defaults applied (durations may be given as integer ms). */
export function lbConfig(input: { backends: { name: string; port: number; weight?: number }[] } & Record<string, unknown>): LoadBalancerConfig {
  const { backends, ...rest } = input;
  return loadBalancerSchema.parse({
    name: 'apiserver',
    bind: `${HOST}:6443`,
    ...rest,
    backends: backends.map((b) => ({ name: b.name, address: `${HOST}:${b.port}`, ...(b.weight === undefined ? {} : { weight: b.weight }) })),
  });
}

export interface Harness {
  lb: LoadBalancer;
  port: number;
  health: FakeHealth;
  logs: LogCapture;
}

/** `clock` drives the main thread's timers (drain's deadline); the data path keeps its own time. */
export async function startLb(config: LoadBalancerConfig, health = new FakeHealth(), clock?: Clock): Promise<Harness> {
  const logs = captureLogger();
  const lb = new LoadBalancer(config, { health, logger: logs.logger, ...(clock === undefined ? {} : { clock }) });
  await lb.listen({ host: HOST, port: 0 });
  const port = lb.listeningAddresses[0]?.port;
  if (port === undefined) throw new Error('no listening address');
  return { lb, port, health, logs };
}

export interface Backend {
  port: number;
  server: Server;
  /** Connections accepted so far. */
  accepted: number;
  /** Bytes received, all connections. */
  received: string[];
  close(): Promise<void>;
}

/** A backend server on `host`; every accepted socket goes to `onSocket`. allowHalfOpen, as a real server may be. */
export async function startBackend(onSocket: (socket: Socket, backend: Backend) => void = () => {}, host = HOST): Promise<Backend> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true });
  const backend: Backend = {
    port: 0,
    server,
    accepted: 0,
    received: [],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('connection', (socket) => {
    backend.accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => backend.received.push(chunk.toString('latin1')));
    onSocket(socket, backend);
  });
  server.listen({ host, port: 0 });
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('no address');
  backend.port = address.port;
  return backend;
}

/** Answers each chunk with `${name}:${chunk}`, and closes its side when the client does. */
export function answering(name: string, host = HOST): Promise<Backend> {
  return startBackend((socket) => {
    socket.on('data', (chunk: Buffer) => socket.write(`${name}:${chunk.toString('latin1')}`));
    socket.on('end', () => socket.end());
  }, host);
}

/** Accepts and reads, never writes: a frozen apiserver whose kernel still completes handshakes. */
export function hung(): Promise<Backend> {
  return startBackend();
}

/** A port nothing listens on (connect: ECONNREFUSED). */
export async function closedPort(): Promise<number> {
  const backend = await startBackend();
  await backend.close();
  return backend.port;
}

/**
 * A port whose SYNs are never answered: a listener with backlog 1 in a worker thread that blocks its
 * own event loop right after listen(), so it never accepts; two connections fill its accept queue
 * (Linux holds backlog + 1) and the kernel then drops every further SYN, as a host that is gone.
 */
export async function unansweredPort(): Promise<{ port: number; close(): Promise<void> }> {
  const release = new SharedArrayBuffer(4);
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const net = require('node:net');
     const server = net.createServer((socket) => socket.destroy());
     server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
       parentPort.postMessage(server.address().port);
       Atomics.wait(new Int32Array(workerData), 0, 0);
       server.close();
       parentPort.close();
     });`,
    { eval: true, workerData: release },
  );
  const [port] = (await once(worker, 'message')) as [number];
  const fillers: Socket[] = [];
  for (let i = 0; i < 2; i++) {
    const socket = connect({ host: HOST, port });
    socket.on('error', () => {});
    await once(socket, 'connect');
    fillers.push(socket);
  }
  return {
    port,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      const flag = new Int32Array(release);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await once(worker, 'exit');
    },
  };
}

export async function connectClient(port: number, host = HOST): Promise<Socket> {
  const socket = connect({ host, port, allowHalfOpen: true });
  await once(socket, 'connect');
  return socket;
}

/** Everything the socket receives until the peer ends it (FIN) or it closes (reset, error). */
export function collect(socket: Socket): Promise<{ data: Buffer; error: Error | null }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let error: Error | null = null;
    const done = (): void => resolve({ data: Buffer.concat(chunks), error });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (e) => (error = e));
    socket.on('end', done);
    socket.on('close', done);
  });
}

/** Resolves with the received text once it includes `expected`. */
export function receive(socket: Socket, expected: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      if (text.includes(expected)) {
        socket.off('data', onData);
        socket.off('close', onClose);
        resolve(text);
      }
    };
    const onClose = (): void => reject(new Error(`closed before "${expected}"; got "${text}"`));
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

export async function request(port: number, text: string, expected: string, host = HOST): Promise<string> {
  const socket = await connectClient(port, host);
  try {
    socket.write(text);
    return await receive(socket, expected);
  } finally {
    socket.destroy();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await sleep(5);
  }
}

/** waitFor on what the load balancer reports: its data path is asked for fresh counters before each look. */
export function waitForLb(lb: LoadBalancer, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  return waitFor(async () => {
    await lb.refreshStats();
    return condition();
  }, timeoutMs);
}

/** Closes what a test made, in reverse order, after each test of the file that calls this. */
export function useCleanups(): { track: <T extends { close(): Promise<void> }>(thing: T) => T; trackLb: (lb: LoadBalancer) => void } {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    track: (thing) => {
      cleanups.push(() => thing.close());
      return thing;
    },
    trackLb: (lb) => {
      cleanups.push(async () => void (await lb.drain({ timeoutMs: 0 })));
    },
  };
}
