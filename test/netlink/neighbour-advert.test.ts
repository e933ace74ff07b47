// The unsolicited Neighbour Advertisement a new master sends for an IPv6 VIP (RFC 4861 4.4, 7.2.6),
// read back with a small parser and checksum of this test's own, not the builder's helpers.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ALL_NODES_MAC, ETH_P_IPV6, NEIGHBOUR_ADVERT_LENGTH, buildUnsolicitedNeighbourAdvert } from '../../src/netlink/neighbour-advert.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** RFC 1071 by hand over the IPv6 pseudo-header (RFC 8200 8.1) and the ICMPv6 message: 0 when right. */
function checksumResidue(packet: Uint8Array): number {
  const icmp = packet.subarray(40);
  const pseudo = Buffer.alloc(40);
  Buffer.from(packet.subarray(8, 40)).copy(pseudo, 0); // source and destination, as in the header
  pseudo.writeUInt32BE(icmp.length, 32);
  pseudo[39] = 58;
  const all = Buffer.concat([pseudo, icmp, Buffer.alloc(icmp.length % 2)]);
  let sum = 0;
  for (let i = 0; i < all.length; i += 2) sum += all.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Expands 16 bytes to the full 8-group text, so this test does not lean on the canonical formatter. */
function fullIpv6(bytes: Uint8Array): string {
  return Array.from({ length: 8 }, (_, i) => Buffer.from(bytes.subarray(2 * i, 2 * i + 2)).toString('hex')).join(':');
}

function readAdvert(packet: Uint8Array) {
  const b = Buffer.from(packet);
  return {
    version: b[0]! >> 4,
    trafficClassAndFlow: b.readUInt32BE(0) & 0x0fffffff,
    payloadLength: b.readUInt16BE(4),
    nextHeader: b[6],
    hopLimit: b[7],
    source: fullIpv6(packet.subarray(8, 24)),
    destination: fullIpv6(packet.subarray(24, 40)),
    type: b[40],
    code: b[41],
    router: (b[44]! & 0x80) !== 0,
    solicited: (b[44]! & 0x40) !== 0,
    override: (b[44]! & 0x20) !== 0,
    reserved: (b.readUInt32BE(44) & 0x1fffffff) >>> 0,
    target: fullIpv6(packet.subarray(48, 64)),
    optionType: b[64],
    optionLength: b[65],
    optionMac: [...b.subarray(66, 72)].map((x) => x.toString(16).padStart(2, '0')).join(':'),
  };
}

const VIP = '2001:2::100';
const MAC = '02:00:c6:12:00:01';

// keepalived 2.2.7 becoming MASTER for 2001:2::100/128 on eth0 (02:00:c6:12:00:01, host 1 of the lab
// of test/fixtures/capture-lab.sh, forwarding off), as `tcpdump -i eth0 -nn -e -v -xx 'icmp6 and
// ip6[40] == 136'` printed it on host 2 (five identical frames): the 14-byte Ethernet header, then the
// IPv6 packet. tcpdump read it as "(hlim 255, ...) 2001:2::100 > ff02::1: [icmp6 sum ok] ICMP6, neighbor
// advertisement, length 32, tgt is 2001:2::100, Flags [override]".
const KEEPALIVED_FRAME =
  '333300000001' + '0200c6120001' + '86dd' +
  '6000000000203aff' + '20010002000000000000000000000100' + 'ff020000000000000000000000000001' +
  '88004c8620000000' + '20010002000000000000000000000100' + '02010200c6120001';

describe('unsolicited Neighbour Advertisement for a VIP (RFC 4861 4.4, as keepalived 2.2 sends it)', () => {
  const packet = buildUnsolicitedNeighbourAdvert({ target: VIP, mac: MAC, router: false });

  test("is keepalived 2.2.7's unsolicited NA for the same VIP and MAC, byte for byte (checksum included)", () => {
    expect(hex(ALL_NODES_MAC) + MAC.replaceAll(':', '') + ETH_P_IPV6.toString(16) + hex(packet)).toBe(KEEPALIVED_FRAME);
  });

  test('byte layout: IPv6 header from the VIP to ff02::1 with hop limit 255, ICMPv6 type 136 with O set, the target, a TLLA option', () => {
    expect(packet.length).toBe(NEIGHBOUR_ADVERT_LENGTH);
    const checksum = hex(packet.subarray(42, 44));
    expect(hex(packet)).toBe(
      '60000000' + '0020' + '3a' + 'ff' + // version 6, payload 32, next header 58, hop limit 255
        '20010002000000000000000000000100' + // source: the VIP
        'ff020000000000000000000000000001' + // destination: all nodes
        '88' + '00' + checksum + '20000000' + // type 136, code 0, checksum, flags O only
        '20010002000000000000000000000100' + // target
        '02' + '01' + '0200c6120001', // option 2 (target link-layer address), 1 unit, the MAC
    );
  });

  test('fields: Override set, Solicited and Router clear, reserved zero, a checksum that verifies', () => {
    expect(readAdvert(packet)).toEqual({
      version: 6,
      trafficClassAndFlow: 0,
      payloadLength: 32,
      nextHeader: 58,
      hopLimit: 255,
      source: '2001:0002:0000:0000:0000:0000:0000:0100',
      destination: 'ff02:0000:0000:0000:0000:0000:0000:0001',
      type: 136,
      code: 0,
      router: false,
      solicited: false,
      override: true,
      reserved: 0,
      target: '2001:0002:0000:0000:0000:0000:0000:0100',
      optionType: 2,
      optionLength: 1,
      optionMac: MAC,
    });
    expect(checksumResidue(packet)).toBe(0);
  });

  test('the checksum is the one computed by hand for this packet', () => {
    // The sum with the checksum field zero, folded and complemented, by this test's arithmetic.
    const zeroed = Uint8Array.from(packet);
    zeroed[42] = 0;
    zeroed[43] = 0;
    const expected = checksumResidue(zeroed);
    expect(Buffer.from(packet).readUInt16BE(42)).toBe(expected);
    expect(expected).not.toBe(0);
  });

  test('Router set only when asked (a forwarding host), and the checksum still verifies', () => {
    const asRouter = buildUnsolicitedNeighbourAdvert({ target: VIP, mac: MAC, router: true });
    expect(readAdvert(asRouter)).toMatchObject({ router: true, solicited: false, override: true });
    expect(asRouter[44]).toBe(0xa0);
    expect(checksumResidue(asRouter)).toBe(0);
    expect(hex(asRouter.subarray(0, 42))).toBe(hex(packet.subarray(0, 42)));
  });

  test('the frame goes to 33:33:00:00:00:01 with ethertype 0x86dd', () => {
    expect(hex(ALL_NODES_MAC)).toBe('333300000001');
    expect(ETH_P_IPV6).toBe(0x86dd);
  });

  test.each([
    ['an IPv4 address', '198.18.0.100', MAC],
    ['a multicast target', 'ff02::1', MAC],
    ['a CIDR', '2001:2::100/64', MAC],
    ['a bad MAC', VIP, '02:00:c6:12:00'],
  ])('refuses %s with a RangeError', (_name, target, mac) => {
    expect(() => buildUnsolicitedNeighbourAdvert({ target, mac, router: false })).toThrow(RangeError);
  });

  test('property: for any unicast target and MAC, the checksum verifies and every field reads back', () => {
    const unicast = fc.uint8Array({ minLength: 16, maxLength: 16 }).filter((bytes) => bytes[0] !== 0xff);
    const macBytes = fc.uint8Array({ minLength: 6, maxLength: 6 });
    fc.assert(
      fc.property(unicast, macBytes, fc.boolean(), (targetBytes, macB, router) => {
        const target = fullIpv6(targetBytes);
        const mac = [...macB].map((x) => x.toString(16).padStart(2, '0')).join(':');
        const advert = buildUnsolicitedNeighbourAdvert({ target, mac, router });
        expect(checksumResidue(advert)).toBe(0);
        expect(readAdvert(advert)).toEqual({
          version: 6,
          trafficClassAndFlow: 0,
          payloadLength: 32,
          nextHeader: 58,
          hopLimit: 255,
          source: target,
          destination: 'ff02:0000:0000:0000:0000:0000:0000:0001',
          type: 136,
          code: 0,
          router,
          solicited: false,
          override: true,
          reserved: 0,
          target,
          optionType: 2,
          optionLength: 1,
          optionMac: mac,
        });
      }),
      { numRuns: 500 },
    );
  });
});
