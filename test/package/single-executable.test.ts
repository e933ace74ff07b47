// The single executable as a user runs it on a fresh host: `npm run package` makes out/tsvip, and each
// command runs in a mount namespace where no node binary runs and no node_modules is found
// (without-node.sh), with /tmp mounted noexec as hardened hosts have it (the native modules must be
// extracted elsewhere, and removed).
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useLab, type LabHost } from '../lab/index.js';
import { startApiserver } from '../../src/lab/apiserver.js';
import { startTsvip, waitUntil, type TsvipDaemon } from '../../src/lab/tsvip-daemon.js';
import { TSVIP_NODE_FLAGS } from '../../src/node-flags.js';
import { startProber } from '../../src/lab/vip-client.js';
import { API_PORT, LB_PORT, apiserverHostConfig } from '../e2e/apiserver-cluster.js';
import { VIP, clientNeighbourMac, waitForSoleHolder } from '../e2e/vrrp-group.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WRAPPER = join(ROOT, 'test/package/without-node.sh');
const EXTRACTION_DIR = '/run/tsvip';
const packageVersion = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Every node binary on this machine that the executable could otherwise fall back to. */
async function nodeBinaries(): Promise<string[]> {
  const { stdout } = await run('sh', ['-c', 'which -a node || true']);
  return [...new Set([process.execPath, ...stdout.split('\n').filter(Boolean)].map((path) => realpathSync(path)))];
}

let host: string;
let executable: string;
let hiddenEnv: NodeJS.ProcessEnv;

/** The argv that runs the executable as on a host without Node. */
const withoutNode = (): string[] => ['unshare', '--mount', '--propagation', 'private', 'sh', WRAPPER, executable];

async function tsvip(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(withoutNode()[0] as string, [...withoutNode().slice(1), ...args], { env: hiddenEnv, timeout: 150_000, maxBuffer: 16 * 2 ** 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failure.code === 'number' ? failure.code : -1, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' };
  }
}

const leftovers = (): string[] => (existsSync(EXTRACTION_DIR) ? readdirSync(EXTRACTION_DIR).filter((name) => name.startsWith('.tsvip-')) : []);

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('the single-executable test needs root: it mounts in a private mount namespace (unshare -m)');
  await run(process.execPath, [join(ROOT, 'scripts/package.mjs')], { cwd: ROOT, timeout: 300_000 });
  // A directory of its own, away from the repository (which may itself be under /tmp, made noexec
  // below), as a downloaded file would be.
  host = mkdtempSync('/var/tmp/tsvip-fresh-host-');
  executable = join(host, 'tsvip');
  copyFileSync(join(ROOT, 'out/tsvip'), executable);
  hiddenEnv = {
    ...process.env,
    TSVIP_HIDE_FILES: (await nodeBinaries()).join(':'),
    TSVIP_HIDE_DIRS: [join(ROOT, 'node_modules'), join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tsvip')].join(':'),
    TSVIP_NOEXEC_TMP: '1',
  };
}, 320_000);

afterAll(() => {
  if (host !== undefined) rmSync(host, { recursive: true, force: true });
});

