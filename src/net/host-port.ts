// HOST:PORT for listeners, backends and checks: an IPv4 address, an IPv6 address in brackets as URLs write
// it (RFC 3986 3.2.2), a host name, or a keyword such as `vip`. Pure, returning a reason instead of
// throwing, so the schema can turn the reason into a located error.
import { HOSTNAME_PATTERN, isIpv4, parseIpv6, type Parsed } from './address.js';
import { bytesToIpv6 } from './ipv6-bytes.js';

export interface HostPort {
  /** An IPv4 address, an IPv6 address in canonical text (RFC 5952, without brackets), a name, or a keyword. */
  host: string;
  port: number;
}

export interface HostPortRules {
  /** Also accept DNS names (backends), not only addresses (listeners). */
  allowHostname: boolean;
  /** Extra host words accepted as they are, such as `vip` for a load balancer bind. */
  keywords: readonly string[];
}

/**
 * `HOST:PORT`, where an IPv6 HOST is written in brackets (`[2001:db8::1]:6443`, `[::]:8443`) so its
 * colons cannot be mistaken for the port's. The IPv6 host comes back canonical, so that two spellings of
 * one listener compare equal.
 */
export function parseHostPort(text: string, rules: HostPortRules): Parsed<HostPort> {
  const hostKinds = ['an IPv4 address', 'an [IPv6] address', ...(rules.allowHostname ? ['a host name'] : []), ...rules.keywords.map((k) => `"${k}"`)];
  const shape = `must be HOST:PORT with HOST ${hostKinds.slice(0, -1).join(', ')} or ${hostKinds.at(-1)}`;
  if (text.startsWith('[') && !text.includes(']:')) return { ok: false, reason: `needs a port after the brackets, such as ${text.endsWith(']') ? text : '[::1]'}:6443` };
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return { ok: false, reason: shape };
  const hostText = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  let host: string;
  if (hostText.startsWith('[') && hostText.endsWith(']')) {
    const bytes = parseIpv6(hostText.slice(1, -1));
    if (bytes === null) return { ok: false, reason: `${hostText} is not an IPv6 address in brackets, such as [2001:db8::1] or [::]` };
    host = bytesToIpv6(bytes);
  } else if (hostText.includes(':')) {
    // `::1:6443` could be ::1 port 6443 or ::1:6443 without a port: brackets say which.
    return { ok: false, reason: `an IPv6 address must be written in brackets, such as [${hostText}]:${/^\d{1,5}$/.test(portText) ? portText : '6443'}` };
  } else {
    const hostOk = isIpv4(hostText) || rules.keywords.includes(hostText) || (rules.allowHostname && HOSTNAME_PATTERN.test(hostText) && !/^[\d.]+$/.test(hostText));
    if (!hostOk) return { ok: false, reason: shape };
    host = hostText;
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    return { ok: false, reason: 'the port must be 1 to 65535' };
  }
  return { ok: true, value: { host, port: Number(portText) } };
}

/** `host:port` for messages and URLs: an IPv6 host goes in brackets. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
