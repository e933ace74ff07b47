// The daemon with an IPv6 instance beside an IPv4 one, on FakeHost's scripted rtnetlink and sockets and
// a fake clock: the socket it opens, the source it waits for, the VIPs it adds and removes, the
// neighbour advertisements it sends, and the repairs it logs. The wire itself is covered by the e2e
// tests in namespaces (test/e2e/vrrp-ipv6.test.ts).
import { afterEach, describe, expect, test } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { decode, encode, VRRP_IPV6_MULTICAST_GROUP, VRRP_MULTICAST_GROUP } from '../../src/vrrp/packet.js';
import type { FakeVrrpSocket } from './fake-ports.js';
import { DaemonHarness, settle } from './daemon-harness.js';
import { freePort } from '../free-port.js';
import { runTsvip } from '../cli/run-cli.js';

const ETH0 = 2;
const LINK_LOCAL = 'fe80::1';
const PEER_LINK_LOCAL = 'fe80::2';
const VIP6 = '2001:2::100/128';
/** Master_Down at v3, 1 s, priority 100: 3 s plus a skew of 156/256 s. */
const PAST_MASTER_DOWN_MS = 3700;


async function dualStack(extra6 = ''): Promise<Config> {
  const port = await freePort();
  return loadConfigText(
    [
      'vrrp:',
      '  - { name: VI_4, interface: eth0, vrid: 51, version: 3, vips: [198.18.0.100/24] }',
      `  - { name: VI_6, interface: eth0, vrid: 51, version: 3, vips: ["2001:2:0:0::100"]${extra6} }`,
      `status: { listen: "[::1]:${port}" }`,
      '',
    ].join('\n'),
    'vip.yaml',
  ).config;
}

function advert6(source: string, priority: number) {
  const payload = encode({ version: 3, vrid: 51, priority, adverIntervalMs: 1000, addresses: ['2001:2::100'] }, { envelope: { source, destination: VRRP_IPV6_MULTICAST_GROUP } });
  return { source, destination: VRRP_IPV6_MULTICAST_GROUP, hopLimit: 255, ifindex: ETH0, payload };
}

class Harness extends DaemonHarness {
  constructor() {
    super({ addresses: { [ETH0]: ['198.18.0.1/24', '2001:2::1/64', `${LINK_LOCAL}/64`] } });
  }

  socket(family: 'ipv4' | 'ipv6'): FakeVrrpSocket {
    const socket = this.host.openSockets.find((candidate) => candidate.options.family === family);
    if (socket === undefined) throw new Error(`no open ${family} socket`);
    return socket;
  }

  announced(kind: 'garp' | 'na'): string[] {
    return this.host.announcers.filter((announcer) => announcer.kind === kind).flatMap((announcer) => announcer.announced);
  }

  get ipv6VipsOnEth0(): string[] {
    return this.host.rtnl.addressesOn(ETH0).filter((address) => address.startsWith('2001:2::1') && address !== '2001:2::1/64');
  }
}

let harness: Harness;

afterEach(async () => {
  await harness.daemon?.shutdown('test over');
});

