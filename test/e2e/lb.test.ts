// The load balancer as operators judge it: three hosts, each with an apiserver stand-in
// (HTTPS /readyz, /name, /watch) and tsvip holding a VIP with a `vip:8443` load balancer to the
// apiservers; a client opens 100 new HTTPS connections a second through the VIP.
import { afterEach, describe, expect, test } from 'vitest';
import { useLab, type LabHost } from '../lab/index.js';
import { startApiserver, type ApiserverHandle } from '../../src/lab/apiserver.js';
import { startTsvip, waitUntil, type TsvipDaemon } from '../../src/lab/tsvip-daemon.js';
import { startProber, type ProbeAttempt, type ProberHandle } from '../../src/lab/vip-client.js';
import { VIP, VIP_CIDR, waitForSoleHolder } from './vrrp-group.js';
import { API_PORT, LB_PORT, apiserverHostConfig } from './apiserver-cluster.js';
import { statusOn, waitForMetrics, type Metrics } from './metrics-scrape.js';

function hostConfig(host: LabHost, routers: readonly LabHost[], options: { priority: number; pool: readonly LabHost[]; balance?: string }): Record<string, unknown> {
  return apiserverHostConfig(host, routers, {
    priority: options.priority,
    pool: options.pool,
    vrrp: { version: 3, advertInterval: '100ms' },
    loadBalancer: { balance: options.balance ?? 'roundrobin', connectTimeout: '500ms', retries: 2, firstByteTimeout: '500ms', shutdownDrain: '2s' },
    status: statusOn(host),
  });
}

const failures = (attempts: readonly ProbeAttempt[]): ProbeAttempt[] => attempts.filter((attempt) => !attempt.ok);

const LB = { load_balancer: 'apiserver' };
const ofBackend = (backend: string): Record<string, string> => ({ ...LB, backend });

/** The backends tsvip_lb_backend_up says are up, as 'h1,h3'. */
const upSet = (metrics: Metrics): string => ['h1', 'h2', 'h3'].filter((backend) => metrics.get('tsvip_lb_backend_up', ofBackend(backend)) === 1).join(',');

/** How far the load balancer's counters moved between two scrapes, for the backend that failed. */
function moved(before: Metrics, after: Metrics, backend: string): { failedConnects: number; backendFailedConnects: number; retries: number; backendCheckFailures: number } {
  const delta = (name: string, labels: Record<string, string>): number => after.get(name, labels) - before.get(name, labels);
  return {
    failedConnects: delta('tsvip_lb_failed_connects_total', LB),
    backendFailedConnects: delta('tsvip_lb_backend_failed_connects_total', ofBackend(backend)),
    retries: delta('tsvip_lb_retries_total', LB),
    backendCheckFailures: delta('tsvip_lb_backend_check_failures_total', ofBackend(backend)),
  };
}

