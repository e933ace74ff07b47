// The pseudo-header that a VRRPv3 checksum covers before the VRRP message (RFC 5798 5.2.8): for IPv4
// source, destination, a zero byte, the protocol and the 16-bit length; for IPv6 the one of RFC 8200 8.1:
// source (16 bytes), destination (16), the 32-bit upper-layer length, 3 zero bytes, the next header.
// Which one follows from the envelope's addresses. Pure, like the codec that uses it. ICMPv6 (RFC 4443
// 2.3) uses the same IPv6 pseudo-header, so the Neighbour Advertisement builder in src/netlink shares it.
import { addressFamily, type AddressFamily } from './address.js';
import { addressToBytesOf } from './address-bytes.js';
import { sumWords } from './checksum.js';

/** Where the advertisement travels: the v3 checksum covers these in its pseudo-header. */
export interface IpEnvelope {
  source: string;
  destination: string;
}

/**
 * The family an envelope travels in: IPv6 when both addresses are IPv6, IPv4 otherwise (and with no
 * envelope, as VRRPv2 callers pass none). Throws TypeError when one address is IPv6 and the other is
 * not: the envelope comes from the kernel or our own settings, never from the packet's bytes, so a
 * mixed one is a programming error. A malformed IPv4 envelope throws RangeError when it is used, as before.
 */
export function envelopeFamily(envelope: IpEnvelope | undefined): AddressFamily {
  if (envelope === undefined) return 'ipv4';
  const source = addressFamily(envelope.source) === 'ipv6';
  const destination = addressFamily(envelope.destination) === 'ipv6';
  if (source !== destination) throw new TypeError(`the envelope mixes address families: ${envelope.source} -> ${envelope.destination}`);
  return source ? 'ipv6' : 'ipv4';
}

export interface PseudoHeader {
  family: AddressFamily;
  envelope: IpEnvelope;
  /** IPv4's protocol, IPv6's next header. */
  protocol: number;
  /** Of the upper-layer message (the VRRP message), in bytes. */
  length: number;
}

/** The pseudo-header's bytes: 12 for IPv4, 40 for IPv6. */
export function pseudoHeaderBytes({ family, envelope, protocol, length }: PseudoHeader): Uint8Array {
  const source = addressToBytesOf(family, envelope.source);
  const destination = addressToBytesOf(family, envelope.destination);
  if (family === 'ipv4') {
    const pseudo = new Uint8Array(12);
    pseudo.set(source, 0);
    pseudo.set(destination, 4);
    pseudo[9] = protocol;
    pseudo[10] = (length >>> 8) & 0xff;
    pseudo[11] = length & 0xff;
    return pseudo;
  }
  const pseudo = new Uint8Array(40);
  pseudo.set(source, 0);
  pseudo.set(destination, 16);
  pseudo[32] = (length >>> 24) & 0xff;
  pseudo[33] = (length >>> 16) & 0xff;
  pseudo[34] = (length >>> 8) & 0xff;
  pseudo[35] = length & 0xff;
  pseudo[39] = protocol;
  return pseudo;
}

/** The pseudo-header's running sum, to start the checksum of the message from. */
export function pseudoHeaderSum(header: PseudoHeader): number {
  return sumWords(pseudoHeaderBytes(header));
}
