// rtnetlink address messages for IPv6 beside IPv4, without a socket: the requests tsvip sends (read
// back byte by byte after netlink 0.3.0 formats them) and the kernel's messages it reads (built here by
// hand as struct ifaddrmsg and attributes, the layout of linux/if_addr.h).
import { rt, AttrStream } from 'netlink';
import { describe, expect, test } from 'vitest';
import { addressRequest, findLinkLocal, readAddressMessage, type Ipv6InterfaceAddress } from '../../src/netlink/address-message.js';
import { decodeEvent } from '../../src/netlink/events.js';

const RTM_NEWADDR = 20;
const RTM_DELADDR = 21;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_LABEL = 3;
const IFA_FLAGS = 8;
const IFA_CACHEINFO = 6;

function attribute(type: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16LE(4 + payload.length, 0);
  header.writeUInt16LE(type, 2);
  return Buffer.concat([header, payload, Buffer.alloc((4 - (payload.length % 4)) % 4)]);
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value, 0);
  return b;
}

/** struct ifaddrmsg then attributes, as the kernel sends them. */
function kernelMessage(header: { family: number; prefixlen: number; flags: number; scope: number; index: number }, attributes: Buffer[]): Buffer {
  const ifaddrmsg = Buffer.alloc(8);
  ifaddrmsg.writeUInt8(header.family, 0);
  ifaddrmsg.writeUInt8(header.prefixlen, 1);
  ifaddrmsg.writeUInt8(header.flags, 2);
  ifaddrmsg.writeUInt8(header.scope, 3);
  ifaddrmsg.writeUInt32LE(header.index, 4);
  return Buffer.concat([ifaddrmsg, ...attributes]);
}

/** The attributes of a formatted message, type -> payload. */
function attributesOf(bytes: Buffer): Map<number, Buffer> {
  const found = new Map<number, Buffer>();
  for (let offset = 8; offset + 4 <= bytes.length; ) {
    const length = bytes.readUInt16LE(offset);
    found.set(bytes.readUInt16LE(offset + 2), bytes.subarray(offset + 4, offset + length));
    offset += (length + 3) & ~3;
  }
  return found;
}

function formatted(request: ReturnType<typeof addressRequest>): Buffer {
  const stream = new AttrStream();
  rt.formatAddressMessage({ kind: 'address', data: request.data, attrs: request.attrs }, stream);
  return Buffer.concat(stream.bufs);
}

const VIP6 = Buffer.from('20010002000000000000000000000100', 'hex');

describe('the requests tsvip sends to add and delete an address', () => {
  test('IPv6: family AF_INET6 (10), the prefix, IFA_F_NODAD (0x02) in ifa_flags and in IFA_FLAGS, 16-byte IFA_LOCAL and IFA_ADDRESS', () => {
    const bytes = formatted(addressRequest(7, { family: 'ipv6', address: '2001:2::100', prefix: 128 }));
    expect([...bytes.subarray(0, 4)]).toEqual([10, 128, 0x02, 0]);
    expect(bytes.readUInt32LE(4)).toBe(7);
    const attributes = attributesOf(bytes);
    expect(attributes.get(IFA_LOCAL)?.equals(VIP6)).toBe(true);
    expect(attributes.get(IFA_ADDRESS)?.equals(VIP6)).toBe(true);
    expect(attributes.get(IFA_FLAGS)?.readUInt32LE(0)).toBe(0x02);
  });

  test('IPv6 with a /64: the prefix length is the one given, and no lifetimes (preferred forever)', () => {
    const bytes = formatted(addressRequest(7, { family: 'ipv6', address: '2001:2::100', prefix: 64 }));
    expect(bytes[1]).toBe(64);
    expect(attributesOf(bytes).has(IFA_CACHEINFO)).toBe(false);
  });

  test('IPv6 /128, as keepalived: IFA_CACHEINFO with preferred lifetime 0 and valid forever, so it is never a source address', () => {
    const cacheInfo = attributesOf(formatted(addressRequest(7, { family: 'ipv6', address: '2001:2::100', prefix: 128 }))).get(IFA_CACHEINFO);
    expect(cacheInfo?.readUInt32LE(0)).toBe(0);
    expect(cacheInfo?.readUInt32LE(4)).toBe(0xffffffff);
  });

  test('IPv4 as before: family AF_INET (2), no flags and no IFA_FLAGS, 4-byte addresses', () => {
    const bytes = formatted(addressRequest(3, { family: 'ipv4', address: '198.18.0.100', prefix: 32 }));
    expect([...bytes.subarray(0, 4)]).toEqual([2, 32, 0, 0]);
    expect(bytes.readUInt32LE(4)).toBe(3);
    const attributes = attributesOf(bytes);
    expect([...attributes.keys()].sort()).toEqual([IFA_ADDRESS, IFA_LOCAL]);
    expect(attributes.get(IFA_LOCAL)?.toString('hex')).toBe('c6120064');
  });
});

