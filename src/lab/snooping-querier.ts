// The bridge's MLD querier, which makes multicast snooping take effect in a dual-stack lab. What the
// kernel does (seen on 6.18, bridge `mcast_snooping 1`, its default):
// - It learns groups from the hosts' MLD reports (`bridge mdb show` lists ff02::12 on the port of a
//   host that joined it) but forwards by what it learned only while a querier is present. With no
//   querier, which is how a new bridge starts, every group reaches every port.
// - Its own querier (`mcast_querier 1`) sends MLD queries from a link-local address of the bridge
//   device. The lab's bridge has none (addrgenmode none), and then the querier never counts and the
//   bridge goes on flooding, silently. So the bridge gets a fixed link-local, added with nodad so it
//   is usable at once, before the querier is turned on.
// - A querier that was just turned on counts only after one query response interval (10 s by
//   default). The lab sets that to 1 s and waits it out: the kernel shows nothing that says when it
//   has passed. Queries then ask each host to report within 1 s too.
// - A port that joins the bridge again (heal(), setLinkUp()) is queried at once; its host reports its
//   groups again within the response interval, and until then gets none of them.
// - The querier is IGMP's too (queries from 0.0.0.0, no IPv4 address needed), so IPv4 groups are
//   snooped as well, except 224.0.0.0/24, which the bridge never snoops: VRRPv2's 224.0.0.18 still
//   reaches every host.
// Neighbour discovery goes on working: a host reports its solicited-node groups (ff02::1:ffXX:XXXX)
// as its addresses come up, and ff02::1 (all nodes) is never snooped.
import { setTimeout as delay } from 'node:timers/promises';
import { runCommandOk } from './command.js';
import { bridgeIpv6Sysctls, sysctlArgv } from './ipv6-settings.js';

export interface QuerierBridge {
  readonly netns: string;
  readonly bridge: string;
  /** Without prefix; the lab uses the EUI-64 of the bridge's fixed MAC, what the kernel would have made. */
  readonly linkLocal: string;
}

/** In centiseconds, as `ip link` takes it. */
const queryResponseIntervalCs = 100;
/** Beyond the kernel's delay, for the jiffy it rounds to and the time `ip` takes to return. */
const marginMs = 100;

/**
 * Gives the bridge its link-local and turns its querier on. Resolves with a function that resolves
 * once snooping is in force; call it last, so the delay passes while the hosts are built.
 */
export async function startSnoopingQuerier(bridge: QuerierBridge): Promise<() => Promise<void>> {
  const { netns } = bridge;
  await runCommandOk(sysctlArgv(netns, bridgeIpv6Sysctls(bridge.bridge)));
  await runCommandOk(['ip', '-n', netns, 'addr', 'add', `${bridge.linkLocal}/64`, 'dev', bridge.bridge, 'nodad']);
  // MLDv2, which Linux hosts speak unless a querier asks for v1 (the bridge's default is to ask for v1).
  await runCommandOk(['ip', '-n', netns, 'link', 'set', bridge.bridge, 'type', 'bridge', 'mcast_query_response_interval', String(queryResponseIntervalCs), 'mcast_mld_version', '2']);
  // A separate command: in one, the kernel applies the querier before the interval and would time
  // the start-up delay by the old 10 s.
  await runCommandOk(['ip', '-n', netns, 'link', 'set', bridge.bridge, 'type', 'bridge', 'mcast_querier', '1']);
  const inForceAt = performance.now() + queryResponseIntervalCs * 10 + marginMs;
  return async () => {
    const remainingMs = inForceAt - performance.now();
    if (remainingMs > 0) await delay(remainingMs);
  };
}
