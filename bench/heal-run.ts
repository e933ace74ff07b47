// One "partition, then heal" measurement; the target (docs/benchmarks.md, "Failover"): one master within
// one advert interval and the client reaches the VIP again within one advert interval, whichever side's
// advert crosses first. A fresh group elects h1, the client probes the VIP every 10 ms, then h1's port is
// detached from the bridge: its carrier stays up, so h1 hears nobody and stays master on its own, while
// h2 takes over and the client follows h2. Then the port is attached again and two masters hear each
// other. The loser must step down, and the client, whose ARP entry points at the loser's MAC, must be
// told to move; if the winner's advert crosses first and the loser steps down without a word, nobody
// tells it (keepalived 2.2.7 was measured cutting the client off for 46.6 s that way).
import type { LabHost } from '../src/lab/lab.js';
import { longestOutage, startProber, whoHoldsVip } from '../src/lab/vip-client.js';
import type { ProbeAttempt } from '../src/lab/vip-client.js';
import { lastAll, stableAttempts } from './kill-run.js';
import type { VipEvent } from './vip-watch.js';
import { advertSchedule, captureAdverts, phaseOf } from './vrrp-capture.js';
import type { AdvertCapture, AdvertSchedule, CapturedAdvert } from './vrrp-capture.js';
import { SERVICE_PORT, clientNeighbourHost, sleep, startVrrpGroup, waitForElection } from './vrrp-group.js';
import type { ImplementationName, ProtocolSetup, VrrpGroup } from './vrrp-group.js';

export interface HealRunResult {
  readonly implementation: ImplementationName;
  readonly setup: ProtocolSetup['id'];
  readonly run: number;
  /** The master that was partitioned (h1), the one that should win after the heal. */
  readonly partitioned: string;
  /** The host that took the VIP during the partition (h2), the one that should step down. */
  readonly loser: string;
  /** From the partition to the VIP on the loser. */
  readonly takeoverMs: number;
  /** Where the heal landed: ms after one of the partitioned master's adverts. */
  readonly healPhaseMs: number;
  /** Where the loser's adverts fall in that same interval; null when none of them was captured. */
  readonly loserPhaseMs: number | null;
  /** Whose advert crossed the healed link first (captured where it arrived), and when; null if none did. */
  readonly firstAcross: { readonly host: string; readonly afterHealMs: number } | null;
  /** From the heal to exactly one host holding the VIP; null if that did not happen within the wait. */
  readonly oneHolderMs: number | null;
  /** VIP additions and removals after the heal, in order, with their time after it. */
  readonly vipChangesAfter: readonly { readonly host: string; readonly change: VipEvent['change']; readonly afterHealMs: number }[];
  readonly holdersAfter: readonly string[];
  /** From the heal to the first success after the client's last failed attempt: 0 if none failed, null if not served again within the wait. */
  readonly servedAgainMs: number | null;
  /** The longest outage after the heal (last success before it to first success after, or to the last attempt); 0 if none. */
  readonly outageMs: number;
  readonly failedAttempts: number;
  /** Error codes of the failed attempts after the heal, with counts. */
  readonly clientErrors: Readonly<Record<string, number>>;
  /** Who answered the client's last attempt, or its error. */
  readonly answerAtEnd: string;
  /** Whose MAC the client's neighbour entry for the VIP holds at the end. */
  readonly clientArpHost: string | null;
}

/** How long the client gets to be served again after the heal, before the run calls it cut off. */
export const healWaitMs = 60_000;
/**
 * Both implementations send a second burst of gratuitous ARP 5 s after becoming master (keepalived's
 * garp_master_delay, tsvip's garp.delay): the heal comes after the loser's, so whatever moves the
 * client after the heal is the heal's doing.
 */
const announcementsOverMs = 6_000;
/** The least time between deciding when to heal and healing. */
const healLeadMs = 20;

