// The first things `tsvip start` does on the host, before the rest of the daemon's code is loaded: the
// host checks, the status credentials (both can still refuse the start having changed nothing), then
// rtnetlink, and the VIPs a predecessor killed with -9 left on the interfaces are removed. Two hosts
// answer ARP for a VIP until that is done, so nothing that can wait comes before it: this module
// loads only what it needs (no VRRP sockets, no load balancer, no status server).
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { partLogger } from '../log.js';
import { loadStatusCredentials, type StatusCredentials } from '../status/basic-auth.js';
import { checkHost, type EthernetInterface } from './host-checks.js';
import type { DaemonPorts } from './ports.js';
import { clearStaleVips } from './stale-vips.js';
import type { StartupTimeline } from './startup-timeline.js';
import type { Rtnl } from '../netlink/rtnl.js';

export interface HostAtStart {
  readonly interfaces: Map<string, EthernetInterface>;
  /** Open; whoever is given it closes it (the daemon, at shutdown or when its start fails). */
  readonly rtnl: Rtnl;
  readonly credentials: StatusCredentials | null;
}

export async function takeHostAtStart(config: Config, ports: Pick<DaemonPorts, 'openRtnl' | 'hostFacts'>, logger: Logger, timeline?: StartupTimeline): Promise<HostAtStart> {
  const interfaces = checkHost(config, ports.hostFacts());
  const credentials = loadStatusCredentials(config.status.auth);
  const rtnl = ports.openRtnl(partLogger(logger, 'netlink'));
  try {
    for (const instance of config.vrrp) {
      const iface = interfaces.get(instance.interface);
      if (iface !== undefined) await clearStaleVips({ rtnl, ifindex: iface.ifindex, instance, logger: partLogger(logger, 'vrrp', { instance: instance.name }) });
    }
  } catch (error) {
    rtnl.close();
    throw error;
  }
  timeline?.mark('staleVipsCleared');
  return { interfaces, rtnl, credentials };
}
