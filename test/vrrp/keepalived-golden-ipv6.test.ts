// Golden bytes from an independent source, IPv6: keepalived 2.2's own VRRPv3 adverts over IPv6, captured
// on the wire by test/fixtures/capture-keepalived.sh (see test/fixtures/keepalived/README.md). The
// envelope is read from each captured IPv6 header; the checksum is recomputed here over an RFC 8200 8.1
// pseudo-header built byte by byte, and the encoder must give keepalived's VRRP message byte for byte.
// Reads only the checked-in fixtures: no root and no keepalived at test time.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { bytesToIpv6, ipv6ToBytes } from '../../src/net/ipv6-bytes.js';
import { internetChecksum } from '../../src/net/checksum.js';
import { VRRP_IPV6_MULTICAST_GROUP, VRRP_PROTOCOL, decode, encode, type AdvertV3 } from '../../src/vrrp/packet.js';
import { pseudoHeaderBytes } from '../../src/net/pseudo-header.js';

const fixtures = new URL('../fixtures/keepalived/', import.meta.url);

interface GoldenCase {
  /** Directory under test/fixtures/keepalived/, holding keepalived.conf and adverts.json. */
  readonly dir: string;
  readonly source: string;
  readonly destination: string;
  readonly hopLimit: number;
  /** What keepalived.conf asks for; the advert sent on shutdown differs only in its priority, 0. */
  readonly advert: AdvertV3;
}

const cases: readonly GoldenCase[] = [
  {
    dir: 'v3-ipv6-multicast',
    // eth0's link-local in host 1: fe80:: and the modified EUI-64 of its MAC 02:00:c6:12:00:01 (RFC 4291 2.5.1).
    source: 'fe80::c6ff:fe12:1',
    destination: VRRP_IPV6_MULTICAST_GROUP,
    hopLimit: 255,
    advert: { version: 3, vrid: 54, priority: 200, adverIntervalMs: 100, addresses: ['2001:2:0:1::100'] },
  },
  {
    dir: 'v3-ipv6-unicast',
    source: '2001:2::1',
    destination: '2001:2::2',
    // keepalived 2.2.7 sends unicast IPv6 adverts with the system's default hop limit unless unicast_ttl is set.
    hopLimit: 64,
    advert: { version: 3, vrid: 55, priority: 150, adverIntervalMs: 1000, addresses: ['2001:2:0:1::101', '2001:2:0:1::102'] },
  },
];

interface Capture {
  readonly keepalived: string;
  readonly packets: readonly { readonly ipv6: string }[];
}

function readCapture(dir: string): Capture {
  const parsed: unknown = JSON.parse(readFileSync(new URL(`${dir}/adverts.json`, fixtures), 'utf8'));
  const capture = parsed as Partial<Capture> | null;
  if (typeof capture?.keepalived !== 'string' || !Array.isArray(capture.packets) || !capture.packets.every((p) => typeof p?.ipv6 === 'string' && /^([0-9a-f]{2})+$/.test(p.ipv6))) {
    throw new Error(`${dir}/adverts.json: expected { keepalived: string, packets: [{ ipv6: hex }] }`);
  }
  return capture as Capture;
}

/** The fixed IPv6 header (RFC 8200 3), read here rather than by any code under test. */
function readIpv6Header(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const first = view.getUint32(0);
  return {
    version: first >>> 28,
    trafficClass: (first >>> 20) & 0xff,
    flowLabel: first & 0xfffff,
    payloadLength: view.getUint16(4),
    nextHeader: bytes[6],
    hopLimit: bytes[7],
    source: bytesToIpv6(bytes, 8),
    destination: bytesToIpv6(bytes, 24),
    payload: bytes.subarray(40),
  };
}

