// `npm run bench -- footprint`: how fast tsvip starts and how much memory it keeps, against keepalived
// in the same run, for both install forms (the single executable out/tsvip and `node bin/tsvip`),
// written to docs/benchmarks.md under "## Start and footprint".
//   --rounds N          three-host starts per subject, taken in turns (5)
//   --command-runs N    runs of each short command (10)
//   --idle-seconds S    how long the started group idles before its RSS is read (5)
//   --hold N            idle connections held through each form's load balancer, 0 to skip (10000)
//   --forms sea,npm     which tsvip install forms (both; sea runs `npm run package` first)
//   --startup-delay MS  also start the single executable with this startupDelay, 0 to skip (1000)
//   --dry-run           print the section instead of writing it
//   --out FILE          instead of docs/benchmarks.md
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { startRound, subjectName } from './footprint-start.js';
import { idleNodeSample } from './footprint-idle-node.js';
import type { IdleNodeSample } from './footprint-idle-node.js';
import type { StartResult, StartSubject } from './footprint-start.js';
import { gnuTimeMissing, timeCommand } from './footprint-commands.js';
import type { CommandSample } from './footprint-commands.js';
import { footprintMarkdown } from './footprint-report.js';
import type { HoldSample } from './footprint-report.js';
import { createLbLab, holdConnections, holdCount, startProxy } from './lb-lab.js';
import { writeSection } from './report.js';
import { commitLabel, repoRoot, tsvipConfig, tsvipProgram } from './tsvip.js';
import type { TsvipForm } from './tsvip.js';
import { instanceSpec, protocolSetups } from './vrrp-group.js';
import { withWorkDir } from './work-dir.js';
import { createLab } from '../src/lab/lab.js';

const execFileAsync = promisify(execFile);

interface FootprintOptions {
  readonly rounds: number;
  readonly commandRuns: number;
  readonly idleSeconds: number;
  readonly hold: number;
  readonly forms: readonly TsvipForm[];
  readonly startupDelayMs: number;
  readonly dryRun: boolean;
  readonly out: string;
}

export async function runFootprintBenchmark(args: readonly string[]): Promise<number> {
  const options = parseOptions(args);
  if (typeof options === 'string') {
    process.stderr.write(`bench footprint: ${options}\n`);
    return 2;
  }
  const missing = gnuTimeMissing();
  if (missing !== null) {
    process.stderr.write(`bench footprint: ${missing}\n`);
    return 1;
  }
  return withWorkDir('tsvip-bench-', (workDir) => measure(options, args, workDir));
}

