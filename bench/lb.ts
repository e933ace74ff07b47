// `npm run bench -- lb`: the load balancer benchmark, haproxy and tsvip in turns on the same
// host of one lab, driven by the same wrk, written to docs/benchmarks.md under "## Load balancer".
//   --rounds N          rounds; each runs both proxies, in alternating order (5: the median of five is what the targets judge)
//   --seconds S         length of each measured wrk run (10)
//   --warmup S          wrk keep-alive run before the measured ones, not counted (3)
//   --hold N            idle connections held through the proxy for the RSS reading (10000)
//   --vrrp-seconds S    per wrk mode in the election-under-load check, 0 to skip it (10)
//   --profile MODES     wrk modes to profile tsvip under (--cpu-prof), comma-separated, or none (close,keepalive)
//   --haproxy-threads N haproxy's nbthread (1: one core, as tsvip's one data-path thread)
//   --dry-run           print the section instead of writing it
//   --out FILE          instead of docs/benchmarks.md
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { availableParallelism, cpus, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { withWorkDir } from './work-dir.js';
import { ADVERT_INTERVAL_MS, NOFILE, VIP_ADDRESS, createLbLab, holdConnections, holdCount, sleep, startPeer, startProxy } from './lb-lab.js';
import type { LbLab, Measured, ProxyKind } from './lb-lab.js';
import { findProfiles, summarizeProfile } from './lb-profile.js';
import { lbMarkdown } from './lb-report.js';
import type { LbResults, ProfileResult, RoundResult, VrrpResult } from './lb-report.js';
import { runWrk, writeWrkScript } from './lb-wrk.js';
import type { WrkMode, WrkResult } from './lb-wrk.js';
import { writeSection } from './report.js';
import { captureAdverts } from './vrrp-capture.js';
import { repoRoot, tsvipStartAvailable } from './tsvip.js';

const execFileAsync = promisify(execFile);

export interface LbOptions {
  readonly rounds: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly hold: number;
  readonly vrrpSeconds: number;
  readonly profileModes: readonly WrkMode[];
  readonly haproxyThreads: number;
  readonly dryRun: boolean;
  readonly out: string;
}

const measuredModes: readonly WrkMode[] = ['keepalive', 'close', 'bulk'];

export async function runLbBenchmark(args: readonly string[]): Promise<number> {
  const options = parseOptions(args);
  if (typeof options === 'string') {
    process.stderr.write(`bench lb: ${options}\n`);
    return 2;
  }
  const availability = await tsvipStartAvailable();
  if (!availability.ok) {
    process.stderr.write(`bench lb: ${availability.reason}\n`);
    return 1;
  }
  return withWorkDir('tsvip-bench-lb-', (workDir) => measure(options, args, workDir));
}

async function measure(options: LbOptions, args: readonly string[], workDir: string): Promise<number> {
  const startedAt = Date.now();
  const rounds: RoundResult[] = [];
  const failures: { what: string; error: string }[] = [];
  let vrrp: VrrpResult | null = null;
  const profiles: ProfileResult[] = [];
  say('building the lab (nginx on h1 and h2, proxies on h3, wrk on h4, VRRP peer on h5)');
  const lbLab = await createLbLab(workDir);
  try {
    const script = await writeWrkScript(workDir);
    if (holdCount(options.hold) < options.hold) say(`holding ${holdCount(options.hold)} connections, not ${options.hold}: ${NOFILE} file descriptors per process at most here`);
    for (let round = 1; round <= options.rounds; round += 1) {
      // Alternating order, so a machine that gets slower (or busier) over a round hurts both alike.
      const order: ProxyKind[] = round % 2 === 1 ? ['haproxy', 'tsvip'] : ['tsvip', 'haproxy'];
      for (const kind of order) {
        try {
          const result = await proxyRound(lbLab, kind, round, script, options);
          rounds.push(result);
          say(`${kind} round ${round}: ${describeRound(result)}`);
        } catch (error: unknown) {
          failures.push({ what: `${kind}, round ${round}`, error: String(error) });
          say(`${kind} round ${round}: FAILED ${String(error)}`);
        }
      }
    }
    if (options.vrrpSeconds > 0) {
      try {
        vrrp = await vrrpUnderLoad(lbLab, script, options);
        say(`VRRP under load: ${vrrp.transitions.length} transitions, adverts' longest gap ${vrrp.load.maxGapMs.toFixed(0)} ms under load (${vrrp.baseline.maxGapMs.toFixed(0)} ms idle)`);
      } catch (error: unknown) {
        failures.push({ what: 'VRRP under load', error: String(error) });
        say(`VRRP under load: FAILED ${String(error)}`);
      }
    }
    for (const mode of options.profileModes) {
      try {
        const result = await profileRun(lbLab, script, mode, options);
        profiles.push(result);
        say(`profile ${mode}: ${(result.summary.byKind.tsvip * 100).toFixed(0)}% of busy time in tsvip's code, top ${result.summary.top[0]?.name ?? '?'}`);
      } catch (error: unknown) {
        failures.push({ what: `profile under ${mode}`, error: String(error) });
        say(`profile ${mode}: FAILED ${String(error)}`);
      }
    }
  } finally {
    await lbLab.destroy();
  }

  const results: LbResults = {
    command: ['npm run bench -- lb', ...args].join(' '),
    date: new Date().toISOString().slice(0, 10),
    environment: await environment(),
    options,
    minutes: (Date.now() - startedAt) / 60_000,
    rounds,
    vrrp,
    profiles,
    failures,
  };
  const markdown = lbMarkdown(results);
  if (options.dryRun) {
    process.stdout.write(`## Load balancer\n\n${markdown}\n`);
  } else {
    await writeSection(options.out, '## Load balancer', markdown);
    say(`wrote the "Load balancer" section of ${options.out}`);
  }
  return failures.length === 0 ? 0 : 1;
}

/** One proxy's turn: fresh process, idle RSS, warm-up, the three wrk runs, RSS holding idle connections. */
async function proxyRound(lbLab: LbLab, kind: ProxyKind, round: number, script: string, options: LbOptions): Promise<RoundResult> {
  say(`${kind} round ${round}: starting`);
  const proxy = await startProxy(lbLab, kind, `round${round}`, { haproxyThreads: options.haproxyThreads });
  let result: Omit<RoundResult, 'stop'> | undefined;
  let failure: unknown = null;
  try {
    result = await measureRound(lbLab, proxy, kind, round, script, options);
  } catch (error: unknown) {
    failure = error;
  }
  // Stopped right after the held connections' client exited, so with their closes still in flight.
  const stopFromMs = Date.now();
  const exit = await proxy.stop();
  const stop = { ms: Date.now() - stopFromMs, how: exit.signal === 'SIGKILL' ? 'SIGKILL after 15 s' : (exit.signal ?? `exit ${exit.code}`) };
  say(`${kind} round ${round}: stopped in ${stop.ms} ms (${stop.how})`);
  if (result === undefined) throw failure;
  return { ...result, stop };
}

async function measureRound(lbLab: LbLab, proxy: Measured, kind: ProxyKind, round: number, script: string, options: LbOptions): Promise<Omit<RoundResult, 'stop'>> {
  await sleep(1000);
  const rssIdleKiB = await proxy.rssKiB();
  // Held by a process that has served nothing yet: memory per connection, without what the load leaves behind.
  const freshHold = await holdConnections(lbLab, proxy, holdCount(options.hold));
  say(`${kind} round ${round}: ${freshHold.held} held fresh after ${freshHold.settledMs} ms; wrk`);
  await sleep(2000);
  if (options.warmupSeconds > 0) await runWrk(lbLab, proxy, script, 'keepalive', options.warmupSeconds);
  const wrk = {} as Record<WrkMode, WrkResult>;
  for (const mode of measuredModes) wrk[mode] = await runWrk(lbLab, proxy, script, mode, options.seconds);
  // Sockets closed by the last run linger a moment in the proxy; then it is idle again.
  await sleep(2000);
  const rssAfterLoadKiB = await proxy.rssKiB();
  const hold = await holdConnections(lbLab, proxy, holdCount(options.hold));
  say(`${kind} round ${round}: ${hold.held} held after the load after ${hold.settledMs} ms; stopping`);
  return { proxy: kind, round, rssIdleKiB, freshHold, rssAfterLoadKiB, wrk, hold };
}

/**
 * tsvip with a VRRP instance at v3/100 ms (priority 150) in the same process as the load balancer, and
 * a peer (priority 100) on h5 that would take the VIP if h3's adverts stopped for Master_Down (~360 ms).
 * tcpdump on h5 records when h3's adverts arrive: the longest gap between two of them, less the
 * interval, bounds how long the proxy held the event loop.
 */
async function vrrpUnderLoad(lbLab: LbLab, script: string, options: LbOptions): Promise<VrrpResult> {
  const { lab, proxyHost, peer: peerHost } = lbLab;
  say(`VRRP under load: tsvip with v3/${ADVERT_INTERVAL_MS} ms on h3 and a peer on h5, wrk for ${options.vrrpSeconds} s per mode`);
  const peer = await startPeer(lbLab);
  let proxy: Measured | null = null;
  try {
    proxy = await startProxy(lbLab, 'tsvip', 'vrrp', { vrrpPriority: 150 });
    const deadline = Date.now() + 15_000;
    while (!(await lab.addresses(proxyHost)).some((a) => a.address === VIP_ADDRESS)) {
      if (Date.now() > deadline) throw new Error('h3 never took the VIP');
      await sleep(100);
    }
    const capture = await captureAdverts(lab, peerHost);
    try {
      await sleep(2000);
      const baselineFromMs = Date.now();
      await sleep(5000);
      const loadFromMs = Date.now();
      const close = await runWrk(lbLab, proxy, script, 'close', options.vrrpSeconds);
      const keepalive = await runWrk(lbLab, proxy, script, 'keepalive', options.vrrpSeconds);
      const loadToMs = Date.now();
      await sleep(500);
      const adverts = capture.adverts().filter((advert) => advert.source === proxyHost.address && advert.priority > 0);
      const gaps = (fromMs: number, toMs: number) => gapStats(adverts.map((a) => a.atMs).filter((t) => t >= fromMs && t <= toMs));
      const vipOnProxy = (await lab.addresses(proxyHost)).some((a) => a.address === VIP_ADDRESS);
      const vipOnPeer = (await lab.addresses(peerHost)).some((a) => a.address === VIP_ADDRESS);
      const transitions = [...transitionsIn('h3', proxy.process.output().stdout), ...transitionsIn('h5', peer.process.output().stdout)].filter((t) => t.atMs >= baselineFromMs);
      return {
        seconds: options.vrrpSeconds,
        wrk: { close, keepalive },
        baseline: gaps(baselineFromMs, loadFromMs),
        load: gaps(loadFromMs, loadToMs),
        transitions,
        vipOnProxy,
        vipOnPeer,
      };
    } finally {
      await capture.stop();
    }
  } finally {
    await proxy?.stop();
    await peer.stop();
  }
}

function gapStats(times: readonly number[]): VrrpResult['load'] {
  const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
  const sorted = [...gaps].sort((a, b) => a - b);
  return {
    adverts: times.length,
    medianGapMs: sorted[Math.floor(sorted.length / 2)] ?? 0,
    p99GapMs: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0,
    maxGapMs: sorted.at(-1) ?? 0,
    lateAdverts: gaps.filter((gap) => gap > 1.5 * ADVERT_INTERVAL_MS).length,
  };
}

/** The instance's "A -> B: reason" log lines (src/vrrp/instance.ts), with pino's time. */
function transitionsIn(host: string, stdout: string): VrrpResult['transitions'] {
  const found: { host: string; atMs: number; text: string }[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.includes('"to"')) continue;
    try {
      const record = JSON.parse(line) as { time?: number; from?: string; to?: string; msg?: string };
      if (record.from !== undefined && record.to !== undefined && typeof record.time === 'number') found.push({ host, atMs: record.time, text: record.msg ?? `${record.from} -> ${record.to}` });
    } catch {
      // Not a JSON log line.
    }
  }
  return found;
}

