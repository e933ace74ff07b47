// The "## Start and footprint" section of docs/benchmarks.md: the targets first (each with its
// measurement and whether it was met), then every round, so a reader can see the spread.
import type { CommandSample } from './footprint-commands.js';
import type { IdleNodeSample } from './footprint-idle-node.js';
import { RESIDENT_KINDS, type ResidentByKind } from './memory-map.js';
import type { StartResult } from './footprint-start.js';
import { formatMs, formatSpread, ratio, spread } from './stats.js';
import type { Spread } from './stats.js';
import type { TsvipForm } from './tsvip.js';

export interface HoldSample {
  readonly form: TsvipForm;
  readonly asked: number;
  readonly held: number;
  readonly failed: number;
  readonly idleRssKiB: number;
  readonly heldRssKiB: number;
}

export interface FootprintResults {
  readonly command: string;
  readonly commit: string;
  readonly date: string;
  readonly environment: string;
  readonly setup: string;
  readonly idleSeconds: number;
  readonly commands: readonly CommandSample[];
  readonly idleNodes: readonly IdleNodeSample[];
  readonly starts: readonly StartResult[];
  readonly holds: readonly HoldSample[];
  readonly failures: readonly string[];
}

const MIB = 1024;
const TARGET_START_RATIO = 1.25;
const TARGET_STALE_MS = 200;
const TARGET_IDLE_MIB = 60;
const TARGET_HELD_MIB = 150e6 / 2 ** 20;
const TARGET_COMMAND_RATIO = 2;

const mib = (kib: number): string => `${(kib / MIB).toFixed(1)} MiB`;
const mibSpread = (value: Spread | null): string => (value === null ? 'n/a' : `${mib(value.min)} / **${mib(value.median)}** / ${mib(value.max)}`);
const met = (ok: boolean | null): string => (ok === null ? 'not measured' : ok ? 'met' : '**not met**');

