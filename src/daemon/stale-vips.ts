// At start-up a host may still carry VIPs from a tsvip (or keepalived) that was killed with -9 and
// never removed them: two hosts would then answer ARP for the VIP. They are removed before the
// election starts, as keepalived does (README "`tsvip start`", log code STALE_VIP_REMOVED).
import type { Logger } from 'pino';
import type { VrrpInstanceConfig } from '../config/schema.js';
import { instanceFamily } from '../config/instance-family.js';
import { vipAddress } from '../net/address.js';
import type { Rtnl } from '../netlink/rtnl.js';

const PRIORITY_OWNER = 255;

/** The interface's first IPv4 address that is not a VIP: what adverts are sent from by default. */
export async function primaryAddress(rtnl: Rtnl, ifindex: number, vips: readonly string[]): Promise<string | null> {
  const vipAddresses = new Set(vips.map(vipAddress));
  const addresses = await rtnl.listAddresses(ifindex);
  return addresses.find((entry) => !vipAddresses.has(entry.address))?.address ?? null;
}

export interface StaleVipCleanup {
  rtnl: Rtnl;
  ifindex: number;
  instance: VrrpInstanceConfig;
  logger: Logger;
}

/** Removes the instance's VIPs found on its interface; returns the ones removed. */
export async function clearStaleVips({ rtnl, ifindex, instance, logger }: StaleVipCleanup): Promise<string[]> {
  // The address owner's VIP is its own real address: never remove it.
  if (instance.priority === PRIORITY_OWNER) return [];
  const wanted = new Set(instance.vips.map(vipAddress));
  // An instance holds one family (config/meaning.ts): list that family's addresses.
  const present = instanceFamily(instance) === 'ipv6' ? await rtnl.listIpv6Addresses(ifindex) : await rtnl.listAddresses(ifindex);
  // Deleted with the prefix found on the interface: the kernel matches it, and a predecessor may have
  // run with another prefix.
  const stale = present.filter((entry) => wanted.has(entry.address)).map((entry) => `${entry.address}/${entry.prefix}`);
  for (const vip of stale) {
    await rtnl.deleteAddress(ifindex, vip);
    logger.warn({ vip, interface: instance.interface, code: 'STALE_VIP_REMOVED' }, `removed stale VIP ${vip} left on ${instance.interface} by a previous run`);
  }
  return stale;
}