/** tsvip alone under one wrk mode with node --cpu-prof; the profile is written when it exits on SIGTERM. */
async function profileRun(lbLab: LbLab, script: string, mode: WrkMode, options: LbOptions): Promise<ProfileResult> {
  const dir = join(lbLab.workDir, `profile-${mode}`);
  await mkdir(dir, { recursive: true });
  say(`profiling tsvip under ${mode}`);
  const spawnedMs = Date.now();
  const proxy = await startProxy(lbLab, 'tsvip', `profile-${mode}`, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  let wrk: WrkResult;
  let window: { fromMs: number; toMs: number };
  try {
    if (options.warmupSeconds > 0) await runWrk(lbLab, proxy, script, 'keepalive', options.warmupSeconds);
    const fromMs = Date.now() - spawnedMs;
    wrk = await runWrk(lbLab, proxy, script, mode, options.seconds);
    window = { fromMs, toMs: Date.now() - spawnedMs };
  } finally {
    await proxy.stop();
  }
  return { mode, wrk, summary: await summarizeProfile(await findProfiles(dir), window) };
}

function parseOptions(args: readonly string[]): LbOptions | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        rounds: { type: 'string', default: '5' },
        seconds: { type: 'string', default: '10' },
        warmup: { type: 'string', default: '3' },
        hold: { type: 'string', default: '10000' },
        'vrrp-seconds': { type: 'string', default: '10' },
        profile: { type: 'string', default: 'close,keepalive' },
        'haproxy-threads': { type: 'string', default: '1' },
        'dry-run': { type: 'boolean', default: false },
        out: { type: 'string', default: join(repoRoot(), 'docs', 'benchmarks.md') },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error: unknown) {
    return (error as Error).message;
  }
  const rounds = Number(parsed.rounds);
  const seconds = Number(parsed.seconds);
  const warmupSeconds = Number(parsed.warmup);
  const hold = Number(parsed.hold);
  const vrrpSeconds = Number(parsed['vrrp-seconds']);
  const profileModes = parsed.profile === 'none' ? [] : parsed.profile.split(',');
  const haproxyThreads = Number(parsed['haproxy-threads']);
  if (!Number.isInteger(rounds) || rounds < 1) return `--rounds must be a positive integer (got ${parsed.rounds})`;
  if (!Number.isInteger(seconds) || seconds < 1) return `--seconds must be a positive integer (got ${parsed.seconds})`;
  if (!Number.isInteger(warmupSeconds) || warmupSeconds < 0) return `--warmup must be 0 or a positive integer (got ${parsed.warmup})`;
  if (!Number.isInteger(hold) || hold < 1 || hold > 30_000) return `--hold must be an integer from 1 to 30000 (got ${parsed.hold})`;
  if (!Number.isInteger(vrrpSeconds) || vrrpSeconds < 0) return `--vrrp-seconds must be 0 or a positive integer (got ${parsed['vrrp-seconds']})`;
  if (!Number.isInteger(haproxyThreads) || haproxyThreads < 1 || haproxyThreads > 64) return `--haproxy-threads must be an integer from 1 to 64 (got ${parsed['haproxy-threads']})`;
  if (!profileModes.every((mode): mode is WrkMode => measuredModes.includes(mode as WrkMode))) return `--profile takes none or a list of ${measuredModes.join(', ')} (got ${parsed.profile})`;
  return { rounds, seconds, warmupSeconds, hold, vrrpSeconds, profileModes, haproxyThreads, dryRun: parsed['dry-run'], out: parsed.out };
}

