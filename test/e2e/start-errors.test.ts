// `tsvip start` refuses to act when it cannot do its job, and says why: the same
// errors as `check` for a bad config, then host checks naming the missing capability or interface.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { useLab } from '../lab/index.js';
import { startTsvip, TSVIP_BIN } from '../../src/lab/tsvip-daemon.js';
import { VIP_CIDR } from './vrrp-group.js';

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsvip-start-'));
  // Readable by the unprivileged user of the capability test.
  chmodSync(dir, 0o755);
  const file = join(dir, 'vip.yaml');
  writeFileSync(file, text, { mode: 0o644 });
  return file;
}

const instance = (iface: string): string => `vrrp:\n  - { name: VI_1, interface: ${iface}, vrid: 51, vips: [${VIP_CIDR}] }\n`;

describe('tsvip start refuses what it cannot run', { timeout: 60_000 }, () => {
  const lab = useLab({ hosts: 1 });

  test('an invalid config: the same errors as check, exit 1, nothing touched', async () => {
    const file = configFile('vrrp:\n  - { name: VI_1, interface: eth0, vrid: 300, priority: 0, vips: [198.18.0.100/24] }\n');
    const started = await lab().run(lab().host(1), [process.execPath, TSVIP_BIN, 'start', '-c', file]);
    const checked = await lab().run(lab().host(1), [process.execPath, TSVIP_BIN, 'check', '-c', file]);
    expect(started.code).toBe(1);
    expect(started.stderr).toBe(checked.stderr);
    expect(started.stderr).toContain(`${file}:2:42 vrrp[0].vrid:`);
    expect(await lab().addresses(lab().host(1))).toHaveLength(1);
  });

  test("a lab wait on a daemon that exited fails with the exit and the daemon's output, not a timeout", async () => {
    const tsvip = startTsvip(lab(), lab().host(1), instance('eth9'));
    expect(await tsvip.exited).toEqual({ code: 1, signal: null });
    const waited = await tsvip.waitForState('master').then(
      () => 'reached',
      (error: unknown) => (error as Error).message,
    );
    expect(waited).toContain('h1: tsvip exited (code 1, signal null) while a test waited for it');
    expect(waited).toContain('interface eth9 (instance VI_1) does not exist on this host');
    expect(waited).not.toContain('timed out');
  });

  test('an interface that does not exist is named, with its key', async () => {
    const result = await lab().run(lab().host(1), [process.execPath, TSVIP_BIN, 'start', '-c', configFile(instance('eth9'))]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('vrrp[0].interface: interface eth9 (instance VI_1) does not exist on this host');
  });

  test('without CAP_NET_RAW and CAP_NET_ADMIN: a clear error naming both', async () => {
    const result = await lab().run(lab().host(1), ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, TSVIP_BIN, 'start', '-c', configFile(instance('eth0'))]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ERR_HOST_CHECK[\s\S]*missing CAP_NET_ADMIN and CAP_NET_RAW/);
  });

  test('/healthz and /readyz answer; SIGTERM before any peer answers: exits 0 with no VIP left', async () => {
    const daemon = lab().spawn(lab().host(1), [process.execPath, TSVIP_BIN, 'start', '-c', configFile(instance('eth0'))]);
    for (let i = 0; i < 200 && !daemon.output().stdout.includes('"started"'); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(daemon.output().stdout).toContain('"msg":"started"');
    // The probes a static pod uses, on status.listen's default 127.0.0.1:9901.
    expect((await lab().runOk(lab().host(1), ['curl', '-sS', 'http://127.0.0.1:9901/healthz'])).stdout).toBe('ok\n');
    expect((await lab().runOk(lab().host(1), ['curl', '-sS', 'http://127.0.0.1:9901/readyz'])).stdout).toBe('ready\n');
    daemon.kill('SIGTERM');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    expect(await lab().addresses(lab().host(1))).toHaveLength(1);
  });

  test('a load balancer whose port is taken: the error names the load balancer and the address, and no VIP moves', async () => {
    const host = lab().host(1);
    const squatter = lab().spawn(host, [process.execPath, '-e', "require('node:net').createServer().listen(8443, '0.0.0.0', () => console.log('listening'))"]);
    for (let i = 0; i < 200 && !squatter.output().stdout.includes('listening'); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    const config = `${instance('eth0')}loadBalancers:\n  - { name: apiserver, bind: 0.0.0.0:8443, backends: [{ name: m1, address: 198.18.0.1:6443 }] }\n`;
    const result = await lab().run(host, [process.execPath, TSVIP_BIN, 'start', '-c', configFile(config)]);
    squatter.kill('SIGKILL');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ERR_LB_BIND');
    expect(result.stderr).toContain('load balancer apiserver: cannot listen on 0.0.0.0:8443: EADDRINUSE');
    expect(await lab().addresses(host)).toHaveLength(1);
  });
});

