// Every time the VIP appears on or leaves a VRRP host's interface, with the moment it happened:
// `ip monitor address` in each host. Polling would miss what matters most here: a backup that takes
// the VIP for one advert interval (100 ms at v3) and gives it back is a spurious failover.
import { isIPv6 } from 'node:net';
import type { Lab, LabHost } from '../src/lab/lab.js';
import type { SpawnedProcess } from '../src/lab/spawned-process.js';
import { onLines, Waiters } from '../src/lab/waiters.js';

export interface VipEvent {
  /** Date.now() when the line arrived. */
  readonly atMs: number;
  readonly host: string;
  readonly change: 'added' | 'deleted';
}

export interface VipWatch {
  events(): readonly VipEvent[];
  /** Resolves with the first event after `sinceMs` that matches; rejects after timeoutMs. */
  waitFor(match: (event: VipEvent) => boolean, options: { readonly sinceMs: number; readonly timeoutMs: number; readonly what: string }): Promise<VipEvent>;
  stop(): void;
}

/** `ip monitor` prints nothing when it is ready; this long is plenty for it to subscribe. */
const subscribeDelayMs = 300;

/**
 * What one line of `ip -o monitor address` says about `vip` (plain or CIDR, IPv4 or IPv6 as `ip`
 * prints it): "3: eth0    inet 198.18.0.100/24 ...", "Deleted 3: eth0    inet6 2001:2::100/128 ...";
 * null for a line about another address.
 */
export function vipChangeOf(line: string, vip: string): VipEvent['change'] | null {
  const address = vip.split('/')[0] ?? vip;
  const family = isIPv6(address) ? 'inet6' : 'inet';
  const words = line.split(/\s+/);
  const at = words.indexOf(family);
  if (at === -1 || words[at + 1]?.split('/')[0] !== address) return null;
  return line.startsWith('Deleted') ? 'deleted' : 'added';
}

export async function watchVip(lab: Lab, hosts: readonly LabHost[], vip: string): Promise<VipWatch> {
  const address = vip.split('/')[0] ?? vip;
  const events: VipEvent[] = [];
  const waiters = new Waiters();
  const monitors: SpawnedProcess[] = hosts.map((host) => {
    const monitor = lab.spawn(host, ['ip', '-o', isIPv6(address) ? '-6' : '-4', 'monitor', 'address', 'dev', host.iface]);
    onLines(monitor.child.stdout, (line) => {
      const change = vipChangeOf(line, vip);
      if (change === null) return;
      // The kernel announces an address again when only its flags or lifetimes change (an IPv6
      // address can be updated in place): that is no new holder, so it is not an event.
      const previous = events.findLast((event) => event.host === host.name);
      if (previous?.change === change) return;
      events.push({ atMs: Date.now(), host: host.name, change });
      waiters.wake();
    });
    return monitor;
  });
  await new Promise((resolve) => setTimeout(resolve, subscribeDelayMs));
  for (const monitor of monitors) {
    if (monitor.child.exitCode !== null) throw new Error(`ip monitor exited: ${monitor.output().stderr}`);
  }

  return {
    events: () => [...events],
    waitFor: (match, { sinceMs, timeoutMs, what }) =>
      waiters.waitFor(() => events.find((event) => event.atMs >= sinceMs && match(event)), {
        timeoutMs,
        timeoutError: () => new Error(`no ${what} within ${timeoutMs} ms (VIP events: ${JSON.stringify(events)})`),
      }),
    stop: () => {
      for (const monitor of monitors) monitor.kill('SIGTERM');
    },
  };
}
