// decode over valid adverts changed at random, the checksum made right again after each change: random
// bytes almost never carry a right checksum and stop there, these reach every later check.
// The expectation is read off the packet's fields as RFC 3768 5.1 and RFC 5798 5.1 lay them out, in
// the order decode documents: length, version, type, checksum, count against length, auth type.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decode, encode, passAuthData, type Advertisement, type DecodeFailure, type V3ChecksumMode } from '../../src/vrrp/packet.js';
import { mutate, mutationArbitrary, withChecksum } from './advert-mutations.js';

const envelope = { source: '198.18.0.1', destination: '224.0.0.18' };

/** The IPv4 pseudo-header of RFC 5798 5.2.8, built here byte by byte rather than with the codec's helper. */
function pseudoHeader(length: number): Uint8Array {
  return Uint8Array.from([198, 18, 0, 1, 224, 0, 0, 18, 0, 112, length >>> 8, length & 0xff]);
}

/** What a receiver must conclude from the fields, independent of how decode is written. */
function expectedOutcome(packet: Uint8Array, mode: V3ChecksumMode): DecodeFailure | 'ok' {
  if (packet.length < 8) return 'too_short';
  const version = (packet[0] ?? 0) >> 4;
  if (version !== 2 && version !== 3) return 'bad_version';
  if (((packet[0] ?? 0) & 0x0f) !== 1) return 'bad_type';
  // VRRPv2 has no pseudo-header checksum.
  if (version === 2 && mode === 'pseudoHeader') return 'bad_checksum';
  const addresses = packet[3] ?? 0;
  if (packet.length !== 8 + 4 * addresses + (version === 2 ? 8 : 0)) return 'bad_length';
  if (version === 2 && packet[4] !== 0 && packet[4] !== 1) return 'bad_auth_type';
  return 'ok';
}

/**
 * The bytes with what a receiver ignores cleared: the checksum, the reserved high nibble of v3's
 * interval field, and v2's auth data when the auth type is none.
 */
function meaningful(packet: Uint8Array): number[] {
  const copy = Uint8Array.from(packet);
  copy[6] = 0;
  copy[7] = 0;
  if ((copy[0] ?? 0) >> 4 === 3) copy[4] = (copy[4] ?? 0) & 0x0f;
  else if (copy[4] === 0) copy.fill(0, copy.length - 8);
  return [...copy];
}

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const common = { vrid: fc.integer({ min: 1, max: 255 }), priority: fc.integer({ min: 0, max: 255 }), addresses: fc.array(ipv4, { minLength: 1, maxLength: 6 }) };
const advert: fc.Arbitrary<Advertisement> = fc.oneof(
  fc.record({
    version: fc.constant(2 as const),
    ...common,
    adverIntervalMs: fc.integer({ min: 1, max: 255 }).map((s) => s * 1000),
    auth: fc.oneof(fc.constant({ type: 'none' as const }), fc.string({ maxLength: 8 }).map((p) => ({ type: 'pass' as const, password: passAuthData(p) }))),
  }),
  fc.record({ version: fc.constant(3 as const), ...common, adverIntervalMs: fc.integer({ min: 1, max: 4095 }).map((cs) => cs * 10) }),
);

const mutation = mutationArbitrary({ headerValues: [0x21, 0x31, 0x22, 0x41, 0x11, 0, 1, 2, 3], anywhereUpTo: 80, appendUpTo: 12 });
const mode = fc.constantFrom<V3ChecksumMode>('pseudoHeader', 'vrrpOnly');

describe('decode of changed adverts with a right checksum', () => {
  test('refuses with the reason the fields call for, and what it accepts it reads field for field', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(advert, fc.array(mutation, { minLength: 1, maxLength: 4 }), mode, (original, mutations, checksumMode) => {
        const packet = withChecksum(mutate(encode(original, { envelope, v3Checksum: checksumMode }), mutations), checksumMode === 'pseudoHeader' ? pseudoHeader : null);
        const result = decode(packet, envelope);
        const expected = expectedOutcome(packet, checksumMode);
        seen.add(expected);
        if (expected !== 'ok') {
          expect(result).toMatchObject({ ok: false, reason: expected });
          return;
        }
        if (!result.ok) throw new Error(`refused a well-formed packet (${result.reason}: ${result.detail}): ${Buffer.from(packet).toString('hex')}`);
        if (result.value.version === 3) expect(result.v3Checksum).toBe(checksumMode);
        // Written out again, the advert decode read is the packet it was given.
        expect(meaningful(encode(result.value, { envelope, v3Checksum: checksumMode }))).toEqual(meaningful(packet));
      }),
      { numRuns: 3000 },
    );
    // The property reached every check, not only the first ones.
    expect([...seen].sort()).toEqual(['bad_auth_type', 'bad_checksum', 'bad_length', 'bad_type', 'bad_version', 'ok', 'too_short']);
  });

  test('VRRPv2: any one byte changed after the first, checksum left as sent, is caught by the checksum', () => {
    // One byte moves a 16-bit word by d or 256 * d with 0 < |d| < 256, never by a multiple of 0xffff:
    // the one's complement sum always notices. (v3 accepts two checksum variants, so a change can
    // happen to match the other one.)
    const v2 = advert.filter((a) => a.version === 2);
    fc.assert(
      fc.property(v2, fc.nat(), fc.integer({ min: 1, max: 255 }), (original, at, flip) => {
        const packet = encode(original);
        const index = 1 + (at % (packet.length - 1));
        packet[index] = (packet[index] ?? 0) ^ flip;
        expect(decode(packet, envelope)).toMatchObject({ ok: false, reason: 'bad_checksum' });
      }),
      { numRuns: 1000 },
    );
  });
});
