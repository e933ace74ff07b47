// The VRRP codec against RFC 3768 5.1 / RFC 5798 5.1, and properties over random input.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decode, encode, passAuthData, type Advertisement } from '../../src/vrrp/packet.js';
import { buildIpv4Header, decodeIpv4 } from '../../src/vrrp/ipv4-header.js';
import { internetChecksum } from '../../src/net/checksum.js';

const envelope = { source: '198.18.0.1', destination: '224.0.0.18' };

describe('RFC 3768 5.1: VRRPv2 packet format', () => {
  const advert: Advertisement = { version: 2, vrid: 51, priority: 100, adverIntervalMs: 1000, addresses: ['198.18.0.100'], auth: { type: 'pass', password: passAuthData('k8s-vip') } };

  test('version 2, type 1, VRID, priority, count, auth type, interval in seconds, addresses, 8 bytes of auth data', () => {
    const bytes = encode(advert);
    expect(bytes.length).toBe(8 + 4 + 8);
    expect([...bytes.subarray(0, 6)]).toEqual([0x21, 51, 100, 1, 1, 1]);
    expect([...bytes.subarray(8, 12)]).toEqual([198, 18, 0, 100]);
    expect(Buffer.from(bytes.subarray(12)).toString('latin1')).toBe('k8s-vip\0');
  });

  test('the checksum covers the VRRP message only', () => {
    expect(internetChecksum(encode(advert))).toBe(0);
  });

  test('a password longer than 8 bytes is cut to 8, as keepalived does', () => {
    expect(Buffer.from(passAuthData('0123456789')).toString()).toBe('01234567');
  });

  test('without authentication the auth type is 0 and the auth data zero', () => {
    const bytes = encode({ ...advert, auth: { type: 'none' } });
    expect(bytes[4]).toBe(0);
    expect([...bytes.subarray(12)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('RFC 5798 5.1: VRRPv3 packet format', () => {
  const advert: Advertisement = { version: 3, vrid: 7, priority: 200, adverIntervalMs: 100, addresses: ['198.18.0.100', '198.18.0.101'] };

  test('version 3, max advertise interval in centiseconds in 12 bits, no auth data', () => {
    const bytes = encode(advert, { envelope });
    expect(bytes.length).toBe(8 + 8);
    expect([...bytes.subarray(0, 6)]).toEqual([0x31, 7, 200, 2, 0, 10]);
  });

  test('5.2.8: the checksum includes the IPv4 pseudo-header by default (keepalived, FRR)', () => {
    const bytes = encode(advert, { envelope });
    expect(internetChecksum(bytes)).not.toBe(0);
    expect(decode(bytes, envelope)).toMatchObject({ ok: true, v3Checksum: 'pseudoHeader' });
  });

  test('RFC 9568 checksum over the VRRP message only is accepted too', () => {
    const bytes = encode(advert, { v3Checksum: 'vrrpOnly' });
    expect(internetChecksum(bytes)).toBe(0);
    expect(decode(bytes, envelope)).toMatchObject({ ok: true, v3Checksum: 'vrrpOnly' });
  });

  test('a pseudo-header checksum made for another destination is refused', () => {
    const bytes = encode(advert, { envelope });
    expect(decode(bytes, { ...envelope, destination: '198.18.0.2' })).toMatchObject({ ok: false, reason: 'bad_checksum' });
  });
});

describe('decode refuses bad packets in a fixed order, with a reason', () => {
  const good = encode({ version: 2, vrid: 1, priority: 100, adverIntervalMs: 1000, addresses: ['198.18.0.100'], auth: { type: 'none' } });
  const withByte = (index: number, value: number) => {
    const copy = Uint8Array.from(good);
    copy[index] = value;
    return copy;
  };
  /** As withByte, with the checksum made right again, so that a later check is the one that fails. */
  const withByteAndChecksum = (index: number, value: number) => {
    const copy = withByte(index, value).fill(0, 6, 8);
    const sum = internetChecksum(copy);
    copy[6] = sum >> 8;
    copy[7] = sum & 0xff;
    return copy;
  };

  test.each([
    ['too_short', good.subarray(0, 7)],
    ['bad_version', withByte(0, 0x41)],
    ['bad_type', withByte(0, 0x22)],
    ['bad_checksum', withByte(2, 101)],
    // Count says two addresses in a packet with room for one.
    ['bad_length', withByteAndChecksum(3, 2)],
    // Auth type 2 (IP Authentication Header) is not supported, as in keepalived 2.x.
    ['bad_auth_type', withByteAndChecksum(4, 2)],
  ])('%s', (reason, bytes) => {
    expect(decode(bytes)).toMatchObject({ ok: false, reason });
  });

  test('version is checked before type: a packet wrong in both reports its version', () => {
    expect(decode(withByte(0, 0x45))).toMatchObject({ ok: false, reason: 'bad_version' });
  });
});

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const commonFields = {
  vrid: fc.integer({ min: 1, max: 255 }),
  priority: fc.integer({ min: 0, max: 255 }),
  addresses: fc.array(ipv4, { minLength: 1, maxLength: 20 }),
};
const advertArbitrary: fc.Arbitrary<Advertisement> = fc.oneof(
  fc.record({
    version: fc.constant(2 as const),
    ...commonFields,
    adverIntervalMs: fc.integer({ min: 1, max: 255 }).map((s) => s * 1000),
    auth: fc.oneof(fc.constant({ type: 'none' as const }), fc.string({ maxLength: 8 }).map((p) => ({ type: 'pass' as const, password: passAuthData(p) }))),
  }),
  fc.record({
    version: fc.constant(3 as const),
    ...commonFields,
    adverIntervalMs: fc.integer({ min: 1, max: 4095 }).map((cs) => cs * 10),
  }),
);

describe('properties', () => {
  test('decode never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => void decode(bytes, envelope)), { numRuns: 2000 });
  });

  test('decodeIpv4 never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => void decodeIpv4(bytes)), { numRuns: 2000 });
  });

  test('encode then decode gives the advertisement back', () => {
    fc.assert(
      fc.property(advertArbitrary, fc.constantFrom('pseudoHeader' as const, 'vrrpOnly' as const), (advert, v3Checksum) => {
        const decoded = decode(encode(advert, { envelope, v3Checksum }), envelope);
        expect(decoded.ok && decoded.value).toEqual(advert);
      }),
      { numRuns: 500 },
    );
  });

  test('an IPv4 header we build decodes to the same fields and carries a valid checksum', () => {
    fc.assert(
      fc.property(ipv4, ipv4, fc.uint8Array({ maxLength: 60 }), (source, destination, payload) => {
        const header = buildIpv4Header({ source, destination, protocol: 112, ttl: 255, tos: 0xc0, payloadLength: payload.length, identification: 0 });
        expect(internetChecksum(header)).toBe(0);
        const packet = new Uint8Array(header.length + payload.length);
        packet.set(header);
        packet.set(payload, header.length);
        expect(decodeIpv4(packet)).toEqual({ ok: true, value: { tos: 0xc0, ttl: 255, protocol: 112, source, destination, payload } });
      }),
    );
  });
});
