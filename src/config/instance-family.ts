// Which family an instance runs over: its VIPs' (meaning.ts allows one per instance). Validated
// addresses are dotted quads or canonical IPv6 text, so a colon tells them apart.
import type { AddressFamily } from '../net/address.js';
import type { VrrpInstanceConfig } from './schema.js';

export function familyOfAddress(address: string): AddressFamily {
  return address.includes(':') ? 'ipv6' : 'ipv4';
}

export function instanceFamily(config: Pick<VrrpInstanceConfig, 'vips'>): AddressFamily {
  return config.vips.some((vip) => familyOfAddress(vip) === 'ipv6') ? 'ipv6' : 'ipv4';
}
