// Address syntax for vip.yaml: dotted-quad IPv4, CIDR, and host:port. Pure functions returning a reason
// instead of throwing, so the schema can turn the reason into a located error.

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const IPV4_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HOSTNAME_PATTERN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

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

export interface HostPort {
  host: string;
  port: number;
}

export interface HostPortRules {
  /** Also accept DNS names (backends), not only IPv4 addresses (listeners). */
  allowHostname: boolean;
  /** Extra host words accepted as they are, such as `vip` for a load balancer bind. */
  keywords: readonly string[];
}

export function parseHostPort(text: string, rules: HostPortRules): Parsed<HostPort> {
  const colon = text.lastIndexOf(':');
  const hostKinds = [rules.allowHostname ? 'an IPv4 address or host name' : 'an IPv4 address', ...rules.keywords.map((k) => `"${k}"`)];
  const shape = `must be HOST:PORT with HOST ${hostKinds.join(' or ')}`;
  if (colon <= 0) return { ok: false, reason: shape };
  const host = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  const hostOk = isIpv4(host) || rules.keywords.includes(host) || (rules.allowHostname && HOSTNAME_PATTERN.test(host) && !/^[\d.]+$/.test(host));
  if (!hostOk) return { ok: false, reason: shape };
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    return { ok: false, reason: 'the port must be 1 to 65535' };
  }
  return { ok: true, value: { host, port: Number(portText) } };
}