describe("the kernel's address messages, read", () => {
  const ipv6Message = (flags: { header: number; attribute: number | null }, scope = 0, address = VIP6, prefixlen = 128) =>
    kernelMessage({ family: 10, prefixlen, flags: flags.header, scope, index: 4 }, [
      attribute(IFA_ADDRESS, address),
      ...(flags.attribute === null ? [] : [attribute(IFA_FLAGS, u32(flags.attribute))]),
    ]);

  test('an IPv6 VIP added with nodad: canonical text, prefix, family, scope global, flags', () => {
    const decoded = decodeEvent({ type: RTM_NEWADDR, data: ipv6Message({ header: 0x02, attribute: 0x02 }) });
    expect(decoded).toEqual({
      ok: true,
      name: 'address',
      value: { kind: 'new', family: 'ipv6', ifindex: 4, address: '2001:2::100', prefix: 128, scope: 'global', flags: { tentative: false, dadfailed: false, nodad: true, deprecated: false } },
    });
  });

  test('a deleted IPv6 address is "deleted"', () => {
    const decoded = decodeEvent({ type: RTM_DELADDR, data: ipv6Message({ header: 0x02, attribute: 0x02 }) });
    expect(decoded).toMatchObject({ ok: true, value: { kind: 'deleted', family: 'ipv6', address: '2001:2::100' } });
  });

  test.each([
    ['tentative (0x40)', 0x40, { tentative: true, dadfailed: false, nodad: false, deprecated: false }],
    ['dadfailed (0x08) with tentative, as the kernel leaves it', 0x48, { tentative: true, dadfailed: true, nodad: false, deprecated: false }],
    ['deprecated (0x20)', 0x20, { tentative: false, dadfailed: false, nodad: false, deprecated: true }],
    ['permanent (0x80) only', 0x80, { tentative: false, dadfailed: false, nodad: false, deprecated: false }],
  ])('flags: %s', (_name, bits, flags) => {
    const decoded = decodeEvent({ type: RTM_NEWADDR, data: ipv6Message({ header: bits & 0xff, attribute: bits }) });
    expect(decoded).toMatchObject({ ok: true, value: { flags } });
  });

  test('IFA_FLAGS supersedes the 8-bit ifa_flags; without it, ifa_flags is read', () => {
    expect(decodeEvent({ type: RTM_NEWADDR, data: ipv6Message({ header: 0x00, attribute: 0x40 }) })).toMatchObject({ value: { flags: { tentative: true } } });
    expect(decodeEvent({ type: RTM_NEWADDR, data: ipv6Message({ header: 0x40, attribute: null }) })).toMatchObject({ value: { flags: { tentative: true } } });
  });

  test('a link-local is scope "link"', () => {
    const linkLocal = Buffer.from('fe800000000000000000c6fffe120001', 'hex');
    const decoded = decodeEvent({ type: RTM_NEWADDR, data: ipv6Message({ header: 0x40, attribute: 0xc0 }, 253, linkLocal, 64) });
    expect(decoded).toMatchObject({ ok: true, value: { address: 'fe80::c6ff:fe12:1', prefix: 64, scope: 'link', flags: { tentative: true } } });
  });

  test('IPv4 events keep their shape exactly: no family, no flags', () => {
    const data = kernelMessage({ family: 2, prefixlen: 32, flags: 0x80, scope: 0, index: 4 }, [
      attribute(IFA_ADDRESS, Buffer.from([198, 18, 0, 100])),
      attribute(IFA_LOCAL, Buffer.from([198, 18, 0, 100])),
      attribute(IFA_LABEL, Buffer.from('eth0\0')),
      attribute(IFA_FLAGS, u32(0x80)),
    ]);
    expect(decodeEvent({ type: RTM_NEWADDR, data })).toEqual({ ok: true, name: 'address', value: { kind: 'new', ifindex: 4, address: '198.18.0.100', prefix: 32 } });
  });

  test('an IPv6 message whose address is not 16 bytes is refused with a reason, not thrown', () => {
    const decoded = decodeEvent({ type: RTM_NEWADDR, data: ipv6Message({ header: 0, attribute: 0 }, 0, Buffer.from([198, 18, 0, 100])) });
    expect(decoded).toEqual({ ok: false, reason: 'NEWADDR without index, prefix or a 16-byte address' });
  });

  test('another family (AF_PACKET 17) is refused with a reason', () => {
    const data = kernelMessage({ family: 17, prefixlen: 0, flags: 0, scope: 0, index: 4 }, []);
    expect(decodeEvent({ type: RTM_NEWADDR, data })).toEqual({ ok: false, reason: 'NEWADDR family 17' });
  });

  test('readAddressMessage reads what addressRequest builds, in both families', () => {
    expect(readAddressMessage(addressRequest(9, { family: 'ipv6', address: '2001:2::100', prefix: 64 }))).toEqual({
      ok: true,
      family: 'ipv6',
      ifindex: 9,
      address: '2001:2::100',
      prefix: 64,
      scope: 'global',
      flags: { tentative: false, dadfailed: false, nodad: true, deprecated: false },
    });
    expect(readAddressMessage(addressRequest(9, { family: 'ipv4', address: '198.18.0.100', prefix: 24 }))).toEqual({ ok: true, family: 'ipv4', ifindex: 9, address: '198.18.0.100', prefix: 24 });
  });
});

describe('findLinkLocal: the source a VRRPv3-over-IPv6 sender waits for', () => {
  const flags = { tentative: false, dadfailed: false, nodad: false, deprecated: false };
  const global: Ipv6InterfaceAddress = { family: 'ipv6', address: '2001:2::1', prefix: 64, scope: 'global', flags };
  const linkLocal: Ipv6InterfaceAddress = { family: 'ipv6', address: 'fe80::c6ff:fe12:1', prefix: 64, scope: 'link', flags: { ...flags, tentative: true } };

  test('picks the scope-link fe80:: address, with its tentative flag', () => {
    expect(findLinkLocal([global, linkLocal])).toEqual(linkLocal);
  });

  test('null when the interface has none (addrgenmode none, or not yet)', () => {
    expect(findLinkLocal([global])).toBeNull();
    expect(findLinkLocal([])).toBeNull();
  });
});
