// Ethernet MAC addresses: `aa:bb:cc:dd:ee:ff` text (as sysfs and `ip` print them) to the 6 bytes that
// gratuitous ARP and Neighbour Advertisements carry. Pure.

export const MAC_BYTES = 6;

/** The 6 bytes of `aa:bb:cc:dd:ee:ff` (either case). Throws RangeError on anything else. */
export function macToBytes(mac: string): Uint8Array {
  const parts = mac.split(':');
  if (parts.length !== MAC_BYTES || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) throw new RangeError(`not a MAC address: ${mac}`);
  return Uint8Array.from(parts, (p) => Number.parseInt(p, 16));
}

/** Lowercase `aa:bb:cc:dd:ee:ff` of the 6 bytes at `offset`. */
export function bytesToMac(bytes: Uint8Array, offset = 0): string {
  return Array.from({ length: MAC_BYTES }, (_, i) => (bytes[offset + i] ?? 0).toString(16).padStart(2, '0')).join(':');
}