export function footprintMarkdown(results: FootprintResults): string {
  const subjects = [...new Set(results.starts.map((start) => start.subject))];
  const startOf = (subject: string): Spread | null => spread(results.starts.filter((start) => start.subject === subject).map((start) => start.firstMasterMs));
  const keepalivedStart = startOf('keepalived');
  // A variant held by startupDelay is compared with keepalived held by the same vrrp_startup_delay.
  const baselineOf = (subject: string): Spread | null => {
    const delay = /startupDelay ([\d.]+) s/.exec(subject)?.[1];
    const held = delay === undefined ? undefined : subjects.find((name) => name === `keepalived (vrrp_startup_delay ${delay} s)`);
    return held === undefined ? keepalivedStart : startOf(held);
  };
  const lines: string[] = [
    `Command: \`${results.command}\` at commit ${results.commit}, ${results.date}. ${results.environment}.`,
    '',
    `Each round spawns the daemons of three hosts at the same instant (${results.setup}); the lowest priority host still holds the VIP from a predecessor killed with -9. Subjects take turns round by round. Values are min / **median** / max.`,
    '',
    '### Targets',
    '',
    `| measure | ${subjects.join(' | ')} | target |`,
    `|---|${subjects.map(() => '---|').join('')}---|`,
  ];
  // Only tsvip as the targets run it is judged; the variants (startupDelay, no load balancer) say why.
  const judged = (subject: string): boolean => !subject.startsWith('keepalived') && results.starts.some((start) => start.subject === subject && start.judged);
  const row = (label: string, cell: (starts: readonly StartResult[], subject: string) => string, target: string): void => {
    lines.push(`| ${label} | ${subjects.map((subject) => cell(results.starts.filter((start) => start.subject === subject), subject)).join(' | ')} | ${target} |`);
  };
  row('spawn to the first MASTER', (starts, subject) => {
    const value = spread(starts.map((start) => start.firstMasterMs));
    const verdict = judged(subject) ? `: ${met(value === null || keepalivedStart === null ? null : value.median <= TARGET_START_RATIO * keepalivedStart.median)}` : '';
    return `${formatSpread(value)}${subject.startsWith('keepalived') ? '' : ` (${ratio(value, baselineOf(subject))}${verdict})`}`;
  }, `tsvip ≤ ${TARGET_START_RATIO}× keepalived`);
  row('starts where a lower priority took the VIP first', (starts, subject) => {
    const count = starts.filter((start) => start.lowerPriorityFirst).length;
    return `${count} of ${starts.length}${judged(subject) ? ` (${met(starts.length === 0 ? null : count === 0)})` : ''}`;
  }, '0');
  row("spawn to the predecessor's VIP removed", (starts, subject) => {
    const gone = starts.map((start) => start.staleVipGoneMs ?? Infinity);
    const value = spread(gone);
    return `${formatSpread(value)}${judged(subject) ? ` (${met(value === null ? null : value.max <= TARGET_STALE_MS)})` : ''}`;
  }, `≤ ${TARGET_STALE_MS} ms`);
  row(`idle RSS per daemon, ${results.idleSeconds} s after the election`, (starts, subject) => {
    const value = spread(starts.flatMap((start) => start.idleRssKiB));
    return `${mibSpread(value)}${judged(subject) && subject.includes('single executable') ? ` (${met(value === null ? null : value.max <= TARGET_IDLE_MIB * MIB)})` : ''}`;
  }, `single executable ≤ ${TARGET_IDLE_MIB} MiB`);
  row('of which anonymous (heaps and stacks; the rest is the program file, shared and clean)', (starts) => mibSpread(spread(starts.flatMap((start) => start.idleAnonKiB))), '');
  lines.push('');
  lines.push("keepalived's RSS is its two processes (parent and VRRP child) together; it runs no load balancer (haproxy beside it would add its own). tsvip's includes its load balancer's worker thread, except in the variant without one. The variants are not judged: with startupDelay, the first Master_Down waits until that long after the process started, and its ratio is to keepalived run with the same vrrp_startup_delay.");
  lines.push(...startupStepLines(results), ...memoryLines(results), ...residentKindLines(results));

  lines.push('', '### Short commands', '', '| command | wall time | peak RSS | wall vs `node -e 0` of the same Node | target |', '|---|---|---|---|---|');
  const labels = [...new Set(results.commands.map((sample) => sample.command))];
  let baseline: Spread | null = null;
  for (const label of labels) {
    const samples = results.commands.filter((sample) => sample.command === label);
    const wall = spread(samples.map((sample) => sample.wallMs));
    const rss = spread(samples.map((sample) => sample.maxRssKiB));
    const isBaseline = label.startsWith('node -e 0');
    if (isBaseline) baseline = wall;
    const versus = isBaseline ? '' : ratio(wall, baseline);
    const target = isBaseline ? '' : `≤ ${TARGET_COMMAND_RATIO}×: ${met(wall === null || baseline === null ? null : wall.median <= TARGET_COMMAND_RATIO * baseline.median)}`;
    lines.push(`| \`${label}\` | ${formatSpread(wall)} | ${mibSpread(rss)} | ${versus} | ${target} |`);
  }
  lines.push('', `${results.commands.length / Math.max(1, labels.length)} runs each, interleaved. Peak RSS is GNU time's maximum resident set size.`);

  if (results.holds.length > 0) {
    lines.push('', '### Holding idle connections', '', '| form | connections held | RSS idle | RSS holding them | extrapolated to 10,000 | target |', '|---|---|---|---|---|---|');
    for (const hold of results.holds) {
      const perConnection = hold.held === 0 ? 0 : (hold.heldRssKiB - hold.idleRssKiB) / hold.held;
      const at10k = hold.idleRssKiB + perConnection * 10_000;
      lines.push(`| ${hold.form === 'sea' ? 'single executable' : 'npm install'} | ${hold.held} of ${hold.asked}${hold.failed > 0 ? ` (${hold.failed} failed)` : ''} | ${mib(hold.idleRssKiB)} | ${mib(hold.heldRssKiB)} | ${mib(at10k)} | ≤ 150 MB (${TARGET_HELD_MIB.toFixed(0)} MiB): ${met(at10k <= TARGET_HELD_MIB * MIB)} |`);
    }
    lines.push('', "One load balancer alone (bench/lb-lab.ts's proxy host), the connections opened by one client and held idle; fewer than 10,000 when the file descriptor limit allows fewer (two per connection), extrapolated linearly.");
  }

  lines.push('', '### Every round', '', '| subject | round | first MASTER | first master | VIP moves at start | stale VIP removed | idle RSS h1 / h2 / h3 |', '|---|---|---|---|---|---|---|');
  for (const start of results.starts) {
    lines.push(`| ${start.subject} | ${start.round} | ${formatMs(start.firstMasterMs)} | ${start.firstMaster} | ${start.takeovers} | ${start.staleVipGoneMs === null ? 'never' : formatMs(start.staleVipGoneMs)} | ${start.idleRssKiB.map(mib).join(' / ')} (anonymous ${start.idleAnonKiB.map(mib).join(' / ')}) |`);
  }
  if (results.failures.length > 0) {
    lines.push('', '### Failed runs', '', ...results.failures.map((failure) => `- ${failure.split('\n')[0] ?? failure}`));
  }
  return lines.join('\n');
}

