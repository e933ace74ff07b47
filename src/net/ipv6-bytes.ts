// IPv6 addresses as 16 bytes on the wire and RFC 5952 canonical text everywhere else. The one parser is
// address.ts's parseIpv6, so the wire and vip.yaml agree on what an address is; every address tsvip
// prints or compares as text goes through bytesToIpv6 first, so one address has one spelling.
import { parseIpv6 } from './address.js';

export const IPV6_BYTES = 16;

export function ipv6ToBytes(address: string): Uint8Array {
  const bytes = parseIpv6(address);
  if (bytes === null) throw new RangeError(`not an IPv6 address: ${address}`);
  return bytes;
}

/**
 * The RFC 5952 text of the 16 bytes at `offset`: lowercase hex without leading zeros (4.1, 4.3), the
 * longest run of two or more zero groups as `::`, the first of equal runs (4.2.1 to 4.2.3).
 * IPv4-mapped addresses (::ffff:0:0/96) keep their IPv4 part dotted, as RFC 5952 5 recommends and as
 * inet_ntop and the kernel print them: `::ffff:198.18.0.1`. The deprecated IPv4-compatible form
 * (RFC 4291 2.5.5.1) is printed in hex, `::c612:1`: nothing tells it from an ordinary address.
 * Bytes missing past the end read as 0, as bytesToIpv4 does.
 */
export function bytesToIpv6(bytes: Uint8Array, offset = 0): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[offset + 2 * i] ?? 0) << 8) | (bytes[offset + 2 * i + 1] ?? 0));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const dotted = [offset + 12, offset + 13, offset + 14, offset + 15].map((i) => bytes[i] ?? 0).join('.');
    return `::ffff:${dotted}`;
  }
  let bestStart = -1;
  let bestLength = 1; // a run must be longer than this: one zero group is never compressed
  for (let start = 0; start < 8; ) {
    if (groups[start] !== 0) {
      start++;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === 0) end++;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** The canonical (RFC 5952) spelling of an IPv6 address, or null when `text` is not one. */
export function canonicalIpv6(text: string): string | null {
  const bytes = parseIpv6(text);
  return bytes === null ? null : bytesToIpv6(bytes);
}

/** Orders addresses as unsigned 128-bit numbers (RFC 5798 6.4.3: the higher primary address wins a tie). */
export function compareIpv6(a: string, b: string): number {
  const x = ipv6ToBytes(a);
  const y = ipv6ToBytes(b);
  for (let i = 0; i < IPV6_BYTES; i++) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
