// A VIP as rtnetlink takes it, in either family: the address and its prefix. IPv4 keeps address.ts's
// parseCidr (default /32, as keepalived); IPv6 defaults to /128 for the same reason (a VIP is one
// address) and its address is given back in canonical text (RFC 5952), the spelling the kernel's
// listings are turned into, so that one VIP compares equal however vip.yaml wrote it. Pure.
import { isIpv4, parseCidr, parseIpv6, type AddressFamily, type Parsed } from './address.js';
import { bytesToIpv6 } from './ipv6-bytes.js';

export interface InterfaceCidr {
  family: AddressFamily;
  address: string;
  prefix: number;
}

export function parseInterfaceCidr(text: string): Parsed<InterfaceCidr> {
  const [address = '', prefixText, extra] = text.split('/');
  const bytes = extra === undefined ? parseIpv6(address) : null;
  if (bytes === null) {
    const ipv4 = parseCidr(text);
    // An IPv4 address with a bad prefix gets parseCidr's own reason; anything else is neither family.
    if (!ipv4.ok && isIpv4(address)) return ipv4;
    if (!ipv4.ok) return { ok: false, reason: 'must be an IPv4 or IPv6 address with an optional /prefix, such as 10.0.0.50/24 or 2001:db8::50/64' };
    return { ok: true, value: { family: 'ipv4', ...ipv4.value } };
  }
  if (prefixText === undefined) return { ok: true, value: { family: 'ipv6', address: bytesToIpv6(bytes), prefix: 128 } };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) < 1 || Number(prefixText) > 128) {
    return { ok: false, reason: 'the IPv6 prefix length must be 1 to 128' };
  }
  return { ok: true, value: { family: 'ipv6', address: bytesToIpv6(bytes), prefix: Number(prefixText) } };
}
