// Golden bytes from independent sources, IPv6: the VRRPv3 adverts over IPv6 of keepalived 2.2 and of FRR
// vrrpd 8.4, captured on the wire by test/fixtures/capture-keepalived.sh and capture-frr.sh (see the
// README.md beside each's fixtures). The envelope is read from each captured IPv6 header; the checksum
// is recomputed here over an RFC 8200 8.1 pseudo-header built byte by byte, and the encoder must give
// the sender's VRRP message byte for byte. Reads only the checked-in fixtures: no root, no keepalived
// and no FRR at test time.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { bytesToIpv6, ipv6ToBytes } from '../../src/net/ipv6-bytes.js';
import { internetChecksum } from '../../src/net/checksum.js';
import { VRRP_IPV6_MULTICAST_GROUP, VRRP_PROTOCOL, decode, encode, type AdvertV3 } from '../../src/vrrp/packet.js';
import { pseudoHeaderBytes } from '../../src/net/pseudo-header.js';

const fixtures = new URL('../fixtures/', import.meta.url);

type Speaker = 'keepalived' | 'frr';

interface GoldenCase {
  readonly speaker: Speaker;
  /** Directory under test/fixtures/<speaker>/, holding the sender's config and adverts.json. */
  readonly dir: string;
  /** The source address, or 'link-local' when it is one the kernel drew at random for this capture. */
  readonly source: string;
  readonly destination: string;
  readonly hopLimit: number;
  /** What the config asks for; the advert sent on shutdown differs only in its priority, 0. */
  readonly advert: AdvertV3;
}

const cases: readonly GoldenCase[] = [
  {
    speaker: 'keepalived',
    dir: 'v3-ipv6-multicast',
    // eth0's link-local in host 1: fe80:: and the modified EUI-64 of its MAC 02:00:c6:12:00:01 (RFC 4291 2.5.1).
    source: 'fe80::c6ff:fe12:1',
    destination: VRRP_IPV6_MULTICAST_GROUP,
    hopLimit: 255,
    advert: { version: 3, vrid: 54, priority: 200, adverIntervalMs: 100, addresses: ['2001:2:0:1::100'] },
  },
  {
    speaker: 'keepalived',
    dir: 'v3-ipv6-unicast',
    source: '2001:2::1',
    destination: '2001:2::2',
    // keepalived 2.2.7 sends unicast IPv6 adverts with the system's default hop limit unless unicast_ttl is set.
    hopLimit: 64,
    advert: { version: 3, vrid: 55, priority: 150, adverIntervalMs: 1000, addresses: ['2001:2:0:1::101', '2001:2:0:1::102'] },
  },
  {
    speaker: 'frr',
    dir: 'v3-ipv6-multicast',
    // vrrpd sends from the link-local of its macvlan, made with addrgenmode random: new in every capture.
    source: 'link-local',
    destination: VRRP_IPV6_MULTICAST_GROUP,
    hopLimit: 255,
    advert: { version: 3, vrid: 56, priority: 200, adverIntervalMs: 100, addresses: ['2001:2:0:1::200', '2001:2:0:1::201'] },
  },
];

interface Capture {
  /** The sender's version line. */
  readonly version: string;
  readonly packets: readonly { readonly ipv6: string }[];
}

function readCapture(speaker: Speaker, dir: string): Capture {
  const parsed: unknown = JSON.parse(readFileSync(new URL(`${speaker}/${dir}/adverts.json`, fixtures), 'utf8'));
  const capture = parsed as ({ packets?: { ipv6?: unknown }[] } & Partial<Record<Speaker, unknown>>) | null;
  const version = capture?.[speaker];
  if (typeof version !== 'string' || !Array.isArray(capture?.packets) || !capture.packets.every((p) => typeof p?.ipv6 === 'string' && /^([0-9a-f]{2})+$/.test(p.ipv6))) {
    throw new Error(`${speaker}/${dir}/adverts.json: expected { ${speaker}: string, packets: [{ ipv6: hex }] }`);
  }
  return { version, packets: capture.packets as { ipv6: string }[] };
}

const VERSION_LINE: Record<Speaker, RegExp> = { keepalived: /^Keepalived v2\./, frr: /^vrrpd version 8\./ };

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

describe.each(cases)('golden IPv6 adverts: $speaker $dir', ({ speaker, dir, source, destination, hopLimit, advert }) => {
  const capture = readCapture(speaker, dir);
  const packets = capture.packets.map(({ ipv6 }, index) => {
    const bytes = fromHex(ipv6);
    // The last advert is the one keepalived sends when it stops (RFC 5798 6.4.3).
    const stopping = index === capture.packets.length - 1;
    return { index, bytes, expected: { ...advert, priority: stopping ? 0 : advert.priority } };
  });

  test('the fixture comes from the expected sender and holds several adverts and the priority-0 one', () => {
    expect(capture.version).toMatch(VERSION_LINE[speaker]);
    expect(packets.length).toBeGreaterThanOrEqual(4);
  });

  test('every advert of the capture comes from one source, a link-local one in multicast (RFC 5798 5.1.2.1)', () => {
    const sources = new Set(packets.map(({ bytes }) => readIpv6Header(bytes).source));
    expect(sources.size).toBe(1);
    const [seen = ''] = sources;
    if (source === 'link-local') expect(seen).toMatch(/^fe80::/);
    else expect(seen).toBe(source);
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
      source: source === 'link-local' ? ip.source : source,
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
