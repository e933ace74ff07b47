// struct sockaddr_in6 as the kernel reads it from sendto/bind and writes it into recvmsg's msg_name:
// 28 bytes, family 10 little-endian, port and flowinfo in network order, the address, scope id in host order.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { bytesToIpv6 } from '../../src/net/ipv6-bytes.js';
import { SOCKADDR_IN6_LENGTH, readSockaddrIn6, sockaddrIn, sockaddrIn6 } from '../../src/net/sockaddr.js';

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
