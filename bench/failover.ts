// `npm run bench -- failover`: the failover benchmark, keepalived and tsvip in the same lab with
// the same client, written to docs/benchmarks.md under "## Failover".
//   --runs N            kill -9 runs per implementation and setup (5)
//   --heal-runs N       partition-then-heal runs per implementation and setup, 0 to skip them (3)
//   --busy-seconds S    length of the CPU-busy check, 0 to skip it (60)
//   --setups v2,v3,v3-ipv6  which protocol setups (all three); `--setups v3-ipv6` runs only the IPv6 rows
//                       (v3-ipv6 is v3 over IPv6 in a dual-stack lab; the CPU-busy check runs for the IPv4 setups only)
//   --only NAME         keepalived or tsvip alone
//   --dry-run           print the section instead of writing it
//   --out FILE          instead of docs/benchmarks.md
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { withWorkDir } from './work-dir.js';
import { busyCheck } from './busy-check.js';
import type { BusyResult } from './busy-check.js';
import { healRun, healWaitMs } from './heal-run.js';
import type { HealRunResult } from './heal-run.js';
import { killRun } from './kill-run.js';
import type { KillRunResult } from './kill-run.js';
import { failoverMarkdown, writeSection } from './report.js';
import type { RunFailure } from './report.js';
import { formatMs } from './stats.js';
import { repoRoot, tsvipStartAvailable } from './tsvip.js';
import { isSetupId, protocolSetups, setupIds } from './vrrp-group.js';
import type { ImplementationName, SetupId } from './vrrp-group.js';

const execFileAsync = promisify(execFile);

interface FailoverOptions {
  readonly runs: number;
  readonly healRuns: number;
  readonly busySeconds: number;
  readonly setups: readonly SetupId[];
  readonly implementations: readonly ImplementationName[];
  readonly dryRun: boolean;
  readonly out: string;
}

export async function runFailoverBenchmark(args: readonly string[]): Promise<number> {
  const options = parseOptions(args);
  if (typeof options === 'string') {
    process.stderr.write(`bench failover: ${options}\n`);
    return 2;
  }
  return withWorkDir('tsvip-bench-', (workDir) => measure(options, args, workDir));
}

async function measure(options: FailoverOptions, args: readonly string[], workDir: string): Promise<number> {
  let implementations = options.implementations;
  let tsvipMissing: string | null = null;
  if (implementations.includes('tsvip')) {
    const availability = await tsvipStartAvailable();
    if (!availability.ok) {
      tsvipMissing = availability.reason;
      implementations = implementations.filter((name) => name !== 'tsvip');
      say(`tsvip side missing: ${tsvipMissing}; measuring keepalived only`);
    }
  }
  if (!implementations.includes('tsvip') && tsvipMissing === null) tsvipMissing = 'not asked for (--only keepalived)';

  const kills: KillRunResult[] = [];
  const heals: HealRunResult[] = [];
  const busy: BusyResult[] = [];
  const failures: RunFailure[] = [];
  for (const setupId of options.setups) {
    const setup = protocolSetups[setupId];
    // Implementations take turns run by run, so a machine that gets slower over time hurts both alike.
    const givenUp = new Set<ImplementationName>();
    for (let run = 1; run <= options.runs; run += 1) {
      for (const implementation of implementations) {
        const what = `${setup.title}, kill run ${run}`;
        if (givenUp.has(implementation)) continue;
        try {
          const result = await killRun(implementation, setup, { workDir, run, runs: options.runs });
          kills.push(result);
          say(`${implementation} ${what}: outage ${formatMs(result.outageMs)}, takeover ${result.takeoverMs === null ? 'none' : formatMs(result.takeoverMs)}, holders after [${result.holdersAfter.join(', ')}], cold start ${formatMs(result.coldStartMs)}`);
        } catch (error: unknown) {
          failures.push({ implementation, what, error: String(error) });
          say(`${implementation} ${what}: FAILED ${String(error)}`);
          // A daemon that never worked in this setup will not start working: do not spend minutes on it.
          if (!kills.some((k) => k.implementation === implementation && k.setup === setupId)) {
            givenUp.add(implementation);
            say(`${implementation}: giving up on ${setup.title} after a first run that failed`);
          }
        }
      }
    }
    const healGivenUp = new Set<ImplementationName>(givenUp);
    for (let run = 1; run <= options.healRuns; run += 1) {
      for (const implementation of implementations) {
        const what = `${setup.title}, partition/heal run ${run}`;
        if (healGivenUp.has(implementation)) continue;
        try {
          const result = await healRun(implementation, setup, { workDir, run, runs: options.healRuns });
          heals.push(result);
          say(`${implementation} ${what}: ${describeHeal(result)}`);
        } catch (error: unknown) {
          failures.push({ implementation, what, error: String(error) });
          say(`${implementation} ${what}: FAILED ${String(error)}`);
          if (!heals.some((h) => h.implementation === implementation && h.setup === setupId)) {
            healGivenUp.add(implementation);
            say(`${implementation}: giving up on partition/heal runs in ${setup.title} after a first run that failed`);
          }
        }
      }
    }
    // Starved daemons miss adverts whatever their family: the check is not repeated over IPv6.
    if (options.busySeconds > 0 && setup.family === 'ipv4') {
      for (const implementation of implementations) {
        if (givenUp.has(implementation)) continue;
        const what = `${setup.title}, ${options.busySeconds} s CPU busy`;
        say(`${implementation} ${what}...`);
        try {
          const result = await busyCheck(implementation, setup, { workDir, seconds: options.busySeconds });
          busy.push(result);
          say(`${implementation} ${what}: ${result.vipChanges} VIP changes, ${result.clientFailures}/${result.clientAttempts} client failures`);
        } catch (error: unknown) {
          failures.push({ implementation, what, error: String(error) });
          say(`${implementation} ${what}: FAILED ${String(error)}`);
        }
      }
    }
  }

  const markdown = failoverMarkdown({
    command: ['npm run bench -- failover', ...args].join(' '),
    date: new Date().toISOString().slice(0, 10),
    environment: await environment(),
    setups: options.setups,
    busySeconds: options.busySeconds,
    healWaitMs,
    tsvipMissing,
    kills,
    heals,
    busy,
    failures,
  });
  if (options.dryRun) {
    process.stdout.write(`## Failover\n\n${markdown}\n`);
  } else {
    await writeSection(options.out, '## Failover', markdown);
    say(`wrote the "Failover" section of ${options.out}`);
  }
  return failures.length === 0 ? 0 : 1;
}

