// Pure IPv4 header parse and build. Raw protocol-112 sockets hand us whole IP packets (TTL at byte 8,
// source at 12, destination at 16); sending from a configured unicast source needs IP_HDRINCL and a
// header of our own, as keepalived's unicast_src_ip does.
import { internetChecksum } from '../net/checksum.js';
import { bytesToIpv4, ipv4ToBytes } from '../net/ipv4-bytes.js';

const MIN_HEADER_BYTES = 20;

export interface Ipv4Packet {
  ttl: number;
  tos: number;
  protocol: number;
  source: string;
  destination: string;
  payload: Uint8Array;
}

export type Ipv4DecodeResult = { ok: true; value: Ipv4Packet } | { ok: false; reason: 'bad_ip_header'; detail: string };

export function decodeIpv4(packet: Uint8Array): Ipv4DecodeResult {
  const bad = (detail: string): Ipv4DecodeResult => ({ ok: false, reason: 'bad_ip_header', detail });
  if (packet.length < MIN_HEADER_BYTES) return bad(`${packet.length} bytes, an IPv4 header needs ${MIN_HEADER_BYTES}`);
  const version = (packet[0] ?? 0) >>> 4;
  if (version !== 4) return bad(`IP version ${version}`);
  const headerBytes = ((packet[0] ?? 0) & 0x0f) * 4;
  if (headerBytes < MIN_HEADER_BYTES || headerBytes > packet.length) return bad(`header length ${headerBytes} in a ${packet.length}-byte packet`);
  const totalLength = ((packet[2] ?? 0) << 8) | (packet[3] ?? 0);
  // Never read past what the header declares (a "misleading length" is refused, not trusted).
  if (totalLength < headerBytes || totalLength > packet.length) return bad(`total length ${totalLength} in a ${packet.length}-byte packet`);
  return {
    ok: true,
    value: {
      tos: packet[1] ?? 0,
      ttl: packet[8] ?? 0,
      protocol: packet[9] ?? 0,
      source: bytesToIpv4(packet, 12),
      destination: bytesToIpv4(packet, 16),
      payload: packet.subarray(headerBytes, totalLength),
    },
  };
}

export interface Ipv4HeaderFields {
  source: string;
  destination: string;
  protocol: number;
  ttl: number;
  tos: number;
  payloadLength: number;
  identification: number;
}

/** A 20-byte IPv4 header with its checksum, Don't Fragment unset, no options. */
export function buildIpv4Header(fields: Ipv4HeaderFields): Uint8Array {
  const header = new Uint8Array(MIN_HEADER_BYTES);
  const totalLength = MIN_HEADER_BYTES + fields.payloadLength;
  header[0] = 0x45;
  header[1] = fields.tos;
  header[2] = totalLength >>> 8;
  header[3] = totalLength & 0xff;
  header[4] = (fields.identification >>> 8) & 0xff;
  header[5] = fields.identification & 0xff;
  header[8] = fields.ttl;
  header[9] = fields.protocol;
  header.set(ipv4ToBytes(fields.source), 12);
  header.set(ipv4ToBytes(fields.destination), 16);
  const checksum = internetChecksum(header);
  header[10] = checksum >>> 8;
  header[11] = checksum & 0xff;
  return header;
}
