// Listener addresses as vip.yaml writes them, for every converter: IPv4 as written, IPv6 canonical in
// brackets (so two spellings of one address are one listener), and the VIPs named `vip:PORT`. tsvip's
// `[::]:PORT` listener is dual-stack, so a proxy that listened on 0.0.0.0:PORT and [::]:PORT side by side
// (nginx's `listen 6443; listen [::]:6443;`, whose [::] is IPv6-only by default) becomes that one listener.
import { isIpv4 } from '../net/address.js';
import { formatHostPort } from '../net/host-port.js';
import { canonicalIpv6 } from '../net/ipv6-bytes.js';
import { where, type SourceLine } from './findings.js';

export interface ListenerDraft {
  bind: string;
  port: number;
  /** The trailing comment on `bind`, when the listener is not written as the source had it. */
  note: string | undefined;
  at: SourceLine;
}

/** An address in the spelling vip.yaml compares: IPv4 as is, IPv6 canonical (RFC 5952); undefined for anything else. */
export function canonicalAddress(text: string): string | undefined {
  if (isIpv4(text)) return text;
  return canonicalIpv6(text) ?? undefined;
}

/** `10.0.0.1:6443` or `[2001:db8::1]:6443`, the address canonical; a name stays as written. */
export function addressPort(host: string, port: number): string {
  return formatHostPort(canonicalAddress(host) ?? host, port);
}

/** The VIPs of the converted instances, compared canonically: a bind on one becomes `vip:PORT`. */
export function isVip(vipAddresses: ReadonlySet<string>, host: string): boolean {
  const address = canonicalAddress(host);
  return address !== undefined && vipAddresses.has(address);
}

/**
 * Joins `0.0.0.0:PORT` into a `[::]:PORT` of the same list: tsvip binds `[::]` dual-stack, so it takes the
 * IPv4 clients too, and `check` refuses the two side by side. `said` is called once per joined pair, with
 * the IPv4 listener, so the caller can say it at its line.
 */
export function joinDualStack(listeners: readonly ListenerDraft[], said: (ipv4: ListenerDraft, both: ListenerDraft) => void): ListenerDraft[] {
  const out: ListenerDraft[] = [];
  for (const listener of listeners) {
    const twin = (other: ListenerDraft): boolean => other.port === listener.port && ((listener.bind.startsWith('0.0.0.0:') && other.bind.startsWith('[::]:')) || (listener.bind.startsWith('[::]:') && other.bind.startsWith('0.0.0.0:')));
    const index = out.findIndex(twin);
    const earlier = out[index];
    if (earlier === undefined) {
      out.push(listener);
      continue;
    }
    const [ipv4, ipv6] = listener.bind.startsWith('0.0.0.0:') ? [listener, earlier] : [earlier, listener];
    const both: ListenerDraft = {
      bind: ipv6.bind,
      port: listener.port,
      at: ipv6.at,
      note: `${ipv6.note === undefined ? '' : `${ipv6.note}; `}with ${ipv4.bind} (${where(ipv4.at)}): one dual-stack listener takes both families`,
    };
    out[index] = both;
    said(ipv4, both);
  }
  return out;
}
