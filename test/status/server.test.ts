// The status server as an operator and a supervisor use it: the probes, /status as JSON with the
// secrets gone, /metrics as Prometheus reads it (promtool, Debian's prometheus package, is the judge),
// the status page, and basic auth on / and /status.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pino } from 'pino';
import { loadStatusCredentials, type StatusCredentials } from '../../src/status/basic-auth.js';
import { startStatusServer, type StatusServer } from '../../src/status/server.js';
import { REDACTED, redactConfig, type StatusSnapshot } from '../../src/status/snapshot.js';
import { dualStackSnapshot, exampleConfig, sampleSnapshot } from './sample-snapshot.js';
import { promtoolCheckMetrics } from './promtool.js';

const logger = pino({ level: 'silent' });

interface Started {
  server: StatusServer;
  url: (path: string) => string;
}

async function start(options: { ready?: () => boolean; snapshot?: () => StatusSnapshot; credentials?: StatusCredentials | null; pageAlias?: () => string | null } = {}): Promise<Started> {
  const server = await startStatusServer({
    listen: { host: '127.0.0.1', port: 0 },
    logger,
    ready: options.ready ?? (() => true),
    snapshot: options.snapshot ?? sampleSnapshot,
    credentials: () => options.credentials ?? null,
    ...(options.pageAlias ? { pageAlias: options.pageAlias } : {}),
  });
  return { server, url: (path) => `http://127.0.0.1:${server.address.port}${path}` };
}

