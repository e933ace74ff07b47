// The status server of real daemons as an operator meets it: three hosts, each with an apiserver
// stand-in and tsvip (VRRPv2 with a PASS password, a `vip:8443` load balancer to the three
// apiservers, the status server on the host's own address, basic auth on h3), and a client host h4
// where headless Chromium and `tsvip status` run. What is checked is what a user reads: the text of
// the page's cells (which must follow a failover without a reload), the JSON of /status, the
// exposition format as Prometheus's own promtool judges it, the CLI's table. The test also takes a
// full-page screenshot after the failover; with UPDATE_SCREENSHOT=1 it replaces docs/status-page.png
// (not on every run: the page shows pids and times, so each run would change the file).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { useLab, type LabHost } from '../lab/index.js';
import { startApiserver, type ApiserverHandle } from '../../src/lab/apiserver.js';
import { startTsvip, TSVIP_BIN, waitUntil, type TsvipDaemon } from '../../src/lab/tsvip-daemon.js';
import { REDACTED, type StatusSnapshot } from '../../src/status/snapshot.js';
import { launchBrowserIn, type LabBrowser } from './lab-browser.js';
import { promtoolCheckMetrics } from '../status/promtool.js';
import { VIP, VIP_CIDR } from './vrrp-group.js';
import { API_PORT, LB_PORT, apiserverHostConfig } from './apiserver-cluster.js';
import { Metrics } from './metrics-scrape.js';

const STATUS_PORT = 9901;
const VRRP_PASSWORD = 'k8s-vip';
const STATUS_USER = 'admin';
const STATUS_PASSWORD = 'status-e2e-secret';
const PRIORITIES = [150, 100, 50] as const;
/** Only catches hangs: every wait ends as soon as the page or the daemon shows what it should. */
const HANG_MS = 20_000;
const DOCS_SCREENSHOT = fileURLToPath(new URL('../../docs/status-page.png', import.meta.url));

interface HostOptions {
  priority: number;
  /** keepalived's `state MASTER`: h1 takes over after one interval instead of three. */
  initialState: 'master' | 'backup';
  passwordFile: string | null;
}

function hostConfig(host: LabHost, routers: readonly LabHost[], options: HostOptions): Record<string, unknown> {
  return apiserverHostConfig(host, routers, {
    priority: options.priority,
    // v2 with a PASS password, so that /status has a secret to redact; 1 s adverts make a failover
    // take Master_Down (about 3.6 s), which the waits allow for.
    vrrp: { initialState: options.initialState, version: 2, advertInterval: '1s', authPass: VRRP_PASSWORD },
    loadBalancer: { shutdownDrain: '1s' },
    status: {
      listen: `${host.address}:${STATUS_PORT}`,
      ...(options.passwordFile === null ? {} : { auth: { user: STATUS_USER, passwordFile: options.passwordFile } }),
    },
  });
}

const statusUrl = (host: LabHost): string => `http://${host.address}:${STATUS_PORT}/`;

