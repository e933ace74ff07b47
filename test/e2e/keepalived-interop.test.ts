// tsvip and real keepalived (the Debian package) in one VRRP group: in both roles
// they agree on one master, and when either side's master dies the other side takes over.
// (a) v2, PASS auth, unicast peers, nopreempt; (b) v3 multicast at 100 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { useLab, type LabHost } from '../lab/index.js';
import { startKeepalived, type KeepalivedHandle, type KeepalivedSpec } from '../lab/keepalived.js';
import { waitUntil } from '../../src/lab/tsvip-daemon.js';
import { clientMacForVip, clientNeighbourMac, Group, VIP_CIDR, VRID, vipHolders, waitForSoleHolder, type GroupOptions } from './vrrp-group.js';
import { waitForAdverts } from './instance-counters.js';

interface Flavour {
  title: string;
  group: GroupOptions;
  keepalived: (host: LabHost, peers: readonly LabHost[], priority: number) => KeepalivedSpec;
}

const FLAVOURS: Flavour[] = [
  {
    title: '(a) v2, PASS auth, unicast peers, nopreempt',
    group: { version: 2, advertInterval: '1s', mode: 'unicast', authPass: 'k8s-vip', preempt: false },
    keepalived: (host, peers, priority) => ({
      name: 'VI_1',
      interface: 'eth0',
      vrid: VRID,
      priority,
      version: 2,
      advertIntervalMs: 1000,
      nopreempt: true,
      authPass: 'k8s-vip',
      unicast: { source: host.address, peers: peers.filter((peer) => peer !== host).map((peer) => peer.address) },
      vips: [VIP_CIDR],
    }),
  },
  {
    title: '(b) v3 multicast, 100 ms',
    group: { version: 3, advertInterval: '100ms', mode: 'multicast' },
    keepalived: (_host, _peers, priority) => ({ name: 'VI_1', interface: 'eth0', vrid: VRID, priority, version: 3, advertIntervalMs: 100, vips: [VIP_CIDR] }),
  },
];

describe.each(FLAVOURS)('tsvip and keepalived in one group: $title', { timeout: 120_000 }, (flavour) => {
  const lab = useLab({ hosts: 3 });
  const workDir = mkdtempSync(join(tmpdir(), 'tsvip-interop-'));
  let group: Group | undefined;
  let keepalived: KeepalivedHandle | undefined;
  afterEach(async () => {
    await keepalived?.stop('SIGKILL');
    keepalived = undefined;
    await group?.stopAll();
    group = undefined;
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  test('keepalived master, tsvip backup: they agree; kill -9 of keepalived and tsvip takes over', async () => {
    const [h1, h2, client] = [lab().host(1), lab().host(2), lab().host(3)];
    const routers = [h1, h2];
    keepalived = await startKeepalived(lab(), h1, flavour.keepalived(h1, routers, 150), { workDir });
    await keepalived.waitForState('MASTER', { timeoutMs: 20_000 });
    group = new Group(lab(), routers, flavour.group);
    const tsvip = group.start(h2, { priority: 100 });
    await tsvip.waitForState('backup');
    // tsvip accepts keepalived's adverts (one it did not believe would be dropped, not counted), more
    // of them than Master_Down spans, and stays backup.
    await waitForAdverts(lab(), h2, 'advertsReceived', 5);
    expect(tsvip.state()).toBe('backup');
    expect(keepalived.stateChanges().map((change) => change.state)).toEqual(['BACKUP', 'MASTER']);
    await waitForSoleHolder(lab(), routers, h1);
    expect(await clientMacForVip(lab(), client)).toBe(h1.mac);

    await keepalived.stop('SIGKILL');
    await tsvip.waitForState('master');
    await waitUntil(async () => ((await clientNeighbourMac(lab(), client)) === h2.mac ? true : undefined), "the client's ARP entry to point to tsvip's host");
  });

  test('tsvip master, keepalived backup: they agree; kill -9 of tsvip and keepalived takes over; tsvip returns (nopreempt stays backup, preempt takes over)', async () => {
    const [h1, h2, client] = [lab().host(1), lab().host(2), lab().host(3)];
    const routers = [h1, h2];
    group = new Group(lab(), routers, flavour.group);
    const tsvip = group.start(h1, { priority: 150 });
    await tsvip.waitForState('master');
    keepalived = await startKeepalived(lab(), h2, flavour.keepalived(h2, routers, 100), { workDir });
    await keepalived.waitForState('BACKUP', { timeoutMs: 20_000 });
    // More of tsvip's adverts than keepalived's Master_Down spans have gone out: keepalived stays backup.
    await waitForAdverts(lab(), h1, 'advertsSent', 5);
    expect(keepalived.stateChanges().map((change) => change.state)).toEqual(['BACKUP']);
    expect(tsvip.transitions().map((t) => t.to)).toEqual(['backup', 'master']);
    await waitForSoleHolder(lab(), routers, h1);
    expect(await clientMacForVip(lab(), client)).toBe(h1.mac);

    tsvip.kill('SIGKILL');
    await tsvip.exited;
    await keepalived.waitForState('MASTER', { timeoutMs: 20_000 });
    await waitUntil(async () => ((await clientNeighbourMac(lab(), client)) === h2.mac ? true : undefined), "the client's ARP entry to point to keepalived's host");
    await waitUntil(async () => ((await vipHolders(lab(), routers)).includes(h2) ? true : undefined), 'keepalived to put the VIP on h2');

    // tsvip comes back with the higher priority: it clears the VIP its killed predecessor left, then
    // nopreempt leaves keepalived master, and preempt takes the VIP back from keepalived.
    const returning = group.start(h1, { priority: 150 });
    if (flavour.group.preempt === false) {
      await returning.waitForState('backup');
      await waitForAdverts(lab(), h1, 'advertsReceived', 5);
      expect(returning.state()).toBe('backup');
      expect(keepalived.stateChanges().at(-1)?.state).toBe('MASTER');
      await waitForSoleHolder(lab(), routers, h2);
    } else {
      await returning.waitForState('master');
      await waitUntil(() => (keepalived?.stateChanges().at(-1)?.state === 'BACKUP' ? true : undefined), 'keepalived to step down');
      await waitForSoleHolder(lab(), routers, h1);
    }
  });
});
