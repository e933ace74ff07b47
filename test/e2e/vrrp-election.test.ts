// Three tsvip hosts and a client in namespaces: one VIP holder in
// every mode; kill -9 and SIGTERM of the master hand the VIP over and the client follows the new MAC;
// preempt takes it back, nopreempt does not.
import { afterEach, describe, expect, test } from 'vitest';
import { useLab } from '../lab/index.js';
import { waitUntil } from '../../src/lab/tsvip-daemon.js';
import { clientMacForVip, clientNeighbourMac, Group, vipHolders, waitForSoleHolder, type GroupOptions } from './vrrp-group.js';
import { waitForAdverts } from './instance-counters.js';

const MODES: (GroupOptions & { title: string })[] = [
  { title: 'v2 multicast, 1 s', version: 2, advertInterval: '1s', mode: 'multicast' },
  { title: 'v2 unicast with PASS auth, 1 s', version: 2, advertInterval: '1s', mode: 'unicast', authPass: 'k8s-vip' },
  { title: 'v3 multicast, 100 ms', version: 3, advertInterval: '100ms', mode: 'multicast' },
  { title: 'v3 unicast, 100 ms', version: 3, advertInterval: '100ms', mode: 'unicast' },
];

describe('three tsvip hosts elect one VIP holder', { timeout: 90_000 }, () => {
  const lab = useLab({ hosts: 4 });
  let group: Group | undefined;
  afterEach(async () => {
    await group?.stopAll();
    group = undefined;
  });

  test.each(MODES)('$title: exactly one holds the VIP; kill -9 of the master moves it and the client follows the new MAC', async (mode) => {
    const [h1, h2, h3, client] = [lab().host(1), lab().host(2), lab().host(3), lab().host(4)];
    const routers = [h1, h2, h3];
    group = new Group(lab(), routers, mode);
    group.start(h1, { priority: 150 });
    group.start(h2, { priority: 100 });
    group.start(h3, { priority: 50 });

    await group.daemon(h1).waitForState('master');
    await waitForSoleHolder(lab(), routers, h1);
    await group.daemon(h2).waitForState('backup');
    await group.daemon(h3).waitForState('backup');
    expect(await clientMacForVip(lab(), client)).toBe(h1.mac);

    group.daemon(h1).kill('SIGKILL');
    await group.daemon(h1).exited;
    await group.daemon(h2).waitForState('master');
    // h3's Master_Down runs out only (206 - 156)/256 of an interval after h2's: 19 ms at 100 ms, which
    // two CPUs shared by three daemons can miss (the RFC's skew, keepalived's too). Whether h3 was
    // master for that moment or not, h2's advert makes it a backup, and the VIP ends on h1 and h2 only.
    await group.daemon(h3).waitForState('backup');
    // A killed daemon cannot take its VIP off: h1 still has it, but h2's gratuitous ARP moves the
    // client without the client asking. (The address follows the state-change log line.)
    await waitUntil(async () => ((await vipHolders(lab(), routers)).map((host) => host.name).join() === 'h1,h2' ? true : undefined), 'h1 and h2 to hold the VIP');
    await waitUntil(async () => ((await clientNeighbourMac(lab(), client)) === h2.mac ? true : undefined), "the client's ARP entry to point to h2");
  });
});

describe('handing the VIP over (v2 multicast, 1 s)', { timeout: 90_000 }, () => {
  const lab = useLab({ hosts: 4 });
  let group: Group | undefined;
  afterEach(async () => {
    await group?.stopAll();
    group = undefined;
  });

  test('SIGTERM: the master sends priority 0, removes its VIP and exits 0; the next backup takes over and the client follows', async () => {
    const [h1, h2, h3, client] = [lab().host(1), lab().host(2), lab().host(3), lab().host(4)];
    group = new Group(lab(), [h1, h2, h3], { version: 2, advertInterval: '1s', mode: 'multicast' });
    group.start(h1, { priority: 150 });
    group.start(h2, { priority: 100 });
    group.start(h3, { priority: 50 });
    await group.daemon(h1).waitForState('master');
    await group.daemon(h2).waitForState('backup');
    expect(await clientMacForVip(lab(), client)).toBe(h1.mac);

    group.daemon(h1).kill('SIGTERM');
    expect(await group.daemon(h1).exited).toEqual({ code: 0, signal: null });
    await group.daemon(h2).waitForState('master');
    await waitForSoleHolder(lab(), [h1, h2, h3], h2);
    expect(group.daemon(h1).transitions().at(-1)).toMatchObject({ from: 'master', to: 'initialize', reason: 'shutdown' });
    await waitUntil(async () => ((await clientNeighbourMac(lab(), client)) === h2.mac ? true : undefined), "the client's ARP entry to point to h2");
    expect(group.daemon(h3).state()).toBe('backup');
  });

  test('preempt: a returning higher-priority host takes the VIP back', async () => {
    const [h1, h2, h3] = [lab().host(1), lab().host(2), lab().host(3)];
    group = new Group(lab(), [h1, h2, h3], { version: 2, advertInterval: '1s', mode: 'multicast' });
    group.start(h2, { priority: 100 });
    await group.daemon(h2).waitForState('master');
    const returning = group.start(h1, { priority: 150 });
    await returning.waitForState('master');
    await waitForSoleHolder(lab(), [h1, h2, h3], h1);
    expect(group.daemon(h2).transitions().at(-1)).toMatchObject({ from: 'master', to: 'backup', reason: 'higher priority advert' });
  });

  test('nopreempt (preempt: false): a returning higher-priority host stays backup', async () => {
    const [h1, h2, h3] = [lab().host(1), lab().host(2), lab().host(3)];
    group = new Group(lab(), [h1, h2, h3], { version: 2, advertInterval: '1s', mode: 'multicast', preempt: false });
    group.start(h2, { priority: 100 });
    await group.daemon(h2).waitForState('master');
    const returning = group.start(h1, { priority: 150 });
    await returning.waitForState('backup');
    // Adverts of the lower-priority master heard over two Master_Down spans (3.4 s at priority 150):
    // a preempting host would have taken over at the first.
    await waitForAdverts(lab(), h1, 'advertsReceived', 8);
    expect(returning.state()).toBe('backup');
    expect(group.daemon(h2).state()).toBe('master');
    await waitForSoleHolder(lab(), [h1, h2, h3], h2);
  });
});
