// IPv4 addresses as 4 bytes on the wire and dotted quads everywhere else. The one parser is
// address.ts's ipv4ToNumber (strict: no leading zeros), so the wire and vip.yaml agree on what
// an address is.
import { ipv4ToNumber } from './address.js';

function numberOf(address: string): number {
  const value = ipv4ToNumber(address);
  if (value === null) throw new RangeError(`not an IPv4 address: ${address}`);
  return value;
}

export function ipv4ToBytes(address: string): Uint8Array {
  const value = numberOf(address);
  return Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

export function bytesToIpv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset] ?? 0}.${bytes[offset + 1] ?? 0}.${bytes[offset + 2] ?? 0}.${bytes[offset + 3] ?? 0}`;
}

/** Orders addresses as unsigned 32-bit numbers (RFC 5798 6.4.3: the higher primary address wins a tie). */
export function compareIpv4(a: string, b: string): number {
  return numberOf(a) - numberOf(b);
}