describe('out/tsvip on a host without Node', () => {
  test('the wrapper really hides node (the test can fail)', async () => {
    const result = await run('unshare', ['--mount', '--propagation', 'private', 'sh', WRAPPER, 'sh', '-c', 'node -e 0; echo "exit $?"; ls node_modules | wc -l'], { env: hiddenEnv, cwd: ROOT });
    expect(result.stdout).not.toContain('exit 0');
    expect(result.stdout.trim().split('\n').at(-1)).toBe('0');
  });

  test("it runs with bin/tsvip's node flags (src/node-flags.ts), built in", () => {
    const seaConfig = JSON.parse(readFileSync(join(ROOT, 'out', 'build', 'sea-config.json'), 'utf8')) as { execArgv?: unknown };
    expect(seaConfig.execArgv).toEqual([...TSVIP_NODE_FLAGS]);
  });

  test('demo: the lab runs its apiserver stand-ins, listeners and client from the executable too', async () => {
    const result = await tsvip(['demo', '--plain']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/h1 is master again/);
    expect(result.stdout).toMatch(/done: removing the namespaces/);
    expect(await tsvip(['--tsvip-lab-probe', 'no-such-probe'])).toMatchObject({ code: 2, stderr: 'tsvip: --tsvip-lab-probe no-such-probe: no such lab probe\n' });
  }, 180_000);

  test('version', async () => {
    expect(await tsvip(['version'])).toEqual({ code: 0, stdout: `tsvip ${packageVersion}\n`, stderr: '' });
  });

  test('check: a valid file gets its summary, an invalid one its errors at LINE:COL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsvip-sea-'));
    try {
      writeFileSync(join(dir, 'good.yaml'), 'vrrp:\n  - { name: VI_1, interface: eth0, vrid: 51, vips: [198.18.0.100/24] }\n');
      writeFileSync(join(dir, 'bad.yaml'), 'vrrp:\n  - { name: VI_1, interface: eth0, vrid: 300, vips: [198.18.0.100/24] }\n');
      const good = await tsvip(['check', '-c', join(dir, 'good.yaml')]);
      expect(good.code).toBe(0);
      expect(good.stdout).toContain('valid (1 VRRP instance(s), 0 load balancer(s))');
      const bad = await tsvip(['check', '-c', join(dir, 'bad.yaml')]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/bad\.yaml:2:\d+ vrrp\[0\]\.vrid: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('convert and manifest systemd, which points at the executable', async () => {
    const fixtures = join(ROOT, 'test/fixtures/convert/kubeadm');
    const converted = await tsvip(['convert', '--keepalived', join(fixtures, 'keepalived.conf'), '--haproxy', join(fixtures, 'haproxy.cfg')]);
    expect(converted.code).toBe(0);
    expect(converted.stdout).toMatch(/^vrrp:/m);
    const dir = mkdtempSync(join(tmpdir(), 'tsvip-sea-'));
    try {
      writeFileSync(join(dir, 'vip.yaml'), converted.stdout);
      const unit = await tsvip(['manifest', 'systemd', '-c', join(dir, 'vip.yaml')]);
      expect(unit.code).toBe(0);
      expect(unit.stdout).toContain(`ExecStart=${executable} start -c ${join(dir, 'vip.yaml')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('out/tsvip in a lab', { timeout: 120_000 }, () => {
  const lab = useLab({ hosts: 4 });
  const cleanup: (() => Promise<unknown>)[] = [];

  afterAll(async () => {
    for (const undo of cleanup.splice(0).reverse()) await undo();
  });

  test('three hosts elect, the load balancer proxies, a kill -9 of the master moves the VIP; nothing extracted is left', async () => {
    const routers = [lab().host(1), lab().host(2), lab().host(3)];
    const [h1, h2] = routers as [LabHost, LabHost, LabHost];
    const client = lab().host(4);
    for (const router of routers) {
      const apiserver = await startApiserver(lab(), router, { port: API_PORT });
      cleanup.push(() => apiserver.stop('SIGKILL'));
    }
    // The lab's processes take the test's environment: the wrapper reads what to hide from it.
    Object.assign(process.env, { TSVIP_HIDE_FILES: hiddenEnv.TSVIP_HIDE_FILES, TSVIP_HIDE_DIRS: hiddenEnv.TSVIP_HIDE_DIRS, TSVIP_NOEXEC_TMP: '1' });
    const daemons = routers.map((router, index) =>
      startTsvip(lab(), router, apiserverHostConfig(router, routers, { priority: 150 - index * 50, vrrp: { version: 3, advertInterval: '100ms' } }), { logLevel: 'info', program: withoutNode() }),
    );
    for (const daemon of daemons) cleanup.push(async () => (daemon.kill('SIGKILL'), await daemon.exited));
    const [d1, d2, d3] = daemons as [TsvipDaemon, TsvipDaemon, TsvipDaemon];

    await d1.waitForState('master');
    await d2.waitForState('backup');
    await d3.waitForState('backup');
    await waitForSoleHolder(lab(), routers, h1);
    await d1.waitForLog((record) => record.msg === 'listening' && String(record.address).startsWith(VIP), "h1's vip: bind to listen");
    // Extracted, loaded and removed: nothing of the native modules stays on disk while they run.
    expect(leftovers()).toEqual([]);

    const prober = await startProber(lab(), client, { address: VIP, port: LB_PORT, protocol: 'https', intervalMs: 10, timeoutMs: 3000 });
    cleanup.push(() => prober.stop());
    await prober.waitUntil((attempts) => attempts.filter((attempt) => attempt.ok).length >= 50, { timeoutMs: 20_000, what: '50 answered connections through h1' });
    expect(await clientNeighbourMac(lab(), client)).toBe(h1.mac);

    d1.kill('SIGKILL');
    const killedAt = Date.now();
    await d2.waitForState('master');
    await waitUntil(async () => ((await clientNeighbourMac(lab(), client)) === h2.mac ? true : undefined), "the client's ARP entry for the VIP to point to h2");
    await prober.waitUntil((attempts) => attempts.filter((attempt) => attempt.ok && attempt.t > killedAt).length >= 50, { timeoutMs: 20_000, what: '50 answered connections after the kill' });
    expect(d3.state()).toBe('backup');
    expect(leftovers()).toEqual([]);
  });
});
