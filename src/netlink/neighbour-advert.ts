// The unsolicited Neighbour Advertisement a new master sends for each IPv6 VIP (RFC 4861 4.4 and
// 7.2.6), the IPv6 counterpart of gratuitous ARP: to all nodes, Override set, so that every host that
// already has a neighbour entry for the VIP points it at our MAC at once. Pure bytes, as
// garp.ts's builder; neighbour-advert-sender.ts puts them on the wire.
//
// As keepalived 2.2 sends it: the IPv6 source is the VIP itself (not the link-local), the destination
// ff02::1, hop limit 255 (receivers drop ND with any other, RFC 4861 7.1.2), Solicited clear (it answers
// no solicitation; a receiver drops a multicast NA with S set), and a Target Link-Layer Address option.
import { ipv6ToBytes } from '../net/ipv6-bytes.js';
import { finishChecksum, sumWords } from '../net/checksum.js';
import { macToBytes } from '../net/mac.js';
import { pseudoHeaderSum } from '../net/pseudo-header.js';

export const ALL_NODES = 'ff02::1';
/** ff02::1 on Ethernet (RFC 2464 7: 33:33 and the group's last 32 bits). */
export const ALL_NODES_MAC = Uint8Array.of(0x33, 0x33, 0x00, 0x00, 0x00, 0x01);
export const ETH_P_IPV6 = 0x86dd;

const IPV6_HEADER_LENGTH = 40;
const NEXT_HEADER_ICMPV6 = 58;
const ND_HOP_LIMIT = 255;
const ICMPV6_NEIGHBOUR_ADVERTISEMENT = 136;
/** RFC 4861 4.4: R, S and O in the first byte after the checksum. */
const FLAG_ROUTER = 0x80;
const FLAG_OVERRIDE = 0x20;
const OPTION_TARGET_LINK_LAYER_ADDRESS = 2;
/** Type, code, checksum, flags and reserved (8), the target (16), the option (8: one unit of 8 bytes). */
export const NEIGHBOUR_ADVERT_ICMP_LENGTH = 32;
export const NEIGHBOUR_ADVERT_LENGTH = IPV6_HEADER_LENGTH + NEIGHBOUR_ADVERT_ICMP_LENGTH;

export interface UnsolicitedNeighbourAdvert {
  /** The IPv6 VIP the advertisement is for; also the packet's source. */
  readonly target: string;
  /** The sending interface's MAC, `aa:bb:cc:dd:ee:ff`: the Target Link-Layer Address. */
  readonly mac: string;
  /**
   * Set the Router flag: only when this host forwards IPv6 (RFC 4861 7.2.5: a receiver that has the
   * sender as a router and sees R clear removes it from its default routers).
   */
  readonly router: boolean;
}

/**
 * The IPv6 packet (header and ICMPv6 message, no Ethernet header: the sender's SOCK_DGRAM packet
 * socket adds it with ALL_NODES_MAC and ETH_P_IPV6). Throws RangeError for a target that is not a
 * unicast IPv6 address (RFC 4861 7.1.2: a receiver drops an NA whose target is multicast) or a bad MAC.
 */
export function buildUnsolicitedNeighbourAdvert({ target, mac, router }: UnsolicitedNeighbourAdvert): Uint8Array {
  const targetBytes = ipv6ToBytes(target);
  if (targetBytes[0] === 0xff) throw new RangeError(`a Neighbour Advertisement's target must be unicast: ${target}`);
  const hardware = macToBytes(mac);
  const packet = new Uint8Array(NEIGHBOUR_ADVERT_LENGTH);
  const view = new DataView(packet.buffer);
  // Version 6, traffic class 0 and flow label 0, as the kernel's own ND.
  packet[0] = 0x60;
  view.setUint16(4, NEIGHBOUR_ADVERT_ICMP_LENGTH); // payload length
  packet[6] = NEXT_HEADER_ICMPV6;
  packet[7] = ND_HOP_LIMIT;
  packet.set(targetBytes, 8); // source: the VIP
  packet.set(ipv6ToBytes(ALL_NODES), 24);

  const icmp = packet.subarray(IPV6_HEADER_LENGTH);
  icmp[0] = ICMPV6_NEIGHBOUR_ADVERTISEMENT;
  icmp[1] = 0; // code
  icmp[4] = FLAG_OVERRIDE | (router ? FLAG_ROUTER : 0);
  icmp.set(targetBytes, 8);
  icmp[24] = OPTION_TARGET_LINK_LAYER_ADDRESS;
  icmp[25] = 1; // length in units of 8 bytes
  icmp.set(hardware, 26);
  // RFC 4443 2.3: over the IPv6 pseudo-header and the message, with the checksum field zero.
  const sum = sumWords(icmp, pseudoHeaderSum({ family: 'ipv6', envelope: { source: target, destination: ALL_NODES }, protocol: NEXT_HEADER_ICMPV6, length: NEIGHBOUR_ADVERT_ICMP_LENGTH }));
  view.setUint16(IPV6_HEADER_LENGTH + 2, finishChecksum(sum));
  return packet;
}