export async function healRun(implementation: ImplementationName, setup: ProtocolSetup, options: { readonly workDir: string; readonly run: number; readonly runs: number }): Promise<HealRunResult> {
  const group = await startVrrpGroup(implementation, setup, options);
  try {
    const { lab, client } = group;
    const interval = setup.advertIntervalMs;
    // From the start, so that the master's rhythm is known from several of its adverts.
    const captures = new Map<string, AdvertCapture>();
    for (const host of group.vrrpHosts) captures.set(host.name, await captureAdverts(lab, host, { family: setup.family }));
    const election = await waitForElection(group, { timeoutMs: 30_000 });
    const master = election.master;
    const prober = await startProber(lab, client, { address: setup.vipAddress, port: SERVICE_PORT });
    await prober.waitUntil(lastAll(stableAttempts, (a) => a.ok && a.server === master.name), { timeoutMs: 10_000, what: `${stableAttempts} answers from ${master.name}` });

    const partitionAtMs = Date.now();
    await lab.partition(master);
    const takeover = await group.watch.waitFor((event) => event.change === 'added' && event.host !== master.name, {
      sinceMs: partitionAtMs,
      timeoutMs: 15_000,
      what: 'VIP on another host after the partition',
    });
    const loser = hostNamed(group.vrrpHosts, takeover.host);
    await prober.waitUntil(lastAll(stableAttempts, (a) => a.t > takeover.atMs && a.ok && a.server === loser.name), {
      timeoutMs: 15_000,
      what: `${stableAttempts} answers from ${loser.name} after the partition`,
    });
    await sleep(takeover.atMs + announcementsOverMs - Date.now());

    const holdersCheckedAtMs = Date.now();
    const holdersBefore = (await whoHoldsVip(lab, setup.vip, { hosts: group.vrrpHosts })).map((host) => host.name);
    if (!holdersBefore.includes(master.name) || !holdersBefore.includes(loser.name)) {
      throw new Error(`before the heal the VIP is on [${holdersBefore.join(', ')}], not on both ${master.name} and ${loser.name}`);
    }
    // Run i of n heals (i - 0.5)/n of an interval after one of the partitioned master's adverts, as the
    // kill runs kill: the loser's adverts fall at one point of that interval (its takeover came
    // Master_Down after the master's last advert), so early heals meet the loser's advert first and
    // late ones the master's.
    const masterCapture = captureOf(captures, master);
    const loserCapture = captureOf(captures, loser);
    const masterSchedule = advertSchedule(masterCapture.adverts(), { source: advertSource(group, master), nominalMs: interval, beforeMs: Date.now() });
    if (masterSchedule === null) throw new Error(`no advert of ${master.name} captured before the heal`);
    const loserSchedule = advertSchedule(loserCapture.adverts(), { source: advertSource(group, loser), nominalMs: interval, beforeMs: Date.now() });
    const targetPhaseMs = ((options.run - 0.5) / options.runs) * interval;
    let healTargetMs = masterSchedule.lastMs + targetPhaseMs;
    while (healTargetMs < Date.now() + healLeadMs) healTargetMs += masterSchedule.periodMs;
    await sleep(healTargetMs - Date.now());
    const healAtMs = Date.now();
    await lab.heal(master);

    const holdersAt = (atMs: number) => replayHolders(holdersBefore, group.watch.events(), { fromMs: holdersCheckedAtMs, toMs: atMs });
    const soleHolder = () => {
      const holders = holdersAt(Infinity);
      return holders.size === 1 ? [...holders][0] : undefined;
    };
    const served = await prober
      .waitUntil(
        (attempts) => {
          const sole = soleHolder();
          return sole !== undefined && lastAll(stableAttempts, (a) => a.t >= healAtMs && a.ok && a.server === sole)(attempts);
        },
        { timeoutMs: healWaitMs, what: 'the client served by the only VIP holder after the heal' },
      )
      .then(
        () => true,
        () => false,
      );
    const attempts = await prober.stop();
    const endMs = Date.now();
    const holdersAfter = (await whoHoldsVip(lab, setup.vip, { hosts: group.vrrpHosts })).map((host) => host.name);
    const clientArpHost = await clientNeighbourHost(group);
    for (const capture of captures.values()) await capture.stop();

    const changes = group.watch.events().filter((event) => event.atMs >= healAtMs && event.atMs <= endMs);
    const afterHeal = attempts.filter((attempt) => attempt.t >= healAtMs);
    const outage = longestOutage(attempts.filter((attempt) => attempt.t >= healAtMs - 200));
    const last = attempts.at(-1);
    return {
      implementation,
      setup: setup.id,
      run: options.run,
      partitioned: master.name,
      loser: loser.name,
      takeoverMs: takeover.atMs - partitionAtMs,
      healPhaseMs: Math.round(phaseOf(masterSchedule, healAtMs)),
      loserPhaseMs: loserSchedule === null ? null : Math.round(phaseOf(masterSchedule, nextAdvert(loserSchedule, healAtMs))),
      firstAcross: firstAcross(masterCapture.adverts(), loserCapture.adverts(), { group, master, loser, healAtMs }),
      oneHolderMs: oneHolderAfter(changes, healAtMs, holdersAt),
      vipChangesAfter: changes.map((event) => ({ host: event.host, change: event.change, afterHealMs: Math.round(event.atMs - healAtMs) })),
      holdersAfter,
      servedAgainMs: served ? servedAgain(afterHeal, healAtMs) : null,
      outageMs: outage?.outageMs ?? 0,
      failedAttempts: afterHeal.filter((attempt) => !attempt.ok).length,
      clientErrors: countErrors(afterHeal),
      answerAtEnd: last?.server ?? last?.error ?? 'nothing',
      clientArpHost,
    };
  } finally {
    await group.destroy();
  }
}

