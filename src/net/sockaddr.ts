// Socket addresses as the kernel reads and writes them (struct sockaddr_in and struct sockaddr_in6),
// built from the one parser of each family so the data path, VRRP and vip.yaml agree on what an
// address is. The family is the first field of both, so a reader can tell them apart.
import { ipv4ToBytes } from './ipv4-bytes.js';
import { IPV6_BYTES, bytesToIpv6, ipv6ToBytes } from './ipv6-bytes.js';

const AF_INET = 2;
const AF_INET6 = 10;
export const SOCKADDR_IN_LENGTH = 16;
/** struct sockaddr_in6 { u16 family; u16 port (network order); u32 flowinfo; u8 addr[16]; u32 scope_id } */
export const SOCKADDR_IN6_LENGTH = 28;
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
