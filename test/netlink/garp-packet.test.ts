// The gratuitous ARP that a new master sends (RFC 826 layout), against
// keepalived's own bytes, field by field, and for any VIP and MAC.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ARP_PACKET_LENGTH, buildGratuitousArp } from '../../src/netlink/garp.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

// keepalived 2.2.7 as MASTER for 198.18.0.100/32 on eth0 (02:00:c6:12:00:01), seen by
// `tcpdump -i eth0 -nn -e -xx arp` on the other end of the veth: the 14-byte Ethernet header
// (ff:ff:ff:ff:ff:ff <- 02:00:c6:12:00:01, 0x0806), then these 28 bytes of ARP.
const keepalivedFrame =
  'ffffffffffff' + '0200c6120001' + '0806' +
  '0001' + '0800' + '06' + '04' + '0001' + '0200c6120001' + 'c6120064' + 'ffffffffffff' + 'c6120064';
const keepalivedArp = keepalivedFrame.slice(14 * 2);

describe('gratuitous ARP: a broadcast ARP request with sender = target = VIP, sender MAC = interface MAC', () => {
  const packet = buildGratuitousArp({ vip: '198.18.0.100', mac: '02:00:c6:12:00:01' });

  test("is keepalived 2.2.7's gratuitous ARP, byte for byte", () => {
    expect(hex(packet)).toBe(keepalivedArp);
  });

  test('RFC 826 fields: Ethernet, IPv4, lengths 6 and 4, opcode 1 (request)', () => {
    expect(packet.length).toBe(ARP_PACKET_LENGTH);
    const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
    expect(view.getUint16(0)).toBe(1); // htype: Ethernet
    expect(view.getUint16(2)).toBe(0x0800); // ptype: IPv4
    expect(packet[4]).toBe(6); // hlen
    expect(packet[5]).toBe(4); // plen
    expect(view.getUint16(6)).toBe(1); // op: request, not reply
  });

  test('sender MAC is the interface MAC; sender IP and target IP are both the VIP', () => {
    expect(hex(packet.subarray(8, 14))).toBe('0200c6120001');
    expect([...packet.subarray(14, 18)]).toEqual([198, 18, 0, 100]);
    expect([...packet.subarray(24, 28)]).toEqual([198, 18, 0, 100]);
  });

  test('target MAC is ff:ff:ff:ff:ff:ff, as keepalived sends it (receivers ignore it in a request)', () => {
    expect(hex(packet.subarray(18, 24))).toBe('ffffffffffff');
  });

  test('any VIP and MAC land at their offsets, and nothing else changes', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.uint8Array({ minLength: 6, maxLength: 6 }), fc.boolean(), (vip, macBytes, upper) => {
        const mac = [...macBytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
        const built = buildGratuitousArp({ vip, mac: upper ? mac.toUpperCase() : mac });
        const vipBytes = vip.split('.').map(Number);
        expect(built.length).toBe(ARP_PACKET_LENGTH);
        expect([...built.subarray(8, 14)]).toEqual([...macBytes]);
        expect([...built.subarray(14, 18)]).toEqual(vipBytes);
        expect([...built.subarray(24, 28)]).toEqual(vipBytes);
        expect(hex(built.subarray(0, 8)) + hex(built.subarray(18, 24))).toBe('0001080006040001' + 'ffffffffffff');
      }),
    );
  });

  test('a malformed MAC or VIP is refused, not sent as garbage', () => {
    for (const mac of ['02:00:c6:12:00', '02:00:c6:12:00:01:02', '02-00-c6-12-00-01', '2:0:c6:12:0:1', 'zz:00:c6:12:00:01', '']) {
      expect(() => buildGratuitousArp({ vip: '198.18.0.100', mac }), mac).toThrow(RangeError);
    }
    for (const vip of ['198.18.0', '198.18.0.256', '198.18.0.100/32', '']) {
      expect(() => buildGratuitousArp({ vip, mac: '02:00:c6:12:00:01' }), vip).toThrow(RangeError);
    }
  });

  test('building packets loads no native library (koffi stays unloaded until a sender opens)', () => {
    // Whatever the module system, a loaded addon is a mapping of its .node file in this process.
    const mapped = readFileSync('/proc/self/maps', 'utf8').split('\n').filter((line) => line.includes('koffi'));
    expect(mapped).toEqual([]);
  });
});
