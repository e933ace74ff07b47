// What a VRRP socket hands up for an IPv6 advert, beside ipv4-header.ts's Ipv4Packet. An IPv6 raw
// socket never shows the IPv6 header, so there is nothing to decode here: the kernel reports the
// source, destination and hop limit (src/sys/raw-ipv6-socket.ts) and the payload is the advert.
export interface Ipv6Packet {
  /** RFC 5952 text; a link-local one (fe80::/10) is the sender's address on `ifindex`'s link. */
  source: string;
  /** ff02::12 in multicast mode, our own address in unicast mode. */
  destination: string;
  /** RFC 5798 5.1.2.3: 255 as sent; a receiver in multicast mode drops anything else. */
  hopLimit: number;
  /** The interface the advert arrived on. */
  ifindex: number;
  payload: Uint8Array;
}
