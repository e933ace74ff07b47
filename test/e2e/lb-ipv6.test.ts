// The load balancer over IPv6, as operators judge it: three hosts with an apiserver stand-in each
// (listening on both families), tsvip on h1 in load-balancer-only mode with `bind: "[::]:8443"` to the
// apiservers' IPv6 addresses, and a client on h4 opening 100 new HTTPS connections a second to h1's
// IPv6 address. The same faults as lb.test.ts's (an apiserver killed, one frozen) must cost no client
// a connection. h1 has net.ipv6.bindv6only=1, so `[::]` taking IPv4 clients shows that tsvip turns
// IPV6_V6ONLY off itself. A second load balancer on h1's IPv6 address goes to the apiservers' IPv4
// addresses: each family of client reaches each family of backend. And `vip:8443` with an instance per
// family listens on both VIPs of the master, and follows the IPv6 VIP when it moves.
import { afterEach, describe, expect, test } from 'vitest';
import { useLab, type LabHost } from '../lab/index.js';
import { startApiserver, type ApiserverHandle } from '../../src/lab/apiserver.js';
import { startTsvip, waitUntil, type TsvipDaemon } from '../../src/lab/tsvip-daemon.js';
import { startProber, type ProbeAttempt, type ProberHandle } from '../../src/lab/vip-client.js';
import { API_PORT, LB_PORT } from './apiserver-cluster.js';
import { STATUS_PORT, statusOn, waitForMetrics, type Metrics } from './metrics-scrape.js';

/** The second load balancer's port: h1's IPv6 address to the apiservers' IPv4 ones. */
const LB4_PORT = 8444;
const VIP4 = '198.18.0.100';
const VIP6 = '2001:2::100';

const LB = { load_balancer: 'apiserver' };
const ofBackend = (backend: string): Record<string, string> => ({ ...LB, backend });
const upSet = (metrics: Metrics): string => ['h1', 'h2', 'h3'].filter((backend) => metrics.get('tsvip_lb_backend_up', ofBackend(backend)) === 1).join(',');
const failures = (attempts: readonly ProbeAttempt[]): ProbeAttempt[] => attempts.filter((attempt) => !attempt.ok);

function address6(host: LabHost): string {
  if (host.address6 === null) throw new Error(`${host.name} has no IPv6 address: the lab needs ipv6: true`);
  return host.address6;
}

const loadBalancer = (name: string, bind: string, backends: { name: string; address: string }[]): Record<string, unknown> => ({
  name,
  bind,
  backends,
  healthCheck: { type: 'https', path: '/readyz', insecureSkipVerify: true, interval: '300ms', timeout: '250ms', rise: 2, fall: 2 },
  connectTimeout: '500ms',
  retries: 2,
  firstByteTimeout: '500ms',
  shutdownDrain: '2s',
});

function lbHostConfig(host: LabHost, apiservers: readonly LabHost[]): Record<string, unknown> {
  return {
    loadBalancers: [
      loadBalancer('apiserver', `[::]:${LB_PORT}`, apiservers.map((backend) => ({ name: backend.name, address: `[${address6(backend)}]:${API_PORT}` }))),
      loadBalancer('apiserver4', `[${address6(host)}]:${LB4_PORT}`, apiservers.map((backend) => ({ name: backend.name, address: `${backend.address}:${API_PORT}` }))),
    ],
    status: statusOn(host),
  };
}

