// Pure encode/decode of VRRP advertisements: VRRPv2 (RFC 3768 5.1) over IPv4, and VRRPv3 (RFC 5798 5.1)
// over IPv4 and IPv6. The family is the envelope's (src/net/pseudo-header.ts): an IPv6 envelope means 16-byte
// addresses and the IPv6 pseudo-header in the checksum; no envelope means IPv4.
// No sockets, no timers (a lint rule holds that: test/architecture/purity-lint.test.ts). `decode` never
// throws on any bytes: they are untrusted, and each failure has a stable reason that the runtime counts.
import { finishChecksum, internetChecksum, sumWords } from '../net/checksum.js';
import { addressBytesLength, addressToBytesOf, bytesToAddress } from '../net/address-bytes.js';
import type { AddressFamily } from '../net/address.js';
import { envelopeFamily, pseudoHeaderSum, type IpEnvelope } from '../net/pseudo-header.js';

export type { IpEnvelope } from '../net/pseudo-header.js';

export const VRRP_PROTOCOL = 112;
export const VRRP_MULTICAST_GROUP = '224.0.0.18';
/** RFC 5798 5.1.2.2: the IPv6 multicast address of VRRP, link-local scope. */
export const VRRP_IPV6_MULTICAST_GROUP = 'ff02::12';
const TYPE_ADVERTISEMENT = 1;
const HEADER_BYTES = 8;
const AUTH_DATA_BYTES = 8;
const V3_MAX_CENTISECONDS = 0x0fff;

export type V3ChecksumMode = 'pseudoHeader' | 'vrrpOnly';

/** v2 authentication: none, or keepalived's PASS (a clear-text password, zero-padded to 8 bytes). */
export type AdvertAuth = { type: 'none' } | { type: 'pass'; password: Uint8Array };

interface AdvertCommon {
  vrid: number;
  priority: number;
  adverIntervalMs: number;
  addresses: string[];
}

export interface AdvertV2 extends AdvertCommon {
  version: 2;
  auth: AdvertAuth;
}

export interface AdvertV3 extends AdvertCommon {
  version: 3;
}

export type Advertisement = AdvertV2 | AdvertV3;

export type DecodeFailure =
  | 'too_short'
  | 'bad_version'
  | 'bad_type'
  | 'bad_checksum'
  | 'bad_length'
  | 'bad_auth_type';

export type DecodeResult =
  | { ok: true; value: Advertisement; v3Checksum?: V3ChecksumMode }
  | { ok: false; reason: DecodeFailure; detail: string };

/** A password as keepalived sends it: its first 8 bytes, zero-padded. */
export function passAuthData(password: string): Uint8Array {
  const data = new Uint8Array(AUTH_DATA_BYTES);
  data.set(new TextEncoder().encode(password).subarray(0, AUTH_DATA_BYTES));
  return data;
}

function checksumWithPseudoHeader(family: AddressFamily, envelope: IpEnvelope, packet: Uint8Array): number {
  return finishChecksum(sumWords(packet, pseudoHeaderSum({ family, envelope, protocol: VRRP_PROTOCOL, length: packet.length })));
}

export interface EncodeOptions {
  /**
   * Needed for v3 with the pseudo-header checksum (keepalived's and FRR's default), and for IPv6: an
   * IPv6 envelope makes an IPv6 advert.
   */
  envelope?: IpEnvelope;
  /** IPv4 only: over IPv6 the checksum always includes the pseudo-header (RFC 8200 8.1). */
  v3Checksum?: V3ChecksumMode;
}

/**
 * The VRRP message for `advert`. Throws TypeError for what no receiver could take: VRRPv2 or a VRRP-only
 * checksum over IPv6, a v3 pseudo-header checksum without an envelope; RangeError for an address not of
 * the envelope's family.
 */
