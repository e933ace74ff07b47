// Either family's addresses as wire bytes, for code that carries both (the VRRP codec, its checksum's
// pseudo-header): the family is read off the text, or given, and the per-family modules do the work.
import { addressFamily, type AddressFamily } from './address.js';
import { bytesToIpv4, compareIpv4, ipv4ToBytes } from './ipv4-bytes.js';
import { IPV6_BYTES, bytesToIpv6, compareIpv6, ipv6ToBytes } from './ipv6-bytes.js';

/** How many bytes one address of the family takes on the wire. */
export function addressBytesLength(family: AddressFamily): number {
  return family === 'ipv6' ? IPV6_BYTES : 4;
}

/** 4 or 16 bytes for an address of either family. Throws RangeError on anything else. */
export function addressToBytes(address: string): Uint8Array {
  const family = addressFamily(address);
  if (family === null) throw new RangeError(`not an IPv4 or IPv6 address: ${address}`);
  return family === 'ipv6' ? ipv6ToBytes(address) : ipv4ToBytes(address);
}

/** As addressToBytes, and throws RangeError unless the address is of `family`. */
export function addressToBytesOf(family: AddressFamily, address: string): Uint8Array {
  return family === 'ipv6' ? ipv6ToBytes(address) : ipv4ToBytes(address);
}

/** The text of the address of `family` at `offset` (canonical for IPv6). */
export function bytesToAddress(family: AddressFamily, bytes: Uint8Array, offset = 0): string {
  return family === 'ipv6' ? bytesToIpv6(bytes, offset) : bytesToIpv4(bytes, offset);
}

/**
 * Orders two addresses as unsigned numbers (RFC 5798 6.4.3: the higher primary address wins a tie).
 * One instance hears one family; should two families ever meet, IPv4 sorts first.
 */
export function compareAddresses(a: string, b: string): number {
  const aIpv6 = a.includes(':');
  if (aIpv6 !== b.includes(':')) return aIpv6 ? 1 : -1;
  return aIpv6 ? compareIpv6(a, b) : compareIpv4(a, b);
}
