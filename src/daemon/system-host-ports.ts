// The real host's rtnetlink and facts (capabilities from /proc, interfaces from sysfs): the part of the
// system ports that the start needs before anything else (host-at-start.ts), without loading the VRRP
// sockets' and gratuitous ARP's code.
import { openSystemRtnl } from '../netlink/rtnl.js';
import { realHostFacts } from './host-checks.js';
import type { DaemonPorts } from './ports.js';

export function systemHostPorts(): Pick<DaemonPorts, 'openRtnl' | 'hostFacts'> {
  return {
    openRtnl: (logger) => openSystemRtnl({ logger }),
    hostFacts: realHostFacts,
  };
}
