// One "kill -9 of the master" measurement (docs/benchmarks.md, "Failover"): a fresh group elects a master, the
// client probes the VIP every 10 ms, then the master's VRRP daemon (its whole process group) and its
// listener get SIGKILL at the same instant: the host's software is gone, the host and its interface are
// not, as when keepalived and haproxy crash together. The listener goes too because otherwise the
// killed host, which keeps the VIP, would go on answering the client and there would be no outage to
// measure, only a silent switch when the new master's gratuitous ARP arrives.
import { longestOutage, startProber, whoHoldsVip } from '../src/lab/vip-client.js';
import type { ProbeAttempt } from '../src/lab/vip-client.js';
import { SERVICE_PORT, clientNeighbourHost, sleep, startVrrpGroup, waitForElection } from './vrrp-group.js';
import type { ImplementationName, ProtocolSetup } from './vrrp-group.js';

export interface KillRunResult {
  readonly implementation: ImplementationName;
  readonly setup: ProtocolSetup['id'];
  readonly run: number;
  /** From spawning the daemons to the VIP on the first master. */
  readonly coldStartMs: number;
  readonly firstMaster: string;
  /** VIP additions before the group was quiet: more than 1 when a start-up master was preempted. */
  readonly startupTakeovers: number;
  /** Where in the advert interval the kill landed, ms after the master's advert (as far as its VIP's arrival tells). */
  readonly phaseMs: number;
  readonly killed: string;
  /** Client-side outage: last success before the kill to first success after; 0 if no attempt failed. */
  readonly outageMs: number;
  readonly failedAttempts: number;
  readonly recovered: boolean;
  readonly serverAfter: string | null;
  /** From the kill to the VIP appearing on another host's interface. */
  readonly takeoverMs: number | null;
  /** Hosts holding the VIP once the client is served again. */
  readonly holdersAfter: readonly string[];
  readonly killedKeptVip: boolean;
  /** Whose MAC the client's neighbour entry for the VIP holds at the end (the gratuitous ARP's or unsolicited NA's effect). */
  readonly clientArpHost: string | null;
  /** Resident set of each host's daemon (its whole process group) once the group was elected, KiB. */
  readonly rssKiB: Readonly<Record<string, number>>;
  /** Error codes the client saw during the outage, with counts. */
  readonly clientErrors: Readonly<Record<string, number>>;
}

/** Attempts in a row that must succeed before the client counts as served again. */
export const stableAttempts = 50;

export async function killRun(implementation: ImplementationName, setup: ProtocolSetup, options: { readonly workDir: string; readonly run: number; readonly runs: number }): Promise<KillRunResult> {
  const group = await startVrrpGroup(implementation, setup, options);
  try {
    const { lab, client } = group;
    const election = await waitForElection(group, { timeoutMs: 30_000 });
    const master = election.master;
    const rssKiB = Object.fromEntries(await Promise.all([...group.daemons].map(async ([name, daemon]) => [name, await daemon.rssKiB()] as const)));

    const prober = await startProber(lab, client, { address: setup.vipAddress, port: SERVICE_PORT });
    await prober.waitUntil(lastAll(stableAttempts, (a) => a.ok && a.server === master.name), { timeoutMs: 10_000, what: `${stableAttempts} answers from ${master.name}` });

    const victim = group.daemons.get(master.name);
    const listener = group.listeners.get(master.name);
    if (victim === undefined || listener === undefined) throw new Error(`no daemon or listener in ${master.name}`);
    // Most of the outage is Master_Down minus the time since the master's last advert, so the point
    // of the advert interval where the kill lands decides more than the daemons do. The master
    // advertises every interval from the moment it took the VIP; run i of n kills at (i - 0.5) / n of
    // the interval after an advert, the same points for both implementations: paired runs, and a
    // median that is the middle of the interval instead of wherever the set-up steps happen to end.
    const interval = setup.advertIntervalMs;
    const targetPhaseMs = ((options.run - 0.5) / options.runs) * interval;
    await sleep((targetPhaseMs - ((Date.now() - election.masterSinceMs) % interval) + interval) % interval);
    const killAtMs = Date.now();
    listener.process.kill('SIGKILL');
    await victim.stop('SIGKILL');

    const recoveryTimeoutMs = Math.max(15_000, 20 * setup.advertIntervalMs);
    const recovered = await prober
      .waitUntil(lastAll(stableAttempts, (a) => a.t > killAtMs && a.ok && a.server !== master.name), { timeoutMs: recoveryTimeoutMs, what: 'recovery' })
      .then(
        () => true,
        () => false,
      );
    const attempts = await prober.stop();
    const takeover = group.watch.events().find((event) => event.atMs >= killAtMs && event.change === 'added' && event.host !== master.name);
    const holdersAfter = (await whoHoldsVip(lab, setup.vip, { hosts: group.vrrpHosts })).map((host) => host.name);
    const clientArpHost = await clientNeighbourHost(group);

    // From just before the kill: the prober had a clean record before it, so the outage found is the kill's.
    const outage = longestOutage(attempts.filter((attempt) => attempt.t >= killAtMs - 200));
    return {
      implementation,
      setup: setup.id,
      run: options.run,
      coldStartMs: election.coldStartMs,
      firstMaster: election.firstMaster,
      startupTakeovers: election.startupTakeovers,
      phaseMs: Math.round((killAtMs - election.masterSinceMs) % interval),
      killed: master.name,
      outageMs: outage?.outageMs ?? 0,
      failedAttempts: outage?.failedAttempts ?? 0,
      recovered: recovered && (outage?.recovered ?? true),
      serverAfter: outage?.serverAfter ?? attempts.at(-1)?.server ?? null,
      takeoverMs: takeover === undefined ? null : takeover.atMs - killAtMs,
      holdersAfter,
      killedKeptVip: holdersAfter.includes(master.name),
      clientArpHost,
      rssKiB,
      clientErrors: outage?.errors ?? {},
    };
  } finally {
    await group.destroy();
  }
}

/** True once the last `count` attempts all satisfy `ok`. */
export function lastAll(count: number, ok: (attempt: ProbeAttempt) => boolean): (attempts: readonly ProbeAttempt[]) => boolean {
  return (attempts) => attempts.length >= count && attempts.slice(-count).every(ok);
}
