// Published shapes converted and run beside the original keepalived in the lab (the fixtures in
// test/fixtures/convert, with their addresses and interface rendered for the lab): one master, and the
// trackers that convert carried over move the VIP as keepalived's do.
// - OpenShift-style: the health checks live in a vrrp_sync_group. The converted members carry them:
//   without them the converted host would lose the election it wins here.
// - kubeasz-style: keepalived tracks its balancer process (track_process, weight -60); the converted
//   host's balancer is tsvip itself, and the backends tracker with the same weight hands the VIP over
//   when its apiservers go away, and takes it back when they return.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { useLab, type LabHost } from '../lab/index.js';
import { startKeepalivedConfig } from '../lab/keepalived.js';
import { startApiserver } from '../../src/lab/apiserver.js';
import { runCommandOk } from '../../src/lab/command.js';
import { startTsvip, TSVIP_BIN, waitUntil } from '../../src/lab/tsvip-daemon.js';
import { waitForSoleHolder } from './vrrp-group.js';

const FIXTURES = 'test/fixtures/convert';

async function convert(files: { keepalived: string; haproxy?: string }): Promise<string> {
  const args = ['--keepalived', files.keepalived, ...(files.haproxy === undefined ? [] : ['--haproxy', files.haproxy])];
  const { stdout } = await runCommandOk([process.execPath, TSVIP_BIN, 'convert', ...args]);
  return stdout;
}

function keepalivedLog(keepalived: { process: { output(): { stdout: string; stderr: string } } }): string {
  const { stdout, stderr } = keepalived.process.output();
  return stdout + stderr;
}

describe('published keepalived configs, converted, beside the original keepalived', { timeout: 180_000 }, () => {
  const lab = useLab({ hosts: 3 });
  const dir = mkdtempSync(join(tmpdir(), 'tsvip-published-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("OpenShift-style sync group: the converted members carry the group's checks and win on them; keepalived takes both VIPs back", async () => {
    const [h1, h2] = [lab().host(1), lab().host(2)];
    const vips = ['198.18.0.105', '198.18.0.106'];
    // The group's checks: chk_ocp_lb (+20) and chk_ocp_both (+5). Here keepalived's chk_ocp_lb fails
    // (40 + 5) and the converted host's both pass (40 + 25).
    const render = (lbCheck: string): string =>
      readFileSync(`${FIXTURES}/openshift-dualstack/keepalived.conf`, 'utf8')
        .replaceAll('br-ex', 'eth0')
        .replace('192.168.111.5/32', `${vips[0]}/32`)
        .replace('192.168.111.6/32', `${vips[1]}/32`)
        .replace('/etc/keepalived/chk_ocp_script.sh', lbCheck)
        .replace('/usr/bin/curl -o /dev/null -kLfs https://localhost:9445/haproxy_ready', '/bin/true')
        .replace('/etc/keepalived/notify.sh API master', '/bin/true API master');
    const keepalivedText = render('/bin/false');
    const convertedFile = join(dir, 'openshift-h2.conf');
    writeFileSync(convertedFile, render('/bin/true'));
    const converted = await convert({ keepalived: convertedFile });
    expect(converted).toContain('of vrrp_sync_group ostest_API');

    const keepalived = await startKeepalivedConfig(lab(), h1, keepalivedText, { workDir: dir });
    const tsvip = startTsvip(lab(), h2, converted);
    // keepalived has settled on 45 (its chk_ocp_lb failing), and tsvip on 65.
    await waitUntil(() => (/Changing effective priority from 40 to 45/.test(keepalivedLog(keepalived)) ? true : undefined), 'keepalived at priority 45', 30_000).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; keepalived's log:\n${keepalivedLog(keepalived).slice(-3000)}`, { cause: error });
    });
    await waitUntil(() => (tsvip.logs().some((r) => r['priority'] === 65) ? true : undefined), 'tsvip at priority 65', 30_000);
    await waitForSoleHolder(lab(), [h1, h2], h2, 30_000, vips);

    tsvip.kill('SIGTERM');
    expect(await tsvip.exited).toEqual({ code: 0, signal: null });
    await waitForSoleHolder(lab(), [h1, h2], h1, 30_000, vips);
    await keepalived.stop('SIGTERM');
  });

  test('kubeasz-style track_process: the converted backends tracker, weight -60, gives the VIP to keepalived when the apiservers go and takes it back when they return', async () => {
    const [h1, h2, h3] = [lab().host(1), lab().host(2), lab().host(3)];
    const vip = '198.18.0.100';
    const render = (self: LabHost, peer: LabHost, priority: number): string =>
      readFileSync(`${FIXTURES}/kubeasz/keepalived.conf`, 'utf8')
        .replace('10.10.1.1\n', `${self.address}\n`)
        .replace('10.10.1.2\n', `${peer.address}\n`)
        .replace('10.10.1.250', vip)
        .replace('priority 120', `priority ${priority}`)
        // The lab's pace: a failover in seconds, not in Master_Down of 3 s adverts.
        .replace('advert_int 3', 'advert_int 1');
    // The balancer both sides front: one apiserver stand-in on h3.
    const haproxyText = readFileSync(`${FIXTURES}/kubeasz/haproxy.cfg`, 'utf8')
      .replace(/^\s+(log|chroot|user|group|daemon) .*\n|^\s+daemon\n/gm, '')
      .replaceAll('10.10.1.11', h3.address)
      .replace(/^\s+server 10\.10\.1\.1[23] .*\n/gm, '');
    const haproxyFile = join(dir, 'kubeasz-haproxy.cfg');
    writeFileSync(haproxyFile, haproxyText);
    const keepalivedFile = join(dir, 'kubeasz-h2.conf');
    writeFileSync(keepalivedFile, render(h2, h1, 100));
    const converted = await convert({ keepalived: keepalivedFile, haproxy: haproxyFile });
    expect(converted).toContain('type: backends');

    let apiserver = await startApiserver(lab(), h3, { port: 6443 });
    const keepalived = await startKeepalivedConfig(lab(), h1, render(h1, h2, 120), { workDir: dir });
    // keepalived's track_process cannot see processes from inside a network namespace (the kernel's
    // process connector answers only in the initial one), so here it runs as with its haproxy gone:
    // 120 - 60 = 60, against the converted host's 100 with its apiserver up.
    await waitUntil(() => (/Changing effective priority from 120 to 60/.test(keepalivedLog(keepalived)) ? true : undefined), 'keepalived at priority 60', 30_000).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; keepalived's log:\n${keepalivedLog(keepalived).slice(-3000)}`, { cause: error });
    });
    const tsvip = startTsvip(lab(), h2, converted);
    await waitForSoleHolder(lab(), [h1, h2], h2, 30_000, [vip]);

    // The apiservers gone: the converted backends tracker takes its 60 off (100 - 60 = 40 < 60).
    await apiserver.stop();
    await waitForSoleHolder(lab(), [h1, h2], h1, 60_000, [vip]);
    expect(tsvip.transitions().filter((t) => t.from === 'master' && t.to === 'backup').map((t) => t.priority)).toEqual([40]);
    // Back: 100 again, and the converted host preempts as keepalived would.
    apiserver = await startApiserver(lab(), h3, { port: 6443 });
    await waitForSoleHolder(lab(), [h1, h2], h2, 60_000, [vip]);

    tsvip.kill('SIGTERM');
    expect(await tsvip.exited).toEqual({ code: 0, signal: null });
    await keepalived.stop('SIGTERM');
    await apiserver.stop();
  });
});
