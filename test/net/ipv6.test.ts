// IPv6 text against RFC 4291 2.2 (what parses) and RFC 5952 (how it is written), and both families side
// by side. node:net's isIPv6 is an independent judge of what parses (a test may use it; src/net is pure).
import { isIPv6 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { addressFamily, isIpv4, isIpv6, parseIpv6 } from '../../src/net/address.js';
import { bytesToIpv6, canonicalIpv6, compareIpv6, ipv6ToBytes } from '../../src/net/ipv6-bytes.js';
import { addressBytesLength, addressToBytes, addressToBytesOf, bytesToAddress } from '../../src/net/address-bytes.js';

const hex = (bytes: Uint8Array | null): string | null => (bytes === null ? null : Buffer.from(bytes).toString('hex'));

describe('RFC 4291 2.2: the text forms of an IPv6 address', () => {
  test.each([
    ['full form', '2001:0db8:0000:0000:0008:0800:200c:417a', '20010db80000000000080800200c417a'],
    ['leading zeros left out', '2001:db8:0:0:8:800:200c:417a', '20010db80000000000080800200c417a'],
    ['upper case', '2001:DB8::8:800:200C:417A', '20010db80000000000080800200c417a'],
    ['`::` in the middle', '2001:db8::1', '20010db8000000000000000000000001'],
    ['`::` first', '::1', '00000000000000000000000000000001'],
    ['`::` last', 'ff02::', 'ff020000000000000000000000000000'],
    ['the unspecified address', '::', '00000000000000000000000000000000'],
    ['`::` for a single group', '1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
    ['IPv4 tail, mapped', '::ffff:198.18.0.1', '00000000000000000000ffffc6120001'],
    ['IPv4 tail, full form', '0:0:0:0:0:ffff:198.18.0.1', '00000000000000000000ffffc6120001'],
    ['IPv4 tail after `::`', '::198.18.0.1', '000000000000000000000000c6120001'],
    ['IPv4 tail after groups and `::`', '2001:2::198.18.0.1', '200100020000000000000000c6120001'],
    ['IPv4 tail after six groups', '1:2:3:4:5:6:198.18.0.1', '000100020003000400050006c6120001'],
    ['the VRRP group', 'ff02::12', 'ff020000000000000000000000000012'],
  ])('%s: %s', (_name, text, bytes) => {
    expect(hex(parseIpv6(text))).toBe(bytes);
    expect(isIPv6(text)).toBe(true);
  });

  test.each([
    ['empty', ''],
    ['a single colon', ':'],
    ['three colons', ':::'],
    ['two `::`', '1::2::3'],
    ['a leading single colon', ':1::2'],
    ['a trailing single colon', '1::2:'],
    ['seven groups without `::`', '1:2:3:4:5:6:7'],
    ['nine groups', '1:2:3:4:5:6:7:8:9'],
    ['`::` standing for no group', '1:2:3:4:5:6::7:8'],
    ['a five-digit group', '2001:db8::12345'],
    ['a non-hex digit', '2001:db8::g'],
    ['a zone id', 'fe80::1%eth0'],
    ['a numeric zone id', 'fe80::1%2'],
    ['brackets', '[2001:db8::1]'],
    ['a prefix', '2001:db8::/64'],
    ['a port', '[::1]:80'],
    ['spaces', ' ::1'],
    ['an IPv4 address', '198.18.0.1'],
    ['an IPv4 tail not last', '::198.18.0.1:1'],
    ['an IPv4 tail with a leading zero', '::ffff:198.018.0.1'],
    ['an IPv4 tail out of range', '::ffff:198.18.0.256'],
    ['an IPv4 tail with too many groups', '1:2:3:4:5:6:7:198.18.0.1'],
    ['an IPv4 tail after a single colon', ':198.18.0.1'],
    ['a hostname', 'localhost'],
  ])('refused: %s (%s)', (_name, text) => {
    expect(parseIpv6(text)).toBeNull();
    expect(isIpv6(text)).toBe(false);
    // node:net accepts a zone id as part of the text; tsvip keeps zones out of addresses.
    expect(isIPv6(text)).toBe(text.includes('%'));
  });

  test('agrees with node:net isIPv6 on strings made of address characters (zone ids aside, which node accepts)', () => {
    const part = fc.oneof(fc.constantFrom(':', '::', '.', '0', '1', 'f', 'F', 'ffff', '0db8', '12345', '198', '18', '256', '01', 'g'));
    fc.assert(
      fc.property(fc.array(part, { maxLength: 20 }).map((parts) => parts.join('')), (text) => {
        expect(isIpv6(text)).toBe(isIPv6(text));
      }),
      { numRuns: 5000 },
    );
  });

  test('agrees with node:net isIPv6 on the text of random addresses, each group written in any of its spellings', () => {
    // Each group as bare hex, zero-padded, or upper case; a random run of zero groups as `::`.
    const group = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom('bare', 'padded', 'upper')).map(([value, how]) => {
      const bare = value.toString(16);
      return how === 'padded' ? bare.padStart(4, '0') : how === 'upper' ? bare.toUpperCase() : bare;
    });
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), fc.nat(8), fc.nat(8), (groups, a, b) => {
        const [from, to] = [Math.min(a, b), Math.max(a, b)];
        const text = to - from >= 1 ? `${groups.slice(0, from).join(':')}::${groups.slice(to).join(':')}` : groups.join(':');
        expect(isIPv6(text)).toBe(true);
        const bytes = parseIpv6(text);
        if (bytes === null) throw new Error(`refused ${text}`);
        const expected = groups.map((g, i) => (i >= from && i < to ? 0 : parseInt(g, 16)));
        expect([...bytes]).toEqual(expected.flatMap((g) => [g >> 8, g & 0xff]));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('RFC 5952: the one canonical text', () => {
  test.each([
    ['2001:db8::1', '2001:db8::1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    // 4.2.3: of two equal runs, the first is compressed.
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    // 4.2.3: the longest run is compressed, not the first.
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    // 4.2.2: a single zero group is never `::`.
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:db8::1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['ff02:0:0:0:0:0:0:12', 'ff02::12'],
    ['fe80::c6ff:fe12:1', 'fe80::c6ff:fe12:1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    // 4.1: no leading zeros; 4.3: lower case.
    ['2001:0002:0000:0001:0000:0000:0000:0100', '2001:2:0:1::100'],
    ['ABCD:EF01::', 'abcd:ef01::'],
    // RFC 5952 5: IPv4-mapped addresses keep the IPv4 part dotted, however they were written.
    ['::ffff:198.18.0.1', '::ffff:198.18.0.1'],
    ['::FFFF:c612:1', '::ffff:198.18.0.1'],
    ['0:0:0:0:0:ffff:c612:0001', '::ffff:198.18.0.1'],
    // Only the mapped prefix is dotted: the deprecated IPv4-compatible form and others are hex.
    ['::198.18.0.1', '::c612:1'],
    ['64:ff9b::198.18.0.1', '64:ff9b::c612:1'],
    ['::fffe:198.18.0.1', '::fffe:c612:1'],
  ])('%s -> %s', (text, canonical) => {
    expect(canonicalIpv6(text)).toBe(canonical);
    expect(bytesToIpv6(ipv6ToBytes(text))).toBe(canonical);
  });

  test('canonicalIpv6 and ipv6ToBytes refuse what is not an address', () => {
    expect(canonicalIpv6('fe80::1%eth0')).toBeNull();
    expect(() => ipv6ToBytes('198.18.0.1')).toThrow(RangeError);
  });

  test('bytesToIpv6 reads 16 bytes at an offset', () => {
    const bytes = new Uint8Array(20);
    bytes.set(ipv6ToBytes('2001:2::1'), 4);
    expect(bytesToIpv6(bytes, 4)).toBe('2001:2::1');
  });

  const address = fc.uint8Array({ minLength: 16, maxLength: 16 });
  // Random bytes rarely hold zero groups: favour them so that runs and their ties come up.
  const zeroish = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }).map((groups) => Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff])));
  const anyAddress = fc.oneof(address, zeroish);

  test('parse(format(bytes)) gives the bytes back, for any 16 bytes', () => {
    fc.assert(
      fc.property(anyAddress, (bytes) => {
        expect(hex(parseIpv6(bytesToIpv6(bytes)))).toBe(hex(bytes));
      }),
      { numRuns: 5000 },
    );
  });

  test('format is canonical: lowercase, no leading zeros, one `::` for the first longest run of 2+ zero groups, node:net agrees it is an address', () => {
    fc.assert(
      fc.property(anyAddress, (bytes) => {
        const text = bytesToIpv6(bytes);
        expect(isIPv6(text)).toBe(true);
        expect(text).toBe(text.toLowerCase());
        expect(canonicalIpv6(text)).toBe(text);
        if (text.startsWith('::ffff:') && text.includes('.')) return;
        expect(text.split(':').every((group) => group === '' || !/^0[0-9a-f]/.test(group))).toBe(true);
        // A naive reference: every run of zero groups, the longest first-found of length 2 or more.
        const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
        let best: [number, number] | null = null;
        for (let start = 0; start < 8; start++) {
          for (let end = start; end <= 8 && groups.slice(start, end).every((g) => g === 0); end++) {
            if (end - start >= 2 && (best === null || end - start > best[1] - best[0])) best = [start, end];
          }
        }
        const parts = groups.map((g) => g.toString(16));
        const expected = best === null ? parts.join(':') : `${parts.slice(0, best[0]).join(':')}::${parts.slice(best[1]).join(':')}`;
        expect(text).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });

  test('format(parse(text)) is canonical for any spelling: a fixed point of canonicalIpv6', () => {
    fc.assert(
      fc.property(anyAddress, fc.boolean(), (bytes, upper) => {
        const full = Array.from({ length: 8 }, (_, i) => Buffer.from(bytes.subarray(2 * i, 2 * i + 2)).toString('hex')).join(':');
        const text = upper ? full.toUpperCase() : full;
        const canonical = canonicalIpv6(text);
        expect(canonical).toBe(bytesToIpv6(bytes));
        expect(canonicalIpv6(canonical ?? '')).toBe(canonical);
      }),
      { numRuns: 2000 },
    );
  });

  test('compareIpv6 orders as 128-bit unsigned numbers', () => {
    expect(compareIpv6('fe80::2', 'fe80::10')).toBeLessThan(0);
    expect(compareIpv6('ff02::', 'fe80::ffff')).toBeGreaterThan(0);
    expect(compareIpv6('2001:db8::1', '2001:DB8:0::1')).toBe(0);
    fc.assert(
      fc.property(address, address, (a, b) => {
        const byNumber = Math.sign(Number(BigInt(`0x${hex(a) ?? ''}`) - BigInt(`0x${hex(b) ?? ''}`)));
        expect(Math.sign(compareIpv6(bytesToIpv6(a), bytesToIpv6(b)))).toBe(byNumber);
      }),
    );
  });
});

describe('both families side by side', () => {
  test.each([
    ['198.18.0.1', 'ipv4'],
    ['2001:2::1', 'ipv6'],
    ['::ffff:198.18.0.1', 'ipv6'],
    ['fe80::1%eth0', null],
    ['198.18.0.1/24', null],
    ['2001:2::/48', null],
    ['[::1]', null],
    ['010.0.0.1', null],
    ['example.com', null],
    ['', null],
  ])('addressFamily(%s) is %s', (text, family) => {
    expect(addressFamily(text)).toBe(family);
  });

  test('no text is an address of both families', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.ipV4(), fc.ipV6()), (text) => !(isIpv4(text) && isIpv6(text))));
  });

  test('addressToBytes gives 4 or 16 bytes by the text, and bytesToAddress reads them back', () => {
    expect([...addressToBytes('198.18.0.1')]).toEqual([198, 18, 0, 1]);
    expect(hex(addressToBytes('ff02::12'))).toBe('ff020000000000000000000000000012');
    expect(addressBytesLength('ipv4')).toBe(4);
    expect(addressBytesLength('ipv6')).toBe(16);
    expect(() => addressToBytes('fe80::1%eth0')).toThrow(RangeError);
    expect(() => addressToBytesOf('ipv4', '2001:2::1')).toThrow(RangeError);
    expect(() => addressToBytesOf('ipv6', '198.18.0.1')).toThrow(RangeError);
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (text) => {
        const family = addressFamily(text);
        if (family === null) throw new Error(`fast-check's address ${text} refused`);
        const bytes = addressToBytes(text);
        expect(bytes.length).toBe(addressBytesLength(family));
        expect(bytesToAddress(family, bytes)).toBe(family === 'ipv6' ? canonicalIpv6(text) : text);
      }),
      { numRuns: 2000 },
    );
  });
});