/** What the numbers depend on, for the reader of docs/benchmarks.md. */
async function environment(): Promise<string> {
  const output = async (file: string, args: readonly string[]) =>
    execFileAsync(file, [...args], { encoding: 'utf8', cwd: repoRoot() }).then(
      ({ stdout, stderr }) => (stdout || stderr).trim().split('\n')[0] ?? '',
      (error: { stdout?: string; stderr?: string }) => ((error.stdout ?? '') || (error.stderr ?? '')).trim().split('\n')[0] || 'unknown',
    );
  const haproxy = (await output('haproxy', ['-v'])).replace(/ - https?:\/\/\S+/, '');
  const nginx = await output('nginx', ['-v']);
  const wrk = (await output('wrk', ['-v'])).replace(/ Copyright.*/, '');
  const commit = await output('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = (await output('git', ['status', '--porcelain'])) === '' ? '' : ' with uncommitted changes';
  const version = (JSON.parse(await readFile(join(repoRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '?';
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `Linux ${release()}, ${availableParallelism()} CPUs (${cpu}), Node ${process.version}, ${haproxy}, ${nginx}, ${wrk}, tsvip ${version} at ${commit}${dirty}`;
}

function describeRound(r: RoundResult): string {
  const rate = (w: WrkResult) => Math.round(w.requests / w.seconds);
  return `keep-alive ${rate(r.wrk.keepalive)} req/s p99 ${r.wrk.keepalive.p99Ms.toFixed(2)} ms, close ${rate(r.wrk.close)} conn/s p99 ${r.wrk.close.p99Ms.toFixed(2)} ms, bulk ${(r.wrk.bulk.bytes / r.wrk.bulk.seconds / 1e6).toFixed(0)} MB/s, RSS idle ${(r.rssIdleKiB / 1024).toFixed(1)} MiB, ${r.hold.held} held ${(r.hold.rssKiB / 1024).toFixed(1)} MiB (${r.hold.proxySockets} sockets)`;
}

function say(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}
