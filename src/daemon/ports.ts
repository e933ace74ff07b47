// What the daemon needs from the host, as small ports: rtnetlink, VRRP sockets, gratuitous ARP
// senders and the host facts its checks read. systemPorts() gives the real ones; tests hand in scripted
// fakes and run the daemon's start, reload and shutdown without root.
import type { Logger } from 'pino';
import type { Rtnl } from '../netlink/rtnl.js';
import type { GarpSender } from '../netlink/garp.js';
import type { Ipv4Packet } from '../vrrp/ipv4-header.js';
import type { EthernetInterface, HostFacts } from './host-checks.js';

export interface VrrpSocketOptions {
  interfaceName: string;
  ifindex: number;
  /** Join the VRRP multicast group on the interface (multicast mode). */
  multicast: boolean;
  /** keepalived's unicast_src_ip: every packet is sent from this address, with our own IP header. */
  sourceAddress: string | null;
  logger: Logger;
}

/** One instance's socket for IP protocol 112. */
export interface VrrpSocket {
  onPacket(listener: (packet: Ipv4Packet) => void): void;
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
  /** Read at start and at each reload. */
  hostFacts(): HostFacts;
}