async function measure(options: FootprintOptions, args: readonly string[], workDir: string): Promise<number> {
  const root = repoRoot();
  if (options.forms.includes('sea')) {
    say('npm run package (the single executable under test)');
    await execFileAsync(process.execPath, [join(root, 'scripts', 'package.mjs')], { cwd: root, maxBuffer: 64 * 2 ** 20 });
  }
  // A file just written sits in the page cache in large folios, and a process that maps it is
  // charged whole folios: out/tsvip measured right after `npm run package` shows some 18 MiB more RSS
  // than the same file read from disk, as on a host where it was installed before the last boot.
  // Every program under test is dropped from the page cache first (only those files).
  const seaNode = options.forms.includes('sea') ? await embeddedNode() : null;
  const programs = [process.execPath, ...(seaNode === null ? [] : [join(root, 'out', 'tsvip'), seaNode.path])];
  for (const program of programs) await dropFromPageCache(program);
  const setup = protocolSetups.v3;
  const subjects: StartSubject[] = [{ implementation: 'keepalived' }, ...options.forms.map((form) => ({ implementation: 'tsvip' as const, form }))];
  // Variants that say where the time and the memory go: a start held by startupDelay (keepalived's
  // vrrp_startup_delay), and a daemon without the load balancer's worker thread.
  if (options.forms.includes('sea')) {
    if (options.startupDelayMs > 0) {
      subjects.push({ implementation: 'keepalived', startupDelayMs: options.startupDelayMs });
      subjects.push({ implementation: 'tsvip', form: 'sea', startupDelayMs: options.startupDelayMs });
    }
    subjects.push({ implementation: 'tsvip', form: 'sea', withoutLoadBalancer: true });
  }

  const commands = await measureCommands(options, workDir, seaNode);
  const idleNodes = await measureIdleNodes(seaNode);
  const starts: StartResult[] = [];
  const failures: string[] = [];
  // Subjects take turns round by round, so a machine that gets slower over time hurts each alike.
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const subject of subjects) {
      try {
        const result = await startRound(subject, setup, { workDir, round, idleSeconds: options.idleSeconds });
        starts.push(result);
        say(`${result.subject} round ${round}: first MASTER ${Math.round(result.firstMasterMs)} ms (${result.firstMaster}${result.lowerPriorityFirst ? ', a lower priority first' : ''}), stale VIP gone ${result.staleVipGoneMs === null ? 'never' : `${Math.round(result.staleVipGoneMs)} ms`}, idle RSS ${result.idleRssKiB.map((kib) => (kib / 1024).toFixed(1)).join('/')} MiB`);
      } catch (error: unknown) {
        failures.push(`${subjectName(subject)} round ${round}: ${String(error)}`);
        say(`${subjectName(subject)} round ${round} failed: ${String(error)}`);
      }
    }
  }
  const holds: HoldSample[] = [];
  if (options.hold > 0) {
    for (const form of options.forms) {
      try {
        holds.push(await holdThrough(form, options.hold, workDir));
      } catch (error: unknown) {
        failures.push(`hold through ${form}: ${String(error)}`);
      }
    }
  }
  const body = footprintMarkdown({
    command: `npm run bench -- footprint${args.length > 0 ? ` ${args.join(' ')}` : ''}`,
    commit: await commitLabel(),
    date: new Date().toISOString().slice(0, 10),
    environment: `${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), Linux ${release()}, Node ${process.version} for the npm install`,
    setup: `VRRPv3 at ${setup.advertIntervalMs} ms, multicast, priorities 150/100/50; tsvip also runs a load balancer on vip:8443 with a backends tracker and the status server`,
    idleSeconds: options.idleSeconds,
    commands,
    idleNodes,
    starts,
    holds,
    failures,
  });
  if (options.dryRun) process.stdout.write(`${body}\n`);
  else await writeSection(options.out, '## Start and footprint', body);
  return failures.length === 0 ? 0 : 1;
}

/** `version`, `check` and `node -e 0`, interleaved run by run, for each form against the Node it embeds or runs on. */
async function measureCommands(options: FootprintOptions, workDir: string, seaNode: { path: string; version: string } | null): Promise<CommandSample[]> {
  const lab = await createLab({ hosts: 3 });
  let config: string;
  try {
    const hosts = lab.hosts;
    const self = hosts[0];
    if (self === undefined) throw new Error('no lab host');
    const spec = instanceSpec(protocolSetups.v3, self, hosts.slice(1), 150);
    config = join(workDir, 'check-vip.yaml');
    await writeFile(config, tsvipConfig(spec, { loadBalancer: { port: 8443, backends: hosts.map((host) => `${host.address}:6443`) }, statusListen: '127.0.0.1:9901' }));
  } finally {
    await lab.destroy();
  }
  const runs: [string, readonly string[]][] = [];
  if (options.forms.includes('npm')) {
    runs.push([`node -e 0 (Node ${process.version})`, [process.execPath, '-e', '0']]);
    runs.push(['node bin/tsvip version', [...tsvipProgram('npm'), 'version']]);
    runs.push(['node bin/tsvip check', [...tsvipProgram('npm'), 'check', '-c', config]]);
  }
  if (seaNode !== null) {
    runs.push([`node -e 0 (Node ${seaNode.version}, the one out/tsvip embeds)`, [seaNode.path, '-e', '0']]);
    runs.push(['out/tsvip version', [...tsvipProgram('sea'), 'version']]);
    runs.push(['out/tsvip check', [...tsvipProgram('sea'), 'check', '-c', config]]);
  }
  const samples: CommandSample[] = [];
  for (let run = 0; run < options.commandRuns; run += 1) {
    for (const [label, argv] of runs) samples.push(await timeCommand(label, argv));
  }
  return samples;
}

