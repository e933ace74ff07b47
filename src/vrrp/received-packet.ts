// What a VRRP socket hands up, in either family: an IPv4 packet with its decoded header, or an IPv6
// advert with what the kernel reported of its envelope (an IPv6 raw socket never shows the header).
import type { Ipv4Packet } from './ipv4-header.js';
import type { Ipv6Packet } from './ipv6-packet.js';

/** Tell them apart with `'ttl' in packet`. */
export type ReceivedPacket = Ipv4Packet | Ipv6Packet;