describe('load balancer over IPv6', { timeout: 120_000 }, () => {
  const lab = useLab({ hosts: 4, ipv6: true });
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const undo of cleanup.splice(0).reverse()) await undo();
  });

  async function startApiservers(hosts: readonly LabHost[]): Promise<ApiserverHandle[]> {
    const apiservers: ApiserverHandle[] = [];
    for (const host of hosts) {
      const apiserver = await startApiserver(lab(), host, { port: API_PORT });
      apiservers.push(apiserver);
      cleanup.push(() => apiserver.stop('SIGKILL'));
    }
    return apiservers;
  }

  function startDaemon(host: LabHost, config: Record<string, unknown>): TsvipDaemon {
    const daemon = startTsvip(lab(), host, config, { logLevel: 'info' });
    cleanup.push(async () => {
      daemon.kill('SIGKILL');
      await daemon.exited;
    });
    return daemon;
  }

  async function cluster(): Promise<{ lbHost: LabHost; client: LabHost; apiservers: ApiserverHandle[]; daemon: TsvipDaemon; prober: () => Promise<ProberHandle> }> {
    const hosts = [lab().host(1), lab().host(2), lab().host(3)];
    const lbHost = lab().host(1);
    const client = lab().host(4);
    const apiservers = await startApiservers(hosts);
    // Set after the stand-ins listen: Node sets IPV6_V6ONLY on its own sockets either way, and this way
    // only tsvip's listeners are under test.
    await lab().runOk(lbHost, ['sysctl', '-qw', 'net.ipv6.bindv6only=1']);
    const daemon = startDaemon(lbHost, lbHostConfig(lbHost, hosts));
    await daemon.waitForLog((record) => record.msg === 'listening' && record.address === `[::]:${LB_PORT}`, 'the [::] bind to listen');
    await daemon.waitForLog((record) => record.msg === 'listening' && record.address === `[${address6(lbHost)}]:${LB4_PORT}`, 'the IPv6 address bind to listen');
    const prober = async (): Promise<ProberHandle> => {
      const handle = await startProber(lab(), client, { address: address6(lbHost), port: LB_PORT, protocol: 'https', intervalMs: 10, timeoutMs: 3000 });
      cleanup.push(() => handle.stop());
      await handle.waitUntil((attempts) => attempts.filter((attempt) => attempt.ok).length >= 50, { timeoutMs: 20_000, what: '50 answered connections' });
      return handle;
    };
    return { lbHost, client, apiservers, daemon, prober };
  }

  const allBackendsUp = (from: LabHost, target: LabHost): Promise<Metrics> => waitForMetrics(lab(), from, target, 'every backend up', (m) => upSet(m) === 'h1,h2,h3');

  /** The name the apiserver stand-in behind `url` answers with, fetched with curl from `from` (-g: brackets are not a glob). */
  async function nameVia(from: LabHost, url: string): Promise<string> {
    return (await lab().runOk(from, ['curl', '-gsSk', '--fail', '--max-time', '5', url])).stdout.trim();
  }

  test('killing one apiserver: no connection opened after the kill fails; /metrics shows it down with its failed connects and the retries', async () => {
    const { lbHost, client: clientHost, apiservers, prober } = await cluster();
    const client = await prober();
    const before = client.attempts().length;
    const metricsBefore = await allBackendsUp(clientHost, lbHost);
    const killedAt = Date.now();
    await apiservers[1]?.stop('SIGKILL');
    await client.waitUntil((attempts) => attempts.length >= before + 300, { timeoutMs: 20_000, what: '300 more attempts' });
    const after = await client.stop();
    // As in lb.test.ts: a connection the apiserver had begun to answer when it died cannot be moved by
    // any proxy; every one opened after the kill must be served.
    const failed = failures(after).map((attempt) => ({ ...attempt, sinceKillMs: Math.round(attempt.t - killedAt) }));
    expect(failed.filter((attempt) => attempt.sinceKillMs >= 0)).toEqual([]);
    expect(failed.filter((attempt) => attempt.sinceKillMs + attempt.ms < 0)).toEqual([]);
    expect(new Set(after.slice(-100).map((attempt) => attempt.server))).toEqual(new Set(['h1', 'h3']));

    const metrics = await waitForMetrics(lab(), clientHost, lbHost, 'only h2 down, and its refused connects counted', (m) => upSet(m) === 'h1,h3' && m.get('tsvip_lb_backend_failed_connects_total', ofBackend('h2')) > metricsBefore.get('tsvip_lb_backend_failed_connects_total', ofBackend('h2')));
    const delta = (name: string, labels: Record<string, string>): number => metrics.get(name, labels) - metricsBefore.get(name, labels);
    expect(delta('tsvip_lb_retries_total', LB)).toBeGreaterThanOrEqual(delta('tsvip_lb_failed_connects_total', LB));
    expect(delta('tsvip_lb_backend_check_failures_total', ofBackend('h2'))).toBeGreaterThan(0);
    expect(delta('tsvip_lb_connections_rejected_total', LB)).toBe(0);
  });

  test('freezing one apiserver (SIGSTOP): 0 failed connections for a client with a 3 s timeout; /metrics shows it down and the retries', async () => {
    const { lbHost, client: clientHost, apiservers, prober } = await cluster();
    const client = await prober();
    const before = client.attempts().length;
    const metricsBefore = await allBackendsUp(clientHost, lbHost);
    const frozen = apiservers[2];
    const frozenAt = Date.now();
    frozen?.process.kill('SIGSTOP');
    cleanup.push(async () => frozen?.process.kill('SIGCONT'));
    await client.waitUntil((attempts) => attempts.length >= before + 400, { timeoutMs: 30_000, what: '400 more attempts' });
    const after = await client.stop();
    const failed = failures(after).map((attempt) => ({ ...attempt, sinceFreezeMs: Math.round(attempt.t - frozenAt) }));
    expect(failed.filter((attempt) => attempt.sinceFreezeMs >= 0)).toEqual([]);
    expect(failed.filter((attempt) => attempt.sinceFreezeMs + attempt.ms < 0)).toEqual([]);
    expect(new Set(after.slice(-100).map((attempt) => attempt.server))).toEqual(new Set(['h1', 'h2']));

    // The frozen apiserver's kernel still completes handshakes: its clients got no first byte and were retried elsewhere.
    const metrics = await waitForMetrics(lab(), clientHost, lbHost, 'only h3 down, and its silent connects counted', (m) => upSet(m) === 'h1,h2' && m.get('tsvip_lb_backend_failed_connects_total', ofBackend('h3')) > metricsBefore.get('tsvip_lb_backend_failed_connects_total', ofBackend('h3')));
    expect(metrics.get('tsvip_lb_retries_total', LB)).toBeGreaterThan(metricsBefore.get('tsvip_lb_retries_total', LB));
    expect(metrics.get('tsvip_lb_backend_check_failures_total', ofBackend('h3'))).toBeGreaterThan(metricsBefore.get('tsvip_lb_backend_check_failures_total', ofBackend('h3')));
  });

  test('[::] is dual-stack even with net.ipv6.bindv6only=1: an IPv4 client reaches the IPv6 backends; an IPv6 client reaches IPv4 backends', async () => {
    const { lbHost, client } = await cluster();
    await allBackendsUp(client, lbHost);
    const names = new Set<string>();
    for (let i = 0; i < 6; i++) names.add(await nameVia(client, `https://${lbHost.address}:${LB_PORT}/name`));
    expect(names).toEqual(new Set(['h1', 'h2', 'h3']));
    names.clear();
    for (let i = 0; i < 6; i++) names.add(await nameVia(client, `https://[${address6(lbHost)}]:${LB4_PORT}/name`));
    expect(names).toEqual(new Set(['h1', 'h2', 'h3']));
    // A specific IPv6 address is bound IPv6-only: h1's IPv4 address does not answer on that port.
    const refused = await lab().run(client, ['curl', '-sSk', '--max-time', '5', `https://${lbHost.address}:${LB4_PORT}/name`]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Connection refused|Couldn't connect/);
  });

  test('/status prints IPv6 listeners and backends as [address]:port', async () => {
    const { lbHost, client } = await cluster();
    const body = (await lab().runOk(client, ['curl', '-sS', '--fail', '--max-time', '5', `http://${lbHost.address}:${STATUS_PORT}/status`])).stdout;
    const status = JSON.parse(body) as { loadBalancers: { name: string; bind: string; listening: string[]; backends: { name: string; address: string }[] }[] };
    const byName = new Map(status.loadBalancers.map((lb) => [lb.name, lb]));
    expect(byName.get('apiserver')).toMatchObject({ bind: `[::]:${LB_PORT}`, listening: [`[::]:${LB_PORT}`] });
    const apiserverHosts = [lab().host(1), lab().host(2), lab().host(3)];
    expect(byName.get('apiserver')?.backends.map((backend) => backend.address)).toEqual(apiserverHosts.map((host) => `[${address6(host)}]:${API_PORT}`));
    expect(byName.get('apiserver4')).toMatchObject({ listening: [`[${address6(lbHost)}]:${LB4_PORT}`] });
    expect(byName.get('apiserver4')?.backends.map((backend) => backend.address)).toEqual(apiserverHosts.map((host) => `${host.address}:${API_PORT}`));
  });

  test('vip:8443 with an IPv4 and an IPv6 instance: the master listens on both VIPs; when it stops, the new master listens on the IPv6 VIP and serves its clients', async () => {
    const [h1, h2, h3, client] = [lab().host(1), lab().host(2), lab().host(3), lab().host(4)];
    await startApiservers([h1, h2, h3]);
    const common = { interface: 'eth0', vrid: 51, version: 3, advertInterval: '100ms', garp: { burst: 2, delay: '0s', refresh: '0s' } };
    const config = (priority: number): Record<string, unknown> => ({
      vrrp: [
        { name: 'VI_4', ...common, priority, vips: [`${VIP4}/24`] },
        { name: 'VI_6', ...common, priority, vips: [VIP6] },
      ],
      loadBalancers: [loadBalancer('apiserver', `vip:${LB_PORT}`, [h1, h2, h3].map((backend) => ({ name: backend.name, address: `[${address6(backend)}]:${API_PORT}` })))],
    });
    cleanup.push(async () => {
      for (const host of [h1, h2]) {
        await lab().run(host, ['ip', 'addr', 'del', `${VIP4}/24`, 'dev', 'eth0']);
        await lab().run(host, ['ip', '-6', 'addr', 'del', `${VIP6}/128`, 'dev', 'eth0']);
      }
    });
    const first = startDaemon(h1, config(150));
    const second = startDaemon(h2, config(100));
    const listensOn = (daemon: TsvipDaemon, address: string): Promise<unknown> => daemon.waitForLog((record) => record.msg === 'listening' && record.address === address, `the vip: bind to listen on ${address}`);
    await listensOn(first, `[${VIP6}]:${LB_PORT}`);
    await listensOn(first, `${VIP4}:${LB_PORT}`);
    await second.waitForState('backup', { instance: 'VI_6' });
    expect(await nameVia(client, `https://[${VIP6}]:${LB_PORT}/name`)).toMatch(/^h[123]$/);
    expect(await nameVia(client, `https://${VIP4}:${LB_PORT}/name`)).toMatch(/^h[123]$/);

    first.kill('SIGTERM');
    await first.exited;
    await second.waitForState('master', { instance: 'VI_6' });
    await listensOn(second, `[${VIP6}]:${LB_PORT}`);
    // The client's neighbour entry moves with h2's unsolicited NA, which may land a moment after the bind.
    const answer = await waitUntil(async () => {
      const result = await lab().run(client, ['curl', '-gsSk', '--fail', '--max-time', '2', `https://[${VIP6}]:${LB_PORT}/name`]);
      return result.code === 0 ? result.stdout.trim() : undefined;
    }, `the client to be served on [${VIP6}]:${LB_PORT} through h2`);
    expect(answer).toMatch(/^h[123]$/);
  });
});