/** Node alone, idle, with and without one idle worker thread: what every tsvip daemon starts from. */
async function measureIdleNodes(seaNode: { path: string; version: string } | null): Promise<IdleNodeSample[]> {
  const nodes = [{ path: process.execPath, version: process.version }, ...(seaNode === null ? [] : [seaNode])];
  const samples: IdleNodeSample[] = [];
  for (let run = 0; run < 3; run += 1) {
    for (const node of nodes) for (const withWorker of [false, true]) samples.push(await idleNodeSample(node, { withWorker }));
  }
  return samples;
}

async function dropFromPageCache(file: string): Promise<void> {
  await execFileAsync('sync', [file]);
  // GNU dd's nocache flag with count=0 asks the kernel (posix_fadvise DONTNEED) to drop the file's cached pages.
  await execFileAsync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
}

/** The Node binary that scripts/package.mjs embedded, as it wrote down. */
async function embeddedNode(): Promise<{ path: string; version: string }> {
  const written = JSON.parse(await readFile(join(repoRoot(), 'out', 'build', 'node.json'), 'utf8')) as { path?: unknown; version?: unknown };
  if (typeof written.path !== 'string' || typeof written.version !== 'string') throw new Error('out/build/node.json does not name the embedded Node: rerun npm run package');
  return { path: written.path, version: written.version };
}

async function holdThrough(form: TsvipForm, asked: number, workDir: string): Promise<HoldSample> {
  const lbLab = await createLbLab(join(workDir, `hold-${form}`));
  try {
    const proxy = await startProxy(lbLab, 'tsvip', form, { form });
    try {
      const idleKiB = await proxy.rssKiB();
      const held = await holdConnections(lbLab, proxy, holdCount(asked));
      return { form, asked, held: held.held, failed: held.failed, idleRssKiB: idleKiB, heldRssKiB: held.rssKiB };
    } finally {
      await proxy.stop();
    }
  } finally {
    await lbLab.destroy();
  }
}

function parseOptions(args: readonly string[]): FootprintOptions | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        rounds: { type: 'string', default: '5' },
        'command-runs': { type: 'string', default: '10' },
        'idle-seconds': { type: 'string', default: '5' },
        hold: { type: 'string', default: '10000' },
        forms: { type: 'string', default: 'sea,npm' },
        'startup-delay': { type: 'string', default: '1000' },
        'dry-run': { type: 'boolean', default: false },
        out: { type: 'string', default: join(repoRoot(), 'docs', 'benchmarks.md') },
      },
    });
  } catch (error: unknown) {
    return error instanceof Error ? error.message : String(error);
  }
  const { values } = parsed;
  const count = (name: string, text: string, min: number): number | string => {
    const value = Number(text);
    return Number.isInteger(value) && value >= min ? value : `--${name} must be an integer of at least ${min}, got "${text}"`;
  };
  const rounds = count('rounds', values.rounds, 1);
  const commandRuns = count('command-runs', values['command-runs'], 1);
  const idleSeconds = count('idle-seconds', values['idle-seconds'], 0);
  const hold = count('hold', values.hold, 0);
  const startupDelayMs = count('startup-delay', values['startup-delay'], 0);
  for (const value of [rounds, commandRuns, idleSeconds, hold, startupDelayMs]) if (typeof value === 'string') return value;
  const forms = values.forms.split(',').filter((form) => form !== '');
  const unknown = forms.filter((form) => form !== 'sea' && form !== 'npm');
  if (unknown.length > 0 || forms.length === 0) return `--forms takes sea and/or npm, got "${values.forms}"`;
  return { rounds: rounds as number, commandRuns: commandRuns as number, idleSeconds: idleSeconds as number, hold: hold as number, forms: forms as TsvipForm[], startupDelayMs: startupDelayMs as number, dryRun: values['dry-run'], out: values.out };
}

function say(line: string): void {
  process.stderr.write(`bench footprint: ${line}\n`);
}