/** Steps of the 'started' line (README "`tsvip start`"), in the order a start takes them. */
const STEPS: readonly [string, string][] = [
  ['nodeStarted', "Node's time origin (exec, loading, Node's own set-up)"],
  ['configLoaded', 'config read and validated'],
  ['staleVipsCleared', "the predecessor's VIPs removed"],
  ['codeLoaded', "the rest of the daemon's code loaded"],
  ['instancesStarted', 'VRRP instances listening'],
  ['loadBalancersStarted', 'load balancers bound'],
  ['statusStarted', 'status server listening'],
];

function startupStepLines(results: FootprintResults): string[] {
  const subjects = [...new Set(results.starts.filter((start) => start.startupSteps.length > 0).map((start) => start.subject))];
  if (subjects.length === 0) return [];
  const lines = [
    '',
    "### Where a start's time goes",
    '',
    "From each tsvip host's `started` log line (`startupMs`, README \"`tsvip start`\"), moved to the spawn: min / **median** / max over the three hosts of every round.",
    '',
    `| step, ms after the spawn | ${subjects.join(' | ')} |`,
    `|---|${subjects.map(() => '---|').join('')}`,
  ];
  const stepsOf = (subject: string) => results.starts.filter((start) => start.subject === subject).flatMap((start) => start.startupSteps);
  for (const [step, label] of STEPS) {
    lines.push(`| ${label} | ${subjects.map((subject) => formatSpread(spread(stepsOf(subject).flatMap((steps) => (steps[step] === undefined ? [] : [steps[step]]))))).join(' | ')} |`);
  }
  // Whoever listens first wins when every host starts at once: a spread wider than Master_Down lets a
  // lower priority's Master_Down run out before the higher priority host is even listening.
  const spreads = (subject: string) =>
    results.starts
      .filter((start) => start.subject === subject && start.startupSteps.length > 1)
      .map((start) => {
        const listening = start.startupSteps.flatMap((steps) => (steps['instancesStarted'] === undefined ? [] : [steps['instancesStarted']]));
        return Math.max(...listening) - Math.min(...listening);
      });
  lines.push(`| spread of "VRRP instances listening" across the three hosts of a round | ${subjects.map((subject) => formatSpread(spread(spreads(subject)))).join(' | ')} |`);
  return lines;
}

function memoryLines(results: FootprintResults): string[] {
  if (results.idleNodes.length === 0) return [];
  const lines = ['', '### Where the memory goes', '', '| process, idle | RSS | of which anonymous |', '|---|---|---|'];
  for (const label of [...new Set(results.idleNodes.map((sample) => sample.label))]) {
    const samples = results.idleNodes.filter((sample) => sample.label === label);
    lines.push(`| ${label} | ${mibSpread(spread(samples.map((sample) => sample.rssKiB)))} | ${mibSpread(spread(samples.map((sample) => sample.anonKiB)))} |`);
  }
  for (const subject of [...new Set(results.starts.map((start) => start.subject))].filter((name) => name !== 'keepalived')) {
    const starts = results.starts.filter((start) => start.subject === subject);
    lines.push(`| ${subject}, ${results.idleSeconds} s after the election | ${mibSpread(spread(starts.flatMap((start) => start.idleRssKiB)))} | ${mibSpread(spread(starts.flatMap((start) => start.idleAnonKiB)))} |`);
  }
  lines.push('', '`node -e` with a timer that keeps it alive, and the same with one worker thread whose script only waits; each read after 3 s, three times.');
  return lines;
}

/** The idle memory of each process above by kind of mapping (memory-map.ts), medians. */
function residentKindLines(results: FootprintResults): string[] {
  const columns: [string, readonly ResidentByKind[]][] = [];
  for (const label of [...new Set(results.idleNodes.map((sample) => sample.label))]) {
    columns.push([label, results.idleNodes.filter((sample) => sample.label === label).map((sample) => sample.byKind)]);
  }
  for (const subject of [...new Set(results.starts.map((start) => start.subject))]) {
    columns.push([subject, results.starts.filter((start) => start.subject === subject).flatMap((start) => start.idleByKind)]);
  }
  const measured = columns.filter(([, samples]) => samples.length > 0);
  if (measured.length === 0) return [];
  const median = (values: number[]): string => {
    const middle = spread(values)?.median;
    return middle === undefined ? 'n/a' : mib(middle);
  };
  const lines = ['', 'The same idle processes by kind of mapping (/proc/PID/smaps, bench/memory-map.ts), medians:', '', `| resident memory | ${measured.map(([label]) => label).join(' | ')} |`, `|---|${measured.map(() => '---|').join('')}`];
  for (const [kind, label] of RESIDENT_KINDS) {
    lines.push(`| ${label} | ${measured.map(([, samples]) => median(samples.map((sample) => sample[kind]))).join(' | ')} |`);
  }
  return lines;
}
