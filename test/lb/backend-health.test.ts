// BackendHealth against servers on 127.0.0.1 made by the test. The check cadence runs on a fake
// clock: a test moves it one interval, then waits (in real time) for that check's answer.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { LoadBalancerConfig } from '../../src/config/schema.js';
import { ExternalTracker } from '../../src/health/tracker-set.js';
import { selfSignedCert } from '../../src/lab/apiserver.js';
import { BackendHealth, feedBackendsTracker, type HealthCheckConfig } from '../../src/lb/backend-health.js';
import type { BackendAddress, BackendHealthChange } from '../../src/lb/types.js';
import { createLogger } from '../../src/log.js';
import { tempDir, type TempDir } from '../health/processes.js';
import { FakeClock } from '../vrrp/fake-clock.js';

const intervalMs = 1000;
const cleanups: (() => void | Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type AnyServer = Server | ReturnType<typeof createTcpServer>;

/** Listens on 127.0.0.1; closed (and its connections cut) after the test. */
async function listen(server: AnyServer, port = 0): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined); // tcp checks close with a reset
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanups.push(() => closeServer(server, sockets));
  return (server.address() as AddressInfo).port;
}

function closeServer(server: AnyServer, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** An http server whose status the test sets; counts the requests it gets. */
async function statusServer(): Promise<{ port: number; status: number; requests: number }> {
  const state = { port: 0, status: 200, requests: 0 };
  state.port = await listen(
    createHttpServer((_request, response) => {
      state.requests++;
      response.writeHead(state.status);
      response.end(state.status === 200 ? 'ok' : '[-]etcd failed');
    }),
  );
  return state;
}

function backend(name: string, port: number): BackendAddress {
  return { name, host: '127.0.0.1', port, weight: 1 };
}

function healthCheck(overrides: Partial<HealthCheckConfig> = {}): HealthCheckConfig {
  const defaults: LoadBalancerConfig['healthCheck'] = { type: 'http', path: '/readyz', insecureSkipVerify: false, caFile: null, interval: intervalMs, timeout: 500, rise: 2, fall: 2 };
  return { ...defaults, ...overrides };
}

interface Harness {
  health: BackendHealth;
  clock: FakeClock;
  changes: BackendHealthChange[];
  logs: () => Record<string, unknown>[];
  /** Moves the clock one interval and waits until every backend has answered `checks` checks. */
  tick(): Promise<void>;
  /** Waits (real time) until the backend has answered this many checks. */
  checked(name: string, checks: number): Promise<void>;
}

function harness(backends: BackendAddress[], check: HealthCheckConfig): Harness {
  const clock = new FakeClock();
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const health = new BackendHealth({ name: 'apiserver', backends, healthCheck: check, logger: createLogger({ level: 'info', destination }), clock, wallClock: () => 1_700_000_000_000 + clock.now() });
  cleanups.push(() => health.stop());
  const changes: BackendHealthChange[] = [];
  health.onChange((change) => changes.push(change));
  const checks = (name: string) => health.describe().find((b) => b.name === name)?.checks ?? -1;
  const checked = (name: string, n: number) => until(() => checks(name) >= n, `${name} to answer ${n} checks`);
  return {
    health,
    clock,
    changes,
    logs: () =>
      lines
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    checked,
    tick: async () => {
      const before = health.describe().map((b) => [b.name, b.checks] as const);
      clock.advance(check.interval);
      for (const [name, n] of before) await checked(name, n + 1);
    },
  };
}

async function until(done: () => boolean, what: string, limitMs = 5000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const state = (h: Harness, name: string) => h.health.describe().find((b) => b.name === name)?.state;
const codes = (h: Harness) => h.logs().filter((l) => typeof l['code'] === 'string' && String(l['code']).startsWith('LB_')).map((l) => `${String(l['code'])} ${String(l['backend'] ?? l['loadBalancer'])}`);

describe('http check', () => {
  test('marks a backend down after `fall` 503s and up after `rise` 200s, telling listeners once each way', async () => {
    const server = await statusServer();
    const h = harness([backend('m1', server.port)], healthCheck({ rise: 2, fall: 2 }));
    h.health.start();
    await h.checked('m1', 1);
    expect(state(h, 'm1')).toBe('up');

    server.status = 503;
    await h.tick();
    expect(h.health.isUp('m1')).toBe(true); // one failure of fall 2
    await h.tick();
    expect(h.health.isUp('m1')).toBe(false);
    expect(h.changes).toEqual([{ backend: 'm1', up: false, reason: 'HTTP 503' }]);
    await h.tick(); // still 503: no second change
    expect(h.changes).toHaveLength(1);

    server.status = 200;
    await h.tick();
    expect(h.health.isUp('m1')).toBe(false); // one success of rise 2
    await h.tick();
    expect(h.health.isUp('m1')).toBe(true);
    expect(h.changes).toEqual([
      { backend: 'm1', up: false, reason: 'HTTP 503' },
      { backend: 'm1', up: true, reason: 'HTTP 200' },
    ]);
    expect(h.health.describe()[0]).toMatchObject({ name: 'm1', address: `127.0.0.1:${server.port}`, checks: 6, failures: 3, upTransitions: 1, downTransitions: 1, reason: 'HTTP 200', since: 1_700_000_000_000 + 5 * intervalMs });
    expect(server.requests).toBe(6);
  });

  test('each change is logged once, at warn going down and info coming up, with its code and reason', async () => {
    const server = await statusServer();
    const h = harness([backend('m1', server.port)], healthCheck({ rise: 1, fall: 1 }));
    h.health.start();
    await h.checked('m1', 1);
    server.status = 503;
    for (let i = 0; i < 3; i++) await h.tick();
    server.status = 200;
    for (let i = 0; i < 3; i++) await h.tick();

    const lines = h.logs().filter((l) => l['backend'] === 'm1');
    expect(lines.map((l) => [l['level'], l['code'], l['from'], l['to'], l['reason']])).toEqual([
      [30, 'LB_BACKEND_UP', 'init', 'up', 'HTTP 200'],
      [40, 'LB_BACKEND_DOWN', 'up', 'down', 'HTTP 503'],
      [30, 'LB_BACKEND_UP', 'down', 'up', 'HTTP 200'],
    ]);
    expect(lines[1]).toMatchObject({ msg: `backend m1 (127.0.0.1:${server.port}) down: HTTP 503`, transitions: 1 });
    // The pool had one backend: it went down and came back, also said once each way.
    expect(codes(h)).toEqual(['LB_BACKEND_UP m1', 'LB_BACKEND_DOWN m1', 'LB_POOL_DOWN apiserver', 'LB_BACKEND_UP m1', 'LB_POOL_UP apiserver']);
  });

  test('a backend that accepts but never answers goes down when the check times out', async () => {
    const port = await listen(
      createHttpServer(() => {
        // a frozen apiserver: the kernel accepts, nobody answers
      }),
    );
    const h = harness([backend('m1', port)], healthCheck({ timeout: 500, rise: 1, fall: 1 }));
    h.health.start();
    await new Promise((resolve) => setTimeout(resolve, 50)); // the request is out
    h.clock.advance(500);
    await h.checked('m1', 1);
    expect(h.changes).toEqual([{ backend: 'm1', up: false, reason: 'timed out after 500 ms' }]);
  });

  test('checks GET the configured path', async () => {
    const paths: string[] = [];
    const port = await listen(
      createHttpServer((request, response) => {
        paths.push(request.url ?? '');
        response.end('ok');
      }),
    );
    const h = harness([backend('m1', port)], healthCheck({ path: '/livez?verbose' }));
    h.health.start();
    await h.checked('m1', 1);
    expect(paths).toEqual(['/livez?verbose']);
  });
});

describe('https check against a self-signed certificate', () => {
  let dir: TempDir;
  let certFile: string;
  let port: number;
  let server: Server;

  beforeAll(async () => {
    dir = tempDir('lb-tls');
    const cert = selfSignedCert(dir.path);
    certFile = cert.certFile;
    server = createHttpsServer({ cert: readFileSync(cert.certFile), key: readFileSync(cert.keyFile) }, (_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    dir.remove();
  });

  async function firstAnswer(check: Partial<HealthCheckConfig>) {
    const h = harness([backend('m1', port)], healthCheck({ type: 'https', ...check }));
    h.health.start();
    await h.checked('m1', 1);
    return h.health.describe()[0];
  }

  test('fails verification without insecureSkipVerify or caFile: the backend goes down with the certificate error', async () => {
    const described = await firstAnswer({});
    expect(described).toMatchObject({ state: 'down', up: false });
    expect(described?.reason).toMatch(/^DEPTH_ZERO_SELF_SIGNED_CERT/);
  });

  test('insecureSkipVerify accepts it', async () => {
    expect(await firstAnswer({ insecureSkipVerify: true })).toMatchObject({ state: 'up', reason: 'HTTP 200' });
  });

  test('caFile with the certificate accepts it', async () => {
    expect(await firstAnswer({ caFile: certFile })).toMatchObject({ state: 'up', reason: 'HTTP 200' });
  });

  test('a caFile that cannot be read is ERR_CA_FILE when the load balancer is made', () => {
    const missing = dir.file('missing.pem');
    expect(() => harness([backend('m1', port)], healthCheck({ type: 'https', caFile: missing }))).toThrow(expect.objectContaining({ code: 'ERR_CA_FILE' }));
  });
});

describe('tcp check', () => {
  test('up while the port accepts; down with the socket error after `fall` refusals', async () => {
    const server = createTcpServer();
    const port = await listen(server);
    const h = harness([backend('m1', port)], healthCheck({ type: 'tcp', rise: 1, fall: 2 }));
    h.health.start();
    await h.checked('m1', 1);
    expect(h.health.describe()[0]).toMatchObject({ state: 'up', reason: 'connected' });

    await new Promise((resolve) => server.close(resolve));
    await h.tick();
    expect(h.health.isUp('m1')).toBe(true);
    await h.tick();
    expect(h.changes).toEqual([{ backend: 'm1', up: false, reason: 'connect ECONNREFUSED' }]);
  });
});

describe('initial state', () => {
  test("a backend is usable before its first check ('init'), and a dead one goes down at its first answer", async () => {
    const server = createTcpServer();
    const port = await listen(server);
    await new Promise((resolve) => server.close(resolve)); // nothing listens now
    const h = harness([backend('m1', port)], healthCheck({ type: 'tcp', rise: 2, fall: 3 }));
    expect(h.health.describe()[0]).toMatchObject({ state: 'init', up: true, reason: 'not checked yet' });
    expect(h.health.isUp('m1')).toBe(true);
    expect(h.health.anyUp()).toBe(true);
    h.health.start();
    await h.checked('m1', 1);
    expect(h.health.isUp('m1')).toBe(false); // not after `fall` failures: the first answer decides
    expect(h.changes).toEqual([{ backend: 'm1', up: false, reason: 'connect ECONNREFUSED' }]);
  });
});

describe('passive health', () => {
  test('a reported connect failure marks the backend down at once; `rise` passing checks bring it back', async () => {
    const [a, b] = [await statusServer(), await statusServer()];
    const h = harness([backend('a', a.port), backend('b', b.port)], healthCheck({ rise: 2, fall: 3 }));
    h.health.start();
    await h.checked('a', 1);
    await h.checked('b', 1);

    h.health.reportFailure('a', 'connect ETIMEDOUT');
    expect(h.health.isUp('a')).toBe(false);
    expect(h.changes).toEqual([{ backend: 'a', up: false, reason: 'passive: connect ETIMEDOUT' }]);
    expect(h.logs().find((l) => l['code'] === 'LB_BACKEND_DOWN')).toMatchObject({ backend: 'a', reason: 'passive: connect ETIMEDOUT' });

    await h.tick();
    expect(h.health.isUp('a')).toBe(false);
    await h.tick();
    expect(h.health.isUp('a')).toBe(true);
    expect(h.changes.at(-1)).toEqual({ backend: 'a', up: true, reason: 'HTTP 200' });
    expect(h.health.describe()[0]).toMatchObject({ passiveFailures: 1, failures: 0, downTransitions: 1, upTransitions: 1 });
  });

  test('a failure reported while it comes back starts its `rise` count again', async () => {
    const [a, b] = [await statusServer(), await statusServer()];
    const h = harness([backend('a', a.port), backend('b', b.port)], healthCheck({ rise: 2, fall: 3 }));
    h.health.start();
    await h.checked('a', 1);
    h.health.reportFailure('a', 'connect ECONNREFUSED');
    await h.tick(); // 1 of 2
    h.health.reportFailure('a', 'first byte timeout');
    await h.tick(); // 1 of 2 again
    expect(h.health.isUp('a')).toBe(false);
    await h.tick();
    expect(h.health.isUp('a')).toBe(true);
    expect(h.changes.filter((c) => c.backend === 'a').map((c) => c.up)).toEqual([false, true]);
  });

  test('the last usable backend is not taken down by one passive failure: it counts as a failed check', async () => {
    const server = await statusServer();
    const h = harness([backend('m1', server.port)], healthCheck({ rise: 2, fall: 3 }));
    h.health.start();
    await h.checked('m1', 1);
    h.health.reportFailure('m1', 'connect ETIMEDOUT');
    h.health.reportFailure('m1', 'connect ETIMEDOUT');
    expect(h.health.isUp('m1')).toBe(true);
    expect(h.health.anyUp()).toBe(true);
    h.health.reportFailure('m1', 'connect ETIMEDOUT'); // the third of fall 3
    expect(h.health.isUp('m1')).toBe(false);
    expect(h.changes).toEqual([{ backend: 'm1', up: false, reason: 'passive: connect ETIMEDOUT' }]);
  });

  test('a report about a backend the load balancer no longer has is ignored', () => {
    const h = harness([backend('m1', 1)], healthCheck({ type: 'tcp' }));
    h.health.reportFailure('gone', 'connect ECONNREFUSED');
    expect(h.changes).toEqual([]);
    expect(h.health.isUp('gone')).toBe(false);
  });
});

describe('the pool and the backends tracker', () => {
  test('the tracker stays init until a check passes, fails while no backend is up, and comes back with one', async () => {
    const [a, b] = [await statusServer(), await statusServer()];
    const h = harness([backend('a', a.port), backend('b', b.port)], healthCheck({ rise: 1, fall: 1 }));
    const tracker = new ExternalTracker({ initial: 'init' });
    cleanups.push(feedBackendsTracker(h.health, tracker));
    expect(tracker.state).toBe('init');
    expect(h.health.pool()).toMatchObject({ state: 'init', usable: 2, total: 2 });

    h.health.start();
    await h.checked('a', 1);
    await h.checked('b', 1);
    expect(tracker.state).toBe('up');
    expect(tracker.lastDetail).toBe('2 of 2 backends up');

    a.status = 503;
    await h.tick();
    expect(tracker.state).toBe('up');
    expect(tracker.lastDetail).toBe('1 of 2 backends up');
    expect(h.health.anyUp()).toBe(true);

    b.status = 503;
    await h.tick();
    expect(h.health.anyUp()).toBe(false);
    expect(tracker.state).toBe('down');
    expect(tracker.lastDetail).toBe('no backend up (a: HTTP 503; b: HTTP 503)');

    b.status = 200;
    await h.tick();
    expect(h.health.anyUp()).toBe(true);
    expect(tracker.state).toBe('up');
    expect(codes(h).filter((c) => c.startsWith('LB_POOL'))).toEqual(['LB_POOL_DOWN apiserver', 'LB_POOL_UP apiserver']);
  });

  test('a pool whose every backend is dead from the start fails the tracker after the first answers', async () => {
    const server = createTcpServer();
    const port = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    const h = harness([backend('a', port), backend('b', port)], healthCheck({ type: 'tcp', rise: 2, fall: 3 }));
    const tracker = new ExternalTracker({ initial: 'init' });
    cleanups.push(feedBackendsTracker(h.health, tracker));
    const states: string[] = [];
    tracker.onChange((change) => states.push(change.to));
    h.health.start();
    await h.checked('a', 1);
    await h.checked('b', 1);
    expect(states).toEqual(['down']); // never up on the way
  });
});

describe('update() (SIGHUP)', () => {
  test('unchanged backends with an unchanged check keep their state, counters and cadence; added ones start in init; removed ones stop', async () => {
    const [a, b, c] = [await statusServer(), await statusServer(), await statusServer()];
    b.status = 503;
    const check = healthCheck({ rise: 2, fall: 2 });
    const h = harness([backend('a', a.port), backend('b', b.port), backend('gone', c.port)], check);
    h.health.start();
    for (const name of ['a', 'b', 'gone']) await h.checked(name, 1);
    expect([state(h, 'a'), state(h, 'b')]).toEqual(['up', 'down']);

    h.changes.length = 0; // b's first answer took it down
    h.health.update([{ ...backend('a', a.port), weight: 5 }, backend('b', b.port), backend('new', c.port)], { ...check });
    expect(h.health.describe().map((d) => [d.name, d.state, d.checks])).toEqual([
      ['a', 'up', 1],
      ['b', 'down', 1],
      ['new', 'init', 0],
    ]);
    expect(h.health.isUp('gone')).toBe(false);
    await h.checked('new', 1); // checked at once
    const before = c.requests;
    await h.tick();
    expect(c.requests).toBe(before + 1); // only 'new' asks c now: 'gone' stopped checking
    expect(h.changes).toEqual([]); // b was down before and is still down: nothing to say
  });

  test('a changed check keeps each backend up or down; a backend at a new address starts anew', async () => {
    const [a, b, moved] = [await statusServer(), await statusServer(), await statusServer()];
    b.status = 503;
    const h = harness([backend('a', a.port), backend('b', b.port), backend('m', a.port)], healthCheck({ rise: 2, fall: 2 }));
    h.health.start();
    for (const name of ['a', 'b', 'm']) await h.checked(name, 1);

    h.changes.length = 0; // b's first answer took it down
    h.health.update([backend('a', a.port), backend('b', b.port), backend('m', moved.port)], healthCheck({ rise: 3, fall: 3, path: '/livez' }));
    expect(h.health.describe().map((d) => [d.name, d.state])).toEqual([
      ['a', 'up'],
      ['b', 'down'],
      ['m', 'init'],
    ]);
    expect(h.health.describe().find((d) => d.name === 'm')?.reason).toBe(`address changed from 127.0.0.1:${a.port}`);
    await h.checked('a', 2); // the new check runs at once
    expect(h.changes).toEqual([]);
  });

  test('an update that fails (unreadable caFile) changes nothing', async () => {
    const server = await statusServer();
    const h = harness([backend('a', server.port)], healthCheck());
    h.health.start();
    await h.checked('a', 1);
    expect(() => h.health.update([backend('b', server.port)], healthCheck({ type: 'https', caFile: '/nonexistent/ca.pem' }))).toThrow(expect.objectContaining({ code: 'ERR_CA_FILE' }));
    expect(() => h.health.update([backend('a', 1), backend('a', 2)], healthCheck())).toThrow(expect.objectContaining({ code: 'ERR_BACKEND_NAME' }));
    expect(h.health.describe().map((d) => [d.name, d.state])).toEqual([['a', 'up']]);
    await h.tick();
    expect(h.health.describe()[0]?.checks).toBe(2);
  });
});
