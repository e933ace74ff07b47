// The address an IPv6 instance sends its adverts from and breaks priority ties with (RFC 5798 5.1.2.1,
// 6.4.3): the interface's link-local in multicast mode, as keepalived 2.2 and FRR vrrpd send, and in
// unicast mode without unicast.source the interface's first global address that is not a VIP (what
// the peers list; the IPv4 default is the primary address in the same way). An address still in
// duplicate address detection cannot be bound (EADDRNOTAVAIL) and must not be advertised from: the
// instance waits for it to leave tentative, which takes about a second after the link comes up.
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { vipAddress } from '../net/address.js';
import { findLinkLocal, type Ipv6InterfaceAddress } from '../netlink/addresses.js';
import type { Rtnl } from '../netlink/rtnl.js';
import { HostCheckError } from './host-checks.js';

/** How often the address is read again while it is tentative. */
const POLL_MS = 100;

export interface Ipv6SourceQuery {
  rtnl: Pick<Rtnl, 'listIpv6Addresses'>;
  ifindex: number;
  interfaceName: string;
  instance: string;
  /** Multicast mode: the link-local; unicast mode: a global address. */
  multicast: boolean;
  /** Every VIP on the interface: none of them is an address of ours. */
  vips: readonly string[];
  clock: Clock;
  logger: Logger;
  /** How long a tentative address is waited for (DAD takes about a second; longer means trouble). */
  waitMs: number;
}

function pick(addresses: readonly Ipv6InterfaceAddress[], multicast: boolean, vips: ReadonlySet<string>): Ipv6InterfaceAddress | null {
  if (multicast) return findLinkLocal(addresses);
  return addresses.find((entry) => entry.scope === 'global' && !vips.has(entry.address) && !entry.flags.dadfailed) ?? null;
}

/** Resolves to the address once it is usable; throws HostCheckError when there is none, it failed DAD, or it stayed tentative. */
export async function ipv6SourceAddress(query: Ipv6SourceQuery): Promise<string> {
  const { rtnl, ifindex, interfaceName, instance, multicast, clock, logger, waitMs } = query;
  const vips = new Set(query.vips.map(vipAddress));
  const kind = multicast ? 'link-local address (fe80::/10)' : 'global IPv6 address of its own';
  const deadline = clock.now() + waitMs;
  let logged = false;
  for (;;) {
    const found = pick(await rtnl.listIpv6Addresses(ifindex), multicast, vips);
    if (found === null) {
      const hint = multicast ? 'is IPv6 disabled there (sysctl net.ipv6.conf.IFACE.disable_ipv6) or addr_gen_mode none?' : 'add one or set unicast.source';
      throw new HostCheckError([`interface ${interfaceName} (instance ${instance}) has no ${kind} to send VRRPv3 adverts from: ${hint}`]);
    }
    if (found.flags.dadfailed) {
      throw new HostCheckError([`${found.address} on ${interfaceName} (instance ${instance}) failed duplicate address detection: another host on the link has it`]);
    }
    if (!found.flags.tentative) return found.address;
    if (clock.now() >= deadline) {
      throw new HostCheckError([`${found.address} on ${interfaceName} (instance ${instance}) is still tentative (duplicate address detection) after ${waitMs} ms: adverts cannot be sent from it`]);
    }
    if (!logged) {
      logger.info({ address: found.address, interface: interfaceName }, 'waiting for the source address to leave tentative (duplicate address detection)');
      logged = true;
    }
    await new Promise<void>((resolve) => clock.setTimeout(resolve, POLL_MS));
  }
}
