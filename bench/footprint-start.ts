// One start of the footprint benchmark: three hosts whose daemons are spawned at the same instant, as
// when a config is pushed to every control-plane host and all are restarted together. The lowest
// priority host still holds the VIP from a predecessor that crashed. Measured: how long until the
// stale VIP is gone, until the first MASTER, whether a lower priority took the VIP first (it then
// moves twice), and each daemon's resident memory once the group has been idle for a while.
import { readFile } from 'node:fs/promises';
import { addResident, readResidentByKind, ZERO_RESIDENT, type ResidentByKind } from './memory-map.js';
import { sleep, startVrrpGroup, waitForElection } from './vrrp-group.js';
import type { ImplementationName, ProtocolSetup } from './vrrp-group.js';
import type { TsvipForm } from './tsvip.js';

/**
 * What is started: keepalived, or tsvip in one of its two install forms, as the targets say (with its
 * load balancer and status server, no startupDelay) unless a variant says otherwise.
 */
export type StartSubject =
  | { readonly implementation: 'keepalived'; readonly startupDelayMs?: number }
  | { readonly implementation: 'tsvip'; readonly form: TsvipForm; readonly startupDelayMs?: number; readonly withoutLoadBalancer?: boolean };

export function subjectName(subject: StartSubject): string {
  if (subject.implementation === 'keepalived') return subject.startupDelayMs === undefined ? 'keepalived' : `keepalived (vrrp_startup_delay ${subject.startupDelayMs / 1000} s)`;
  const variants = [
    subject.form === 'sea' ? 'single executable' : 'npm install',
    ...(subject.startupDelayMs === undefined ? [] : [`startupDelay ${subject.startupDelayMs / 1000} s`]),
    ...(subject.withoutLoadBalancer === true ? ['no load balancer'] : []),
  ];
  return `tsvip (${variants.join(', ')})`;
}

/** Whether the targets judge this subject: tsvip as the issue runs it, no variant. */
export function isTargetSubject(subject: StartSubject): boolean {
  if (subject.implementation === 'keepalived') return subject.startupDelayMs === undefined;
  return subject.startupDelayMs === undefined && subject.withoutLoadBalancer !== true;
}

/** The steps of tsvip's start (its 'started' log line, README "`tsvip start`"), in ms after the spawn. */
export type StartupSteps = Readonly<Record<string, number>>;

export interface StartResult {
  readonly subject: string;
  readonly round: number;
  /** From the spawn to the VIP on the first master's interface. */
  readonly firstMasterMs: number;
  readonly firstMaster: string;
  /** The highest priority host (h1) was not the first to take the VIP: it moved twice. */
  readonly lowerPriorityFirst: boolean;
  readonly takeovers: number;
  /** From the spawn to the predecessor's VIP leaving the lowest priority host; null if it never left. */
  readonly staleVipGoneMs: number | null;
  /** Resident set of each host's daemon (its whole process group) after the idle wait, KiB. */
  readonly idleRssKiB: readonly number[];
  /**
   * The anonymous part of it (RssAnon: heaps, stacks), KiB. The rest is the program file's pages,
   * clean and shared with every process that runs the same file, which the kernel can drop and re-read.
   */
  readonly idleAnonKiB: readonly number[];
  /** The same memory by kind of mapping, each host's daemon (its whole process group). */
  readonly idleByKind: readonly ResidentByKind[];
  /** Whether the targets judge this subject (isTargetSubject). */
  readonly judged: boolean;
  /** tsvip: each host's start steps, h1 to h3; keepalived logs none. */
  readonly startupSteps: readonly StartupSteps[];
}

const STALE_HOST = 'h3';

export async function startRound(subject: StartSubject, setup: ProtocolSetup, options: { readonly workDir: string; readonly round: number; readonly idleSeconds: number }): Promise<StartResult> {
  const implementation: ImplementationName = subject.implementation;
  const group = await startVrrpGroup(implementation, setup, {
    workDir: options.workDir,
    staleVipOn: [STALE_HOST],
    ...(subject.startupDelayMs === undefined ? {} : { tuning: { startupDelayMs: subject.startupDelayMs } }),
    ...(subject.implementation === 'tsvip' ? { form: subject.form, withLoadBalancer: subject.withoutLoadBalancer !== true } : {}),
  });
  try {
    const election = await waitForElection(group, { timeoutMs: 30_000 });
    const gone = group.watch.events().find((event) => event.host === STALE_HOST && event.change === 'deleted' && event.atMs >= group.startedAtMs);
    await sleep(options.idleSeconds * 1000);
    const idleRssKiB = await Promise.all([...group.daemons.values()].map((daemon) => daemon.rssKiB()));
    const idleAnonKiB = await Promise.all([...group.daemons.values()].map(async (daemon) => (await Promise.all((await daemon.pids()).map(anonKiBOf))).reduce((sum, kib) => sum + kib, 0)));
    const idleByKind = await Promise.all([...group.daemons.values()].map(async (daemon) => (await Promise.all((await daemon.pids()).map(readResidentByKind))).reduce(addResident, ZERO_RESIDENT)));
    return {
      subject: subjectName(subject),
      round: options.round,
      firstMasterMs: election.coldStartMs,
      firstMaster: election.firstMaster,
      lowerPriorityFirst: election.firstMaster !== group.vrrpHosts[0]?.name,
      takeovers: election.startupTakeovers,
      staleVipGoneMs: gone === undefined ? null : gone.atMs - group.startedAtMs,
      idleRssKiB,
      idleAnonKiB,
      idleByKind,
      judged: isTargetSubject(subject),
      startupSteps: subject.implementation === 'tsvip' ? [...group.daemons.values()].flatMap((daemon) => startupStepsOf(daemon.process.output().stdout, group.startedAtMs)) : [],
    };
  } finally {
    await group.destroy();
  }
}

async function anonKiBOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = /^RssAnon:\s+(\d+) kB$/m.exec(status);
  return match?.[1] === undefined ? 0 : Number(match[1]);
}

/**
 * The 'started' line's startupMs, moved from Node's time origin to the spawn: the line's own time
 * (Date.now() when it was written) less its `started` step is when the origin was, on the same clock
 * as the spawn's. Adds `nodeStarted`, the spawn to that origin (exec, the dynamic loader, Node's own
 * set-up before it takes the time).
 */
export function startupStepsOf(stdout: string, spawnedAtMs: number): StartupSteps[] {
  for (const line of stdout.split('\n')) {
    if (!line.includes('"msg":"started"')) continue;
    const record = JSON.parse(line) as { time?: unknown; startupMs?: Record<string, unknown> };
    const steps = record.startupMs;
    // tsvip's logger writes ISO times; a plain pino logger writes epoch ms.
    const timeMs = typeof record.time === 'string' ? Date.parse(record.time) : record.time;
    if (typeof timeMs !== 'number' || Number.isNaN(timeMs) || steps === undefined || typeof steps['started'] !== 'number') continue;
    const originMs = timeMs - steps['started'] - spawnedAtMs;
    const moved: Record<string, number> = { nodeStarted: originMs };
    for (const [step, ms] of Object.entries(steps)) if (typeof ms === 'number') moved[step] = originMs + ms;
    return [moved];
  }
  return [];
}
