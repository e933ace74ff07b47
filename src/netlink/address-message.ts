// rtnetlink address messages (struct ifaddrmsg and its attributes) as tsvip builds and reads them, for
// both families: the requests that add and delete a VIP, and the reading of a kernel's dump entry or
// event into plain objects. Pure (no socket): the shapes are netlink 0.3.0's parsed objects, declared
// here structurally so that unit tests build them and format them with the package without a socket.
import type { AddressFamily } from '../net/address.js';
import { addressToBytesOf, bytesToAddress } from '../net/address-bytes.js';
import type { InterfaceCidr } from '../net/interface-cidr.js';

export const AF_INET = 2;
export const AF_INET6 = 10;
const RT_SCOPE_UNIVERSE = 0;
const IPV6_HOST_PREFIX = 128;
/** INFINITY_LIFE_TIME in the kernel's addrconf. */
const LIFETIME_FOREVER = 0xffffffff;

/** netlink 0.3.0's AddressFlags: IFA_F_* bits as named booleans (0x02 nodad, 0x08 dadfailed, 0x20 deprecated, 0x40 tentative ...). */
export interface NetlinkAddressFlags {
  nodad?: true;
  dadfailed?: true;
  deprecated?: true;
  tentative?: true;
}

/** struct ifaddrmsg as netlink 0.3.0 reads and writes it. */
export interface AddressHeader {
  family?: number;
  prefixlen?: number;
  /** ifa_flags: only the low 8 bits of IFA_F_*; the IFA_FLAGS attribute carries all 32. */
  flags?: NetlinkAddressFlags;
  scope?: number;
  index?: number;
}

export interface AddressAttributes {
  address?: Buffer;
  local?: Buffer;
  /** IFA_CACHEINFO: lifetimes in seconds, 0xffffffff for forever. */
  cacheInfo?: { ifaPrefered?: number; ifaValid?: number };
  /** IFA_FLAGS (u32): when present the kernel reads it instead of ifa_flags. */
  flags?: NetlinkAddressFlags;
}

export interface AddressRequest {
  readonly data: AddressHeader;
  readonly attrs: AddressAttributes;
}

/**
 * The add or delete request for `cidr` on `ifindex`: IFA_LOCAL and IFA_ADDRESS both the address (the
 * kernel reads a different IFA_ADDRESS as a point-to-point peer). An IPv6 address is added with
 * IFA_F_NODAD, in ifa_flags and in IFA_FLAGS, as keepalived 2.2 adds IPv6 VIPs: it is usable at once
 * (no second of tentative state after a failover), and after a split brain, when the other master
 * still holds it, it does not end up dadfailed and unusable. A /128 is also added with preferred
 * lifetime 0 (valid forever), as keepalived 2.2 adds one: deprecated, it is never picked as the source
 * of the host's own connections (RFC 6724 rule 3), which would break when the VIP moves. IPv4 requests
 * are as they always were.
 */
export function addressRequest(ifindex: number, { family, address, prefix }: InterfaceCidr): AddressRequest {
  const bytes = Buffer.from(addressToBytesOf(family, address));
  if (family === 'ipv4') return { data: { family: AF_INET, prefixlen: prefix, index: ifindex, scope: RT_SCOPE_UNIVERSE }, attrs: { local: bytes, address: bytes } };
  const attrs: AddressAttributes = { local: bytes, address: bytes, flags: { nodad: true } };
  if (prefix === IPV6_HOST_PREFIX) attrs.cacheInfo = { ifaPrefered: 0, ifaValid: LIFETIME_FOREVER };
  return { data: { family: AF_INET6, prefixlen: prefix, index: ifindex, scope: RT_SCOPE_UNIVERSE, flags: { nodad: true } }, attrs };
}

/** The IFA_F_* states that matter to a VIP and to a VRRPv3 sender's link-local address. */
export interface AddressFlags {
  /** Duplicate address detection still running (0x40): the address cannot be a source yet. */
  readonly tentative: boolean;
  /** DAD found another host with it (0x08): the kernel will not use it. */
  readonly dadfailed: boolean;
  /** Added without DAD (0x02), as tsvip adds IPv6 VIPs. */
  readonly nodad: boolean;
  /** Preferred lifetime over (0x20). */
  readonly deprecated: boolean;
}

export type AddressScope = 'global' | 'site' | 'link' | 'host' | 'nowhere' | number;

/** An IPv6 address on an interface, as listed or announced by the kernel. */
export interface Ipv6InterfaceAddress {
  readonly family: 'ipv6';
  /** Canonical text (RFC 5952), no prefix. */
  readonly address: string;
  readonly prefix: number;
  readonly scope: AddressScope;
  readonly flags: AddressFlags;
}

const SCOPE_NAMES = new Map<number, AddressScope>([
  [0, 'global'],
  [200, 'site'],
  [253, 'link'],
  [254, 'host'],
  [255, 'nowhere'],
]);

export type ReadAddress =
  | { ok: true; family: 'ipv4'; ifindex: number; address: string; prefix: number }
  | ({ ok: true; ifindex: number } & Ipv6InterfaceAddress)
  | { ok: false; reason: string };

/**
 * Reads one address message of either family; never throws. IFA_LOCAL is the interface's own address
 * (IFA_ADDRESS is the peer's on point-to-point links), and the IFA_FLAGS attribute, when the kernel
 * sends it (always, since 3.14), supersedes the 8-bit ifa_flags.
 */
export function readAddressMessage({ data, attrs }: AddressRequest): ReadAddress {
  const family: AddressFamily | null = data.family === AF_INET ? 'ipv4' : data.family === AF_INET6 ? 'ipv6' : null;
  if (family === null) return { ok: false, reason: `family ${data.family}` };
  const bytes = attrs.local ?? attrs.address;
  const length = family === 'ipv6' ? 16 : 4;
  if (data.index === undefined || data.prefixlen === undefined || bytes?.length !== length) return { ok: false, reason: `without index, prefix or a ${length}-byte address` };
  const address = bytesToAddress(family, bytes);
  if (family === 'ipv4') return { ok: true, family, ifindex: data.index, address, prefix: data.prefixlen };
  const flags = attrs.flags ?? data.flags ?? {};
  return {
    ok: true,
    family,
    ifindex: data.index,
    address,
    prefix: data.prefixlen,
    scope: SCOPE_NAMES.get(data.scope ?? 0) ?? data.scope ?? 0,
    flags: { tentative: flags.tentative === true, dadfailed: flags.dadfailed === true, nodad: flags.nodad === true, deprecated: flags.deprecated === true },
  };
}

/**
 * The interface's link-local address (fe80::/10, scope link), what a VRRPv3-over-IPv6 sender uses as
 * its source (RFC 5798 5.1.2.1) once it is no longer tentative; null when it has none.
 */
export function findLinkLocal(addresses: readonly Ipv6InterfaceAddress[]): Ipv6InterfaceAddress | null {
  return addresses.find((entry) => entry.scope === 'link' && /^fe[89ab][0-9a-f]:/.test(entry.address)) ?? null;
}
