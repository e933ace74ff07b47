// Each command loads only what it needs: `version`, `check` and `convert` never load the data path,
// VRRP, netlink, the native bindings, metrics or the lab. A start pays for every module it loads (each
// Node process on a control-plane host starts at once after a config push), so this is held by a test.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { REPO_ROOT, TSVIP_BIN } from './run-cli.js';

const workDir = mkdtempSync(join(tmpdir(), 'tsvip-lazy-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));
const TRACE_HOOK = fileURLToPath(new URL('./module-trace/register.mjs', import.meta.url));
const FIXTURES = join(REPO_ROOT, 'test/fixtures/convert/kubeadm');

/** Runs bin/tsvip with every module it loads recorded; returns them relative to the repository. */
function modulesLoadedBy(args: string[]): Promise<{ code: number; modules: string[] }> {
  const trace = join(workDir, `trace-${args[0]}.txt`);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', TRACE_HOOK, TSVIP_BIN, ...args], { cwd: REPO_ROOT, timeout: 20_000, env: { ...process.env, TSVIP_MODULE_TRACE: trace } }, (error) => {
      try {
        const modules = readFileSync(trace, 'utf8').split('\n').map((url) => url.replace(`file://${REPO_ROOT}`, ''));
        resolve({ code: error === null ? 0 : Number(error.code), modules });
      } catch (failure) {
        reject(failure instanceof Error ? failure : new Error(String(failure)));
      }
    });
  });
}

/** What only `start` and `demo` need. */
const HEAVY = [/^dist\/(lb|vrrp|netlink|sys|status|daemon|lab|demo|health)\//, /^dist\/daemon\.js$/, /node_modules\/(koffi|netlink|raw-socket|prom-client|pino)\//];

const heavyIn = (modules: string[]): string[] => modules.filter((module) => HEAVY.some((pattern) => pattern.test(module)));

describe('commands load only what they need', () => {
  const config = join(workDir, 'vip.yaml');
  writeFileSync(config, 'vrrp:\n  - { name: VI_1, interface: eth0, vrid: 51, vips: [198.18.0.100/24] }\nloadBalancers:\n  - { name: apiserver, bind: "vip:8443", backends: [{ name: cp1, address: "198.18.0.11:6443" }] }\n');

  test.each([
    ['version', ['version']],
    ['check', ['check', '-c', config]],
    ['check --json', ['check', '--json', '-c', config]],
    ['convert', ['convert', '--keepalived', join(FIXTURES, 'keepalived.conf'), '--haproxy', join(FIXTURES, 'haproxy.cfg')]],
  ])('%s', async (_name, args) => {
    const { code, modules } = await modulesLoadedBy(args);
    expect(code).toBe(0);
    // The trace itself worked: the command's own module was seen.
    expect(modules).toContain('dist/cli/main.js');
    expect(heavyIn(modules)).toEqual([]);
  });

  test('the trace sees what start loads (the test can fail)', async () => {
    // `start` exits at once without root or with a bad config, but only after importing the daemon.
    const { modules } = await modulesLoadedBy(['start', '-c', join(workDir, 'missing.yaml')]);
    expect(modules).toContain('dist/cli/start.js');
    expect(heavyIn(modules)).not.toEqual([]);
  });
});
