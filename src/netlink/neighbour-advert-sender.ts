// Unsolicited Neighbour Advertisements on the wire: the builder's packet (neighbour-advert.ts) in an
// Ethernet frame to 33:33:00:00:00:01 from a send-only AF_PACKET socket (packet-socket.ts), as
// garp.ts sends ARP. A packet socket, not an ICMPv6 socket, as keepalived: the packet goes out exactly
// as built (source the VIP, hop limit 255, our checksum), with no routing or source-address choice.
import { macToBytes } from '../net/mac.js';
import { ALL_NODES_MAC, ETH_P_IPV6, buildUnsolicitedNeighbourAdvert } from './neighbour-advert.js';
import { openAnnouncer, PacketSocketError, type Announcer } from './packet-socket.js';

/** A failed AF_PACKET call, naming the interface, the call and the errno ('EPERM' without CAP_NET_RAW). */
export class NeighbourAdvertError extends PacketSocketError {
  constructor(interfaceName: string, op: string, errno: string | null) {
    super('ERR_UNSOLICITED_NA', 'unsolicited neighbour advertisement', interfaceName, op, errno);
  }
}

export interface NeighbourAdvertSenderOptions {
  readonly interfaceName: string;
  readonly ifindex: number;
  readonly mac: string;
  /** Set the Router flag in every advertisement: the host forwards IPv6. */
  readonly router: boolean;
}

/** announce(vip) sends one unsolicited NA for `vip` (IPv6, no prefix) to ff02::1; throws NeighbourAdvertError if the kernel refuses. */
export type NeighbourAdvertSender = Announcer;

export function openNeighbourAdvertSender({ interfaceName, ifindex, mac, router }: NeighbourAdvertSenderOptions): NeighbourAdvertSender {
  // Bad arguments are a caller's bug: say so now, not at the first announce.
  macToBytes(mac);
  return openAnnouncer({
    ifindex,
    fail: (op, errno) => new NeighbourAdvertError(interfaceName, op, errno),
    destination: { protocol: ETH_P_IPV6, mac: ALL_NODES_MAC },
    build: (vip) => buildUnsolicitedNeighbourAdvert({ target: vip, mac, router }),
  });
}
