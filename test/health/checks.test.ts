// tcp, http and https checks against servers on 127.0.0.1 (and ::1, where the host has IPv6) made by the test.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { TsvipError } from '../../src/errors.js';
import type { Checker } from '../../src/health/checker.js';
import { backendCheckUrl, httpChecker } from '../../src/health/http-check.js';
import { HealthMonitor } from '../../src/health/monitor.js';
import { scriptChecker } from '../../src/health/script-check.js';
import { tcpChecker } from '../../src/health/tcp-check.js';
import { tempDir, type TempDir } from './processes.js';
import { requireTool } from '../lab/system-tools.js';

const closers: (() => Promise<void>)[] = [];
const hasIpv6Loopback = Object.values(networkInterfaces()).some((addresses) => addresses?.some((address) => address.address === '::1'));

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function track<T extends Server | ReturnType<typeof createTcpServer>>(server: T): T {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    // tcp checks close with a reset (as haproxy's do): the server side sees ECONNRESET.
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return server;
}

async function listen(server: Server | ReturnType<typeof createTcpServer>, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

async function httpServer(handler: RequestListener): Promise<{ port: number; connections: () => number }> {
  const server = track(createHttpServer(handler));
  let connections = 0;
  server.on('connection', () => connections++);
  return { port: await listen(server), connections: () => connections };
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function check(checker: Checker, signal: AbortSignal = new AbortController().signal) {
  return checker.check(signal);
}

describe('tcp check', () => {
  test('ok when the port accepts a connection', async () => {
    const port = await listen(track(createTcpServer()));
    expect(await check(tcpChecker({ host: '127.0.0.1', port }))).toEqual({ ok: true, detail: 'connected' });
  });

  test('fails with the socket error when nothing listens', async () => {
    const port = await closedPort();
    expect(await check(tcpChecker({ host: '127.0.0.1', port }))).toEqual({ ok: false, detail: 'connect ECONNREFUSED' });
  });

  test('an aborted signal fails with its reason', async () => {
    const port = await listen(track(createTcpServer()));
    const signal = AbortSignal.abort(new TsvipError('ERR_CHECK_TIMEOUT', 'timed out after 5 ms'));
    expect(await check(tcpChecker({ host: '127.0.0.1', port }), signal)).toEqual({ ok: false, detail: 'timed out after 5 ms' });
  });
});

describe('http check', () => {
  test('ok on 200; the body is read to the end and dropped', async () => {
    const { port } = await httpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('x'.repeat(1_000_000));
    });
    expect(await check(httpChecker({ url: `http://127.0.0.1:${port}/readyz` }))).toEqual({ ok: true, detail: 'HTTP 200' });
  });

  test('fails on 503 with detail "HTTP 503"', async () => {
    const { port } = await httpServer((_request, response) => {
      response.writeHead(503);
      response.end('[-]etcd failed');
    });
    expect(await check(httpChecker({ url: `http://127.0.0.1:${port}/readyz` }))).toEqual({ ok: false, detail: 'HTTP 503' });
  });

  test('the expected status is a parameter; the load balancer builds its URL from host, port and path', async () => {
    const paths: string[] = [];
    const { port } = await httpServer((request, response) => {
      paths.push(request.url ?? '');
      response.writeHead(204);
      response.end();
    });
    const url = backendCheckUrl({ type: 'http', host: '127.0.0.1', port, path: '/livez?verbose' });
    expect(await check(httpChecker({ url, expectStatus: 204 }))).toEqual({ ok: true, detail: 'HTTP 204' });
    expect(await check(httpChecker({ url }))).toEqual({ ok: false, detail: 'HTTP 204' });
    expect(paths).toEqual(['/livez?verbose', '/livez?verbose']);
  });

  test('each probe dials a fresh connection and asks the server to close it', async () => {
    const headers: (string | undefined)[] = [];
    const server = await httpServer((request, response) => {
      headers.push(request.headers.connection);
      response.end('ok');
    });
    const checker = httpChecker({ url: `http://127.0.0.1:${server.port}/` });
    for (let i = 0; i < 3; i++) expect((await check(checker)).ok).toBe(true);
    expect(server.connections()).toBe(3);
    expect(headers).toEqual(['close', 'close', 'close']);
  });

  test('fails with the socket error when nothing listens', async () => {
    const port = await closedPort();
    expect(await check(httpChecker({ url: `http://127.0.0.1:${port}/` }))).toEqual({ ok: false, detail: 'connect ECONNREFUSED' });
  });

  test('a server that accepts but never answers: the monitor times the check out', async () => {
    const { port } = await httpServer(() => {
      // never answers
    });
    const monitor = new HealthMonitor({
      checker: httpChecker({ url: `http://127.0.0.1:${port}/readyz` }),
      intervalMs: 60_000,
      timeoutMs: 300,
      rise: 1,
      fall: 1,
      initial: 'init',
    });
    const changed = new Promise((resolve) => monitor.onChange(resolve));
    monitor.start();
    expect(await changed).toEqual({ from: 'init', to: 'down', up: false, detail: 'timed out after 300 ms' });
    monitor.stop();
    expect(monitor.counters).toEqual({ checks: 1, failures: 1 });
  });
});

