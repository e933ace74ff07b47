// What the daemon needs from the host, as small ports: rtnetlink, VRRP sockets, gratuitous ARP and
// neighbour advertisement senders and the host facts its checks read. systemPorts() gives the real ones; tests hand in scripted
// fakes and run the daemon's start, reload and shutdown without root.
import type { Logger } from 'pino';
import type { Rtnl } from '../netlink/rtnl.js';
import type { GarpSender } from '../netlink/garp.js';
import type { NeighbourAdvertSender } from '../netlink/neighbour-advert-sender.js';
import type { AddressFamily } from '../net/address.js';
import type { ReceivedPacket } from '../vrrp/received-packet.js';
import type { EthernetInterface, HostFacts } from './host-checks.js';

export interface VrrpSocketOptions {
  /** The instance's family: IPv4 (224.0.0.18) or IPv6 (ff02::12, VRRPv3 only). */
  family: AddressFamily;
  interfaceName: string;
  ifindex: number;
  /** Join the VRRP multicast group on the interface (multicast mode). */
  multicast: boolean;
  /**
   * IPv4: keepalived's unicast_src_ip, every packet sent from it with our own IP header. IPv6: the
   * address the socket binds and sends from (the link-local in multicast mode, else the unicast source).
   */
  sourceAddress: string | null;
  logger: Logger;
}

/** One instance's socket for IP protocol 112. */
export interface VrrpSocket {
  onPacket(listener: (packet: ReceivedPacket) => void): void;
  send(payload: Uint8Array, destination: string): void;
  /** Packets dropped before VRRP decoding because their IP header could not be read. */
  readonly badIpHeaders: number;
  close(): void;
}

export interface DaemonPorts {
  /** Throws TsvipError when rtnetlink cannot be opened. */
  openRtnl(logger: Logger): Rtnl;
  /** Throws TsvipError (ERR_VRRP_TRANSPORT) when the socket cannot be opened or set up. */
  openVrrpSocket(options: VrrpSocketOptions): VrrpSocket;
  /** One per interface; throws GarpError when the packet socket cannot be opened. */
  openAnnouncer(iface: EthernetInterface): GarpSender;
  /**
   * Unsolicited neighbour advertisements for IPv6 VIPs, one sender per interface (Router flag set when
   * the host forwards IPv6 there); throws NeighbourAdvertError when the packet socket cannot be opened.
   */
  openNeighbourAdvertiser(iface: EthernetInterface): NeighbourAdvertSender;
  /** Read at start and at each reload. */
  hostFacts(): HostFacts;
}
