// The Internet checksum (RFC 1071): the one's complement of the one's complement sum of 16-bit words.
// Pure: used by the VRRP codec, the IPv4 header builder and the Neighbour Advertisement builder, which
// is why it lives in src/net (shared by vrrp and netlink) and not in src/vrrp.

/** Adds `bytes` to a running 32-bit sum of 16-bit big-endian words (an odd last byte is padded with 0). */
export function sumWords(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  const evenLength = bytes.length & ~1;
  for (let i = 0; i < evenLength; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  if (bytes.length !== evenLength) sum += (bytes[evenLength] ?? 0) << 8;
  return sum;
}

/** Folds a running sum into the final 16-bit checksum. */
export function finishChecksum(sum: number): number {
  let folded = sum;
  while (folded > 0xffff) folded = (folded & 0xffff) + (folded >>> 16);
  return ~folded & 0xffff;
}

export function internetChecksum(bytes: Uint8Array): number {
  return finishChecksum(sumWords(bytes));
}
