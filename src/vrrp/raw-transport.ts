// VRRP on the wire: a raw IPv4 socket for protocol 112 (raw-socket), set up as keepalived does: TTL 255,
// TOS 0xC0 (network control), bound to the instance's interface, joined to 224.0.0.18 in multicast
// mode, and with IP headers of our own (IP_HDRINCL) when a unicast source is configured, since the
// socket cannot bind() to choose its source (notes/native-deps.md).
import raw, { type Socket } from 'raw-socket';
import type { Logger } from 'pino';
import { TsvipError } from '../errors.js';
import { buildIpv4Header, decodeIpv4, type Ipv4Packet } from './ipv4-header.js';
import { ipv4ToBytes } from '../net/ipv4-bytes.js';
import { VRRP_MULTICAST_GROUP, VRRP_PROTOCOL } from './packet.js';
import type { VrrpTransport } from './instance.js';

// setsockopt numbers from <linux/in.h> and <asm-generic/socket.h>; raw-socket passes them through.
const SOL_SOCKET = 1;
const SO_BINDTODEVICE = 25;
const IPPROTO_IP = 0;
const IP_TOS = 1;
const IP_TTL = 2;
const IP_HDRINCL = 3;
const IP_MULTICAST_IF = 32;
const IP_MULTICAST_TTL = 33;
const IP_MULTICAST_LOOP = 34;
const IP_ADD_MEMBERSHIP = 35;

export const VRRP_TTL = 255;
export const VRRP_TOS = 0xc0;

export class TransportError extends TsvipError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_VRRP_TRANSPORT', message, options);
  }
}

export interface RawVrrpSocketOptions {
  interfaceName: string;
  ifindex: number;
  /** Join 224.0.0.18 on the interface (multicast mode). */
  multicast: boolean;
  /** keepalived's unicast_src_ip: every packet is sent from this address, with our own IP header. */
  sourceAddress: string | null;
  logger: Logger;
}

/** struct ip_mreqn { in_addr multiaddr; in_addr address; int ifindex; } */
function ipMreqn(group: string, ifindex: number): Buffer {
  const mreqn = Buffer.alloc(12);
  Buffer.from(ipv4ToBytes(group)).copy(mreqn, 0);
  mreqn.writeInt32LE(ifindex, 8);
  return mreqn;
}

export class RawVrrpSocket implements VrrpTransport {
  /** Packets whose IPv4 header could not be read. */
  badIpHeaders = 0;
  private identification = 0;
  private readonly listeners: ((packet: Ipv4Packet) => void)[] = [];

  private constructor(
    private readonly socket: Socket,
    private readonly options: RawVrrpSocketOptions,
  ) {
    socket.on('message', (buffer) => this.onMessage(buffer));
    socket.on('error', (error) => options.logger.error({ err: error, code: 'ERR_VRRP_TRANSPORT' }, 'VRRP socket error'));
  }

  static open(options: RawVrrpSocketOptions): RawVrrpSocket {
    let socket: Socket;
    try {
      socket = raw.createSocket({ protocol: VRRP_PROTOCOL });
    } catch (error) {
      throw new TransportError(`cannot open a raw socket for VRRP (IP protocol ${VRRP_PROTOCOL}): ${(error as Error).message}; tsvip needs root or CAP_NET_RAW`, { cause: error });
    }
    try {
      const device = Buffer.from(`${options.interfaceName}\0`);
      socket.setOption(SOL_SOCKET, SO_BINDTODEVICE, device, device.length);
      socket.setOption(IPPROTO_IP, IP_TTL, VRRP_TTL);
      socket.setOption(IPPROTO_IP, IP_TOS, VRRP_TOS);
      socket.setOption(IPPROTO_IP, IP_MULTICAST_TTL, VRRP_TTL);
      // We do not want our own adverts back; other instances on this host are told apart by source.
      socket.setOption(IPPROTO_IP, IP_MULTICAST_LOOP, 0);
      const mreqn = ipMreqn(VRRP_MULTICAST_GROUP, options.ifindex);
      socket.setOption(IPPROTO_IP, IP_MULTICAST_IF, mreqn, mreqn.length);
      if (options.multicast) socket.setOption(IPPROTO_IP, IP_ADD_MEMBERSHIP, mreqn, mreqn.length);
      if (options.sourceAddress !== null) socket.setOption(IPPROTO_IP, IP_HDRINCL, 1);
    } catch (error) {
      socket.close();
      throw new TransportError(`cannot set up the VRRP socket on ${options.interfaceName}: ${(error as Error).message}`, { cause: error });
    }
    return new RawVrrpSocket(socket, options);
  }

  onPacket(listener: (packet: Ipv4Packet) => void): void {
    this.listeners.push(listener);
  }

  send(payload: Uint8Array, destination: string): void {
    let packet: Buffer;
    if (this.options.sourceAddress === null) {
      packet = Buffer.from(payload);
    } else {
      this.identification = (this.identification + 1) & 0xffff;
      const header = buildIpv4Header({ source: this.options.sourceAddress, destination, protocol: VRRP_PROTOCOL, ttl: VRRP_TTL, tos: VRRP_TOS, payloadLength: payload.length, identification: this.identification });
      packet = Buffer.concat([header, payload]);
    }
    this.socket.send(packet, 0, packet.length, destination, (error) => {
      if (error) this.options.logger.warn({ err: error, destination, code: 'ERR_VRRP_SEND' }, 'could not send VRRP advert');
    });
  }

  close(): void {
    this.socket.close();
  }

  private onMessage(buffer: Buffer): void {
    const decoded = decodeIpv4(buffer);
    if (!decoded.ok) {
      this.badIpHeaders++;
      this.options.logger.debug({ detail: decoded.detail }, 'packet dropped: bad IPv4 header');
      return;
    }
    for (const listener of this.listeners) listener(decoded.value);
  }
}
