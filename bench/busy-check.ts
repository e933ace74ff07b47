// "No spurious failover during 60 s with the host's CPU busy" (a target in docs/benchmarks.md,
// "Failover"): an elected group, the client
// probing, and one busy loop per CPU started in the master's host. Network namespaces share the CPUs,
// so the loops compete with every daemon of the group, the backups included (a starved backup that
// misses adverts would take the VIP just as wrongly). Default nice, as a runaway process would have.
import { availableParallelism } from 'node:os';
import { startProber } from '../src/lab/vip-client.js';
import type { ProbeAttempt } from '../src/lab/vip-client.js';
import { SERVICE_PORT, sleep, startVrrpGroup, waitForElection } from './vrrp-group.js';
import type { ImplementationName, ProtocolSetup } from './vrrp-group.js';

export interface BusyResult {
  readonly implementation: ImplementationName;
  readonly setup: ProtocolSetup['id'];
  readonly seconds: number;
  readonly busyLoops: number;
  /** VIP added or removed anywhere during the window: 0 when no failover happened. */
  readonly vipChanges: number;
  /** Hosts other than the master that took the VIP during the window. */
  readonly spuriousMasters: readonly string[];
  readonly clientAttempts: number;
  readonly clientFailures: number;
  /** Error codes of the failed attempts, with counts. */
  readonly clientErrors: Readonly<Record<string, number>>;
  /** Hosts that answered the client during the window. */
  readonly servers: readonly string[];
}

export async function busyCheck(implementation: ImplementationName, setup: ProtocolSetup, options: { readonly workDir: string; readonly seconds: number }): Promise<BusyResult> {
  const group = await startVrrpGroup(implementation, setup, options);
  try {
    const { lab, client } = group;
    const { master } = await waitForElection(group, { timeoutMs: 30_000 });
    const prober = await startProber(lab, client, { address: setup.vipAddress, port: SERVICE_PORT });
    await prober.waitUntil((attempts) => attempts.slice(-50).filter((a) => a.ok).length === 50, { timeoutMs: 10_000, what: '50 answers' });

    const busyLoops = availableParallelism();
    const loops = Array.from({ length: busyLoops }, () => lab.spawn(master, [process.execPath, '-e', 'for (;;) {}']));
    const fromMs = Date.now();
    await sleep(options.seconds * 1000);
    const toMs = Date.now();
    for (const loop of loops) loop.kill('SIGKILL');

    const attempts = (await prober.stop()).filter((attempt) => attempt.t >= fromMs && attempt.t <= toMs);
    const changes = group.watch.events().filter((event) => event.atMs >= fromMs && event.atMs <= toMs);
    return {
      implementation,
      setup: setup.id,
      seconds: options.seconds,
      busyLoops,
      vipChanges: changes.length,
      spuriousMasters: [...new Set(changes.filter((e) => e.change === 'added' && e.host !== master.name).map((e) => e.host))],
      clientAttempts: attempts.length,
      clientFailures: attempts.filter((attempt) => !attempt.ok).length,
      clientErrors: countErrors(attempts),
      servers: [...new Set(attempts.flatMap((attempt) => (attempt.server === null ? [] : [attempt.server])))].sort(),
    };
  } finally {
    await group.destroy();
  }
}

function countErrors(attempts: readonly ProbeAttempt[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const attempt of attempts) if (attempt.error !== null) counts[attempt.error] = (counts[attempt.error] ?? 0) + 1;
  return counts;
}
