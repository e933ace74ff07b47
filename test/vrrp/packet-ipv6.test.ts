// The VRRP codec over IPv6 against RFC 5798 5.1.2 / 5.2 and RFC 8200 8.1, and properties over random
// input: decode never throws, changed adverts with a right checksum are refused for the reason their
// fields call for, and encode/decode round-trip with random envelopes.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { bytesToIpv6, ipv6ToBytes } from '../../src/net/ipv6-bytes.js';
import { finishChecksum, internetChecksum, sumWords } from '../../src/net/checksum.js';
import { mutate, mutationArbitrary, withChecksum } from './advert-mutations.js';
import { VRRP_IPV6_MULTICAST_GROUP, decode, encode, type AdvertV3, type DecodeFailure, type IpEnvelope } from '../../src/vrrp/packet.js';

const envelope: IpEnvelope = { source: 'fe80::c6ff:fe12:1', destination: VRRP_IPV6_MULTICAST_GROUP };

/** RFC 8200 8.1, byte by byte here rather than with the codec's helper. */
function pseudoHeader({ source, destination }: IpEnvelope, length: number): Uint8Array {
  return Uint8Array.from([...ipv6ToBytes(source), ...ipv6ToBytes(destination), length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff, 0, 0, 0, 112]);
}

function pseudoHeaderChecksumOk(packet: Uint8Array, on: IpEnvelope): boolean {
  return finishChecksum(sumWords(packet, sumWords(pseudoHeader(on, packet.length)))) === 0;
}

describe('RFC 5798 5.1.2: VRRPv3 over IPv6', () => {
  const advert: AdvertV3 = { version: 3, vrid: 54, priority: 200, adverIntervalMs: 100, addresses: ['2001:2:0:1::100', '2001:2:0:1::101'] };

  test('version 3, type 1, VRID, priority, count, interval in centiseconds, then 16 bytes per address', () => {
    const bytes = encode(advert, { envelope });
    expect(bytes.length).toBe(8 + 2 * 16);
    expect([...bytes.subarray(0, 6)]).toEqual([0x31, 54, 200, 2, 0, 10]);
    expect(Buffer.from(bytes.subarray(8, 24)).toString('hex')).toBe('20010002000000010000000000000100');
    expect(Buffer.from(bytes.subarray(24, 40)).toString('hex')).toBe('20010002000000010000000000000101');
  });

  test('5.2.8: the checksum covers the RFC 8200 8.1 pseudo-header (source, destination, 32-bit length, 3 zeros, next header 112)', () => {
    const bytes = encode(advert, { envelope });
    expect(pseudoHeaderChecksumOk(bytes, envelope)).toBe(true);
    expect(internetChecksum(bytes)).not.toBe(0);
    expect(decode(bytes, envelope)).toEqual({ ok: true, value: advert, v3Checksum: 'pseudoHeader' });
  });

  test('addresses come back in RFC 5952 text whatever spelling they were sent with', () => {
    const bytes = encode({ ...advert, addresses: ['2001:0002:0000:0001:0000:0000:0000:0100'] }, { envelope: { source: 'FE80::C6FF:FE12:1', destination: 'ff02:0:0:0:0:0:0:12' } });
    expect(decode(bytes, envelope)).toMatchObject({ ok: true, value: { addresses: ['2001:2:0:1::100'] } });
  });

  test('a pseudo-header checksum made for another source or destination is refused', () => {
    const bytes = encode(advert, { envelope });
    expect(decode(bytes, { ...envelope, destination: '2001:2::2' })).toMatchObject({ ok: false, reason: 'bad_checksum' });
    expect(decode(bytes, { ...envelope, source: 'fe80::1' })).toMatchObject({ ok: false, reason: 'bad_checksum' });
  });

  test('over IPv6 a VRRP-only checksum is refused (the pseudo-header is required) and cannot be sent', () => {
    const vrrpOnly = Uint8Array.from(encode(advert, { envelope })).fill(0, 6, 8);
    const sum = internetChecksum(vrrpOnly);
    vrrpOnly[6] = sum >>> 8;
    vrrpOnly[7] = sum & 0xff;
    expect(decode(vrrpOnly, envelope)).toMatchObject({ ok: false, reason: 'bad_checksum', detail: expect.stringContaining('IPv6 pseudo-header') });
    expect(() => encode(advert, { envelope, v3Checksum: 'vrrpOnly' })).toThrow(TypeError);
  });

  test('VRRPv2 is IPv4 only: a v2 advert in an IPv6 envelope is a bad version, and encode refuses to make one', () => {
    const v2 = encode({ version: 2, vrid: 54, priority: 100, adverIntervalMs: 1000, addresses: ['198.18.0.100'], auth: { type: 'none' } });
    expect(decode(v2, envelope)).toEqual({ ok: false, reason: 'bad_version', detail: expect.stringContaining('IPv4 only') });
    expect(() => encode({ version: 2, vrid: 54, priority: 100, adverIntervalMs: 1000, addresses: ['2001:2::100'], auth: { type: 'none' } }, { envelope })).toThrow(TypeError);
  });

  test('too short is still the first check over IPv6', () => {
    expect(decode(Uint8Array.of(0x21, 1, 100), envelope)).toMatchObject({ ok: false, reason: 'too_short' });
  });

  test('a count that does not match 16-byte addresses is a bad length', () => {
    // Four bytes per address is what an IPv4 advert would carry: 12 bytes for one address.
    const ipv4Sized = encode({ version: 3, vrid: 54, priority: 200, adverIntervalMs: 100, addresses: ['198.18.0.100'] }, { envelope: { source: '198.18.0.1', destination: '224.0.0.18' } }).fill(0, 6, 8);
    const sum = finishChecksum(sumWords(ipv4Sized, sumWords(pseudoHeader(envelope, ipv4Sized.length))));
    ipv4Sized[6] = sum >>> 8;
    ipv4Sized[7] = sum & 0xff;
    expect(decode(ipv4Sized, envelope)).toMatchObject({ ok: false, reason: 'bad_length', detail: '1 addresses need 24 bytes, got 12' });
  });

  test('an address not of the envelope family is a RangeError; a mixed-family envelope a TypeError, on encode and decode', () => {
    expect(() => encode({ ...advert, addresses: ['198.18.0.100'] }, { envelope })).toThrow(RangeError);
    expect(() => encode({ ...advert, addresses: ['2001:2::100'] }, { envelope: { source: '198.18.0.1', destination: '224.0.0.18' } })).toThrow(RangeError);
    const mixed = { source: '198.18.0.1', destination: VRRP_IPV6_MULTICAST_GROUP };
    expect(() => encode(advert, { envelope: mixed })).toThrow(TypeError);
    expect(() => decode(encode(advert, { envelope }), mixed)).toThrow(TypeError);
  });
});