/** The RFC 8200 8.1 pseudo-header, byte by byte: source, destination, 32-bit length, 3 zeros, next header. */
function pseudoHeader(source: string, destination: string, length: number): Uint8Array {
  return Uint8Array.from([...ipv6ToBytes(source), ...ipv6ToBytes(destination), length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff, 0, 0, 0, 112]);
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fromHex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));

describe.each(cases)('keepalived golden IPv6 adverts: $dir', ({ dir, source, destination, hopLimit, advert }) => {
  const capture = readCapture(dir);
  const packets = capture.packets.map(({ ipv6 }, index) => {
    const bytes = fromHex(ipv6);
    // The last advert is the one keepalived sends when it stops (RFC 5798 6.4.3).
    const stopping = index === capture.packets.length - 1;
    return { index, bytes, expected: { ...advert, priority: stopping ? 0 : advert.priority } };
  });

  test('the fixture comes from keepalived 2.x and holds several adverts and the priority-0 one', () => {
    expect(capture.keepalived).toMatch(/^Keepalived v2\./);
    expect(packets.length).toBeGreaterThanOrEqual(4);
  });

  test.each(packets)('packet $index: IPv6, traffic class 0xC0, next header 112 with no extension header, the expected hop limit and addresses', ({ bytes }) => {
    const ip = readIpv6Header(bytes);
    expect({ ...ip, flowLabel: undefined, payload: undefined }).toEqual({
      version: 6,
      trafficClass: 0xc0,
      flowLabel: undefined,
      payloadLength: bytes.length - 40,
      nextHeader: VRRP_PROTOCOL,
      hopLimit,
      source,
      destination,
      payload: undefined,
    });
  });

  test.each(packets)('packet $index: decodes, with the envelope from its IPv6 header, to what keepalived.conf asks for', ({ bytes, expected }) => {
    const ip = readIpv6Header(bytes);
    expect(decode(ip.payload, { source: ip.source, destination: ip.destination })).toEqual({ ok: true, value: expected, v3Checksum: 'pseudoHeader' });
  });

  test.each(packets)('packet $index: the checksum is the one over the RFC 8200 8.1 pseudo-header and the VRRP message', ({ bytes }) => {
    const ip = readIpv6Header(bytes);
    const pseudo = pseudoHeader(ip.source, ip.destination, ip.payload.length);
    expect(hex(pseudoHeaderBytes({ family: 'ipv6', envelope: { source: ip.source, destination: ip.destination }, protocol: VRRP_PROTOCOL, length: ip.payload.length }))).toBe(hex(pseudo));
    const zeroed = Uint8Array.from(ip.payload).fill(0, 6, 8);
    const sum = internetChecksum(Uint8Array.from([...pseudo, ...zeroed]));
    expect(((ip.payload[6] ?? 0) << 8) | (ip.payload[7] ?? 0)).toBe(sum);
    // Not a VRRP-only (RFC 9568 IPv4-style) checksum: the pseudo-header is needed to verify it.
    expect(internetChecksum(ip.payload)).not.toBe(0);
  });

  test.each(packets)('packet $index: the same bytes with another destination in the envelope fail the checksum', ({ bytes }) => {
    const ip = readIpv6Header(bytes);
    const other = destination === VRRP_IPV6_MULTICAST_GROUP ? 'ff02::1' : VRRP_IPV6_MULTICAST_GROUP;
    expect(decode(ip.payload, { source: ip.source, destination: other })).toMatchObject({ ok: false, reason: 'bad_checksum' });
  });

  test.each(packets)('packet $index: encode gives the captured VRRP message byte for byte, checksum included', ({ bytes, expected }) => {
    const ip = readIpv6Header(bytes);
    const envelope = { source: ip.source, destination: ip.destination };
    const decoded = decode(ip.payload, envelope);
    if (!decoded.ok) throw new Error(decoded.detail);
    expect(hex(encode(expected, { envelope }))).toBe(hex(ip.payload));
    expect(hex(encode(decoded.value, { envelope }))).toBe(hex(ip.payload));
  });
});
