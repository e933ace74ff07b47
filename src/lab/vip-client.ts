// A service behind the VIP and a client hammering it, as the failover benchmark and the keepalived
// tests need them: a listener in each VRRP host that answers with its host name, and a prober in a
// client host that connects to the VIP every 10 ms (probes/*.ts say why the numbers). From the
// prober's attempts: the longest outage and who answered before and after it. And who holds the VIP.
import { isIPv6 } from 'node:net';
import { LabUsageError } from './errors.js';
import type { Lab, LabHost } from './lab.js';
import type { SpawnedProcess } from './spawned-process.js';
import { onLines, Waiters } from './waiters.js';
import { probeArgv } from './probe-program.js';

export interface ListenerHandle {
  readonly host: LabHost;
  readonly port: number;
  readonly process: SpawnedProcess;
}

export interface ProbeAttempt {
  /** When the attempt started, ms since the epoch (fractional; the same clock as Date.now()). */
  readonly t: number;
  readonly ok: boolean;
  /** The name the listener answered with; null on failure. */
  readonly server: string | null;
  /** ECONNREFUSED, EHOSTUNREACH, TIMEOUT ...; null on success. */
  readonly error: string | null;
  /** How long the attempt took. */
  readonly ms: number;
}

export interface ProberHandle {
  readonly host: LabHost;
  readonly process: SpawnedProcess;
  /** Every attempt that has ended so far, ordered by start time. */
  attempts(): ProbeAttempt[];
  /** Resolves once the attempts so far satisfy `done`; rejects after timeoutMs with what was seen. */
  waitUntil(done: (attempts: readonly ProbeAttempt[]) => boolean, options: { readonly timeoutMs: number; readonly what: string }): Promise<ProbeAttempt[]>;
  /** Stops probing (SIGTERM) and returns every attempt. */
  stop(): Promise<ProbeAttempt[]>;
}

export interface ProberOptions {
  readonly address: string;
  readonly port: number;
  /** defaultProbeIntervalMs unless told. */
  readonly intervalMs?: number;
  /** Per attempt, 100 ms unless told: below the 1 s SYN retransmission, so one attempt is one SYN. */
  readonly timeoutMs?: number;
  /**
   * 'tcp' (default): connect and read the tcp-listener's name. 'https': a GET /name to an apiserver
   * stand-in on a new connection each time (the load balancer tests; give it a client's timeout).
   */
  readonly protocol?: 'tcp' | 'https';
}

export interface Outage {
  /** From the last success before the failures to the first success after (or the last attempt). */
  readonly outageMs: number;
  readonly failedAttempts: number;
  /** False when no attempt succeeded after the failures. */
  readonly recovered: boolean;
  readonly lastSuccessBefore: ProbeAttempt;
  readonly firstSuccessAfter: ProbeAttempt | null;
  readonly serverBefore: string | null;
  readonly serverAfter: string | null;
  /** Error codes of the failed attempts, with counts. */
  readonly errors: Readonly<Record<string, number>>;
}

const startTimeoutMs = 10_000;

/** How often a prober tries unless told: the resolution of every outage it measures. */
export const defaultProbeIntervalMs = 10;

/** `bind`: the address to listen on, 0.0.0.0 unless told (`::` serves an IPv6 VIP, and IPv4 too). */
export async function startListener(lab: Lab, host: LabHost, options: { readonly port: number; readonly bind?: string }): Promise<ListenerHandle> {
  const spawned = lab.spawn(host, [...probeArgv('tcp-listener'), String(options.port), host.name, ...(options.bind === undefined ? [] : [options.bind])]);
  await waitForOutput(spawned, '"listening"', `the listener in ${host.name}`);
  return { host, port: options.port, process: spawned };
}

