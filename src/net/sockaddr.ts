// Socket addresses as the kernel reads and writes them (struct sockaddr_in and struct sockaddr_in6),
// built from the one parser of each family so the data path, VRRP and vip.yaml agree on what an
// address is. The family is the first field of both, so a reader can tell them apart.
import { addressFamily } from './address.js';
import { bytesToIpv4, ipv4ToBytes } from './ipv4-bytes.js';
import { IPV6_BYTES, bytesToIpv6, ipv6ToBytes } from './ipv6-bytes.js';

const AF_INET = 2;
const AF_INET6 = 10;
export const SOCKADDR_IN_LENGTH = 16;
/** struct sockaddr_in6 { u16 family; u16 port (network order); u32 flowinfo; u8 addr[16]; u32 scope_id } */
export const SOCKADDR_IN6_LENGTH = 28;
/** Room for a struct sockaddr of either family: what accept() and getsockname() are given to fill. */
export const SOCKADDR_MAX_LENGTH = SOCKADDR_IN6_LENGTH;
const IN6 = { family: 0, port: 2, flowinfo: 4, address: 8, scopeId: 24 } as const;

/** struct sockaddr_in for an IPv4 address (dotted quad) and port. Throws RangeError on a bad address. */
export function sockaddrIn(host: string, port: number): Buffer {
  const address = Buffer.alloc(SOCKADDR_IN_LENGTH);
  address.writeUInt16LE(AF_INET, 0);
  address.writeUInt16BE(port, 2);
  address.set(ipv4ToBytes(host), 4);
  return address;
}

export function readSockaddrIn(address: Buffer): { host: string; port: number } {
  return { host: [...address.subarray(4, 8)].join('.'), port: address.readUInt16BE(2) };
}

export interface SocketAddressIpv6 {
  /** RFC 5952 text, without a zone: the zone is scopeId. */
  host: string;
  port: number;
  /** The interface index a link-local (fe80::/10) or ff02:: address belongs to; 0 for a global one. */
  scopeId: number;
  /** Traffic class and flow label as the struct holds them (network order); nothing here reads them. */
  flowinfo: number;
}

/**
 * struct sockaddr_in6 for an IPv6 address, port and scope id (the ifindex a link-local or link-scope
 * multicast address needs). Throws RangeError on a bad address or a number out of its field's range.
 */
export function sockaddrIn6(host: string, port: number, scopeId = 0, flowinfo = 0): Buffer {
  const address = Buffer.alloc(SOCKADDR_IN6_LENGTH);
  address.writeUInt16LE(AF_INET6, IN6.family);
  address.writeUInt16BE(port, IN6.port);
  // flowinfo is in network order in the kernel's struct (__be32); scope_id is host order.
  address.writeUInt32BE(flowinfo, IN6.flowinfo);
  address.set(ipv6ToBytes(host), IN6.address);
  address.writeUInt32LE(scopeId, IN6.scopeId);
  return address;
}

/**
 * The fields of a struct sockaddr_in6 from the kernel (recvmsg's msg_name), or null when the bytes are
 * not one: shorter than 28 bytes or another family. Never throws.
 */
export function readSockaddrIn6(address: Uint8Array): SocketAddressIpv6 | null {
  if (address.length < SOCKADDR_IN6_LENGTH) return null;
  const view = Buffer.from(address.buffer, address.byteOffset, SOCKADDR_IN6_LENGTH);
  if (view.readUInt16LE(IN6.family) !== AF_INET6) return null;
  return {
    host: bytesToIpv6(view.subarray(IN6.address, IN6.address + IPV6_BYTES)),
    port: view.readUInt16BE(IN6.port),
    scopeId: view.readUInt32LE(IN6.scopeId),
    flowinfo: view.readUInt32BE(IN6.flowinfo),
  };
}

/**
 * struct sockaddr_in or sockaddr_in6, by the family of `host` (dotted quad or IPv6 text). Throws
 * RangeError on anything else: a name, a zone id, a bad port.
 */
export function sockaddrOf(host: string, port: number): Buffer {
  const family = addressFamily(host);
  if (family === null) throw new RangeError(`not an IPv4 or IPv6 address: ${host}`);
  return family === 'ipv6' ? sockaddrIn6(host, port) : sockaddrIn(host, port);
}

/** The AF_* number a struct sockaddr starts with (sa_family, host order): what socket() needs for it. */
export function sockaddrFamily(address: Buffer): number {
  return address.readUInt16LE(0);
}

/**
 * A peer's address as accept() wrote it, kept cheap for the data path: IPv4 as a number in host order
 * (also an IPv4-mapped ::ffff:a.b.c.d, which is how a dual-stack socket shows an IPv4 client, so that
 * client is logged as the IPv4 address it is), IPv6 as a copy of its 16 bytes. Text is made only when a
 * log line asks for it (formatPeer).
 */
export type PeerIp = number | Uint8Array;

/** The peer address in a struct sockaddr_in or sockaddr_in6 (accept's); a stray family reads as 0.0.0.0. */
export function peerIp(address: Buffer): PeerIp {
  if (address.readUInt16LE(0) !== AF_INET6) return address.readUInt32BE(4);
  const at = IN6.address;
  if (address.readUInt32BE(at) === 0 && address.readUInt32BE(at + 4) === 0 && address.readUInt32BE(at + 8) === 0xffff) return address.readUInt32BE(at + 12);
  return new Uint8Array(address.subarray(at, at + IPV6_BYTES));
}

/** The peer's port, in either family's struct (the same offset in both). */
export function peerPort(address: Buffer): number {
  return address.readUInt16BE(2);
}

/** `198.18.0.1:41000` or `[2001:2::1]:41000`, for logs. */
export function formatPeer(ip: PeerIp, port: number): string {
  if (typeof ip === 'number') return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}:${port}`;
  return `[${bytesToIpv6(ip)}]:${port}`;
}

/**
 * Host and port of a struct sockaddr_in or sockaddr_in6 (getsockname's), the IPv6 host canonical; null
 * for another family or too few bytes. Never throws.
 */
export function readSockaddr(address: Uint8Array): { host: string; port: number } | null {
  if (address.length < SOCKADDR_IN_LENGTH) return null;
  const view = Buffer.from(address.buffer, address.byteOffset, address.length);
  const family = view.readUInt16LE(0);
  if (family === AF_INET) return { host: bytesToIpv4(view, 4), port: view.readUInt16BE(2) };
  const ipv6 = readSockaddrIn6(view);
  return ipv6 === null ? null : { host: ipv6.host, port: ipv6.port };
}
