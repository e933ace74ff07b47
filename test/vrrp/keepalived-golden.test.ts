// Golden bytes from an independent source: keepalived's own adverts, captured on the wire by
// test/fixtures/capture-keepalived.sh (see test/fixtures/keepalived/README.md). The encoder must give the
// captured VRRP message byte for byte, checksum included, and the IPv4 header builder the captured header.
// Reads only the checked-in fixtures: no root and no keepalived at test time.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { buildIpv4Header, decodeIpv4 } from '../../src/vrrp/ipv4-header.js';
import { VRRP_MULTICAST_GROUP, VRRP_PROTOCOL, decode, encode, passAuthData } from '../../src/vrrp/packet.js';
import type { Advertisement } from '../../src/vrrp/packet.js';

const fixtures = new URL('../fixtures/keepalived/', import.meta.url);

interface GoldenCase {
  /** Directory under test/fixtures/keepalived/, holding keepalived.conf and adverts.json. */
  readonly dir: string;
  readonly source: string;
  readonly destination: string;
  /** What keepalived.conf asks for; the advert sent on shutdown differs only in its priority, 0. */
  readonly advert: Advertisement;
}

const cases: readonly GoldenCase[] = [
  {
    dir: 'v2-unicast-pass',
    source: '198.18.0.1',
    destination: '198.18.0.2',
    advert: { version: 2, vrid: 51, priority: 150, adverIntervalMs: 1000, addresses: ['198.18.0.100'], auth: { type: 'pass', password: passAuthData('k8s-vip') } },
  },
  {
    dir: 'v2-multicast-noauth',
    source: '198.18.0.1',
    destination: VRRP_MULTICAST_GROUP,
    advert: { version: 2, vrid: 52, priority: 100, adverIntervalMs: 1000, addresses: ['198.18.0.101', '198.18.0.102'], auth: { type: 'none' } },
  },
  {
    dir: 'v3-multicast',
    source: '198.18.0.1',
    destination: VRRP_MULTICAST_GROUP,
    advert: { version: 3, vrid: 53, priority: 200, adverIntervalMs: 100, addresses: ['198.18.0.103'] },
  },
];

interface Capture {
  readonly keepalived: string;
  readonly packets: readonly { readonly ipv4: string }[];
}

function readCapture(dir: string): Capture {
  const parsed: unknown = JSON.parse(readFileSync(new URL(`${dir}/adverts.json`, fixtures), 'utf8'));
  const capture = parsed as Partial<Capture> | null;
  if (typeof capture?.keepalived !== 'string' || !Array.isArray(capture.packets) || !capture.packets.every((p) => typeof p?.ipv4 === 'string' && /^([0-9a-f]{2})+$/.test(p.ipv4))) {
    throw new Error(`${dir}/adverts.json: expected { keepalived: string, packets: [{ ipv4: hex }] }`);
  }
  return capture as Capture;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fromHex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));

describe.each(cases)('keepalived golden adverts: $dir', ({ dir, source, destination, advert }) => {
  const capture = readCapture(dir);
  const envelope = { source, destination };
  const packets = capture.packets.map(({ ipv4 }, index) => {
    const bytes = fromHex(ipv4);
    // The last advert is the one keepalived sends when it stops (RFC 3768 6.4.3, RFC 5798 6.4.3).
    const stopping = index === capture.packets.length - 1;
    return { index, bytes, expected: { ...advert, priority: stopping ? 0 : advert.priority } };
  });

  test('the fixture comes from keepalived 2.x and holds several adverts and the priority-0 one', () => {
    expect(capture.keepalived).toMatch(/^Keepalived v2\./);
    expect(packets.length).toBeGreaterThanOrEqual(4);
  });

  test.each(packets)('packet $index: IPv4 protocol 112, TTL 255, TOS 0xC0, no options, no DF, no fragment', ({ bytes }) => {
    const ip = decodeIpv4(bytes);
    expect(ip.ok && { ...ip.value, payload: undefined }).toEqual({ ttl: 255, tos: 0xc0, protocol: VRRP_PROTOCOL, source, destination, payload: undefined });
    expect(bytes[0]).toBe(0x45);
    expect(hex(bytes.subarray(6, 8))).toBe('0000');
  });

  test.each(packets)('packet $index: buildIpv4Header gives the captured header byte for byte', ({ bytes }) => {
    const identification = ((bytes[4] ?? 0) << 8) | (bytes[5] ?? 0);
    const header = buildIpv4Header({ source, destination, protocol: VRRP_PROTOCOL, ttl: 255, tos: 0xc0, payloadLength: bytes.length - 20, identification });
    expect(hex(header)).toBe(hex(bytes.subarray(0, 20)));
  });

  test.each(packets)('packet $index: decodes to what keepalived.conf asks for', ({ bytes, expected }) => {
    const ip = decodeIpv4(bytes);
    if (!ip.ok) throw new Error(ip.detail);
    const decoded = decode(ip.value.payload, envelope);
    expect(decoded).toEqual({ ok: true, value: expected, ...(expected.version === 3 ? { v3Checksum: 'pseudoHeader' } : {}) });
  });

  test.each(packets)('packet $index: encode gives the captured VRRP message byte for byte, checksum included', ({ bytes, expected }) => {
    const ip = decodeIpv4(bytes);
    if (!ip.ok) throw new Error(ip.detail);
    const decoded = decode(ip.value.payload, envelope);
    if (!decoded.ok) throw new Error(decoded.detail);
    expect(hex(encode(expected, { envelope }))).toBe(hex(ip.value.payload));
    expect(hex(encode(decoded.value, { envelope }))).toBe(hex(ip.value.payload));
  });
});
