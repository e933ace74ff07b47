// VRRP on the wire: a raw IPv4 socket for protocol 112 (src/sys/raw-ip-socket.ts), set up as keepalived
// does: TTL 255, TOS 0xC0 (network control), bound to the instance's interface, joined to 224.0.0.18
// in multicast mode, and with IP headers of our own (IP_HDRINCL) when a unicast source is configured,
// as keepalived builds its own for unicast_src_ip.
import type { Logger } from 'pino';
import { TsvipError } from '../errors.js';
import { buildIpv4Header, decodeIpv4, type Ipv4DecodeResult, type Ipv4Packet } from './ipv4-header.js';
import { ipv4ToBytes } from '../net/ipv4-bytes.js';
import { sockaddrIn } from '../net/sockaddr.js';
import { RawIpSocket } from '../sys/raw-ip-socket.js';
import {
  AF_INET,
  IPPROTO_IP,
  IP_ADD_MEMBERSHIP,
  IP_HDRINCL,
  IP_MULTICAST_IF,
  IP_MULTICAST_LOOP,
  IP_MULTICAST_TTL,
  IP_TOS,
  IP_TTL,
  SOL_SOCKET,
  SO_BINDTODEVICE,
} from '../sys/socket-constants.js';
import { VRRP_MULTICAST_GROUP, VRRP_PROTOCOL } from './packet.js';
import type { VrrpTransport } from './instance.js';

export const VRRP_TTL = 255;
export const VRRP_TOS = 0xc0;
/** An IPv4 advert is at most 60 (IP header) + 8 + 255 * 4 + 8 (v2 authentication) bytes; a longer datagram is not VRRP. */
const RECEIVE_BYTES = 4096;

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
  private socket: RawIpSocket | null = null;

  private constructor(private readonly options: RawVrrpSocketOptions) {}

  static open(options: RawVrrpSocketOptions): RawVrrpSocket {
    const transport = new RawVrrpSocket(options);
    let socket: RawIpSocket;
    try {
      socket = RawIpSocket.open({
        family: AF_INET,
        protocol: VRRP_PROTOCOL,
        receiveBytes: RECEIVE_BYTES,
        controlBytes: 0,
        onMessage: (message) => transport.onMessage(message.data, message.truncated),
        onError: (error) => options.logger.error({ err: error, code: 'ERR_VRRP_TRANSPORT' }, 'VRRP socket error'),
      });
    } catch (error) {
      throw new TransportError(`cannot open a raw socket for VRRP (IP protocol ${VRRP_PROTOCOL}): ${(error as Error).message}; tsvip needs root or CAP_NET_RAW`, { cause: error });
    }
    try {
      socket.setOption(SOL_SOCKET, SO_BINDTODEVICE, Buffer.from(`${options.interfaceName}\0`), 'SO_BINDTODEVICE');
      socket.setOption(IPPROTO_IP, IP_TTL, VRRP_TTL, 'IP_TTL');
      socket.setOption(IPPROTO_IP, IP_TOS, VRRP_TOS, 'IP_TOS');
      socket.setOption(IPPROTO_IP, IP_MULTICAST_TTL, VRRP_TTL, 'IP_MULTICAST_TTL');
      // We do not want our own adverts back; other instances on this host are told apart by source.
      socket.setOption(IPPROTO_IP, IP_MULTICAST_LOOP, 0, 'IP_MULTICAST_LOOP');
      const mreqn = ipMreqn(VRRP_MULTICAST_GROUP, options.ifindex);
      socket.setOption(IPPROTO_IP, IP_MULTICAST_IF, mreqn, 'IP_MULTICAST_IF');
      if (options.multicast) socket.setOption(IPPROTO_IP, IP_ADD_MEMBERSHIP, mreqn, 'IP_ADD_MEMBERSHIP');
      if (options.sourceAddress !== null) socket.setOption(IPPROTO_IP, IP_HDRINCL, 1, 'IP_HDRINCL');
    } catch (error) {
      socket.close();
      throw new TransportError(`cannot set up the VRRP socket on ${options.interfaceName}: ${(error as Error).message}`, { cause: error });
    }
    transport.socket = socket;
    return transport;
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
    try {
      this.socket?.sendTo(packet, sockaddrIn(destination, 0));
    } catch (error) {
      this.options.logger.warn({ err: error, destination, code: 'ERR_VRRP_SEND' }, 'could not send VRRP advert');
    }
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
  }

  private onMessage(buffer: Buffer, truncated: boolean): void {
    const decoded: Ipv4DecodeResult = truncated ? { ok: false, reason: 'bad_ip_header', detail: `longer than ${RECEIVE_BYTES} bytes` } : decodeIpv4(buffer);
    if (!decoded.ok) {
      this.badIpHeaders++;
      this.options.logger.debug({ detail: decoded.detail }, 'packet dropped: bad IPv4 header');
      return;
    }
    for (const listener of this.listeners) listener(decoded.value);
  }
}