describe('load balancer behind the VIP', { timeout: 120_000 }, () => {
  const lab = useLab({ hosts: 4 });
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const undo of cleanup.splice(0).reverse()) await undo();
    for (const host of lab().hosts.slice(0, 3)) await lab().run(host, ['ip', 'addr', 'del', VIP_CIDR, 'dev', 'eth0']);
  });

  async function cluster(pools?: (routers: LabHost[]) => LabHost[][]): Promise<{ routers: LabHost[]; client: LabHost; apiservers: ApiserverHandle[]; daemons: TsvipDaemon[]; prober: () => Promise<ProberHandle> }> {
    const routers = [lab().host(1), lab().host(2), lab().host(3)];
    const client = lab().host(4);
    const apiservers: ApiserverHandle[] = [];
    for (const host of routers) {
      const apiserver = await startApiserver(lab(), host, { port: API_PORT });
      apiservers.push(apiserver);
      cleanup.push(() => apiserver.stop('SIGKILL'));
    }
    const poolOf = pools?.(routers) ?? routers.map(() => routers);
    const daemons = routers.map((host, index) => startTsvip(lab(), host, hostConfig(host, routers, { priority: 150 - index * 50, pool: poolOf[index] ?? routers }), { logLevel: 'info' }));
    for (const daemon of daemons) cleanup.push(async () => { daemon.kill('SIGKILL'); await daemon.exited; });
    await daemons[0]?.waitForState('master');
    await waitForSoleHolder(lab(), routers, routers[0] as LabHost);
    await daemons[0]?.waitForLog((record) => record.msg === 'listening' && String(record.address).startsWith(VIP), 'the vip: bind to listen');
    const prober = async (): Promise<ProberHandle> => {
      const handle = await startProber(lab(), client, { address: VIP, port: LB_PORT, protocol: 'https', intervalMs: 10, timeoutMs: 3000 });
      cleanup.push(() => handle.stop());
      await handle.waitUntil((attempts) => attempts.filter((attempt) => attempt.ok).length >= 50, { timeoutMs: 20_000, what: '50 answered connections' });
      return handle;
    };
    return { routers, client, apiservers, daemons, prober };
  }

  /**
   * The counters before a fault, once every backend is up: on a busy machine a health check can time
   * out, and a backend already down when it is stopped gets no client to count against it.
   */
  const allBackendsUp = (from: LabHost, master: LabHost): Promise<Metrics> => waitForMetrics(lab(), from, master, 'every backend up', (m) => upSet(m) === 'h1,h2,h3');

  test("killing one apiserver: no connection opened after the kill fails; the master's /metrics shows it down, its failed connects and the retries", async () => {
    const { routers, client: clientHost, apiservers, prober } = await cluster();
    const master = routers[0] as LabHost;
    const client = await prober();
    const before = client.attempts().length;
    const metricsBefore = await allBackendsUp(clientHost, master);
    const killedAt = Date.now();
    await apiservers[1]?.stop('SIGKILL');
    await client.waitUntil((attempts) => attempts.length >= before + 300, { timeoutMs: 20_000, what: '300 more attempts' });
    const after = await client.stop();
    // `t` is when an attempt started. A connection the apiserver had begun to answer when it died (its
    // TLS handshake half done) is reset by its kernel, and no proxy can move it: the backend may have
    // acted on it. Every connection opened after the kill must be served, and a failure before it
    // must have been in flight at it.
    const failed = failures(after).map((attempt) => ({ ...attempt, sinceKillMs: Math.round(attempt.t - killedAt) }));
    expect(failed.filter((attempt) => attempt.sinceKillMs >= 0)).toEqual([]);
    expect(failed.filter((attempt) => attempt.sinceKillMs + attempt.ms < 0)).toEqual([]);
    expect(new Set(after.slice(-100).map((attempt) => attempt.server))).toEqual(new Set(['h1', 'h3']));

    // Clients kept coming to h2 until it was marked down: each refused connect was counted and moved on.
    const metrics = await waitForMetrics(lab(), clientHost, master, 'only h2 down, and its refused connects counted', (m) => upSet(m) === 'h1,h3' && moved(metricsBefore, m, 'h2').failedConnects > 0);
    expect(metrics.get('tsvip_lb_up', LB)).toBe(1);
    const counted = moved(metricsBefore, metrics, 'h2');
    expect(counted.backendFailedConnects).toBeGreaterThan(0);
    // No client saw a failure: every failed connect was followed by a retry.
    expect(counted.retries).toBeGreaterThanOrEqual(counted.failedConnects);
    expect(counted.backendCheckFailures).toBeGreaterThan(0);
    expect(metrics.get('tsvip_lb_connections_rejected_total', LB)).toBe(metricsBefore.get('tsvip_lb_connections_rejected_total', LB));
  });

  test("freezing one apiserver (SIGSTOP): 0 failed connections for a client with a 3 s timeout; the master's /metrics shows it down and the retries", async () => {
    const { routers, client: clientHost, apiservers, prober } = await cluster();
    const master = routers[0] as LabHost;
    const client = await prober();
    const before = client.attempts().length;
    const metricsBefore = await allBackendsUp(clientHost, master);
    const frozen = apiservers[2];
    const frozenAt = Date.now();
    frozen?.process.kill('SIGSTOP');
    cleanup.push(async () => frozen?.process.kill('SIGCONT'));
    await client.waitUntil((attempts) => attempts.length >= before + 400, { timeoutMs: 30_000, what: '400 more attempts' });
    const after = await client.stop();
    // `t` is when an attempt started. A request the apiserver had begun to answer when it froze (its
    // TLS handshake half done) cannot be moved by any proxy: the backend may have acted on it. Every
    // connection opened after the freeze must be served.
    const failed = failures(after).map((attempt) => ({ ...attempt, sinceFreezeMs: Math.round(attempt.t - frozenAt) }));
    expect(failed.filter((attempt) => attempt.sinceFreezeMs >= 0)).toEqual([]);
    // And a failure before it was one in flight at the freeze, not one that had ended already.
    expect(failed.filter((attempt) => attempt.sinceFreezeMs + attempt.ms < 0)).toEqual([]);
    expect(new Set(after.slice(-100).map((attempt) => attempt.server))).toEqual(new Set(['h1', 'h2']));

    // A frozen apiserver's kernel still completes handshakes: the clients sent to it before it was
    // marked down got no first byte, were counted against h3 and retried elsewhere.
    const metrics = await waitForMetrics(lab(), clientHost, master, 'only h3 down, and its silent connects counted', (m) => upSet(m) === 'h1,h2' && moved(metricsBefore, m, 'h3').failedConnects > 0);
    const counted = moved(metricsBefore, metrics, 'h3');
    expect(counted.backendFailedConnects).toBeGreaterThan(0);
    expect(counted.retries).toBeGreaterThan(0);
    expect(counted.backendCheckFailures).toBeGreaterThan(0);
  });

  test("stopping every apiserver of the VIP holder's pool moves the VIP (backends tracker), and the client is served again", async () => {
    // h1's load balancer knows only h1's apiserver; h2's and h3's know all three.
    const { routers, apiservers, daemons, prober } = await cluster((hosts) => [[hosts[0] as LabHost], hosts, hosts]);
    const client = await prober();
    const stoppedAt = Date.now();
    await apiservers[0]?.stop('SIGKILL');
    await daemons[1]?.waitForState('master');
    await waitForSoleHolder(lab(), routers, routers[1] as LabHost);
    // Service again: 50 answers in a row after the move, none from the host without apiservers.
    const served = (attempt: ProbeAttempt): boolean => attempt.ok && attempt.t > stoppedAt && attempt.server !== 'h1';
    const attempts = await client.waitUntil((seen) => seen.length >= 50 && seen.slice(-50).every(served), { timeoutMs: 30_000, what: '50 answers in a row after the move' });
    expect(attempts.slice(-50).every(served)).toBe(true);
    expect(daemons[0]?.state()).toBe('backup');
  });

  test('a long-lived watch through the VIP survives another backend flapping and a SIGHUP reload', async () => {
    const { routers, client, apiservers, daemons } = await cluster();
    const watch = lab().spawn(client, ['curl', '-skN', `https://${VIP}:${LB_PORT}/watch`]);
    cleanup.push(async () => watch.kill('SIGKILL'));
    const lines = (): string[] => watch.output().stdout.split('\n').filter((line) => line.includes('BOOKMARK'));
    await waitUntil(() => (lines().length >= 2 ? true : undefined), 'the watch to stream');
    const server = (JSON.parse(lines()[0] ?? '{}') as { server?: string }).server;
    const other = apiservers.find((apiserver) => apiserver.host.name !== server);
    if (other === undefined) throw new Error(`no apiserver other than ${server}`);

    // Another backend fails its health checks for a while, then recovers.
    other.setReady(false);
    await daemons[0]?.waitForLog((record) => record.code === 'LB_BACKEND_DOWN' && record.backend === other.host.name, `${other.host.name} to be marked down`);
    other.setReady(true);
    await daemons[0]?.waitForLog((record) => record.code === 'LB_BACKEND_UP' && record.backend === other.host.name && record.from === 'down', `${other.host.name} to be up again`);

    // A reload that changes the balance algorithm.
    const master = daemons[0];
    master?.rewrite(hostConfig(routers[0] as LabHost, routers, { priority: 150, pool: routers, balance: 'leastconn' }));
    master?.kill('SIGHUP');
    await master?.waitForLog((record) => record.msg === 'reloaded', 'the reload');

    const seen = lines().length;
    await waitUntil(() => (lines().length >= seen + 3 ? true : undefined), 'three more watch lines after the flap and the reload');
    expect(watch.child.exitCode).toBeNull();
    expect(lines().every((line) => line.includes(`"server":"${server}"`))).toBe(true);
  });

  test('SIGTERM: the master stops accepting, gives the VIP up, then drains open connections for shutdownDrain and exits 0', async () => {
    const { routers, client, daemons } = await cluster();
    const watch = lab().spawn(client, ['curl', '-skN', `https://${VIP}:${LB_PORT}/watch`]);
    cleanup.push(async () => watch.kill('SIGKILL'));
    await waitUntil(() => (watch.output().stdout.includes('BOOKMARK') ? true : undefined), 'the watch to stream');
    const master = daemons[0];
    if (master === undefined) throw new Error('no master');

    master.kill('SIGTERM');
    expect(await master.exited).toEqual({ code: 0, signal: null });
    await daemons[1]?.waitForState('master');
    await waitForSoleHolder(lab(), routers, routers[1] as LabHost);
    const messages = master.logs().map((record) => record.msg);
    const stoppedAccepting = messages.indexOf('stopped accepting');
    const gaveUp = messages.findIndex((msg) => msg.startsWith('master -> initialize'));
    expect(stoppedAccepting).toBeGreaterThanOrEqual(0);
    expect(gaveUp).toBeGreaterThan(stoppedAccepting);
    // The watch never ends by itself: it is the one connection cut when shutdownDrain runs out.
    expect(master.logs().find((record) => record.code === 'LB_DRAIN_CUT')).toMatchObject({ cut: 1 });
  });
});

