// Address syntax for vip.yaml and the wire: dotted-quad IPv4, IPv6 text (RFC 4291 2.2), CIDR, and
// host:port. Pure functions returning a reason or null instead of throwing, so the schema can turn the
// reason into a located error. parseCidr is IPv4 only (interface-cidr.ts takes both families, and
// host-port.ts parses HOST:PORT).

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const IPV4_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
export const HOSTNAME_PATTERN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** The address as a 32-bit unsigned number, or null when `text` is not a dotted-quad IPv4 address. */
export function ipv4ToNumber(text: string): number | null {
  const match = IPV4_PATTERN.exec(text);
  if (!match) return null;
  let value = 0;
  for (const part of match.slice(1)) {
    // Leading zeros are refused: inet_aton reads them as octal, so `010.0.0.1` is ambiguous.
    if (part.length > 1 && part.startsWith('0')) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

export function isIpv4(text: string): boolean {
  return ipv4ToNumber(text) !== null;
}

export type AddressFamily = 'ipv4' | 'ipv6';

const IPV6_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/** The 16 bits of each hex group in `groups`, or null when one is not 1 to 4 hex digits. */
function hexGroups(groups: readonly string[]): number[] | null {
  const values: number[] = [];
  for (const group of groups) {
    if (!IPV6_GROUP.test(group)) return null;
    values.push(parseInt(group, 16));
  }
  return values;
}

/**
 * An IPv6 address in any text form of RFC 4291 2.2 (full, `::`-compressed, with a dotted-quad IPv4
 * tail) as its 16 bytes, or null. Refused: zone ids (`%eth0`: a zone is not part of an address), brackets
 * and prefixes (those are URL and CIDR syntax, handled by their callers), more than one `::`, a lone
 * leading or trailing `:`, a `::` that stands for no group, and an IPv4 tail with leading zeros
 * (as ipv4ToNumber: `010` reads as octal to inet_aton).
 */
export function parseIpv6(text: string): Uint8Array | null {
  // 8 groups of 4 digits and 7 colons is 39 characters; 45 with an IPv4 tail. Longer is never valid.
  if (text.length < 2 || text.length > 45) return null;
  let tail: number[] = [];
  let hexPart = text;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const ipv4 = ipv4ToNumber(text.slice(lastColon + 1));
    if (ipv4 === null) return null;
    tail = [ipv4 >>> 16, ipv4 & 0xffff];
    // What is left before the tail: `::1.2.3.4` leaves `::` (kept whole), `1:2:3:4:5:6:1.2.3.4` leaves
    // `1:2:3:4:5:6:` (its last colon only separates the tail).
    hexPart = text.slice(0, lastColon + 1);
    if (!hexPart.endsWith('::')) hexPart = hexPart.slice(0, -1);
  }
  const halves = hexPart.split('::');
  if (halves.length > 2) return null;
  let groups: number[];
  if (halves.length === 1) {
    const all = hexGroups(hexPart === '' ? [] : hexPart.split(':'));
    if (all === null || all.length + tail.length !== 8) return null;
    groups = [...all, ...tail];
  } else {
    const [headText = '', restText = ''] = halves;
    const head = hexGroups(headText === '' ? [] : headText.split(':'));
    const rest = hexGroups(restText === '' ? [] : restText.split(':'));
    if (head === null || rest === null) return null;
    const zeros = 8 - head.length - rest.length - tail.length;
    // `::` stands for one or more zero groups (RFC 4291 2.2, 2.).
    if (zeros < 1) return null;
    groups = [...head, ...new Array<number>(zeros).fill(0), ...rest, ...tail];
  }
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[2 * i] = group >>> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

export function isIpv6(text: string): boolean {
  return parseIpv6(text) !== null;
}

/** Which family `text` is an address of, or null when it is neither (a CIDR, a name, a zone id...). */
export function addressFamily(text: string): AddressFamily | null {
  if (isIpv4(text)) return 'ipv4';
  if (isIpv6(text)) return 'ipv6';
  return null;
}

export interface Cidr {
  address: string;
  prefix: number;
}

/** `10.0.0.50` or `10.0.0.50/24`; the prefix defaults to /32 as keepalived's virtual_ipaddress. */
export function parseCidr(text: string): Parsed<Cidr> {
  const [address = '', prefixText, extra] = text.split('/');
  if (extra !== undefined || !isIpv4(address)) {
    return { ok: false, reason: 'must be an IPv4 address with an optional /prefix, such as 10.0.0.50 or 10.0.0.50/24' };
  }
  if (prefixText === undefined) return { ok: true, value: { address, prefix: 32 } };
  if (!/^\d{1,2}$/.test(prefixText) || Number(prefixText) < 1 || Number(prefixText) > 32) {
    return { ok: false, reason: 'the prefix length must be 1 to 32' };
  }
  return { ok: true, value: { address, prefix: Number(prefixText) } };
}

/** The address part of a normalized VIP (`10.0.0.50/24` -> `10.0.0.50`). */
export function vipAddress(vip: string): string {
  return vip.split('/')[0] ?? vip;
}