describe('https check', () => {
  let dir: TempDir;
  let certFile: string;
  let tls: { key: Buffer; cert: Buffer };
  let server: Server;
  let port: number;

  beforeAll(async () => {
    dir = tempDir('tls');
    certFile = dir.file('cert.pem');
    const keyFile = dir.file('key.pem');
    execFileSync(requireTool('openssl', 'openssl'), [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=tsvip test', '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1',
    ], { stdio: 'ignore' });
    tls = { key: readFileSync(keyFile), cert: readFileSync(certFile) };
    server = createHttpsServer(tls, (_request, response) => {
      response.end('ok');
    });
    port = await listen(server);
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    dir.remove();
  });

  const url = (): string => `https://127.0.0.1:${port}/readyz`;

  test('a self-signed certificate fails verification by default, with a certificate error', async () => {
    const outcome = await check(httpChecker({ url: url() }));
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toMatch(/^DEPTH_ZERO_SELF_SIGNED_CERT: self[- ]signed certificate/);
  });

  test('insecureSkipVerify accepts it', async () => {
    expect(await check(httpChecker({ url: url(), insecureSkipVerify: true }))).toEqual({ ok: true, detail: 'HTTP 200' });
  });

  test('caFile with the certificate accepts it', async () => {
    expect(await check(httpChecker({ url: url(), caFile: certFile }))).toEqual({ ok: true, detail: 'HTTP 200' });
  });

  test('a caFile that does not exist is a clear error when the checker is made, not a TLS failure later', () => {
    const missing = dir.file('missing-ca.pem');
    expect(() => httpChecker({ url: url(), caFile: missing })).toThrow(
      expect.objectContaining({ code: 'ERR_CA_FILE', message: `cannot read caFile ${missing}: open ENOENT` }),
    );
  });

  test.skipIf(!hasIpv6Loopback)('to an IPv6 backend: the URL puts the address in brackets, and the certificate is verified against its IP SAN', async () => {
    const server6 = track(createHttpsServer(tls, (_request, response) => response.end('ok')));
    const url6 = backendCheckUrl({ type: 'https', host: '::1', port: await listen(server6, '::1'), path: '/readyz' });
    expect(url6.host).toMatch(/^\[::1\]:\d+$/);
    expect(await check(httpChecker({ url: url6, caFile: certFile }))).toEqual({ ok: true, detail: 'HTTP 200' });
  });
});

describe.skipIf(!hasIpv6Loopback)('checks to an IPv6 backend (::1)', () => {
  test('tcp: connects to the IPv6 address; refused is the same detail as for IPv4', async () => {
    const port = await listen(track(createTcpServer()), '::1');
    expect(await check(tcpChecker({ host: '::1', port }))).toEqual({ ok: true, detail: 'connected' });
    const closed = createTcpServer();
    const gone = await listen(closed, '::1');
    await new Promise((resolve) => closed.close(resolve));
    expect(await check(tcpChecker({ host: '::1', port: gone }))).toEqual({ ok: false, detail: 'connect ECONNREFUSED' });
  });

  test('http: backendCheckUrl writes http://[::1]:PORT/path and the request reaches the server', async () => {
    const paths: string[] = [];
    const server6 = track(createHttpServer((request, response) => {
      paths.push(request.url ?? '');
      response.end();
    }));
    const port = await listen(server6, '::1');
    const url = backendCheckUrl({ type: 'http', host: '::1', port, path: '/readyz' });
    expect(url.href).toBe(`http://[::1]:${port}/readyz`);
    expect(await check(httpChecker({ url }))).toEqual({ ok: true, detail: 'HTTP 200' });
    expect(paths).toEqual(['/readyz']);
  });
});

describe('script check', () => {
  test('ok on exit 0; the exit status is the detail otherwise', async () => {
    expect(await check(scriptChecker({ argv: ['true'], timeoutMs: 10_000 }))).toEqual({ ok: true, detail: 'exit 0' });
    expect(await check(scriptChecker({ argv: ['sh', '-c', 'exit 2'], timeoutMs: 10_000 }))).toEqual({ ok: false, detail: 'exit 2' });
  });

  test('a hung script is killed at its own timeout', async () => {
    const outcome = await check(scriptChecker({ argv: ['sleep', '1000'], timeoutMs: 200 }));
    expect(outcome).toEqual({ ok: false, detail: 'timed out after 200 ms, killed process group' });
  });

  test("aborted by the monitor's deadline, the detail is the monitor's reason", async () => {
    const controller = new AbortController();
    const outcome = check(scriptChecker({ argv: ['sleep', '1000'], timeoutMs: 60_000 }), controller.signal);
    setTimeout(() => controller.abort(new TsvipError('ERR_CHECK_TIMEOUT', 'timed out after 100 ms')), 100);
    expect(await outcome).toEqual({ ok: false, detail: 'timed out after 100 ms, killed process group' });
  });
});
