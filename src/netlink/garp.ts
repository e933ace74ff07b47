// Gratuitous ARP, as keepalived sends it: a broadcast ARP request whose sender and target IP are both
// the VIP and whose sender MAC is the interface's, so that every host and switch on the segment
// points the VIP at the new master at once. Split by purity as FRR's
// vrrp_arp.c: buildGratuitousArp() only builds bytes; openGarpSender() sends them on an AF_PACKET socket.
import { ipv4ToBytes } from '../net/ipv4-bytes.js';
import { macToBytes } from '../net/mac.js';
import { openAnnouncer, PacketSocketError, type Announcer } from './packet-socket.js';

/** ARP over Ethernet for IPv4 (RFC 826): 8 bytes of header, then two MAC/IPv4 pairs. */
export const ARP_PACKET_LENGTH = 28;
const ARPHRD_ETHER = 1;
const ETH_P_IP = 0x0800;
const ETH_P_ARP = 0x0806;
const ARPOP_REQUEST = 1;
const BROADCAST = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

export interface GratuitousArp {
  /** Dotted quad, no prefix. */
  readonly vip: string;
  /** The sending interface's MAC, `aa:bb:cc:dd:ee:ff`. */
  readonly mac: string;
}

/**
 * The ARP payload (no Ethernet header: the sender uses SOCK_DGRAM and the kernel adds it). An
 * ARP request rather than a reply, as keepalived sends by default: Linux updates an existing
 * neighbour entry from either, and some switches only learn from requests.
 */
export function buildGratuitousArp({ vip, mac }: GratuitousArp): Uint8Array {
  const ip = ipv4ToBytes(vip);
  const hardware = macToBytes(mac);
  const packet = new Uint8Array(ARP_PACKET_LENGTH);
  const view = new DataView(packet.buffer);
  view.setUint16(0, ARPHRD_ETHER);
  view.setUint16(2, ETH_P_IP);
  packet[4] = 6; // hardware address length
  packet[5] = 4; // protocol address length
  view.setUint16(6, ARPOP_REQUEST);
  packet.set(hardware, 8); // sender MAC
  packet.set(ip, 14); // sender IP
  // Target MAC: keepalived 2.2.7 sends ff:ff:ff:ff:ff:ff here (captured; RFC 5227 would say zeros).
  // Receivers ignore it in a request; we match keepalived byte for byte, as for the adverts.
  packet.set(BROADCAST, 18);
  packet.set(ip, 24); // target IP = sender IP: "gratuitous"
  return packet;
}

/** A failed AF_PACKET call, naming the interface, the call and the errno ('EPERM' without CAP_NET_RAW). */
export class GarpError extends PacketSocketError {
  constructor(interfaceName: string, op: string, errno: string | null) {
    super('ERR_GARP', 'gratuitous ARP', interfaceName, op, errno);
  }
}

export interface GarpSenderOptions {
  readonly interfaceName: string;
  readonly ifindex: number;
  readonly mac: string;
}

/** announce(vip) sends one gratuitous ARP for `vip` to ff:ff:ff:ff:ff:ff; throws GarpError if the kernel refuses. */
export type GarpSender = Announcer;

/** Opens a send-only packet socket on the interface (packet-socket.ts); throws GarpError if it cannot. */
export function openGarpSender({ interfaceName, ifindex, mac }: GarpSenderOptions): GarpSender {
  // Bad arguments are a caller's bug: say so now, not at the first announce.
  macToBytes(mac);
  return openAnnouncer({
    ifindex,
    fail: (op, errno) => new GarpError(interfaceName, op, errno),
    destination: { protocol: ETH_P_ARP, mac: BROADCAST },
    build: (vip) => buildGratuitousArp({ vip, mac }),
  });
}
