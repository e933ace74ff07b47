// The status server fed what a network can send it: random methods, paths and
// Authorization headers get the answer an operator expects (the route, 401 with a challenge, 404,
// 405), counted as docs/status.md says; raw bytes that are not HTTP at all never bring a 500 or take
// the server down. Every run also checks that nothing was logged as a failed request.
import { request } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pino } from 'pino';
import { loadStatusCredentials, type StatusCredentials } from '../../src/status/basic-auth.js';
import { startStatusServer, type StatusServer } from '../../src/status/server.js';
import { sampleSnapshot } from './sample-snapshot.js';

const USER = 'admin';
const PASSWORD = 's3cret pass';
const ROUTES = ['/', '/status', '/metrics', '/healthz', '/readyz'] as const;
const PROTECTED = new Set(['/', '/status']);
const HANG_MS = 10_000;

interface Started {
  server: StatusServer;
  port: number;
  /** Log records at level error or above. */
  errors: unknown[];
  setReady(ready: boolean): void;
}

async function start(credentials: StatusCredentials | null): Promise<Started> {
  const errors: unknown[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const record = JSON.parse(line) as { level: number };
        if (record.level >= 50) errors.push(record);
      }
      done();
    },
  });
  let ready = true;
  const server = await startStatusServer({ listen: { host: '127.0.0.1', port: 0 }, logger: pino({ level: 'info' }, sink), ready: () => ready, snapshot: sampleSnapshot, credentials: () => credentials });
  return { server, port: server.address.port, errors, setReady: (value) => (ready = value) };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(port: number, method: string, path: string, authorization: string | null): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false, headers: authorization === null ? {} : { authorization }, timeout: HANG_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${method} ${path} within ${HANG_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

async function authFailures(port: number): Promise<{ missing: number; wrong: number }> {
  const { body } = await send(port, 'GET', '/metrics', null);
  const value = (reason: string): number => Number(new RegExp(`^tsvip_status_auth_failures_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(body)?.[1]);
  return { missing: value('missing'), wrong: value('wrong') };
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** An Authorization header and whether it carries the right credentials (null: none sent). */
type Authorization = { header: string | null; right: boolean };

const visible = fc.string({ unit: fc.constantFrom(...'abcXYZ019 :=+/-_.~!$&()*,;@[]{}"\'\\%\t'.split('')), minLength: 1, maxLength: 40 });
const authorization: fc.Arbitrary<Authorization> = fc.oneof(
  fc.constant({ header: null, right: false }),
  // The scheme is case-insensitive and may be followed by more than one space (RFC 7235 2.1).
  fc.record({ scheme: fc.constantFrom('Basic', 'basic', 'BASIC'), spaces: fc.integer({ min: 1, max: 3 }) }).map(({ scheme, spaces }) => ({ header: `${scheme}${' '.repeat(spaces)}${base64(`${USER}:${PASSWORD}`)}`, right: true })),
  fc
    .tuple(fc.constantFrom(USER, 'root', '', 'admin '), fc.oneof(visible, fc.constantFrom('', `${PASSWORD}\n`, `${PASSWORD} `, 's3cret', `:${PASSWORD}`)))
    .filter(([user, password]) => `${user}:${password}` !== `${USER}:${PASSWORD}`)
    .map(([user, password]) => ({ header: `Basic ${base64(`${user}:${password}`)}`, right: false })),
  fc.constantFrom('Bearer token', 'Basic', 'Basic ', 'Basic !!!', 'Digest username="admin"', `Basic ${base64(`${USER}:${PASSWORD}`)}xyz`, `${base64(`${USER}:${PASSWORD}`)}`).map((header) => ({ header, right: false })),
  visible.filter((text) => text.trim().length > 0).map((header) => ({ header, right: false })),
);

// What may stand in a request target (RFC 9112 3.2); raw bytes beyond it are the parser's to refuse (below).
const pathUnit = fc.constantFrom(...'abs/%?#.;=&~-_:@!$()*+,'.split(''), '%C3%A9', '%2F', '%73', '..', '//', '%00');
const path: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...ROUTES),
  fc.tuple(fc.constantFrom(...ROUTES), fc.string({ unit: pathUnit, maxLength: 12 })).map(([route, suffix]) => route + suffix),
  fc.tuple(fc.constantFrom(...ROUTES), fc.string({ unit: pathUnit, maxLength: 12 })).map(([route, query]) => `${route}?${query}`),
  fc.string({ unit: pathUnit, maxLength: 20 }).map((text) => `/${text}`),
  fc.constantFrom('*', 'http://127.0.0.1/status', '/status/', '/STATUS', '//status', '/./status', '/%73tatus', '/status%3F', '/metrics/../status'),
);
const method = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('GET', 'HEAD') }, { weight: 1, arbitrary: fc.constantFrom('POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'PURGE') });

/** What an operator expects from status.md: open probes and /metrics, basic auth on / and /status, the query ignored. */
function expectedStatus(m: string, p: string, auth: Authorization, guarded: boolean, ready: boolean): number {
  if (m !== 'GET' && m !== 'HEAD') return 405;
  const route = p.split('?')[0] ?? '';
  if (guarded && PROTECTED.has(route) && !auth.right) return 401;
  if (route === '/readyz') return ready ? 200 : 503;
  return (ROUTES as readonly string[]).includes(route) ? 200 : 404;
}

describe.each([
  { title: 'with status.auth', guarded: true },
  { title: 'without status.auth', guarded: false },
])('status server $title, random requests', ({ guarded }) => {
  let dir = '';
  let started: Started;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsvip-status-prop-'));
    await writeFile(join(dir, 'password'), `${PASSWORD}\n`);
    started = await start(guarded ? loadStatusCredentials({ user: USER, passwordFile: join(dir, 'password') }) : null);
  });
  afterAll(async () => {
    await started.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('each method, path and Authorization header gets the answer its route calls for, and each 401 is counted by reason', async () => {
    const counted = { missing: 0, wrong: 0 };
    const before = await authFailures(started.port);
    await fc.assert(
      fc.asyncProperty(method, path, authorization, fc.boolean(), async (m, p, auth, ready) => {
        started.setReady(ready);
        const answer = await send(started.port, m, p, auth.header);
        const expected = expectedStatus(m, p, auth, guarded, ready);
        expect({ method: m, path: p, authorization: auth.header, status: answer.status }).toEqual({ method: m, path: p, authorization: auth.header, status: expected });
        if (expected === 405) expect(answer.headers.allow).toBe('GET, HEAD');
        if (expected === 401) {
          expect(answer.headers['www-authenticate']).toBe('Basic realm="tsvip", charset="UTF-8"');
          // Nothing of what the guard protects leaks with the refusal.
          expect(answer.body).toBe(m === 'HEAD' ? '' : 'unauthorized\n');
          counted[auth.header === null ? 'missing' : 'wrong']++;
        }
      }),
      { numRuns: 400 },
    );
    started.setReady(true);
    expect(await authFailures(started.port)).toEqual({ missing: before.missing + counted.missing, wrong: before.wrong + counted.wrong });
    if (guarded) expect(counted.missing * counted.wrong).toBeGreaterThan(0);
    expect(started.errors).toEqual([]);
  });
});

/** Writes `bytes` on a new connection, half-closes it, and returns what came back before the server closed. */
function rawExchange(port: number, bytes: Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`the server neither answered nor closed within ${HANG_MS} ms`)), HANG_MS);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // The server may reset a connection it refused to parse: that is an answer too.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve(Buffer.concat(chunks).toString('latin1'));
      else reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.end(bytes);
  });
}

const token = fc.string({ unit: fc.constantFrom(...'GETPOSHADgetx-_ /\t:\r\n\0é'.split('')), maxLength: 10 });
const rawRequest: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  // Well-formed, so that the routes answer too.
  fc
    .record({ m: method, p: path, version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0'), auth: authorization })
    .map(({ m, p, version, auth }) => Buffer.from(`${m} ${p} ${version}\r\nHost: x\r\n${auth.header === null ? '' : `Authorization: ${auth.header}\r\n`}\r\n`, 'latin1')),
  fc
    .record({
      method: fc.oneof(fc.constantFrom('GET', 'HEAD', 'POST', 'BREW', 'get', ''), token),
      target: fc.oneof(path, token, fc.constantFrom('/status HTTP/1.1', '/\0', '', '/'.repeat(300))),
      version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1x', 'FTP/1.0', ''),
      headers: fc.array(fc.oneof(fc.constantFrom('Host: x', 'Authorization: Basic', 'Authorization: Basic ////', 'Content-Length: 5', 'Content-Length: -1', 'Transfer-Encoding: chunked', 'Expect: 100-continue', 'Host x'), fc.tuple(token, token).map(([name, value]) => `${name}: ${value}`)), { maxLength: 5 }),
      body: fc.string({ maxLength: 20 }),
    })
    .map(({ method: m, target, version, headers, body }) => Buffer.from(`${m} ${target} ${version}\r\n${headers.join('\r\n')}\r\n\r\n${body}`, 'latin1')),
);

describe('status server, bytes that are not HTTP', () => {
  let started: Started;
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsvip-status-raw-'));
    await writeFile(join(dir, 'password'), `${PASSWORD}\n`);
    started = await start(loadStatusCredentials({ user: USER, passwordFile: join(dir, 'password') }));
  });
  afterAll(async () => {
    await started.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('are refused or answered, never with a 5xx, and the server keeps serving', async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(rawRequest, async (bytes) => {
        const reply = await rawExchange(started.port, bytes);
        for (const match of reply.matchAll(/HTTP\/1\.[01] (\d{3})/g)) {
          const status = Number(match[1]);
          statuses.add(status);
          expect(status, JSON.stringify(Buffer.from(bytes).toString('latin1'))).toBeLessThan(500);
        }
      }),
      { numRuns: 300 },
    );
    expect((await send(started.port, 'GET', '/healthz', null)).status).toBe(200);
    expect(started.errors).toEqual([]);
    // Both refusals by the HTTP parser and answers from the routes were seen.
    expect(statuses.has(400)).toBe(true);
    expect([...statuses].some((status) => status !== 400)).toBe(true);
  });
});