describe('an IPv6 instance beside an IPv4 one with the same VRID', () => {
  test('opens an IPv6 socket bound to the link-local, becomes master, adds the VIP and sends NAs while the IPv4 instance sends ARP', async () => {
    harness = new Harness();
    const daemon = await harness.start(await dualStack());
    expect(harness.socket('ipv6').options).toEqual({ family: 'ipv6', interfaceName: 'eth0', ifindex: ETH0, multicast: true, sourceAddress: LINK_LOCAL });
    expect(harness.socket('ipv4').options).toMatchObject({ family: 'ipv4', sourceAddress: null });

    await harness.advance(PAST_MASTER_DOWN_MS);
    expect(daemon.instances.map((runtime) => [runtime.name, runtime.state])).toEqual([
      ['VI_4', 'master'],
      ['VI_6', 'master'],
    ]);
    expect(harness.ipv6VipsOnEth0).toEqual([VIP6]);
    // The default burst of 5, each instance through its own family's announcer.
    expect(harness.announced('na')).toEqual(Array(5).fill('2001:2::100'));
    expect(harness.announced('garp')).toEqual(Array(5).fill('198.18.0.100'));

    const last = harness.socket('ipv6').sent.at(-1);
    expect(last?.destination).toBe(VRRP_IPV6_MULTICAST_GROUP);
    const decoded = decode(last?.payload ?? new Uint8Array(), { source: LINK_LOCAL, destination: VRRP_IPV6_MULTICAST_GROUP });
    expect(decoded).toMatchObject({ ok: true, value: { version: 3, vrid: 51, priority: 100, addresses: ['2001:2::100'] } });
    expect(harness.socket('ipv4').sent.at(-1)?.destination).toBe(VRRP_MULTICAST_GROUP);
  });

  test('waits while the link-local is tentative, then sends from it', async () => {
    harness = new Harness();
    harness.host.rtnl.setIpv6Flags(ETH0, LINK_LOCAL, { tentative: true });
    const starting = harness.start(await dualStack());
    await harness.advance(500);
    expect(harness.host.openSockets.filter((socket) => socket.options.family === 'ipv6')).toEqual([]);
    expect(harness.logs.some((line) => line.msg === 'waiting for the source address to leave tentative (duplicate address detection)')).toBe(true);
    harness.host.rtnl.setIpv6Flags(ETH0, LINK_LOCAL, { tentative: false });
    await harness.advance(100);
    await starting;
    expect(harness.socket('ipv6').options.sourceAddress).toBe(LINK_LOCAL);
  });

  test('a link-local that stays tentative or failed DAD stops the start with a message naming it', async () => {
    harness = new Harness();
    harness.host.rtnl.setIpv6Flags(ETH0, LINK_LOCAL, { dadfailed: true });
    await expect(harness.start(await dualStack())).rejects.toMatchObject({ code: 'ERR_HOST_CHECK', message: 'fe80::1 on eth0 (instance VI_6) failed duplicate address detection: another host on the link has it' });
    harness.daemon = null;
  });

  test('a stale IPv6 VIP from a killed predecessor is removed before the election', async () => {
    harness = new Harness();
    await harness.host.rtnl.addAddress(ETH0, '2001:2::100/64');
    await harness.start(await dualStack());
    expect(harness.logs.filter((line) => line.code === 'STALE_VIP_REMOVED').map((line) => line['vip'])).toEqual(['2001:2::100/64']);
    expect(harness.ipv6VipsOnEth0).toEqual([]);
  });

  test('equal priority: the higher link-local wins the tie and the lower one steps down', async () => {
    harness = new Harness();
    const daemon = await harness.start(await dualStack());
    await harness.advance(PAST_MASTER_DOWN_MS);
    harness.socket('ipv6').deliver(advert6(PEER_LINK_LOCAL, 100));
    await settle();
    expect(daemon.instances.find((runtime) => runtime.name === 'VI_6')?.describe()).toMatchObject({ state: 'backup', masterAddress: PEER_LINK_LOCAL, ownAddress: LINK_LOCAL });
    expect(harness.ipv6VipsOnEth0).toEqual([]);
    // The IPv4 router with the same VRID is another router: it stays master.
    expect(daemon.instances.find((runtime) => runtime.name === 'VI_4')?.state).toBe('master');
  });

  test('in multicast mode an advert that crossed a router (hop limit below 255) is dropped', async () => {
    harness = new Harness();
    const daemon = await harness.start(await dualStack());
    harness.socket('ipv6').deliver({ ...advert6(PEER_LINK_LOCAL, 200), hopLimit: 64 });
    await settle();
    expect(daemon.instances.find((runtime) => runtime.name === 'VI_6')?.describe().counters.drops).toEqual({ bad_ttl: 1 });
  });

  test('a VIP the kernel shows dadfailed is added again without DAD, announced, and the repair logged', async () => {
    harness = new Harness();
    await harness.start(await dualStack());
    await harness.advance(PAST_MASTER_DOWN_MS);
    const before = harness.announced('na').length;
    harness.host.rtnl.setIpv6Flags(ETH0, '2001:2::100', { dadfailed: true, nodad: false });
    await settle();
    expect(harness.logs.filter((line) => line.code === 'VIP_DAD_STATE').map((line) => [line['vip'], line['state']])).toEqual([[VIP6, 'dadfailed']]);
    expect(harness.host.rtnl.requests.slice(-2)).toEqual([`delete ${ETH0} ${VIP6}`, `add ${ETH0} ${VIP6}`]);
    expect((await harness.host.rtnl.listIpv6Addresses(ETH0)).find((entry) => entry.address === '2001:2::100')?.flags).toMatchObject({ dadfailed: false, nodad: true });
    expect(harness.announced('na').length).toBeGreaterThan(before);
  });

  test('an IPv6 VIP someone else deletes from a master is put back and announced', async () => {
    harness = new Harness();
    await harness.start(await dualStack());
    await harness.advance(PAST_MASTER_DOWN_MS);
    const before = harness.announced('na').length;
    harness.host.rtnl.removeExternally(ETH0, VIP6);
    await settle();
    expect(harness.logs.filter((line) => line.code === 'VIP_DELETED_EXTERNALLY').map((line) => line['vip'])).toEqual(['2001:2::100']);
    expect(harness.ipv6VipsOnEth0).toEqual([VIP6]);
    expect(harness.announced('na').length).toBeGreaterThan(before);
  });

  test('unicast: adverts go to each peer from unicast.source, and a peer at hop limit 64 is heard (keepalived sends 64)', async () => {
    harness = new Harness();
    const daemon = await harness.start(await dualStack(', unicast: { source: "2001:2::1", peers: ["2001:2::2"] }'));
    expect(harness.socket('ipv6').options).toMatchObject({ multicast: false, sourceAddress: '2001:2::1' });
    await harness.advance(PAST_MASTER_DOWN_MS);
    expect(harness.socket('ipv6').sent.at(-1)?.destination).toBe('2001:2::2');
    const payload = encode({ version: 3, vrid: 51, priority: 200, adverIntervalMs: 1000, addresses: ['2001:2::100'] }, { envelope: { source: '2001:2::2', destination: '2001:2::1' } });
    harness.socket('ipv6').deliver({ source: '2001:2::2', destination: '2001:2::1', hopLimit: 64, ifindex: ETH0, payload });
    await settle();
    expect(daemon.instances.find((runtime) => runtime.name === 'VI_6')?.describe()).toMatchObject({ state: 'backup', masterAddress: '2001:2::2' });
  });
});

