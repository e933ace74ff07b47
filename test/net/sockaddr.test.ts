// struct sockaddr_in6 as the kernel reads it from sendto/bind and writes it into recvmsg's msg_name:
// 28 bytes, family 10 little-endian, port and flowinfo in network order, the address, scope id in host order.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { bytesToIpv6 } from '../../src/net/ipv6-bytes.js';
import { formatPeer, peerIp, peerPort, readSockaddr, SOCKADDR_IN6_LENGTH, SOCKADDR_MAX_LENGTH, readSockaddrIn6, sockaddrFamily, sockaddrIn, sockaddrIn6, sockaddrOf } from '../../src/net/sockaddr.js';

describe('struct sockaddr_in6', () => {
  test('fe80::1 in zone 7, port 0: the 28 bytes glibc lays out', () => {
    const address = sockaddrIn6('fe80::1', 0, 7);
    expect(address.length).toBe(SOCKADDR_IN6_LENGTH);
    expect(address.toString('hex')).toBe(['0a00', '0000', '00000000', 'fe800000000000000000000000000001', '07000000'].join(''));
  });

  test('ff02::12 with a port and flowinfo: port and flowinfo big-endian, scope id little-endian', () => {
    const address = sockaddrIn6('ff02::12', 0x1234, 0x01020304, 0x000abcde);
    expect(address.subarray(2, 4).toString('hex')).toBe('1234');
    expect(address.subarray(4, 8).toString('hex')).toBe('000abcde');
    expect(address.subarray(8, 24).toString('hex')).toBe('ff020000000000000000000000000012');
    expect(address.subarray(24, 28).toString('hex')).toBe('04030201');
  });

  test('read back: canonical text, port, scope id and flowinfo', () => {
    expect(readSockaddrIn6(sockaddrIn6('2001:2:0:0::0:5', 80, 0, 9))).toEqual({ host: '2001:2::5', port: 80, scopeId: 0, flowinfo: 9 });
  });

  test('a bad address or port is a RangeError, not a malformed struct', () => {
    expect(() => sockaddrIn6('198.18.0.1', 0)).toThrow(RangeError);
    expect(() => sockaddrIn6('fe80::1', 65536)).toThrow(RangeError);
  });

  test('bytes that are not a sockaddr_in6 read as null: too short, or family AF_INET', () => {
    expect(readSockaddrIn6(Buffer.alloc(27))).toBeNull();
    expect(readSockaddrIn6(Buffer.concat([sockaddrIn('198.18.0.1', 0), Buffer.alloc(12)]))).toBeNull();
    expect(readSockaddrIn6(Buffer.alloc(0))).toBeNull();
  });

  test('a view into a larger buffer (recvmsg name slab) is read at its own offset', () => {
    const slab = Buffer.concat([Buffer.from([0xaa, 0xbb, 0xcc]), sockaddrIn6('fe80::2', 0, 3)]);
    expect(readSockaddrIn6(slab.subarray(3))).toEqual({ host: 'fe80::2', port: 0, scopeId: 3, flowinfo: 0 });
  });

  test('round trip for any address, port, scope id and flowinfo; random bytes never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 0xffff }), fc.nat({ max: 0xffffffff }), fc.nat({ max: 0x7fffffff }), (bytes, port, scopeId, flowinfo) => {
        const host = bytesToIpv6(bytes);
        expect(readSockaddrIn6(sockaddrIn6(host, port, scopeId, flowinfo))).toEqual({ host, port, scopeId, flowinfo });
      }),
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => void readSockaddrIn6(bytes)));
  });
});

// The load balancer's data path listens, accepts and connects in either family with these.
describe('either family', () => {
  test('sockaddrOf picks the struct by the address: sockaddr_in (16 bytes, AF_INET 2) or sockaddr_in6 (28, AF_INET6 10)', () => {
    expect(sockaddrOf('198.18.0.1', 6443)).toEqual(sockaddrIn('198.18.0.1', 6443));
    expect(sockaddrOf('2001:2::11', 6443)).toEqual(sockaddrIn6('2001:2::11', 6443));
    expect(sockaddrFamily(sockaddrOf('198.18.0.1', 1))).toBe(2);
    expect(sockaddrFamily(sockaddrOf('::', 1))).toBe(10);
    expect(SOCKADDR_MAX_LENGTH).toBe(SOCKADDR_IN6_LENGTH);
  });

  test('sockaddrOf refuses what is not an address of either family: a name, a zone, brackets', () => {
    for (const host of ['api.example', 'fe80::1%eth0', '[::1]', '']) expect(() => sockaddrOf(host, 1)).toThrow(RangeError);
  });

  test('readSockaddr reads back either family, IPv6 canonical; other families and short bytes are null', () => {
    expect(readSockaddr(sockaddrOf('198.18.0.1', 8443))).toEqual({ host: '198.18.0.1', port: 8443 });
    expect(readSockaddr(sockaddrIn6('2001:2:0::0:11', 8443))).toEqual({ host: '2001:2::11', port: 8443 });
    // getsockname fills a buffer of SOCKADDR_MAX_LENGTH: an IPv4 struct is followed by its unused tail.
    expect(readSockaddr(Buffer.concat([sockaddrIn('0.0.0.0', 1), Buffer.alloc(12)]))).toEqual({ host: '0.0.0.0', port: 1 });
    expect(readSockaddr(Buffer.from([17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeNull();
    expect(readSockaddr(Buffer.alloc(8))).toBeNull();
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => void readSockaddr(bytes)));
  });

  test('a peer from accept(): IPv4 as a host-order number; an IPv4-mapped one (an IPv4 client of a dual-stack [::]) too', () => {
    expect(peerIp(sockaddrIn('198.18.0.7', 40000))).toBe(0xc6120007);
    expect(peerIp(sockaddrIn6('::ffff:198.18.0.7', 40000))).toBe(0xc6120007);
    expect(peerPort(sockaddrIn6('::ffff:198.18.0.7', 40000))).toBe(40000);
    expect(formatPeer(peerIp(sockaddrIn6('::ffff:198.18.0.7', 40000)), 40000)).toBe('198.18.0.7:40000');
  });

  test('an IPv6 peer is a copy of its bytes (the accept buffer is reused), printed canonical in brackets', () => {
    const buffer = sockaddrIn6('2001:2::1', 41000);
    const ip = peerIp(buffer);
    buffer.fill(0xff, 8, 24);
    expect(formatPeer(ip, peerPort(buffer))).toBe('[2001:2::1]:41000');
    // Close to a mapped address is not one: ::fffe:..., and ::ffff:0:0 with a non-zero prefix.
    expect(formatPeer(peerIp(sockaddrIn6('::fffe:c612:7', 1)), 1)).toBe('[::fffe:c612:7]:1');
    expect(formatPeer(peerIp(sockaddrIn6('1::ffff:c612:7', 1)), 1)).toBe('[1::ffff:c612:7]:1');
  });

  test('formatPeer agrees with readSockaddr for every address of either family', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 0xffff }), (bytes, port) => {
        const address = sockaddrIn6(bytesToIpv6(bytes), port);
        const read = readSockaddr(address);
        const mapped = read?.host.startsWith('::ffff:') === true && read.host.includes('.');
        expect(formatPeer(peerIp(address), peerPort(address))).toBe(mapped ? `${read.host.slice(7)}:${port}` : `[${read?.host}]:${port}`);
      }),
    );
  });
});
