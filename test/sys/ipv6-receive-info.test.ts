// The ancillary data a raw IPv6 socket's recvmsg gives with IPV6_RECVPKTINFO and IPV6_RECVHOPLIMIT on
// (RFC 3542 6.1, 6.3): struct in6_pktinfo (destination, ifindex) and an int hop limit. They are the only
// place the IPv6 header's destination and hop limit can be read, so a missing or short one is a drop.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { readIpv6ReceiveInfo } from '../../src/sys/ipv6-receive-info.js';
import { parseControlMessages, type ControlMessage } from '../../src/sys/message-header.js';
import { ipv6Mreq, needsScopeId } from '../../src/sys/raw-ipv6-socket.js';

const IPPROTO_IPV6 = 41;
const IPV6_PKTINFO = 50;
const IPV6_HOPLIMIT = 52;

function pktinfo(destination: string, ifindex: number): ControlMessage {
  const data = Buffer.alloc(20);
  data.set(Buffer.from(destination.replace(/:/g, ''), 'hex'), 0);
  data.writeInt32LE(ifindex, 16);
  return { level: IPPROTO_IPV6, type: IPV6_PKTINFO, data };
}

function hopLimit(value: number): ControlMessage {
  const data = Buffer.alloc(4);
  data.writeInt32LE(value, 0);
  return { level: IPPROTO_IPV6, type: IPV6_HOPLIMIT, data };
}

/** One cmsghdr record as the kernel writes it: u64 length, i32 level, i32 type, data padded to 8. */
function record(message: ControlMessage): Buffer {
  const length = 16 + message.data.length;
  const buffer = Buffer.alloc(Math.ceil(length / 8) * 8);
  buffer.writeBigUInt64LE(BigInt(length), 0);
  buffer.writeInt32LE(message.level, 8);
  buffer.writeInt32LE(message.type, 12);
  message.data.copy(buffer, 16);
  return buffer;
}

const FF02_12 = 'ff020000000000000000000000000012';

describe('IPV6_PKTINFO and IPV6_HOPLIMIT from recvmsg', () => {
  test('a multicast advert: destination ff02::12, the ifindex, hop limit 255, read from the kernel layout (pktinfo padded to 40, hop limit to 24)', () => {
    const control = Buffer.concat([record(pktinfo(FF02_12, 2)), record(hopLimit(255))]);
    expect(control.length).toBe(40 + 24);
    expect(readIpv6ReceiveInfo(parseControlMessages(control))).toEqual({ ok: true, value: { destination: 'ff02::12', ifindex: 2, hopLimit: 255 } });
  });

  test('order does not matter, and other control messages are passed over', () => {
    const other: ControlMessage = { level: 1, type: 29, data: Buffer.alloc(16) };
    expect(readIpv6ReceiveInfo([hopLimit(64), other, pktinfo('20010002000000000000000000000002', 5)])).toEqual({ ok: true, value: { destination: '2001:2::2', ifindex: 5, hopLimit: 64 } });
  });

  test('a hop limit other than 255 is reported as it arrived (the receive filter drops it, not this reader)', () => {
    expect(readIpv6ReceiveInfo([pktinfo(FF02_12, 2), hopLimit(1)])).toMatchObject({ ok: true, value: { hopLimit: 1 } });
  });

  test('either one missing: no record, and the detail says which', () => {
    expect(readIpv6ReceiveInfo([hopLimit(255)])).toEqual({ ok: false, detail: 'no IPV6_PKTINFO control message' });
    expect(readIpv6ReceiveInfo([pktinfo(FF02_12, 2)])).toEqual({ ok: false, detail: 'no IPV6_HOPLIMIT control message' });
    expect(readIpv6ReceiveInfo([])).toMatchObject({ ok: false });
  });

  test('IPv4 messages with the same type numbers are not taken for IPv6 ones', () => {
    const ipv4Level = (message: ControlMessage): ControlMessage => ({ ...message, level: 0 });
    expect(readIpv6ReceiveInfo([ipv4Level(pktinfo(FF02_12, 2)), ipv4Level(hopLimit(255))])).toMatchObject({ ok: false });
  });

  test('short data or an impossible hop limit: no record', () => {
    expect(readIpv6ReceiveInfo([{ ...pktinfo(FF02_12, 2), data: Buffer.alloc(19) }, hopLimit(255)])).toMatchObject({ ok: false, detail: expect.stringContaining('in6_pktinfo') });
    expect(readIpv6ReceiveInfo([pktinfo(FF02_12, 2), { ...hopLimit(255), data: Buffer.alloc(3) }])).toMatchObject({ ok: false, detail: expect.stringContaining('IPV6_HOPLIMIT') });
    expect(readIpv6ReceiveInfo([pktinfo(FF02_12, 2), hopLimit(256)])).toMatchObject({ ok: false });
    expect(readIpv6ReceiveInfo([pktinfo(FF02_12, 2), hopLimit(-1)])).toMatchObject({ ok: false });
  });

  test('random control bytes never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void readIpv6ReceiveInfo(parseControlMessages(Buffer.from(bytes)))));
  });
});

describe('what the IPv6 socket hands the kernel', () => {
  test('struct ipv6_mreq: the 16-byte group, then the ifindex as an int', () => {
    expect(ipv6Mreq('ff02::12', 3).toString('hex')).toBe(`${FF02_12}03000000`);
  });

  test('a scope id goes with link-local unicast and interface- or link-scope multicast only', () => {
    expect(needsScopeId('fe80::1')).toBe(true);
    expect(needsScopeId('febf::1')).toBe(true);
    expect(needsScopeId('ff02::12')).toBe(true);
    expect(needsScopeId('ff12::12')).toBe(true);
    expect(needsScopeId('ff01::1')).toBe(true);
    expect(needsScopeId('ff05::2')).toBe(false);
    expect(needsScopeId('2001:2::1')).toBe(false);
    expect(needsScopeId('fec0::1')).toBe(false);
  });
});
