// Meaning checks on a received advertisement (the codec checks syntax, this checks that the
// packet is for us and may be believed), as FRR's vrrp_recv_advertisement() and keepalived's
// vrrp_check_packet(). Pure; each refusal has a stable reason the runtime counts.
import { decode, type DecodeFailure, type Advertisement } from './packet.js';
import type { ReceivedPacket } from './received-packet.js';

export type DropReason =
  | DecodeFailure
  | 'bad_ttl'
  | 'own_packet'
  | 'version_mismatch'
  | 'vrid_mismatch'
  | 'unknown_peer'
  | 'auth_mismatch'
  | 'interval_mismatch';

export interface ReceiveRules {
  version: 2 | 3;
  vrid: number;
  advertIntervalMs: number;
  /** 8 bytes as sent (zero-padded), or null without authentication. */
  authData: Uint8Array | null;
  ownAddress: string;
  /** Unicast mode: only these sources are believed. Null in multicast mode. */
  peers: readonly string[] | null;
}

export type FilterResult = { ok: true; advert: Advertisement } | { ok: false; reason: DropReason; detail: string };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export function filterAdvert(packet: ReceivedPacket, rules: ReceiveRules): FilterResult {
  // RFC 5798 7.1: a multicast advert that did not come with TTL (IPv6: hop limit) 255 crossed a router:
  // drop it. Not in unicast mode, as keepalived: its IPv6 unicast adverts leave with hop limit 64.
  const hops = 'ttl' in packet ? { value: packet.ttl, name: 'TTL' } : { value: packet.hopLimit, name: 'hop limit' };
  if (rules.peers === null && hops.value !== 255) return { ok: false, reason: 'bad_ttl', detail: `${hops.name} ${hops.value}` };
  if (packet.source === rules.ownAddress) return { ok: false, reason: 'own_packet', detail: 'our own advert, looped back' };
  const decoded = decode(packet.payload, { source: packet.source, destination: packet.destination });
  if (!decoded.ok) return decoded;
  const advert = decoded.value;
  if (advert.version !== rules.version) return { ok: false, reason: 'version_mismatch', detail: `VRRPv${advert.version}, we speak v${rules.version}` };
  if (advert.vrid !== rules.vrid) return { ok: false, reason: 'vrid_mismatch', detail: `VRID ${advert.vrid}` };
  if (rules.peers !== null && !rules.peers.includes(packet.source)) return { ok: false, reason: 'unknown_peer', detail: `${packet.source} is not a configured peer` };
  if (advert.version === 2) {
    const theirs = advert.auth.type === 'pass' ? advert.auth.password : null;
    const authOk = rules.authData === null ? theirs === null : theirs !== null && sameBytes(theirs, rules.authData);
    if (!authOk) return { ok: false, reason: 'auth_mismatch', detail: theirs === null ? 'no authentication' : 'wrong password' };
    // RFC 3768 7.1: a v2 router drops adverts whose interval differs from its own.
    if (advert.adverIntervalMs !== rules.advertIntervalMs) {
      return { ok: false, reason: 'interval_mismatch', detail: `${advert.adverIntervalMs} ms, ours is ${rules.advertIntervalMs} ms` };
    }
  }
  return { ok: true, advert };
}
