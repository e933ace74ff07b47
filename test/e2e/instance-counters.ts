// What a "nothing changed" check waits for before it looks: the adverts that crossed, counted by the
// daemon itself in its /status (status.listen's default, 127.0.0.1:9901, in its own host). A fixed
// sleep would say nothing on a machine slow enough that the adverts had not come yet.
import type { Lab, LabHost } from '../lab/index.js';
import { requireTool } from '../lab/system-tools.js';
import { waitUntil } from '../../src/lab/tsvip-daemon.js';

export interface InstanceCounters {
  readonly advertsSent: number;
  readonly advertsReceived: number;
  readonly transitions: number;
  readonly drops: Readonly<Record<string, number>>;
}

/** VI_1's counters from the tsvip in `host`; undefined while its status server does not answer. */
export async function instanceCounters(lab: Lab, host: LabHost, instance = 'VI_1'): Promise<InstanceCounters | undefined> {
  const result = await lab.run(host, [requireTool('curl', 'curl'), '--silent', '--max-time', '5', 'http://127.0.0.1:9901/status']);
  if (result.code !== 0) return undefined;
  const status = JSON.parse(result.stdout) as { instances: { name: string; counters: InstanceCounters }[] };
  return status.instances.find((entry) => entry.name === instance)?.counters;
}

/**
 * Waits until `host`'s tsvip counts `count` more adverts (accepted from the master, or sent) than it
 * did when called: more than Master_Down's three intervals when count is 5.
 */
export async function waitForAdverts(lab: Lab, host: LabHost, counter: 'advertsReceived' | 'advertsSent', count: number, limitMs = 30_000): Promise<InstanceCounters> {
  const before = (await instanceCounters(lab, host))?.[counter] ?? 0;
  return waitUntil(async () => {
    const now = await instanceCounters(lab, host);
    return now !== undefined && now[counter] >= before + count ? now : undefined;
  }, `${host.name}'s tsvip to count ${count} more ${counter}`, limitMs);
}