function parseOptions(args: readonly string[]): FailoverOptions | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        runs: { type: 'string', default: '5' },
        'heal-runs': { type: 'string', default: '3' },
        'busy-seconds': { type: 'string', default: '60' },
        setups: { type: 'string', default: setupIds.join(',') },
        only: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        out: { type: 'string', default: join(repoRoot(), 'docs', 'benchmarks.md') },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error: unknown) {
    return (error as Error).message;
  }
  const runs = Number(parsed.runs);
  const healRuns = Number(parsed['heal-runs']);
  const busySeconds = Number(parsed['busy-seconds']);
  const setups = parsed.setups.split(',');
  if (!Number.isInteger(runs) || runs < 1) return `--runs must be a positive integer (got ${parsed.runs})`;
  if (!Number.isInteger(healRuns) || healRuns < 0) return `--heal-runs must be 0 or a positive integer (got ${parsed['heal-runs']})`;
  if (!Number.isFinite(busySeconds) || busySeconds < 0) return `--busy-seconds must be 0 or more (got ${parsed['busy-seconds']})`;
  if (!setups.every(isSetupId)) return `--setups takes a comma-separated list of ${setupIds.join(', ')} (got ${parsed.setups})`;
  const only = parsed.only;
  if (only !== undefined && only !== 'keepalived' && only !== 'tsvip') return `--only takes keepalived or tsvip (got ${only})`;
  return {
    runs,
    healRuns,
    busySeconds,
    setups,
    implementations: only === undefined ? ['keepalived', 'tsvip'] : [only],
    dryRun: parsed['dry-run'],
    out: parsed.out,
  };
}

/** What the numbers depend on, for the reader of docs/benchmarks.md. */
async function environment(): Promise<string> {
  const output = async (file: string, args: readonly string[]) =>
    execFileAsync(file, [...args], { encoding: 'utf8', cwd: repoRoot() }).then(
      ({ stdout, stderr }) => (stdout || stderr).trim().split('\n')[0] ?? '',
      () => 'unknown',
    );
  const keepalived = await output('keepalived', ['--version']);
  const debian = await output('dpkg-query', ['-W', '-f=${Version}', 'keepalived']);
  const commit = await output('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = (await output('git', ['status', '--porcelain'])) === '' ? '' : ' with uncommitted changes';
  const version = (JSON.parse(await readFile(join(repoRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '?';
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `Linux ${release()}, ${availableParallelism()} CPUs (${cpu}), Node ${process.version}, ${keepalived} (Debian ${debian}), tsvip ${version} at ${commit}${dirty}`;
}

function describeHeal(r: HealRunResult): string {
  const across = r.firstAcross === null ? 'no advert across' : `${r.firstAcross.host}'s advert across first (+${formatMs(r.firstAcross.afterHealMs)})`;
  const served = r.servedAgainMs === null ? `not served again within ${healWaitMs / 1000} s` : `client served again after ${formatMs(r.servedAgainMs)}`;
  return `heal at phase ${formatMs(r.healPhaseMs)} (${r.loser}'s adverts at ${r.loserPhaseMs === null ? '?' : formatMs(r.loserPhaseMs)}), ${across}, one holder after ${r.oneHolderMs === null ? 'never' : formatMs(r.oneHolderMs)}, ${served}, longest outage ${formatMs(r.outageMs)}, answered at the end by ${r.answerAtEnd}, holders [${r.holdersAfter.join(', ')}]`;
}

function say(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}