describe('status server of real daemons: page, /status, /metrics, tsvip status', { timeout: 120_000 }, () => {
  const lab = useLab({ hosts: 4 });
  const cleanup: (() => Promise<unknown>)[] = [];
  let passwordDir = '';
  let passwordFile = '';
  let labBrowser: LabBrowser | undefined;

  beforeAll(async () => {
    passwordDir = await mkdtemp(join(tmpdir(), 'tsvip-status-e2e-'));
    passwordFile = join(passwordDir, 'status-password');
    await writeFile(passwordFile, `${STATUS_PASSWORD}\n`);
  });
  afterEach(async () => {
    for (const undo of cleanup.splice(0).reverse()) await undo();
    // A SIGKILLed master leaves its VIP behind.
    for (const host of lab().hosts.slice(0, 3)) await lab().run(host, ['ip', 'addr', 'del', VIP_CIDR, 'dev', 'eth0']);
  });
  afterAll(async () => {
    await labBrowser?.close();
    if (passwordDir !== '') await rm(passwordDir, { recursive: true, force: true });
  });

  const client = (): LabHost => lab().host(4);
  /** h3 is the host with status.auth. */
  const guarded = (): LabHost => lab().host(3);

  /** Chromium in the client host, launched on first use so that the tests without it do not need it. */
  async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
    labBrowser ??= await launchBrowserIn(client());
    const context = await labBrowser.browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
    cleanup.push(() => context.close());
    return context.newPage();
  }

  /** GET from the client host with curl: the status code and the body. `userPassword` sends other credentials. */
  async function get(host: LabHost, path: string, options: { withCredentials?: boolean; userPassword?: string } = {}): Promise<{ code: number; body: string }> {
    const userPassword = options.userPassword ?? (options.withCredentials === true ? `${STATUS_USER}:${STATUS_PASSWORD}` : undefined);
    const credentials = userPassword === undefined ? [] : ['-u', userPassword];
    const result = await lab().runOk(client(), ['curl', '-s', '--max-time', '5', '-w', '\n%{http_code}', ...credentials, `http://${host.address}:${STATUS_PORT}${path}`]);
    const split = result.stdout.lastIndexOf('\n');
    return { code: Number(result.stdout.slice(split + 1)), body: result.stdout.slice(0, split) };
  }

  async function snapshotOf(host: LabHost): Promise<StatusSnapshot> {
    const { code, body } = await get(host, '/status', { withCredentials: host === guarded() });
    if (code !== 200) throw new Error(`${host.name} /status answered ${code}: ${body}`);
    return JSON.parse(body) as StatusSnapshot;
  }

  interface Cluster {
    routers: LabHost[];
    apiservers: ApiserverHandle[];
    daemons: TsvipDaemon[];
  }

  /**
   * Starts the apiservers, then tsvip on h1 and, once h1 is master, on h2 and h3 (so that the
   * election has one outcome), and waits until every host reports h1 as master and all three
   * backends up.
   */
  async function cluster(): Promise<Cluster> {
    const routers = [lab().host(1), lab().host(2), lab().host(3)];
    const apiservers: ApiserverHandle[] = [];
    for (const host of routers) {
      const apiserver = await startApiserver(lab(), host, { port: API_PORT });
      apiservers.push(apiserver);
      cleanup.push(() => apiserver.stop('SIGKILL'));
    }
    const start = (host: LabHost, index: number): TsvipDaemon => {
      const options: HostOptions = { priority: PRIORITIES[index] ?? 1, initialState: index === 0 ? 'master' : 'backup', passwordFile: host === guarded() ? passwordFile : null };
      const daemon = startTsvip(lab(), host, hostConfig(host, routers, options), { logLevel: 'info' });
      cleanup.push(async () => {
        daemon.kill('SIGKILL');
        await daemon.exited;
      });
      return daemon;
    };
    const first = start(routers[0] as LabHost, 0);
    await first.waitForState('master');
    const daemons = [first, ...routers.slice(1).map((host, index) => start(host, index + 1))];
    for (const daemon of daemons) await daemon.waitForLog((record) => record.msg === 'status server listening', 'the status server');
    const h1 = routers[0] as LabHost;
    for (const host of routers) {
      await waitUntil(async () => {
        const snapshot = await snapshotOf(host);
        const instance = snapshot.instances[0];
        const backendsUp = snapshot.loadBalancers[0]?.backends.filter((backend) => backend.state === 'up').length;
        return instance?.masterAddress === h1.address && instance.priority === instance.configuredPriority && backendsUp === 3 ? true : undefined;
      }, `${host.name} to see h1 as master and three backends up`, HANG_MS);
    }
    return { routers, apiservers, daemons };
  }

  test('/status is the daemon state as JSON with the PASS password redacted; /metrics passes promtool and counts the 401s of basic auth', async () => {
    const { routers, daemons } = await cluster();

    for (const [index, host] of routers.entries()) {
      const { code, body } = await get(host, '/status', { withCredentials: host === guarded() });
      expect(code).toBe(200);
      const snapshot = JSON.parse(body) as StatusSnapshot;
      expect(snapshot.instances[0]?.state).toBe(daemons[index]?.state('VI_1'));
      expect(snapshot.instances[0]?.state).toBe(index === 0 ? 'master' : 'backup');
      expect(snapshot.config.vrrp[0]?.authPass).toBe(REDACTED);
      expect(body).not.toContain(VRRP_PASSWORD);
      expect(body).not.toContain(STATUS_PASSWORD);
    }

    for (const [index, host] of routers.entries()) {
      // /metrics stays open on the guarded host too: a Prometheus scrape brings no credentials.
      const metrics = await get(host, '/metrics');
      expect(metrics.code).toBe(200);
      expect(await promtoolCheckMetrics(metrics.body)).toEqual({ code: 0, problems: '' });
      const state = index === 0 ? 'master' : 'backup';
      // `vrrp_instance`, not `instance`: Prometheus gives every scrape target an `instance` label.
      expect(metrics.body.split('\n')).toContain(`tsvip_vrrp_instance_state{vrrp_instance="VI_1",state="${state}"} 1`);
    }

    // The guarded host's / and /status want the credentials; the probes do not. Each refusal is
    // counted in its /metrics by reason.
    const authFailures = async (): Promise<{ missing: number; wrong: number }> => {
      const metrics = new Metrics((await get(guarded(), '/metrics')).body);
      return { missing: metrics.get('tsvip_status_auth_failures_total', { reason: 'missing' }), wrong: metrics.get('tsvip_status_auth_failures_total', { reason: 'wrong' }) };
    };
    const before = await authFailures();
    expect((await get(guarded(), '/status')).code).toBe(401);
    expect((await get(guarded(), '/')).code).toBe(401);
    expect((await get(guarded(), '/status', { userPassword: `${STATUS_USER}:not-the-password` })).code).toBe(401);
    expect((await get(guarded(), '/healthz')).code).toBe(200);
    expect(await authFailures()).toEqual({ missing: before.missing + 2, wrong: before.wrong + 1 });
  });

  test('tsvip status, run in the client host, prints the instance table; credentials go in the URL', async () => {
    await cluster();
    const tsvipStatus = (url: string): Promise<{ code: number | null; stdout: string; stderr: string }> => lab().run(client(), [process.execPath, TSVIP_BIN, 'status', '--url', url]);

    const master = await tsvipStatus(`http://${lab().host(1).address}:${STATUS_PORT}`);
    expect(master).toMatchObject({ code: 0, stderr: '' });
    expect(master.stdout.split('\n')).toContainEqual(expect.stringMatching(/^VI_1 +MASTER +150 +198\.18\.0\.1 +198\.18\.0\.100\/24 /));
    expect(master.stdout).toContain(`load balancer apiserver: UP, bind vip:${LB_PORT}, listening on ${VIP}:${LB_PORT}`);

    const backup = await tsvipStatus(`http://${lab().host(2).address}:${STATUS_PORT}`);
    expect(backup).toMatchObject({ code: 0, stderr: '' });
    const lines = backup.stdout.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^VI_1 +BACKUP +100 +198\.18\.0\.1 +198\.18\.0\.100\/24 /));
    for (const host of ['h1', 'h2', 'h3']) expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ {2}${host} +198\\.18\\.0\\.\\d:${API_PORT} +UP `)));

    const refused = await tsvipStatus(`http://${guarded().address}:${STATUS_PORT}`);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('wants credentials (status.auth)');

    const withCredentials = await tsvipStatus(`http://${STATUS_USER}:${STATUS_PASSWORD}@${guarded().address}:${STATUS_PORT}`);
    expect(withCredentials).toMatchObject({ code: 0, stderr: '' });
    expect(withCredentials.stdout.split('\n')).toContainEqual(expect.stringMatching(/^VI_1 +BACKUP +50 +198\.18\.0\.1 +198\.18\.0\.100\/24 /));
  });

  test('basic auth in the browser: without credentials the page gets 401, with them it loads and shows the data', async () => {
    await cluster();
    // Without credentials to offer, playwright cancels the browser's login prompt and Chromium ends
    // the navigation with ERR_INVALID_AUTH_CREDENTIALS; what the server answered is the 401.
    const anonymous = await newPage();
    const refusal = anonymous.waitForResponse((response) => response.url() === statusUrl(guarded()), { timeout: HANG_MS });
    await expect(anonymous.goto(statusUrl(guarded()))).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    expect((await refusal).status()).toBe(401);
    expect(await anonymous.locator('tr[data-instance]').count()).toBe(0);

    const page = await newPage({ httpCredentials: { username: STATUS_USER, password: STATUS_PASSWORD } });
    const loaded = await page.goto(statusUrl(guarded()));
    expect(loaded?.status()).toBe(200);
    await expect.poll(() => text(page, 'tr[data-instance="VI_1"] span.badge[data-state]'), { timeout: HANG_MS }).toBe('BACKUP');
    expect(await text(page, 'tr[data-instance="VI_1"] td[data-master]')).toBe(lab().host(1).address);
    expect(await text(page, 'tr[data-backend="apiserver/h3"] span.badge')).toBe('UP');
    expect(await page.locator('body').getAttribute('data-updated')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await text(page, '#problem')).toBe('');
  });

  test("a backup's page follows the failover by itself: h2 becomes MASTER, a new state change row, a stopped apiserver goes DOWN", async () => {
    const { routers, apiservers, daemons } = await cluster();
    const [h1, h2] = routers as [LabHost, LabHost, LabHost];
    const page = await newPage();
    await page.goto(statusUrl(h2));

    const instanceState = 'tr[data-instance="VI_1"] span.badge[data-state]';
    const masterCell = 'tr[data-instance="VI_1"] td[data-master]';
    const backendState = (name: string): string => `tr[data-backend="apiserver/${name}"] span.badge`;
    await expect.poll(() => text(page, instanceState), { timeout: HANG_MS }).toBe('BACKUP');
    expect(await text(page, masterCell)).toBe(h1.address);
    // The lab's hosts share one hostname: the header tells them apart by address.
    expect(await text(page, '#host')).toMatch(new RegExp(`\\(${h2.address.replaceAll('.', '\\.')}\\)$`));
    for (const host of routers) expect(await text(page, backendState(host.name))).toBe('UP');
    const rowsBefore = await page.locator('tr[data-transition]').count();
    expect(rowsBefore).toBeGreaterThan(0);

    // A reload would drop this mark, and a page that only changed on reload would not change at all.
    await page.evaluate('globalThis.openedBeforeFailover = true');
    daemons[0]?.kill('SIGKILL');

    await expect.poll(() => text(page, instanceState), { timeout: HANG_MS }).toBe('MASTER');
    await expect.poll(() => text(page, masterCell), { timeout: HANG_MS }).toBe(h2.address);
    await expect.poll(() => page.locator('tr[data-transition]').count(), { timeout: HANG_MS }).toBe(rowsBefore + 1);
    const newest = page.locator('tr[data-transition]').first();
    expect(await newest.locator('td').nth(1).innerText()).toBe('VI_1');
    expect(await newest.locator('span.badge').nth(0).innerText()).toBe('BACKUP');
    expect(await newest.locator('span.badge').nth(1).innerText()).toBe('MASTER');
    expect(await page.evaluate('globalThis.openedBeforeFailover')).toBe(true);
    expect(await text(page, '#summary')).toBe('this host is MASTER for VI_1');

    // h1's tsvip is gone but its apiserver is not; h3's apiserver stops.
    await apiservers[2]?.stop('SIGKILL');
    await expect.poll(() => text(page, backendState('h3')), { timeout: HANG_MS }).toBe('DOWN');
    expect(await text(page, backendState('h1'))).toBe('UP');
    expect(await text(page, backendState('h2'))).toBe('UP');
    expect(await page.evaluate('globalThis.openedBeforeFailover')).toBe(true);
    expect(await text(page, '#problem')).toBe('');

    const png = await page.screenshot({ fullPage: true });
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    if (process.env['UPDATE_SCREENSHOT'] === '1') await writeFile(DOCS_SCREENSHOT, png);
  });
});

/** The text a user reads in the first element matching `selector` (CSS text-transform applied). */
function text(page: Page, selector: string): Promise<string> {
  // A short limit per read: expect.poll repeats the read, and its own timeout is the one that counts.
  return page.locator(selector).first().innerText({ timeout: 1000 });
}
