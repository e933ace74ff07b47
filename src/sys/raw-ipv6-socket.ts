// A raw IPv6 socket for one IP protocol (VRRP's 112) on one interface, set up for a link-local
// protocol: bound to the device, one hop limit for unicast and multicast alike, one traffic class,
// multicast sent out of the interface and not looped back, groups joined on it, and an optional source
// address bound so what is sent leaves from it. It reports each datagram as a record: raw IPv6
// sockets give the payload without the IPv6 header, so the source comes from recvmsg's msg_name and
// the destination, hop limit and interface from the IPV6_PKTINFO and IPV6_HOPLIMIT control messages
// (ipv6-receive-info.ts).
//
// The kernel leaves the payload's checksum alone unless IPV6_CHECKSUM is set (it is set only for
// ICMPv6, RFC 3542 3.1); the socket sets it off explicitly, because the caller's codec writes the
// checksum over the IPv6 pseudo-header itself and the kernel must neither overwrite it on send nor
// drop on receive what it would compute differently.
import { readSockaddrIn6, sockaddrIn6 } from '../net/sockaddr.js';
import { ipv6ToBytes } from '../net/ipv6-bytes.js';
import { readIpv6ReceiveInfo } from './ipv6-receive-info.js';
import type { ReceivedMessage } from './message-header.js';
import { RawIpSocket, type SocketCallError } from './raw-ip-socket.js';
import {
  AF_INET6,
  IPPROTO_IPV6,
  IPV6_ADD_MEMBERSHIP,
  IPV6_CHECKSUM,
  IPV6_MULTICAST_HOPS,
  IPV6_MULTICAST_IF,
  IPV6_MULTICAST_LOOP,
  IPV6_RECVHOPLIMIT,
  IPV6_RECVPKTINFO,
  IPV6_TCLASS,
  IPV6_UNICAST_HOPS,
  SO_BINDTODEVICE,
  SOL_SOCKET,
} from './socket-constants.js';

/** Room for IPV6_PKTINFO (16-byte header + 20, padded: 40) and IPV6_HOPLIMIT (16 + 4, padded: 24), with spare. */
const CONTROL_BYTES = 128;
const CHECKSUM_OFF = -1;

/** One datagram as it arrived. Addresses are RFC 5952 text without a zone. */
export interface Ipv6Datagram {
  source: string;
  /** The interface index the source's zone is (set for a link-local source, 0 for a global one). */
  sourceScopeId: number;
  destination: string;
  hopLimit: number;
  /** The interface it arrived on. */
  ifindex: number;
  /** What followed the IPv6 header (and any extension headers): for VRRP, the advert. */
  payload: Buffer;
}

export interface RawIpv6SocketOptions {
  protocol: number;
  interfaceName: string;
  ifindex: number;
  /** The hop limit of every datagram sent, unicast and multicast. */
  hopLimit: number;
  /** The traffic class of every datagram sent (the IPv4 TOS byte's counterpart). */
  trafficClass: number;
  /** Link-scope multicast groups to join on the interface (ff02::12 for VRRP). */
  groups: readonly string[];
  /** The address sent from (bind); null lets the kernel choose. A link-local one is bound in the interface's zone. */
  sourceAddress: string | null;
  /** The largest datagram kept whole. */
  receiveBytes: number;
  onDatagram: (datagram: Ipv6Datagram) => void;
  /** A datagram whose sender, destination or hop limit could not be read, or that was truncated: dropped. */
  onUnreadable: (detail: string) => void;
  /** A failed receive (an ICMPv6 error queued on the socket, for one). The socket stays open. */
  onError: (error: SocketCallError) => void;
}

/** struct ipv6_mreq { struct in6_addr multiaddr; int ifindex; } */
export function ipv6Mreq(group: string, ifindex: number): Buffer {
  const mreq = Buffer.alloc(20);
  mreq.set(ipv6ToBytes(group), 0);
  mreq.writeInt32LE(ifindex, 16);
  return mreq;
}

/**
 * Whether an address means nothing without an interface: link-local unicast (fe80::/10) and multicast
 * of interface-local or link-local scope (ff01::/16, ff02::/16, whatever the flags), as RFC 4291 2.7
 * and the kernel's __ipv6_addr_needs_scope_id see it.
 */
