// The tooling that runs real keepalived and a VIP client in the lab (test/lab/keepalived.ts,
// vip-client.ts), checked on the two setups the interop tests and the failover benchmark use:
// (a) VRRPv2, PASS auth, unicast peers, 1 s; (b) VRRPv3, multicast, 100 ms. Two keepalived hosts and a
// client host; no timing assertions, the timeouts only catch hangs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useLab } from '../lab/index.js';
import type { LabHost } from '../lab/index.js';
import { keepalivedConfig, startKeepalived } from '../lab/keepalived.js';
import type { KeepalivedHandle, KeepalivedSpec } from '../lab/keepalived.js';
import { startListener, startProber, whoHoldsVip } from '../../src/lab/vip-client.js';
import type { ProbeAttempt, ProberHandle } from '../../src/lab/vip-client.js';

const VIP = '198.18.0.100';
const PORT = 6443;

interface Setup {
  readonly title: string;
  readonly spec: (self: LabHost, peer: LabHost, priority: number) => KeepalivedSpec;
}

const setups: readonly Setup[] = [
  {
    title: 'VRRPv2, PASS auth, unicast, 1 s',
    spec: (self, peer, priority) => ({
      name: 'VI_1', interface: 'eth0', vrid: 51, priority, version: 2, advertIntervalMs: 1000, authPass: 'k8s-vip',
      unicast: { source: self.address, peers: [peer.address] }, vips: [`${VIP}/24`],
    }),
  },
  {
    title: 'VRRPv3, multicast, 100 ms',
    spec: (_self, _peer, priority) => ({ name: 'VI_1', interface: 'eth0', vrid: 53, priority, version: 3, advertIntervalMs: 100, vips: [`${VIP}/24`] }),
  },
];

function answeredBy(name: string, count: number): (attempts: readonly ProbeAttempt[]) => boolean {
  return (attempts) => attempts.slice(-count).length === count && attempts.slice(-count).every((a) => a.ok && a.server === name);
}

test('keepalivedConfig writes v3 intervals in fractional seconds and PASS auth only where asked', () => {
  const v3 = keepalivedConfig({ name: 'VI_1', interface: 'eth0', vrid: 53, priority: 200, version: 3, advertIntervalMs: 100, vips: ['198.18.0.103/24'] });
  expect(v3).toMatch(/vrrp_version 3/);
  expect(v3).toMatch(/advert_int 0\.1\n/);
  expect(v3).not.toMatch(/authentication|unicast/);
  expect(() => keepalivedConfig({ name: 'VI_1', interface: 'eth0', vrid: 53, priority: 200, version: 2, advertIntervalMs: 100, vips: ['198.18.0.103/24'] })).toThrow(/whole seconds/);
});

describe.each(setups)('two keepalived hosts, $title', (setup) => {
  const lab = useLab({ hosts: 3 });
  let workDir = '';
  const daemons: KeepalivedHandle[] = [];
  let prober: ProberHandle | undefined;
  let master: KeepalivedHandle | undefined;

  /** The hosts holding the VIP, sorted, once they are `expected` or after 5 s (then the test shows who). */
  async function holdersOnceSettled(expected: readonly string[]): Promise<string[]> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const names = (await whoHoldsVip(lab(), VIP)).map((host) => host.name).sort();
      if (names.join() === expected.join() || Date.now() > deadline) return names;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'tsvip-keepalived-lab-'));
    const [h1, h2] = [lab().host(1), lab().host(2)];
    for (const host of [h1, h2]) await startListener(lab(), host, { port: PORT });
    daemons.push(await startKeepalived(lab(), h1, setup.spec(h1, h2, 150), { workDir }));
    daemons.push(await startKeepalived(lab(), h2, setup.spec(h2, h1, 100), { workDir }));
  });

  afterAll(async () => {
    await prober?.stop();
    for (const daemon of daemons) await daemon.stop('SIGKILL').catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  });

  test('elect exactly one master, which holds the VIP; the prober reaches it and names it', async () => {
    const first = await Promise.race(daemons.map((daemon) => daemon.waitForState('MASTER', { timeoutMs: 20_000 }).then(() => daemon)));
    master = first;
    // keepalived logs MASTER a moment before it adds the VIP.
    expect(await holdersOnceSettled([first.host.name])).toEqual([first.host.name]);
    const masters = daemons.filter((daemon) => daemon.stateChanges().some((change) => change.state === 'MASTER'));
    expect(masters.map((daemon) => daemon.host.name)).toEqual([first.host.name]);

    prober = await startProber(lab(), lab().host(3), { address: VIP, port: PORT });
    await prober.waitUntil(answeredBy(first.host.name, 20), { timeoutMs: 10_000, what: `20 answers from ${first.host.name}` });
  }, 60_000);

  test('SIGKILL kills the whole daemon; the other host takes the VIP and the prober names it; the killed host keeps its copy', async () => {
    if (master === undefined || prober === undefined) throw new Error('needs the election of the previous test');
    const killed = master;
    const survivor = daemons.find((daemon) => daemon !== killed);
    if (survivor === undefined) throw new Error('two daemons expected');
    expect(await killed.pids()).toHaveLength(2); // keepalived's parent and its VRRP child

    const exit = await killed.stop('SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
    expect(await killed.pids()).toEqual([]);

    await survivor.waitForState('MASTER', { timeoutMs: 20_000 });
    // The killed host's listener is still up, so the client only moves once the survivor's
    // gratuitous ARP has rewritten its neighbour entry for the VIP.
    await prober.waitUntil(answeredBy(survivor.host.name, 20), { timeoutMs: 20_000, what: `20 answers from ${survivor.host.name}` });
    const entry = (await lab().neighbours(lab().host(3))).find((neighbour) => neighbour.ip === VIP);
    expect(entry?.mac).toBe(survivor.host.mac);

    // Nothing ran to remove it: keepalived 2.2.7 killed with SIGKILL leaves the VIP on the interface.
    const both = [killed.host.name, survivor.host.name].sort();
    expect(await holdersOnceSettled(both)).toEqual(both);
  }, 60_000);
});
