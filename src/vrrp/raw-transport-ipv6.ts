// VRRPv3 over IPv6 on the wire (RFC 5798 5.1.2): a raw IPv6 socket for protocol 112
// (src/sys/raw-ipv6-socket.ts) on the instance's interface, hop limit 255 in unicast and multicast
// alike, traffic class 0xC0 (network control, as the IPv4 socket's TOS and keepalived's), joined to ff02::12 in multicast mode, and bound to the source address when one is given: the
// interface's link-local in multicast mode (keepalived's and FRR's source), or unicast.source. The
// same shape as the IPv4 RawVrrpSocket (raw-transport.ts), with Ipv6Packet for what arrives. The
// payload is sent as the codec wrote it: its checksum already covers the IPv6 pseudo-header.
import type { Logger } from 'pino';
import { RawIpv6Socket, type Ipv6Datagram } from '../sys/raw-ipv6-socket.js';
import type { Ipv6Packet } from './ipv6-packet.js';
import { VRRP_IPV6_MULTICAST_GROUP, VRRP_PROTOCOL } from './packet.js';
import { TransportError, VRRP_TOS } from './raw-transport.js';
import type { VrrpTransport } from './instance.js';

export const VRRP_HOP_LIMIT = 255;
/** An IPv6 advert is at most 8 + 255 * 16 bytes; a longer datagram is not VRRP. */
const RECEIVE_BYTES = 8192;

export interface RawVrrpIpv6SocketOptions {
  interfaceName: string;
  ifindex: number;
  /** Join ff02::12 on the interface (multicast mode). */
  multicast: boolean;
  /**
   * Sent from this address (bound): the interface's link-local in multicast mode, once it has left
   * tentative, or unicast.source. Null lets the kernel choose by RFC 6724.
   */
  sourceAddress: string | null;
  logger: Logger;
}

export class RawVrrpIpv6Socket implements VrrpTransport {
  /** Datagrams dropped because the kernel's report of their sender, destination or hop limit could not be read. */
  badIpHeaders = 0;
  private readonly listeners: ((packet: Ipv6Packet) => void)[] = [];
  private socket: RawIpv6Socket | null = null;

  private constructor(private readonly options: RawVrrpIpv6SocketOptions) {}

  /** Throws TransportError (ERR_VRRP_TRANSPORT) with the refused call's SocketCallError as cause. */
  static open(options: RawVrrpIpv6SocketOptions): RawVrrpIpv6Socket {
    const transport = new RawVrrpIpv6Socket(options);
    try {
      transport.socket = RawIpv6Socket.open({
        protocol: VRRP_PROTOCOL,
        interfaceName: options.interfaceName,
        ifindex: options.ifindex,
        hopLimit: VRRP_HOP_LIMIT,
        trafficClass: VRRP_TOS,
        groups: options.multicast ? [VRRP_IPV6_MULTICAST_GROUP] : [],
        sourceAddress: options.sourceAddress,
        receiveBytes: RECEIVE_BYTES,
        onDatagram: (datagram) => transport.onDatagram(datagram),
        onUnreadable: (detail) => transport.onUnreadable(detail),
        onError: (error) => options.logger.error({ err: error, code: 'ERR_VRRP_TRANSPORT' }, 'VRRP socket error'),
      });
    } catch (error) {
      throw new TransportError(
        `cannot open the IPv6 VRRP socket (IP protocol ${VRRP_PROTOCOL}) on ${options.interfaceName}: ${(error as Error).message}; tsvip needs root or CAP_NET_RAW, and a source address the interface holds and no longer tentative`,
        { cause: error },
      );
    }
    return transport;
  }

  onPacket(listener: (packet: Ipv6Packet) => void): void {
    this.listeners.push(listener);
  }

  /** To ff02::12 (on this socket's interface) or a unicast peer; a failure is logged, not thrown, as for IPv4. */
  send(payload: Uint8Array, destination: string): void {
    try {
      this.socket?.sendTo(payload, destination);
    } catch (error) {
      this.options.logger.warn({ err: error, destination, code: 'ERR_VRRP_SEND' }, 'could not send VRRP advert');
    }
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
  }

  private onDatagram(datagram: Ipv6Datagram): void {
    const packet: Ipv6Packet = { source: datagram.source, destination: datagram.destination, hopLimit: datagram.hopLimit, ifindex: datagram.ifindex, payload: datagram.payload };
    for (const listener of this.listeners) listener(packet);
  }

  private onUnreadable(detail: string): void {
    this.badIpHeaders++;
    this.options.logger.debug({ detail }, 'packet dropped: unreadable IPv6 envelope');
  }
}
