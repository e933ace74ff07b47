// A send-only AF_PACKET socket on one interface, the part gratuitous ARP (garp.ts) and unsolicited
// Neighbour Advertisements (neighbour-advert-sender.ts) share: SOCK_DGRAM, so the kernel adds the
// Ethernet header from the destination MAC and ethertype given with each frame. Each caller turns a
// failure into its own typed error (ERR_GARP, ERR_UNSOLICITED_NA: subclasses of PacketSocketError)
// through `fail`; openAnnouncer is the one-frame-per-VIP sender both build on.
import { endianness } from 'node:os';
import type { ErrorCode } from '../codes.js';
import { TsvipError } from '../errors.js';
import { errnoName } from '../sys/errno.js';
import { libc } from '../sys/libc.js';
import { AF_PACKET, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK } from '../sys/socket-constants.js';

const SOCKADDR_LL_LENGTH = 20;

/** A failed AF_PACKET call, naming what was being sent, the interface, the call and the errno ('EPERM' without CAP_NET_RAW). */
export class PacketSocketError extends TsvipError {
  readonly interfaceName: string;
  readonly op: string;
  readonly errno: string | null;

  constructor(code: ErrorCode, what: string, interfaceName: string, op: string, errno: string | null) {
    super(code, `${what} on ${interfaceName}: ${op} failed${errno === null ? '' : `: ${errno}`}`);
    this.interfaceName = interfaceName;
    this.op = op;
    this.errno = errno;
  }
}

export interface PacketSocketOptions {
  readonly ifindex: number;
  /** Makes the caller's error for a failed call: `op` names it (`socket(AF_PACKET)`, `bind(ifindex 3)`). */
  readonly fail: (op: string, errno: string | null) => Error;
}

export interface PacketDestination {
  /** The ethertype, as the kernel writes it into the Ethernet header (ETH_P_ARP, ETH_P_IPV6). */
  readonly protocol: number;
  readonly mac: Uint8Array;
}

export interface PacketSocket {
  /** Sends `payload` in one frame; `what` names it in the error (`sendto <what>`). */
  send(payload: Uint8Array, destination: PacketDestination, what: string): void;
  /** Idempotent. */
  close(): void;
}

/**
 * Protocol 0 in socket() and bind() means the kernel queues no received frames to it: with a real
 * ethertype there, every such frame on the host would pile up in a socket nobody reads. bind()
 * checks that the interface exists (ENODEV otherwise).
 */
export function openPacketSocket({ ifindex, fail }: PacketSocketOptions): PacketSocket {
  // ifindex 0 would even bind, to every interface: a caller's bug, said now.
  if (!Number.isInteger(ifindex) || ifindex <= 0 || ifindex > 0x7fffffff) throw new RangeError(`not an interface index: ${ifindex}`);
  // Non-blocking: a full device queue must fail the send (EAGAIN), not stall the VRRP timers on the
  // main thread. Close-on-exec: notify scripts must not inherit a packet socket.
  const c = libc();
  const fd = c.socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw fail('socket(AF_PACKET)', errnoName(c.errno()));
  if (c.bind(fd, sockaddrLl({ ifindex, protocol: 0, destination: null }), SOCKADDR_LL_LENGTH) !== 0) {
    const errno = errnoName(c.errno());
    c.close(fd);
    throw fail(`bind(ifindex ${ifindex})`, errno);
  }
  let open = true;
  return {
    send(payload, { protocol, mac }, what) {
      if (!open) throw fail(`sendto ${what}`, 'EBADF');
      const sent = c.sendto(fd, payload, payload.length, 0, sockaddrLl({ ifindex, protocol, destination: mac }), SOCKADDR_LL_LENGTH);
      if (sent < 0) throw fail(`sendto ${what}`, errnoName(c.errno()));
      if (sent !== payload.length) throw fail(`sendto ${what} (${sent} of ${payload.length} bytes)`, null);
    },
    close() {
      if (!open) return;
      open = false;
      c.close(fd);
    },
  };
}

export interface Announcer {
  /** Sends one frame announcing `vip`; throws the caller's error if the kernel refuses. */
  announce(vip: string): void;
  /** Idempotent. */
  close(): void;
}

export interface AnnouncerOptions extends PacketSocketOptions {
  readonly destination: PacketDestination;
  /** The frame's payload for one VIP. */
  readonly build: (vip: string) => Uint8Array;
}

/** A packet socket that sends `build(vip)` to `destination` for each announcement, until closed. */
export function openAnnouncer({ ifindex, fail, destination, build }: AnnouncerOptions): Announcer {
  const socket = openPacketSocket({ ifindex, fail });
  let open = true;
  return {
    announce(vip) {
      if (!open) throw fail(`announce ${vip}`, 'EBADF');
      socket.send(build(vip), destination, vip);
    },
    close() {
      if (!open) return;
      open = false;
      socket.close();
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