export function needsScopeId(address: string): boolean {
  const bytes = ipv6ToBytes(address);
  const [first = 0, second = 0] = bytes;
  if (first === 0xfe && (second & 0xc0) === 0x80) return true;
  return first === 0xff && (second & 0x0f) <= 2;
}

export class RawIpv6Socket {
  private constructor(
    private readonly socket: RawIpSocket,
    private readonly options: RawIpv6SocketOptions,
  ) {}

  /**
   * Opens and sets up the socket; throws SocketCallError naming the call the kernel refused (EPERM
   * without CAP_NET_RAW, EADDRNOTAVAIL when binding a source the interface does not have or still
   * holds as tentative). Nothing is left open on a throw.
   */
  static open(options: RawIpv6SocketOptions): RawIpv6Socket {
    let self: RawIpv6Socket | null = null;
    const socket = RawIpSocket.open({
      family: AF_INET6,
      protocol: options.protocol,
      receiveBytes: options.receiveBytes,
      controlBytes: CONTROL_BYTES,
      // Nothing is read before open() returns: the poll callback runs on a later loop turn.
      onMessage: (message) => self?.onMessage(message),
      onError: options.onError,
    });
    try {
      socket.setOption(SOL_SOCKET, SO_BINDTODEVICE, Buffer.from(`${options.interfaceName}\0`), 'SO_BINDTODEVICE');
      socket.setOption(IPPROTO_IPV6, IPV6_CHECKSUM, CHECKSUM_OFF, 'IPV6_CHECKSUM');
      socket.setOption(IPPROTO_IPV6, IPV6_UNICAST_HOPS, options.hopLimit, 'IPV6_UNICAST_HOPS');
      socket.setOption(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, options.hopLimit, 'IPV6_MULTICAST_HOPS');
      socket.setOption(IPPROTO_IPV6, IPV6_TCLASS, options.trafficClass, 'IPV6_TCLASS');
      socket.setOption(IPPROTO_IPV6, IPV6_MULTICAST_IF, options.ifindex, 'IPV6_MULTICAST_IF');
      // Our own multicast is not news to us; another router on this host is another socket with its own loop-back.
      socket.setOption(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, 'IPV6_MULTICAST_LOOP');
      socket.setOption(IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, 'IPV6_RECVPKTINFO');
      socket.setOption(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, 'IPV6_RECVHOPLIMIT');
      for (const group of options.groups) socket.setOption(IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, ipv6Mreq(group, options.ifindex), `IPV6_ADD_MEMBERSHIP ${group}`);
      // A bound raw socket also receives only unicast to that address (joined groups still arrive).
      if (options.sourceAddress !== null) socket.bind(sockaddrIn6(options.sourceAddress, 0, needsScopeId(options.sourceAddress) ? options.ifindex : 0));
    } catch (error) {
      socket.close();
      throw error;
    }
    self = new RawIpv6Socket(socket, options);
    return self;
  }

  /** One datagram to `destination`; a link-scope one goes out of the socket's interface. Throws SocketCallError. */
  sendTo(payload: Uint8Array, destination: string): void {
    this.socket.sendTo(payload, sockaddrIn6(destination, 0, needsScopeId(destination) ? this.options.ifindex : 0));
  }

  /** Idempotent. */
  close(): void {
    this.socket.close();
  }

  private onMessage(message: ReceivedMessage): void {
    if (message.truncated) return this.options.onUnreadable(`longer than ${this.options.receiveBytes} bytes`);
    if (message.controlTruncated) return this.options.onUnreadable('control messages truncated');
    const source = readSockaddrIn6(message.source);
    if (source === null) return this.options.onUnreadable(`sender address of ${message.source.length} bytes is not a sockaddr_in6`);
    const info = readIpv6ReceiveInfo(message.controlMessages);
    if (!info.ok) return this.options.onUnreadable(info.detail);
    this.options.onDatagram({ source: source.host, sourceScopeId: source.scopeId, ...info.value, payload: message.data });
  }
}