const ipv6 = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => bytesToIpv6(bytes)),
  fc.constantFrom('fe80::c6ff:fe12:1', 'ff02::12', '2001:2::1', '::', '::ffff:198.18.0.1'),
);
const randomEnvelope: fc.Arbitrary<IpEnvelope> = fc.record({ source: ipv6, destination: ipv6 });
const v3Advert: fc.Arbitrary<AdvertV3> = fc.record({
  version: fc.constant(3 as const),
  vrid: fc.integer({ min: 1, max: 255 }),
  priority: fc.integer({ min: 0, max: 255 }),
  adverIntervalMs: fc.integer({ min: 1, max: 4095 }).map((cs) => cs * 10),
  addresses: fc.array(ipv6, { minLength: 1, maxLength: 15 }),
});

type ChecksumAs = 'pseudoHeader' | 'vrrpOnly';

/** What a receiver must conclude, read off the fields as RFC 5798 5.1 lays them out, in decode's order. */
function expectedOutcome(packet: Uint8Array, on: IpEnvelope): DecodeFailure | 'ok' {
  if (packet.length < 8) return 'too_short';
  if ((packet[0] ?? 0) >> 4 !== 3) return 'bad_version';
  if (((packet[0] ?? 0) & 0x0f) !== 1) return 'bad_type';
  if (!pseudoHeaderChecksumOk(packet, on)) return 'bad_checksum';
  if (packet.length !== 8 + 16 * (packet[3] ?? 0)) return 'bad_length';
  return 'ok';
}

/** The bytes with what a receiver ignores cleared: the checksum and the reserved high nibble of byte 4. */
function meaningful(packet: Uint8Array): number[] {
  const copy = Uint8Array.from(packet).fill(0, 6, 8);
  copy[4] = (copy[4] ?? 0) & 0x0f;
  return [...copy];
}

const mutation = mutationArbitrary({ headerValues: [0x21, 0x31, 0x32, 0x41, 0, 1, 2, 3], anywhereUpTo: 250, appendUpTo: 20 });

describe('properties over IPv6', () => {
  test('decode never throws on random bytes, whatever the IPv6 envelope', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), randomEnvelope, (bytes, on) => void decode(bytes, on)), { numRuns: 3000 });
  });

  test('decode of changed adverts with the checksum made right again refuses with the reason the fields call for, and reads what it accepts field for field', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(v3Advert, randomEnvelope, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.constantFrom<ChecksumAs>('pseudoHeader', 'pseudoHeader', 'vrrpOnly'), (original, on, mutations, as) => {
        const packet = withChecksum(mutate(encode(original, { envelope: on }), mutations), as === 'pseudoHeader' ? (length) => pseudoHeader(on, length) : null);
        const result = decode(packet, on);
        const expected = expectedOutcome(packet, on);
        seen.add(expected);
        if (expected !== 'ok') {
          expect(result).toMatchObject({ ok: false, reason: expected });
          return;
        }
        if (!result.ok) throw new Error(`refused a well-formed packet (${result.reason}: ${result.detail}): ${Buffer.from(packet).toString('hex')}`);
        expect(result.v3Checksum).toBe('pseudoHeader');
        expect(meaningful(encode(result.value, { envelope: on }))).toEqual(meaningful(packet));
      }),
      { numRuns: 3000 },
    );
    // The property reached every check an IPv6 advert goes through, not only the first ones.
    expect([...seen].sort()).toEqual(['bad_checksum', 'bad_length', 'bad_type', 'bad_version', 'ok', 'too_short']);
  });

  test('encode then decode gives a random IPv6 v3 advert back, with a random envelope', () => {
    fc.assert(
      fc.property(v3Advert, randomEnvelope, (advert, on) => {
        const bytes = encode(advert, { envelope: on });
        expect(bytes.length).toBe(8 + 16 * advert.addresses.length);
        expect(pseudoHeaderChecksumOk(bytes, on)).toBe(true);
        expect(decode(bytes, on)).toEqual({ ok: true, value: advert, v3Checksum: 'pseudoHeader' });
      }),
      { numRuns: 1000 },
    );
  });
});
