// IPv4 addresses as 4 bytes on the wire and dotted quads everywhere else.

export function ipv4ToBytes(address: string): Uint8Array {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new RangeError(`not an IPv4 address: ${address}`);
  }
  return Uint8Array.from(parts);
}

export function bytesToIpv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset] ?? 0}.${bytes[offset + 1] ?? 0}.${bytes[offset + 2] ?? 0}.${bytes[offset + 3] ?? 0}`;
}

/** Orders addresses as unsigned 32-bit numbers (RFC 5798 6.4.3: the higher primary address wins a tie). */
export function compareIpv4(a: string, b: string): number {
  const left = ipv4ToBytes(a);
  const right = ipv4ToBytes(b);
  for (let i = 0; i < 4; i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
