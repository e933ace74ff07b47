// What recvmsg's ancillary data says about an IPv6 datagram. A raw IPv6 socket hands over the payload
// without the IPv6 header (an IPv4 raw socket keeps it), so the header's destination and hop limit
// come only from control messages the socket asked for:
//
//   IPV6_RECVPKTINFO  -> IPV6_PKTINFO   struct in6_pktinfo { u8 addr[16]; int ifindex }   20 bytes
//   IPV6_RECVHOPLIMIT -> IPV6_HOPLIMIT  int                                                4 bytes
//
// Pure: bytes in, a record or the reason there is none out. Never throws.
import { bytesToIpv6, IPV6_BYTES } from '../net/ipv6-bytes.js';
import type { ControlMessage } from './message-header.js';
import { IPPROTO_IPV6, IPV6_HOPLIMIT, IPV6_PKTINFO } from './socket-constants.js';

const IN6_PKTINFO_BYTES = 20;
const INT_BYTES = 4;

export interface Ipv6ReceiveInfo {
  /** The IPv6 header's destination (RFC 5952 text): ff02::12 for a multicast advert. */
  destination: string;
  /** The interface the datagram arrived on. */
  ifindex: number;
  /** The IPv6 header's hop limit as it arrived. */
  hopLimit: number;
}

export type Ipv6ReceiveInfoResult = { ok: true; value: Ipv6ReceiveInfo } | { ok: false; detail: string };

/** Reads IPV6_PKTINFO and IPV6_HOPLIMIT; the first of each counts, other messages are ignored. */
export function readIpv6ReceiveInfo(messages: readonly ControlMessage[]): Ipv6ReceiveInfoResult {
  const pktinfo = messages.find((message) => message.level === IPPROTO_IPV6 && message.type === IPV6_PKTINFO);
  const hopLimit = messages.find((message) => message.level === IPPROTO_IPV6 && message.type === IPV6_HOPLIMIT);
  if (pktinfo === undefined) return { ok: false, detail: 'no IPV6_PKTINFO control message' };
  if (hopLimit === undefined) return { ok: false, detail: 'no IPV6_HOPLIMIT control message' };
  if (pktinfo.data.length < IN6_PKTINFO_BYTES) return { ok: false, detail: `IPV6_PKTINFO of ${pktinfo.data.length} bytes, struct in6_pktinfo has ${IN6_PKTINFO_BYTES}` };
  if (hopLimit.data.length < INT_BYTES) return { ok: false, detail: `IPV6_HOPLIMIT of ${hopLimit.data.length} bytes, an int has ${INT_BYTES}` };
  const hops = hopLimit.data.readInt32LE(0);
  if (hops < 0 || hops > 255) return { ok: false, detail: `IPV6_HOPLIMIT ${hops} is not a hop limit` };
  return {
    ok: true,
    value: { destination: bytesToIpv6(pktinfo.data.subarray(0, IPV6_BYTES)), ifindex: pktinfo.data.readInt32LE(IPV6_BYTES), hopLimit: hops },
  };
}