const basic = (user: string, password: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe('status server probes', () => {
  test('/healthz is 200 while running; /readyz follows readiness; unknown paths are 404, other methods 405', async () => {
    let ready = false;
    const { server, url } = await start({ ready: () => ready });
    try {
      expect((await fetch(url('/healthz'))).status).toBe(200);
      expect((await fetch(url('/readyz'))).status).toBe(503);
      ready = true;
      const readyz = await fetch(url('/readyz'));
      expect(readyz.status).toBe(200);
      expect(await readyz.text()).toBe('ready\n');
      expect((await fetch(url('/nothing-here'))).status).toBe(404);
      expect((await fetch(url('/healthz'), { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });

  test('a port in use is a clear error naming the address', async () => {
    const first = await start();
    try {
      await expect(startStatusServer({ listen: { host: '127.0.0.1', port: first.server.address.port }, logger, ready: () => true, snapshot: sampleSnapshot, credentials: () => null })).rejects.toMatchObject({
        code: 'ERR_STATUS_BIND',
        message: `status server: cannot listen on 127.0.0.1:${first.server.address.port}: EADDRINUSE`,
      });
    } finally {
      await first.server.close();
    }
  });
});

describe('status server on IPv6 (status.listen "[::1]:9901")', () => {
  test('answers at http://[::1]:PORT, only there; a port in use names the address in brackets', async () => {
    const server = await startStatusServer({ listen: { host: '::1', port: 0 }, logger, ready: () => true, snapshot: sampleSnapshot, credentials: () => null });
    try {
      expect(server.address.host).toBe('::1');
      const { port } = server.address;
      expect((await fetch(`http://[::1]:${port}/healthz`)).status).toBe(200);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
      await expect(startStatusServer({ listen: { host: '::1', port }, logger, ready: () => true, snapshot: sampleSnapshot, credentials: () => null })).rejects.toMatchObject({
        code: 'ERR_STATUS_BIND',
        message: `status server: cannot listen on [::1]:${port}: EADDRINUSE`,
      });
    } finally {
      await server.close();
    }
  });
});

describe('/status and the status page', () => {
  test('a password in a tracker URL is redacted too; everything else of the config stays', () => {
    const config = exampleConfig();
    const instance = config.vrrp[0];
    if (instance === undefined) throw new Error('deploy/vip.yaml has no instance');
    const tracker = { type: 'https' as const, url: 'https://probe:t0ps3cret@127.0.0.1:6443/readyz?verbose', insecureSkipVerify: true, caFile: null, interval: 2000, timeout: 1000, rise: 2, fall: 3, weight: -20 };
    const redacted = redactConfig({ ...config, vrrp: [{ ...instance, track: [tracker] }] });
    expect(redacted.vrrp[0]?.track[0]).toEqual({ ...tracker, url: `https://probe:${REDACTED}@127.0.0.1:6443/readyz?verbose` });
    expect(JSON.stringify(redacted)).not.toContain('t0ps3cret');
    expect(redacted.loadBalancers).toEqual(config.loadBalancers);
  });

  test('/status is the snapshot as JSON, with the VRRP password redacted', async () => {
    const { server, url } = await start();
    try {
      const response = await fetch(url('/status'));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = await response.text();
      expect(JSON.parse(body)).toEqual(sampleSnapshot());
      expect(body).not.toContain('k8s-vip');
      expect((JSON.parse(body) as StatusSnapshot).config.vrrp[0]?.authPass).toBe(REDACTED);
    } finally {
      await server.close();
    }
  });

  test('/ is one self-contained HTML page that loads nothing from elsewhere', async () => {
    const { server, url } = await start();
    try {
      const response = await fetch(url('/'));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      const html = await response.text();
      expect(html).toContain('<title>tsvip status</title>');
      expect(html).not.toMatch(/<(link|img|script)[^>]+(src|href)=/);
    } finally {
      await server.close();
    }
  });
});

describe('/metrics', () => {
  let started: Started;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    await started.server.close();
  });

  test('carries the instance, tracker, load balancer and backend values of the snapshot', async () => {
    const response = await fetch(started.url('/metrics'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const expected = [
      'tsvip_vrrp_instance_state{vrrp_instance="VI_1",state="master"} 1',
      'tsvip_vrrp_instance_state{vrrp_instance="VI_1",state="backup"} 0',
      'tsvip_vrrp_instance_priority{vrrp_instance="VI_1"} 150',
      'tsvip_vrrp_transitions_total{vrrp_instance="VI_1"} 2',
      'tsvip_vrrp_adverts_sent_total{vrrp_instance="VI_1"} 3896',
      'tsvip_vrrp_adverts_received_total{vrrp_instance="VI_1"} 2',
      'tsvip_vrrp_adverts_dropped_total{vrrp_instance="VI_1",reason="auth_mismatch"} 3',
      'tsvip_vrrp_garp_sent_total{vrrp_instance="VI_1"} 10',
      'tsvip_tracker_up{vrrp_instance="VI_1",tracker="backends:apiserver",type="backends"} 1',
      'tsvip_tracker_state{vrrp_instance="VI_1",tracker="eth0",type="interface",state="up"} 1',
      'tsvip_lb_up{load_balancer="apiserver"} 1',
      'tsvip_lb_connections_active{load_balancer="apiserver"} 5',
      'tsvip_lb_connections_total{load_balancer="apiserver"} 50',
      'tsvip_lb_failed_connects_total{load_balancer="apiserver"} 1',
      'tsvip_lb_retries_total{load_balancer="apiserver"} 1',
      'tsvip_lb_bytes_out_total{load_balancer="apiserver"} 250000',
      'tsvip_lb_backend_up{load_balancer="apiserver",backend="master2"} 0',
      'tsvip_lb_backend_up{load_balancer="apiserver",backend="master1"} 1',
      'tsvip_lb_backend_connections_active{load_balancer="apiserver",backend="master1"} 3',
      'tsvip_lb_backend_failed_connects_total{load_balancer="apiserver",backend="master2"} 1',
      'tsvip_lb_backend_bytes_in_total{load_balancer="apiserver",backend="master3"} 2000',
      'tsvip_build_info{version="0.1.0"} 1',
      'tsvip_event_loop_delay_max_seconds 0.031',
    ];
    const lines = new Set(text.split('\n'));
    expect(expected.filter((line) => !lines.has(line))).toEqual([]);
  });

  test('passes promtool check metrics', async () => {
    const text = await (await fetch(started.url('/metrics'))).text();
    expect(await promtoolCheckMetrics(text)).toEqual({ code: 0, problems: '' });
  });

  test('a dual-stack host: the IPv6 instance and load balancer have their samples, and promtool passes', async () => {
    const dual = await start({ snapshot: dualStackSnapshot });
    try {
      const text = await (await fetch(dual.url('/metrics'))).text();
      const lines = new Set(text.split('\n'));
      const expected = [
        'tsvip_vrrp_instance_state{vrrp_instance="VI_6",state="backup"} 1',
        'tsvip_vrrp_instance_state{vrrp_instance="VI_1",state="master"} 1',
        'tsvip_vrrp_adverts_received_total{vrrp_instance="VI_6"} 2950',
        'tsvip_lb_listening{load_balancer="apiserver6"} 1',
        'tsvip_lb_backend_up{load_balancer="apiserver6",backend="master2"} 0',
      ];
      expect(expected.filter((line) => !lines.has(line))).toEqual([]);
      expect(await promtoolCheckMetrics(text)).toEqual({ code: 0, problems: '' });
    } finally {
      await dual.server.close();
    }
  });

  test('two scrapes at once each see a whole snapshot', async () => {
    const [a, b] = await Promise.all([fetch(started.url('/metrics')).then((r) => r.text()), fetch(started.url('/metrics')).then((r) => r.text())]);
    for (const text of [a, b]) expect(text).toContain('tsvip_vrrp_instance_priority{vrrp_instance="VI_1"} 150');
  });
});

describe('basic auth (status.auth)', () => {
  let dir: string;
  let started: Started;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsvip-auth-'));
    await writeFile(join(dir, 'password'), 's3cret pass\n');
    const credentials = loadStatusCredentials({ user: 'admin', passwordFile: join(dir, 'password') });
    started = await start({ credentials });
  });
  afterAll(async () => {
    await started.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test.each(['/', '/status'])('%s: no credentials and wrong ones are 401 with a Basic challenge; the right ones are 200', async (path) => {
    const none = await fetch(started.url(path));
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Basic realm="tsvip", charset="UTF-8"');
    expect((await fetch(started.url(path), { headers: basic('admin', 'wrong') })).status).toBe(401);
    expect((await fetch(started.url(path), { headers: basic('root', 's3cret pass') })).status).toBe(401);
    expect((await fetch(started.url(path), { headers: { authorization: 'Bearer s3cret pass' } })).status).toBe(401);
    // The file's trailing newline is not part of the password.
    expect((await fetch(started.url(path), { headers: basic('admin', 's3cret pass\n') })).status).toBe(401);
    // Bytes after the base64 padding make the header malformed, not the credentials before them.
    expect((await fetch(started.url(path), { headers: { authorization: `${basic('admin', 's3cret pass').authorization}xyz` } })).status).toBe(401);
    expect((await fetch(started.url(path), { headers: basic('admin', 's3cret pass') })).status).toBe(200);
  });

  test('the probes and /metrics stay open; wrong credentials are counted apart from missing ones', async () => {
    const counted = async (): Promise<{ missing: number; wrong: number }> => {
      const text = await (await fetch(started.url('/metrics'))).text();
      const value = (reason: string): number => Number(new RegExp(`^tsvip_status_auth_failures_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
      return { missing: value('missing'), wrong: value('wrong') };
    };
    expect((await fetch(started.url('/healthz'))).status).toBe(200);
    expect((await fetch(started.url('/readyz'))).status).toBe(200);
    const before = await counted();
    await fetch(started.url('/status'));
    await fetch(started.url('/status'), { headers: basic('admin', 'nope') });
    await fetch(started.url('/'), { headers: basic('admin', 'nope either') });
    await fetch(started.url('/status'), { headers: basic('admin', 's3cret pass') });
    expect(await counted()).toEqual({ missing: before.missing + 1, wrong: before.wrong + 2 });
  });

  test('a missing or empty password file is a clear error', async () => {
    expect(() => loadStatusCredentials({ user: 'admin', passwordFile: join(dir, 'absent') })).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_AUTH', message: `status.auth.passwordFile ${join(dir, 'absent')}: no such file` }),
    );
    await writeFile(join(dir, 'empty'), '\n');
    expect(() => loadStatusCredentials({ user: 'admin', passwordFile: join(dir, 'empty') })).toThrow(/the file is empty; put the password in it/);
  });
});

describe('the page at a second path (status.pageAlias, a haproxy stats uri kept)', () => {
  test('the alias answers the page, and the data it asks for at the relative URL "status", behind the same basic auth', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsvip-alias-'));
    await writeFile(join(dir, 'password'), 'pw\n');
    let alias: string | null = '/haproxy/stats';
    const { server, url } = await start({ credentials: loadStatusCredentials({ user: 'admin', passwordFile: join(dir, 'password') }), pageAlias: () => alias });
    try {
      const page = await fetch(url('/'), { headers: basic('admin', 'pw') });
      const aliased = await fetch(url('/haproxy/stats?refresh'), { headers: basic('admin', 'pw') });
      expect(aliased.status).toBe(200);
      expect(aliased.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await aliased.text()).toBe(await page.text());
      // The page fetches 'status' relative to where it was loaded: /haproxy/status here.
      const data = await fetch(new URL('status', url('/haproxy/stats')), { headers: basic('admin', 'pw') });
      expect(data.status).toBe(200);
      expect(((await data.json()) as { hostname: string }).hostname).toBe(sampleSnapshot().hostname);
      expect((await fetch(url('/haproxy/stats'))).status).toBe(401);
      expect((await fetch(url('/haproxy/status'))).status).toBe(401);
      expect((await fetch(url('/haproxy/other'))).status).toBe(404);
      // A reload that removes the alias takes it away at once.
      alias = null;
      expect((await fetch(url('/haproxy/stats'), { headers: basic('admin', 'pw') })).status).toBe(404);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