export async function startProber(lab: Lab, host: LabHost, options: ProberOptions): Promise<ProberHandle> {
  const argv = [...probeArgv(options.protocol === 'https' ? 'https-prober' : 'tcp-prober'), options.address, String(options.port), String(options.intervalMs ?? defaultProbeIntervalMs), String(options.timeoutMs ?? 100)];
  const spawned = lab.spawn(host, argv);
  const attempts: ProbeAttempt[] = [];
  const waiters = new Waiters();
  onLines(spawned.child.stdout, (line) => {
    if (!line.startsWith('{"t"')) return;
    attempts.push(JSON.parse(line) as ProbeAttempt);
    waiters.wake();
  });
  await waitForOutput(spawned, '"ready"', `the prober in ${host.name}`);

  const sorted = () => [...attempts].sort((a, b) => a.t - b.t);
  return {
    host,
    process: spawned,
    attempts: sorted,
    waitUntil: (done, { timeoutMs, what }) =>
      waiters.waitFor(
        () => {
          const now = sorted();
          return done(now) ? now : undefined;
        },
        {
          timeoutMs,
          timeoutError: () => new Error(`prober in ${host.name}: no ${what} within ${timeoutMs} ms; last attempts:\n${sorted().slice(-5).map((a) => JSON.stringify(a)).join('\n')}`),
        },
      ),
    stop: async () => {
      spawned.kill('SIGTERM');
      await spawned.exited;
      return sorted();
    },
  };
}

/**
 * The longest run of failed attempts that follows a success, as the client saw it: from the start of
 * the last success before it to the start of the first success after it. Failures before the first
 * success are the warm-up, not an outage. Null when no success was ever followed by a failure.
 * Attempts must be ordered by start time (ProberHandle.attempts() is).
 */
export function longestOutage(attempts: readonly ProbeAttempt[]): Outage | null {
  let longest: Outage | null = null;
  let lastSuccess: ProbeAttempt | null = null;
  let failed: ProbeAttempt[] = [];
  const close = (after: ProbeAttempt | null, end: number) => {
    if (lastSuccess === null || failed.length === 0) return;
    const outage = describeOutage(lastSuccess, failed, after, end);
    if (longest === null || outage.outageMs > longest.outageMs) longest = outage;
  };
  for (const attempt of attempts) {
    if (attempt.ok) {
      close(attempt, attempt.t);
      lastSuccess = attempt;
      failed = [];
    } else if (lastSuccess !== null) {
      failed.push(attempt);
    }
  }
  close(null, attempts.at(-1)?.t ?? 0);
  return longest;
}

function describeOutage(before: ProbeAttempt, failed: readonly ProbeAttempt[], after: ProbeAttempt | null, end: number): Outage {
  const errors: Record<string, number> = {};
  for (const attempt of failed) {
    const code = attempt.error ?? 'UNKNOWN';
    errors[code] = (errors[code] ?? 0) + 1;
  }
  return {
    outageMs: Math.round(end - before.t),
    failedAttempts: failed.length,
    recovered: after !== null,
    lastSuccessBefore: before,
    firstSuccessAfter: after,
    serverBefore: before.server,
    serverAfter: after?.server ?? null,
    errors,
  };
}

/**
 * The hosts that have `vip` (plain or CIDR, IPv4 or IPv6) on their interface right now. More than one is a split
 * brain, or a killed master that left its VIP behind: callers report it rather than assume one.
 */
export async function whoHoldsVip(lab: Lab, vip: string, options: { readonly hosts?: readonly LabHost[] } = {}): Promise<LabHost[]> {
  const address = vip.split('/')[0] ?? vip;
  const hosts = options.hosts ?? lab.hosts;
  // An IPv6 address as `ip` prints it is canonical: a VIP written otherwise would never match.
  const addressesOf = (host: LabHost) => (isIPv6(address) ? lab.addresses6(host) : lab.addresses(host));
  const held = await Promise.all(hosts.map(async (host) => (await addressesOf(host)).some((a) => a.address === address)));
  return hosts.filter((_, i) => held[i] === true);
}

export async function waitForOutput(spawned: SpawnedProcess, marker: string, what: string): Promise<void> {
  const deadline = Date.now() + startTimeoutMs;
  while (!spawned.output().stdout.includes(marker)) {
    if (spawned.child.exitCode !== null || spawned.child.signalCode !== null || Date.now() > deadline) {
      const { stdout, stderr } = spawned.output();
      throw new LabUsageError(`${what} did not start: ${stderr.trim() || stdout.trim() || 'no output'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
