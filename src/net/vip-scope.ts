// Which addresses cannot be a VIP. A link-local IPv6 address (fe80::/10) is valid on one link only and
// every host already has its own there (RFC 4291 2.5.6): keepalived puts such VIPs in the advert but
// no client off the link can use them. Multicast, unspecified and loopback addresses are never a
// host's unicast address at all. Pure.
import { parseIpv6 } from './address.js';
import type { InterfaceCidr } from './interface-cidr.js';

/** Why `vip` cannot be a VIP, or null when it can. */
export function unusableVip(vip: InterfaceCidr): string | null {
  if (vip.family === 'ipv4') {
    const first = Number(vip.address.split('.')[0]);
    if (first >= 224 && first <= 239) return `${vip.address} is a multicast address: a VIP must be a unicast address`;
    if (vip.address === '0.0.0.0') return '0.0.0.0 is the unspecified address: a VIP must be a unicast address';
    return null;
  }
  const bytes = parseIpv6(vip.address);
  if (bytes === null) return `${vip.address} is not an IPv6 address`;
  if (bytes[0] === 0xff) return `${vip.address} is a multicast address: a VIP must be a unicast address`;
  if (bytes[0] === 0xfe && ((bytes[1] ?? 0) & 0xc0) === 0x80) {
    return `${vip.address} is link-local (fe80::/10): every host has its own there and clients off the link cannot reach it; use a global or unique-local address such as 2001:db8::50 or fd00::50`;
  }
  if (bytes.every((b, i) => (i === 15 ? b === 0 || b === 1 : b === 0))) {
    return `${vip.address} is the ${bytes[15] === 1 ? 'loopback' : 'unspecified'} address: a VIP must be an address on the link`;
  }
  return null;
}
