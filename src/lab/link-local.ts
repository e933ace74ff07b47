// Waiting for a host's IPv6 link-local address (fe80::/64). The kernel makes it when the interface is
// up with carrier, and keeps it tentative while duplicate address detection runs; a tentative address
// is neither sent from nor answered for, and a VRRPv3 advert over IPv6 must come from it. So a dual-stack
// lab hands over no host before its link-local has left tentative. There is no event to wait on
// without a netlink monitor, so `ip -6 -j addr` is polled, with a bound that says what it last saw.
import { setTimeout as delay } from 'node:timers/promises';
import { runCommandOk } from './command.js';
import { LabTimeoutError } from './errors.js';
import { parseIpv6Addresses } from './ip-json.js';
import type { Ipv6Address } from './ip-json.js';

export interface LinkLocalWait {
  /** 'h1': named in the error. */
  readonly hostName: string;
  readonly netns: string;
  readonly iface: string;
  /** Generous: the kernel's own DAD takes about 1.5 s; the lab turns it off, so it is usually instant. */
  readonly timeoutMs: number;
  readonly pollMs: number;
}

/** The link-local address, without prefix, once it is usable; LabTimeoutError naming the host after timeoutMs. */
export async function waitForLinkLocal(wait: LinkLocalWait): Promise<string> {
  const deadline = performance.now() + wait.timeoutMs;
  for (;;) {
    const { stdout } = await runCommandOk(['ip', '-n', wait.netns, '-j', '-6', 'addr', 'show', 'dev', wait.iface]);
    const seen = parseIpv6Addresses(stdout);
    const usable = usableLinkLocal(seen);
    if (usable !== undefined) return usable.address;
    if (performance.now() >= deadline) {
      throw new LabTimeoutError(
        `host ${wait.hostName} (namespace ${wait.netns}): ${wait.iface} has no usable IPv6 link-local address after ${wait.timeoutMs} ms; it has ${describeAddresses(seen)}`,
      );
    }
    await delay(wait.pollMs);
  }
}

/** The first fe80::/64 address that has finished DAD and passed it. */
export function usableLinkLocal(addresses: readonly Ipv6Address[]): Ipv6Address | undefined {
  return addresses.find((a) => a.scope === 'link' && a.address.toLowerCase().startsWith('fe80:') && !a.tentative && !a.dadFailed);
}

function describeAddresses(addresses: readonly Ipv6Address[]): string {
  if (addresses.length === 0) return 'no IPv6 address at all';
  return addresses
    .map((a) => `${a.address}/${a.prefixLength} scope ${a.scope}${a.tentative ? ' tentative' : ''}${a.dadFailed ? ' dadfailed' : ''}`)
    .join(', ');
}
