// VRRPv3 over IPv6 on a real wire between lab hosts (RFC 5798 5.1.2): what tsvip's raw IPv6 socket
// sends and what it reports on receive. A raw IPv6 socket gives no IPv6 header, so the source comes
// from recvmsg's sender address and the destination, hop limit and interface from its control
// messages; tcpdump on the receiver checks the wire itself. Hosts get 2001:2::N/64 (nodad) and wait
// for their link-locals to leave tentative, as VRRP over IPv6 is sent from the link-local.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { useLab, type Lab, type LabHost } from '../lab/index.js';
import { requireTool } from '../lab/system-tools.js';
import { waitUntil } from '../../src/lab/tsvip-daemon.js';
import type { SpawnedProcess } from '../../src/lab/spawned-process.js';
import { decode, encode, type AdvertV3 } from '../../src/vrrp/packet.js';

const PROBE = fileURLToPath(new URL('./probes/vrrp-socket-ipv6.mjs', import.meta.url));
const GROUP = 'ff02::12';

interface Received {
  source: string;
  destination: string;
  hopLimit: number;
  ifindex: number;
  payload: string;
}

interface HostIpv6 {
  host: LabHost;
  global: string;
  linkLocal: string;
  ifindex: number;
}

/** Hang bound: what the tests wait for takes milliseconds. */
const HANG_MS = 10_000;

/** The lab's poll (waitUntil) with this file's hang bound. */
const waitFor = <T>(read: () => T | undefined | Promise<T | undefined>, what: string, limitMs = HANG_MS): Promise<T> => waitUntil(read, what, limitMs);

/** `ip -j` also lists links with no address of the family asked for, as empty objects. */
interface AddressInfo {
  family?: string;
  local?: string;
  scope?: string;
  tentative?: boolean;
  dadfailed?: boolean;
}

/** 2001:2::N/64 without DAD, then the link-local once it has left tentative (bind refuses a tentative one). */
async function addIpv6(lab: Lab, host: LabHost, n: number): Promise<HostIpv6> {
  const global = `2001:2::${n}`;
  await lab.runOk(host, ['ip', 'addr', 'add', `${global}/64`, 'dev', host.iface, 'nodad']);
  const ifindex = Number((await lab.runOk(host, ['cat', `/sys/class/net/${host.iface}/ifindex`])).stdout.trim());
  const linkLocal = await waitFor(async () => {
    const { stdout } = await lab.runOk(host, ['ip', '-j', '-6', 'addr', 'show', 'dev', host.iface, 'scope', 'link']);
    const addresses = (JSON.parse(stdout) as { addr_info: AddressInfo[] }[]).flatMap((link) => link.addr_info);
    return addresses.find((a) => a.family === 'inet6' && a.local?.startsWith('fe80:') === true && a.tentative !== true && a.dadfailed !== true)?.local;
  }, `the link-local address of ${host.name} to leave tentative`);
  return { host, global, linkLocal, ifindex };
}

function packets(process: SpawnedProcess): Received[] {
  return process
    .output()
    .stdout.split('\n')
    .filter((line) => line.includes('"payload"'))
    .map((line) => JSON.parse(line) as Received);
}

async function openVrrp(lab: Lab, host: LabHost, mode: 'multicast' | 'unicast', source: string, iface = host.iface): Promise<SpawnedProcess> {
  const socket = lab.spawn(host, [process.execPath, PROBE, 'vrrp', iface, mode, source], { stdin: 'pipe' });
  await waitFor(() => (socket.output().stdout.includes('listening') ? true : undefined), `the VRRP socket on ${host.name} to open (stderr: ${socket.output().stderr})`);
  return socket;
}

/** Sends `count` copies and waits until the probe says they are out. */
async function send(socket: SpawnedProcess, destination: string, payload: Buffer, count: number): Promise<void> {
  const before = socket.output().stdout.split('"sent"').length;
  socket.child.stdin?.write(`${destination} ${payload.toString('hex')} ${count}\n`);
  await waitFor(() => (socket.output().stdout.split('"sent"').length > before ? true : undefined), `the sends to ${destination}`);
}

function advert(vrid: number, envelope: { source: string; destination: string }): { value: AdvertV3; payload: Buffer } {
  const value: AdvertV3 = { version: 3, vrid, priority: 100, adverIntervalMs: 100, addresses: ['2001:2::100'] };
  return { value, payload: Buffer.from(encode(value, { envelope })) };
}