/** The VIP holders at `toMs`: those seen at `fromMs`, changed by every event from then on. */
function replayHolders(before: readonly string[], events: readonly VipEvent[], window: { readonly fromMs: number; readonly toMs: number }): Set<string> {
  const holders = new Set(before);
  for (const event of events) {
    if (event.atMs < window.fromMs || event.atMs > window.toMs) continue;
    if (event.change === 'added') holders.add(event.host);
    else holders.delete(event.host);
  }
  return holders;
}

/** From the heal to the first moment after it when exactly one host holds the VIP; null if none came. */
function oneHolderAfter(changes: readonly VipEvent[], healAtMs: number, holdersAt: (atMs: number) => Set<string>): number | null {
  if (holdersAt(healAtMs).size === 1) return 0;
  const moment = changes.find((event) => holdersAt(event.atMs).size === 1);
  return moment === undefined ? null : Math.round(moment.atMs - healAtMs);
}

/**
 * Whose advert got across first: the master's as the loser's capture saw it arrive, or the loser's as
 * the master's capture saw it arrive (unicast adverts to the other one, or multicast ones).
 */
function firstAcross(
  masterAdverts: readonly CapturedAdvert[],
  loserAdverts: readonly CapturedAdvert[],
  hosts: { readonly group: VrrpGroup; readonly master: LabHost; readonly loser: LabHost; readonly healAtMs: number },
): HealRunResult['firstAcross'] {
  const multicastGroup = hosts.group.setup.family === 'ipv6' ? 'ff02::12' : '224.0.0.18';
  const arrived = (adverts: readonly CapturedAdvert[], from: LabHost, to: LabHost) =>
    adverts.find(
      (advert) =>
        advert.atMs >= hosts.healAtMs &&
        advert.source === advertSource(hosts.group, from) &&
        (advert.destination === to.address || advert.destination === to.address6 || advert.destination === multicastGroup),
    );
  // A master answers a lower priority's advert at once, so the two often arrive within a millisecond:
  // compare the kernel's timestamps unrounded.
  const [first] = [
    { host: hosts.master.name, advert: arrived(loserAdverts, hosts.master, hosts.loser) },
    { host: hosts.loser.name, advert: arrived(masterAdverts, hosts.loser, hosts.master) },
  ]
    .flatMap(({ host, advert }) => (advert === undefined ? [] : [{ host, atMs: advert.atMs }]))
    .sort((a, b) => a.atMs - b.atMs);
  return first === undefined ? null : { host: first.host, afterHealMs: Math.round(first.atMs - hosts.healAtMs) };
}

/** Where a host's adverts come from: its address, or over IPv6 its link-local (RFC 5798 5.1.2.1). */
function advertSource(group: VrrpGroup, host: LabHost): string {
  return group.setup.family === 'ipv6' ? group.lab.linkLocal(host) : host.address;
}

function nextAdvert(schedule: AdvertSchedule, afterMs: number): number {
  return schedule.lastMs + Math.ceil((afterMs - schedule.lastMs) / schedule.periodMs) * schedule.periodMs;
}

/** Heal to the first success after the last failed attempt; 0 when none failed. */
function servedAgain(afterHeal: readonly ProbeAttempt[], healAtMs: number): number | null {
  const lastFailure = afterHeal.findLastIndex((attempt) => !attempt.ok);
  if (lastFailure === -1) return 0;
  const success = afterHeal[lastFailure + 1];
  return success === undefined ? null : Math.round(success.t - healAtMs);
}

function captureOf(captures: ReadonlyMap<string, AdvertCapture>, host: LabHost): AdvertCapture {
  const capture = captures.get(host.name);
  if (capture === undefined) throw new Error(`no capture in ${host.name}`);
  return capture;
}

function hostNamed(hosts: readonly LabHost[], name: string): LabHost {
  const host = hosts.find((candidate) => candidate.name === name);
  if (host === undefined) throw new Error(`no VRRP host ${name}`);
  return host;
}

function countErrors(attempts: readonly ProbeAttempt[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const attempt of attempts) if (attempt.error !== null) counts[attempt.error] = (counts[attempt.error] ?? 0) + 1;
  return counts;
}
