// Gratuitous ARP, as keepalived sends it: a broadcast ARP request whose sender and target IP are both
// the VIP and whose sender MAC is the interface's, so that every host and switch on the segment
// points the VIP at the new master at once. Split by purity as FRR's
// vrrp_arp.c: buildGratuitousArp() only builds bytes; openGarpSender() owns the AF_PACKET socket.
import { endianness } from 'node:os';
import { TsvipError } from '../errors.js';
import { ipv4ToBytes } from '../net/ipv4-bytes.js';
import { errnoName } from '../sys/errno.js';
import { libc } from '../sys/libc.js';
import { AF_PACKET, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK } from '../sys/socket-constants.js';

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

function macToBytes(mac: string): Uint8Array {
  const parts = mac.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) throw new RangeError(`not a MAC address: ${mac}`);
  return Uint8Array.from(parts, (p) => Number.parseInt(p, 16));
}

/** A failed AF_PACKET call, naming the interface, the call and the errno ('EPERM' without CAP_NET_RAW). */
export class GarpError extends TsvipError {
  readonly interfaceName: string;
  readonly op: string;
  readonly errno: string | null;

  constructor(interfaceName: string, op: string, errno: string | null) {
    super('ERR_GARP', `gratuitous ARP on ${interfaceName}: ${op} failed${errno === null ? '' : `: ${errno}`}`);
    this.interfaceName = interfaceName;
    this.op = op;
    this.errno = errno;
  }
}

export interface GarpSenderOptions {
  readonly interfaceName: string;
  readonly ifindex: number;
  readonly mac: string;
}

export interface GarpSender {
  /** Sends one gratuitous ARP for `vip` to ff:ff:ff:ff:ff:ff; throws GarpError if the kernel refuses. */
  announce(vip: string): void;
  /** Idempotent. */
  close(): void;
}

const SOCKADDR_LL_LENGTH = 20;

/**
 * Opens a send-only packet socket on the interface. Protocol 0 in socket() and bind() means the
 * kernel queues no received frames to it: with ETH_P_ARP there, every ARP frame on the host would
 * pile up in a socket nobody reads. bind() checks that the interface exists (ENODEV otherwise).
 */
export function openGarpSender({ interfaceName, ifindex, mac }: GarpSenderOptions): GarpSender {
  // Bad arguments are a caller's bug: say so now, not at the first announce (ifindex 0 would even
  // bind, to every interface).
  macToBytes(mac);
  if (!Number.isInteger(ifindex) || ifindex <= 0 || ifindex > 0x7fffffff) throw new RangeError(`not an interface index: ${ifindex}`);
  // Non-blocking: a full device queue must fail the send (EAGAIN), not stall the VRRP timers on the
  // main thread. Close-on-exec: notify scripts must not inherit a packet socket.
  const c = libc();
  const fd = c.socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new GarpError(interfaceName, 'socket(AF_PACKET)', errnoName(c.errno()));
  if (c.bind(fd, sockaddrLl({ ifindex, protocol: 0, destination: null }), SOCKADDR_LL_LENGTH) !== 0) {
    const errno = errnoName(c.errno());
    c.close(fd);
    throw new GarpError(interfaceName, `bind(ifindex ${ifindex})`, errno);
  }
  const destination = sockaddrLl({ ifindex, protocol: ETH_P_ARP, destination: BROADCAST });
  let open = true;
  return {
    announce(vip) {
      if (!open) throw new GarpError(interfaceName, `announce ${vip}`, 'EBADF');
      const packet = buildGratuitousArp({ vip, mac });
      const sent = c.sendto(fd, packet, packet.length, 0, destination, SOCKADDR_LL_LENGTH);
      if (sent < 0) throw new GarpError(interfaceName, `sendto ${vip}`, errnoName(c.errno()));
      if (sent !== packet.length) throw new GarpError(interfaceName, `sendto ${vip} (${sent} of ${packet.length} bytes)`, null);
    },
    close() {
      if (!open) return;
      open = false;
      c.close(fd);
    },
  };
}

/** struct sockaddr_ll: family and ifindex in host order, protocol in network order. */
function sockaddrLl({ ifindex, protocol, destination }: { ifindex: number; protocol: number; destination: Uint8Array | null }): Uint8Array {
  const address = new Uint8Array(SOCKADDR_LL_LENGTH);
  const view = new DataView(address.buffer);
  const little = endianness() === 'LE';
  view.setUint16(0, AF_PACKET, little); // sll_family
  view.setUint16(2, protocol); // sll_protocol
  view.setInt32(4, ifindex, little); // sll_ifindex
  // 8: sll_hatype, 10: sll_pkttype; the kernel ignores both on send
  if (destination !== null) {
    address[11] = destination.length; // sll_halen
    address.set(destination, 12); // sll_addr
  }
  return address;
}