describe('the IPv6 VRRP socket between lab hosts', () => {
  const lab = useLab({ hosts: 2 });
  let a: HostIpv6;
  let b: HostIpv6;

  beforeAll(async () => {
    a = await addIpv6(lab(), lab().host(1), 1);
    b = await addIpv6(lab(), lab().host(2), 2);
  });

  test('the kernel leaves a raw protocol-112 socket\'s checksum alone by default (IPV6_CHECKSUM -1), loops multicast back and sends hop limit 1 to multicast', async () => {
    const { stdout } = await lab().runOk(a.host, [process.execPath, PROBE, 'defaults']);
    expect(JSON.parse(stdout)).toEqual({ checksum: -1, multicastLoop: 1, multicastHops: 1, unicastHops: 64 });
  });

  test('multicast: ff02::12 from the link-local, hop limit 255, the right interface, the advert intact with its pseudo-header checksum; tcpdump sees the same', async () => {
    const tcpdumpPath = requireTool('tcpdump', 'tcpdump');
    const capture = lab().spawn(b.host, [tcpdumpPath, '-i', b.host.iface, '-n', '-l', '-v', '-U', 'ip6 proto 112']);
    await waitFor(() => (capture.output().stderr.includes('listening on') ? true : undefined), `tcpdump on ${b.host.name} to start (stderr: ${capture.output().stderr})`);
    const receiver = await openVrrp(lab(), b.host, 'multicast', b.linkLocal);
    const sender = await openVrrp(lab(), a.host, 'multicast', a.linkLocal);
    const { value, payload } = advert(61, { source: a.linkLocal, destination: GROUP });
    await send(sender, GROUP, payload, 3);
    const packet = await waitFor(() => packets(receiver)[0], `a multicast advert at ${b.host.name}`);

    expect(packet).toEqual({ source: a.linkLocal, destination: GROUP, hopLimit: 255, ifindex: b.ifindex, payload: payload.toString('hex') });
    // The bytes arrive as the codec wrote them: the kernel neither rewrote the checksum on send nor refused it on receive.
    expect(decode(Buffer.from(packet.payload, 'hex'), { source: packet.source, destination: packet.destination })).toEqual({ ok: true, v3Checksum: 'pseudoHeader', value });
    const line = await waitFor(() => capture.output().stdout.split('\n').find((l) => l.includes(`${a.linkLocal} > ${GROUP}`)), 'the advert in tcpdump\'s output');
    expect(line).toMatch(/\bhlim 255\b/);
    expect(line).toMatch(/\bclass 0xc0\b/);
    expect(line).toContain('next-header VRRP (112)');
    capture.kill('SIGINT');
    receiver.kill('SIGTERM');
    sender.kill('SIGTERM');
  });

  test('unicast from a configured global source to a peer\'s global address, hop limit 255', async () => {
    const receiver = await openVrrp(lab(), b.host, 'unicast', b.global);
    const sender = await openVrrp(lab(), a.host, 'unicast', a.global);
    const { value, payload } = advert(62, { source: a.global, destination: b.global });
    await send(sender, b.global, payload, 3);
    const packet = await waitFor(() => packets(receiver)[0], `a unicast advert at ${b.host.name}`);

    expect(packet).toEqual({ source: a.global, destination: b.global, hopLimit: 255, ifindex: b.ifindex, payload: payload.toString('hex') });
    expect(decode(Buffer.from(packet.payload, 'hex'), { source: packet.source, destination: packet.destination })).toEqual({ ok: true, v3Checksum: 'pseudoHeader', value });
    receiver.kill('SIGTERM');
    sender.kill('SIGTERM');
  });

  test('a socket bound to its source hears unicast to that address only (and its groups); an unbound one hears every address of the host', async () => {
    await lab().runOk(b.host, ['ip', 'addr', 'add', '2001:2::12/64', 'dev', b.host.iface, 'nodad']);
    const bound = await openVrrp(lab(), b.host, 'unicast', b.global);
    const unbound = await openVrrp(lab(), b.host, 'unicast', '-');
    const sender = await openVrrp(lab(), a.host, 'unicast', a.global);
    await send(sender, '2001:2::12', advert(65, { source: a.global, destination: '2001:2::12' }).payload, 1);
    await waitFor(() => packets(unbound).find((p) => p.destination === '2001:2::12'), `the advert to 2001:2::12 at ${b.host.name}`);
    // The kernel queues a datagram on every matching raw socket at once; so once the unbound socket has
    // it, the bound one would have had it queued before the next advert was even sent.
    await send(sender, b.global, advert(65, { source: a.global, destination: b.global }).payload, 1);
    await waitFor(() => packets(bound).find((p) => p.destination === b.global), `the advert to ${b.global} at ${b.host.name}`);

    expect(packets(bound).map((p) => p.destination)).toEqual([b.global]);
    expect(packets(unbound).map((p) => p.destination)).toEqual(['2001:2::12', b.global]);
    for (const socket of [bound, unbound, sender]) socket.kill('SIGTERM');
  });

  test('multicast loop is off: a host hears the other\'s advert but never its own', async () => {
    const socketA = await openVrrp(lab(), a.host, 'multicast', a.linkLocal);
    const socketB = await openVrrp(lab(), b.host, 'multicast', b.linkLocal);
    await send(socketA, GROUP, advert(63, { source: a.linkLocal, destination: GROUP }).payload, 3);
    await waitFor(() => packets(socketB).find((p) => p.source === a.linkLocal), `A's advert at ${b.host.name}`);
    // A looped copy would be queued on A's socket at send time, before B's reply could arrive; so once
    // B's reply is read, anything A sent itself would have been read before it.
    await send(socketB, GROUP, advert(63, { source: b.linkLocal, destination: GROUP }).payload, 1);
    await waitFor(() => packets(socketA).find((p) => p.source === b.linkLocal), `B's advert at ${a.host.name}`);

    expect(packets(socketA).filter((p) => p.source === a.linkLocal)).toEqual([]);
    expect(packets(socketB).filter((p) => p.source === b.linkLocal)).toEqual([]);
    socketA.kill('SIGTERM');
    socketB.kill('SIGTERM');
  });

  test('a hop limit other than 255 is reported as it arrived (64 here), so the receive filter can drop it; the kernel does not check the checksum either', async () => {
    const receiver = await openVrrp(lab(), b.host, 'multicast', b.linkLocal);
    const good = advert(64, { source: a.linkLocal, destination: GROUP }).payload;
    // A wrong checksum: only the codec can tell, because IPV6_CHECKSUM is off.
    const corrupted = Buffer.from(good);
    corrupted.writeUInt16BE(corrupted.readUInt16BE(6) ^ 0xffff, 6);
    for (const payload of [good, corrupted]) await lab().runOk(a.host, [process.execPath, PROBE, 'plain', a.host.iface, '64', GROUP, payload.toString('hex'), '1']);
    await waitFor(() => (packets(receiver).length >= 2 ? true : undefined), `both adverts at ${b.host.name}`);

    const [first, second] = packets(receiver);
    expect(first).toEqual({ source: a.linkLocal, destination: GROUP, hopLimit: 64, ifindex: b.ifindex, payload: good.toString('hex') });
    expect(second).toMatchObject({ hopLimit: 64, payload: corrupted.toString('hex') });
    expect(decode(corrupted, { source: a.linkLocal, destination: GROUP })).toMatchObject({ ok: false, reason: 'bad_checksum' });
    receiver.kill('SIGTERM');
  });

  test('a source the interface holds only as tentative cannot be bound: ERR_VRRP_TRANSPORT, caused by bind failing with EADDRNOTAVAIL', async () => {
    // On a link that is down (a veth pair inside the host, never set up), DAD never runs, so the address stays tentative for as long as the test needs.
    await lab().runOk(a.host, ['ip', 'link', 'add', 'tent0', 'type', 'veth', 'peer', 'name', 'tent1']);
    await lab().runOk(a.host, ['ip', 'addr', 'add', 'fe80::99/64', 'dev', 'tent0']);
    const { stdout } = await lab().runOk(a.host, ['ip', '-j', '-6', 'addr', 'show', 'dev', 'tent0']);
    expect((JSON.parse(stdout) as { addr_info: AddressInfo[] }[]).flatMap((link) => link.addr_info)).toContainEqual(expect.objectContaining({ local: 'fe80::99', tentative: true }));
    const result = await lab().run(a.host, [process.execPath, PROBE, 'vrrp', 'tent0', 'unicast', 'fe80::99']);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'ERR_VRRP_TRANSPORT', cause: { code: 'ERR_SOCKET_CALL', call: 'bind', errno: 'EADDRNOTAVAIL' } } });
    // The same down link with an address added nodad (never tentative): bound, so tentative was the reason.
    await lab().runOk(a.host, ['ip', 'addr', 'add', 'fe80::98/64', 'dev', 'tent0', 'nodad']);
    const bound = await openVrrp(lab(), a.host, 'unicast', 'fe80::98', 'tent0');
    bound.kill('SIGTERM');
  });
});
