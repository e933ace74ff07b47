// The IPv6 sysctls of a dual-stack lab, set inside the lab's own namespaces only (`ip netns exec NS
// sysctl`), before the interface they name comes up. A new namespace normally starts from the kernel's
// defaults, but with net.core.devconf_inherit_init_net=1 it copies the root namespace's settings, which
// on a router may be forwarding=1 and accept_ra=2: so even the values that are already the default are
// written.

/**
 * A host: a plain IPv6 node that holds exactly the addresses the lab gives it.
 * - accept_dad=0 (and all.accept_dad=0, as the kernel runs DAD when either is positive): the kernel's
 *   link-local is usable as soon as the link is up, and again at once after setLinkUp(). With the
 *   default DAD it stays tentative for about 1.5 s (a random wait of up to 1 s, then one probe and 1 s
 *   of waiting for an answer); dad_transmits=0 was tried too and still keeps the random wait. Every
 *   address in the lab is unique by construction, so DAD has nothing to find.
 * - forwarding=0: a host routes nothing, not even between its eth0 and lo.
 * - accept_ra=0, router_solicitations=0: it sends no router solicitations and takes no address or
 *   route from a router advertisement, whatever a test may run in another host.
 */
export function hostIpv6Sysctls(iface: string): string[] {
  return [
    'net.ipv6.conf.all.forwarding=0',
    'net.ipv6.conf.all.accept_dad=0',
    `net.ipv6.conf.${iface}.accept_dad=0`,
    `net.ipv6.conf.${iface}.accept_ra=0`,
    `net.ipv6.conf.${iface}.router_solicitations=0`,
  ];
}

/**
 * The bridge, when it gets a link-local address for its multicast querier (snooping-querier.ts): it
 * stays a switch, so it routes nothing and, once its address is up, solicits no router either.
 */
export function bridgeIpv6Sysctls(bridge: string): string[] {
  return ['net.ipv6.conf.all.forwarding=0', `net.ipv6.conf.${bridge}.accept_ra=0`, `net.ipv6.conf.${bridge}.router_solicitations=0`];
}

/** argv that sets `settings` in namespace `netns`; -q: sysctl would echo each one. */
export function sysctlArgv(netns: string, settings: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', netns, 'sysctl', '-q', '-w', ...settings];
}