describe('the status server of a dual-stack daemon on status.listen "[::1]:PORT"', () => {
  test('`tsvip status --url http://[::1]:PORT` and /metrics there show the IPv6 instance: its link-local, its master\'s, its VIP', async () => {
    harness = new Harness();
    const config = await dualStack();
    await harness.start(config);
    await harness.advance(PAST_MASTER_DOWN_MS);
    harness.socket('ipv6').deliver(advert6(PEER_LINK_LOCAL, 200));
    await settle();
    expect(config.status.listen).toMatch(/^\[::1\]:\d+$/);
    const url = `http://${config.status.listen}`;

    const result = await runTsvip(['status', '--url', url]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^tsvip \S+ on \S+ \(198\.18\.0\.1, fe80::1\), pid \d+, /);
    expect(lines).toContainEqual(expect.stringMatching(/^VI_4 +MASTER +100 +198\.18\.0\.1 +198\.18\.0\.100\/24 /));
    expect(lines).toContainEqual(expect.stringMatching(/^VI_6 +BACKUP +100 +fe80::2 +2001:2::100\/128 /));

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics.split('\n')).toEqual(expect.arrayContaining(['tsvip_vrrp_instance_state{vrrp_instance="VI_6",state="backup"} 1', 'tsvip_vrrp_adverts_received_total{vrrp_instance="VI_6"} 1']));
  });
});