export function encode(advert: Advertisement, options: EncodeOptions = {}): Uint8Array {
  const family = envelopeFamily(options.envelope);
  if (family === 'ipv6' && advert.version === 2) throw new TypeError('VRRPv2 is IPv4 only: an IPv6 advert is VRRPv3 (RFC 5798 5.1.2)');
  if (family === 'ipv6' && options.v3Checksum === 'vrrpOnly') throw new TypeError('over IPv6 the VRRPv3 checksum always includes the pseudo-header (RFC 8200 8.1)');
  const addressBytes = addressBytesLength(family);
  const authBytes = advert.version === 2 ? AUTH_DATA_BYTES : 0;
  const packet = new Uint8Array(HEADER_BYTES + addressBytes * advert.addresses.length + authBytes);
  packet[0] = (advert.version << 4) | TYPE_ADVERTISEMENT;
  packet[1] = advert.vrid;
  packet[2] = advert.priority;
  packet[3] = advert.addresses.length;
  if (advert.version === 2) {
    packet[4] = advert.auth.type === 'pass' ? 1 : 0;
    packet[5] = Math.round(advert.adverIntervalMs / 1000);
  } else {
    const centiseconds = Math.min(Math.round(advert.adverIntervalMs / 10), V3_MAX_CENTISECONDS);
    packet[4] = centiseconds >>> 8;
    packet[5] = centiseconds & 0xff;
  }
  advert.addresses.forEach((address, i) => packet.set(addressToBytesOf(family, address), HEADER_BYTES + addressBytes * i));
  if (advert.version === 2 && advert.auth.type === 'pass') {
    packet.set(advert.auth.password.subarray(0, AUTH_DATA_BYTES), HEADER_BYTES + addressBytes * advert.addresses.length);
  }

  let checksum: number;
  if (advert.version === 3 && (options.v3Checksum ?? 'pseudoHeader') === 'pseudoHeader') {
    if (!options.envelope) throw new TypeError('a VRRPv3 pseudo-header checksum needs the source and destination addresses');
    checksum = checksumWithPseudoHeader(family, options.envelope, packet);
  } else {
    checksum = internetChecksum(packet);
  }
  packet[6] = checksum >>> 8;
  packet[7] = checksum & 0xff;
  return packet;
}

function fail(reason: DecodeFailure, detail: string): DecodeResult {
  return { ok: false, reason, detail };
}

/**
 * Decodes the VRRP part of a received packet. Checks run in a fixed order: length, version, type,
 * checksum, count against length, auth type. Over IPv4, v3 accepts both checksum variants (keepalived's
 * pseudo-header one, and RFC 9568's VRRP-only one) and reports the one seen; over IPv6 (an IPv6
 * envelope) only the pseudo-header one, addresses are 16 bytes, and version 2 is a bad version.
 * Throws only on a mixed-family envelope (see envelopeFamily), never on the packet's bytes.
 */
export function decode(packet: Uint8Array, envelope?: IpEnvelope): DecodeResult {
  const family = envelopeFamily(envelope);
  if (packet.length < HEADER_BYTES) return fail('too_short', `${packet.length} bytes, a VRRP header needs ${HEADER_BYTES}`);
  const version = (packet[0] ?? 0) >>> 4;
  if (version !== 2 && version !== 3) return fail('bad_version', `version ${version}`);
  if (version === 2 && family === 'ipv6') return fail('bad_version', 'version 2 over IPv6: VRRPv2 is IPv4 only (RFC 5798 5.1.2)');
  const type = (packet[0] ?? 0) & 0x0f;
  if (type !== TYPE_ADVERTISEMENT) return fail('bad_type', `type ${type}`);

  let v3Checksum: V3ChecksumMode | undefined;
  if (version === 2) {
    if (internetChecksum(packet) !== 0) return fail('bad_checksum', 'VRRPv2 checksum does not match');
  } else if (envelope && checksumWithPseudoHeader(family, envelope, packet) === 0) {
    v3Checksum = 'pseudoHeader';
  } else if (family === 'ipv6') {
    return fail('bad_checksum', 'VRRPv3 checksum does not match the IPv6 pseudo-header');
  } else if (internetChecksum(packet) === 0) {
    v3Checksum = 'vrrpOnly';
  } else {
    return fail('bad_checksum', 'VRRPv3 checksum matches neither the pseudo-header nor the VRRP-only variant');
  }

  const count = packet[3] ?? 0;
  const addressBytes = addressBytesLength(family);
  const expectedLength = HEADER_BYTES + addressBytes * count + (version === 2 ? AUTH_DATA_BYTES : 0);
  if (packet.length !== expectedLength) {
    return fail('bad_length', `${count} addresses need ${expectedLength} bytes, got ${packet.length}`);
  }
  const addresses = Array.from({ length: count }, (_, i) => bytesToAddress(family, packet, HEADER_BYTES + addressBytes * i));
  const common = { vrid: packet[1] ?? 0, priority: packet[2] ?? 0, addresses };

  if (version === 3) {
    const centiseconds = (((packet[4] ?? 0) & 0x0f) << 8) | (packet[5] ?? 0);
    return { ok: true, value: { version: 3, ...common, adverIntervalMs: centiseconds * 10 }, ...(v3Checksum ? { v3Checksum } : {}) };
  }
  const authType = packet[4] ?? 0;
  if (authType !== 0 && authType !== 1) return fail('bad_auth_type', `auth type ${authType} (only none and PASS are supported)`);
  // A plain copy, whatever kind of view the caller passed (a Buffer's slice is a Buffer).
  const authData = Uint8Array.from(packet.subarray(HEADER_BYTES + addressBytes * count, expectedLength));
  const auth: AdvertAuth = authType === 1 ? { type: 'pass', password: authData } : { type: 'none' };
  return { ok: true, value: { version: 2, ...common, adverIntervalMs: (packet[5] ?? 0) * 1000, auth } };
}
