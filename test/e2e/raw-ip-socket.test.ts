// The raw IP socket VRRP runs on (src/sys/raw-ip-socket.ts), between lab hosts: recvmsg hands back the
// datagram with its IPv4 header, the sender's address and the control messages asked for (here
// IP_PKTINFO: the interface and the header's destination), which IPv6's hop-limit check relies on.
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { useLab } from '../lab/index.js';
import type { SpawnedProcess } from '../../src/lab/spawned-process.js';
import { encode, type Advertisement } from '../../src/vrrp/packet.js';

const RAW_PROBE = fileURLToPath(new URL('./probes/raw-ip-socket.mjs', import.meta.url));
const VRRP_PROBE = fileURLToPath(new URL('./probes/vrrp-socket.mjs', import.meta.url));
const IPPROTO_IP = 0;
const IP_PKTINFO = 8;

interface Received {
  data: string;
  truncated: boolean;
  source: string;
  controlMessages: { level: number; type: number; data: string }[];
}

async function waitFor<T>(read: () => T | undefined, what: string, limitMs = 10_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() - start > limitMs) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function received(listener: SpawnedProcess): Received[] {
  return listener
    .output()
    .stdout.split('\n')
    .filter((line) => line.includes('"data"'))
    .map((line) => JSON.parse(line) as Received);
}

function hexAddress(address: string): string {
  return Buffer.from(address.split('.').map(Number)).toString('hex');
}

describe('the raw IP socket between lab hosts', () => {
  const lab = useLab({ hosts: 2 });

  test('recvmsg: the datagram from its IPv4 header on, the sender as sockaddr_in, IP_PKTINFO naming the interface and destination', async () => {
    const [h1, h2] = [lab().host(1), lab().host(2)];
    const ifindex = Number((await lab().runOk(h2, ['cat', `/sys/class/net/${h2.iface}/ifindex`])).stdout.trim());
    const listener = lab().spawn(h2, [process.execPath, RAW_PROBE, 'listen', h2.iface]);
    await waitFor(() => (listener.output().stdout.includes('listening') ? true : undefined), 'the listener to start');
    const advert: Advertisement = { version: 3, vrid: 53, priority: 100, adverIntervalMs: 100, addresses: ['198.18.0.100'] };
    const payload = Buffer.from(encode(advert, { envelope: { source: h1.address, destination: h2.address } }));
    await lab().runOk(h1, [process.execPath, VRRP_PROBE, 'send', h1.iface, h2.address, '-', payload.toString('hex'), '3']);
    const message = await waitFor(() => received(listener)[0], 'a datagram at host 2');
    listener.kill('SIGTERM');

    const datagram = Buffer.from(message.data, 'hex');
    expect(datagram.length).toBe(20 + payload.length);
    expect(datagram[9]).toBe(112);
    expect(datagram.subarray(12, 16).toString('hex')).toBe(hexAddress(h1.address));
    expect(datagram.subarray(20).toString('hex')).toBe(payload.toString('hex'));
    expect(message.truncated).toBe(false);
    // struct sockaddr_in: family 2 (little-endian), port 0, the sender's address, 8 bytes of zero.
    expect(message.source).toBe(`02000000${hexAddress(h1.address)}0000000000000000`);
    // struct in_pktinfo { int ifindex; in_addr spec_dst; in_addr addr; }: addr is the header's destination.
    expect(message.controlMessages).toHaveLength(1);
    const [pktinfo] = message.controlMessages;
    expect(pktinfo).toMatchObject({ level: IPPROTO_IP, type: IP_PKTINFO });
    const info = Buffer.from(pktinfo?.data ?? '', 'hex');
    expect(info.readInt32LE(0)).toBe(ifindex);
    expect(info.subarray(8, 12).toString('hex')).toBe(hexAddress(h2.address));
  });
});
