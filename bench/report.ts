// docs/benchmarks.md: each benchmark owns one "## Heading" section and rewrites only that section, so
// `bench -- failover` and `bench -- lb` can keep their results side by side in one file.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { BusyResult } from './busy-check.js';
import type { HealRunResult } from './heal-run.js';
import type { KillRunResult } from './kill-run.js';
import { formatMs, formatSpread, ratio, spread } from './stats.js';
import type { Spread } from './stats.js';
import { defaultProbeIntervalMs } from '../src/lab/vip-client.js';
import { protocolSetups } from './vrrp-group.js';
import type { ImplementationName, SetupId } from './vrrp-group.js';

export interface RunFailure {
  readonly implementation: ImplementationName;
  readonly what: string;
  readonly error: string;
}

export interface FailoverResults {
  readonly command: string;
  readonly date: string;
  readonly environment: string;
  readonly setups: readonly SetupId[];
  readonly busySeconds: number;
  /** How long a partition/heal run waits for the client to be served again. */
  readonly healWaitMs: number;
  /** Why the tsvip side was not measured, or null. */
  readonly tsvipMissing: string | null;
  readonly kills: readonly KillRunResult[];
  readonly heals: readonly HealRunResult[];
  readonly busy: readonly BusyResult[];
  readonly failures: readonly RunFailure[];
}

const header = '# Benchmarks\n\nMade by `npm run bench -- NAME` (bench/run.ts), which rewrites its own section of this file.\nCompare tsvip with keepalived through the ratios measured in the same run, not absolute numbers across runs or machines.\n';

export async function writeSection(file: string, heading: string, body: string): Promise<void> {
  const current = existsSync(file) ? await readFile(file, 'utf8') : header;
  const section = `${heading}\n\n${body.trimEnd()}\n`;
  const start = current.indexOf(`\n${heading}\n`);
  if (start === -1) {
    await writeFile(file, `${current.trimEnd()}\n\n${section}`);
    return;
  }
  const next = current.indexOf('\n## ', start + heading.length + 1);
  const after = next === -1 ? '' : `\n${current.slice(next + 1)}`;
  await writeFile(file, `${current.slice(0, start + 1)}${section}${after}`);
}

export function failoverMarkdown(results: FailoverResults): string {
  const kills = (implementation: ImplementationName, setup: SetupId) => results.kills.filter((k) => k.implementation === implementation && k.setup === setup);
  const lines: string[] = [
    `\`${results.command}\`, ${results.date}; ${results.environment}.`,
    '',
    'Lab (test/lab): hosts h1..h3 run the VRRP implementation (priorities 150/100/50, VIP 198.18.0.100/24 on eth0) and a TCP',
    'listener on port 6443 that answers with its host name; h4 connects to VIP:6443 every 10 ms (100 ms timeout per attempt).',
    '"kill -9 of the master": the master\'s daemon (its whole process group: keepalived\'s parent and VRRP child die together)',
    'and its listener get SIGKILL at the same instant. Outage: the client\'s last success before the kill to its first success',
    'after (10 ms resolution). Takeover: the kill to the VIP appearing on the new master (`ip monitor`). Cold start: spawning',
    'the three daemons to the VIP on the first master. Each run is a fresh lab. Run i of n kills the master (i - 0.5)/n of an',
    'advert interval after one of its adverts, the same points for both implementations: most of an outage is Master_Down',
    'minus the time since the last advert, so runs at matching points are what can be compared.',
    ...ipv6Method(results),
    ...healMethod(results),
    '',
  ];
  if (results.tsvipMissing !== null) lines.push(`**tsvip side missing**: ${results.tsvipMissing}. Only keepalived was measured.`, '');
  lines.push('| measure | keepalived | tsvip | tsvip / keepalived |', '|---|---|---|---|');
  for (const setupId of results.setups) {
    const setup = protocolSetups[setupId];
    const k = kills('keepalived', setupId);
    const t = kills('tsvip', setupId);
    const row = (measure: string, of: (runs: readonly KillRunResult[]) => Spread | null) => {
      const [ks, ts] = [of(k), of(t)];
      lines.push(`| ${measure} | ${formatSpread(ks)} | ${cellOrMissing(results, formatSpread(ts))} | ${ratio(ts, ks)} |`);
    };
    const count = (measure: string, of: (run: KillRunResult) => boolean) =>
      lines.push(`| ${measure} | ${k.filter(of).length}/${k.length} | ${cellOrMissing(results, `${t.filter(of).length}/${t.length}`)} | |`);
    lines.push(`| **${setup.title}**, kill -9 of the master | | | |`);
    row(`outage min / **median** / max (${Math.max(k.length, t.length)} runs)`, (runs) => spread(runs.map((r) => r.outageMs)));
    row('takeover min / **median** / max', (runs) => spread(runs.flatMap((r) => (r.takeoverMs === null ? [] : [r.takeoverMs]))));
    count('runs where the client was served again', (r) => r.recovered);
    count('killed host kept the VIP (two holders)', (r) => r.killedKeptVip);
    count(`client's ${setup.family === 'ipv6' ? 'neighbour (NDP)' : 'ARP'} entry on the new master at the end`, (r) => r.clientArpHost !== null && r.clientArpHost === r.serverAfter);
    row('cold start to first MASTER min / **median** / max', (runs) => spread(runs.map((r) => r.coldStartMs)));
    count('start-ups where a lower priority was master first', (r) => r.startupTakeovers > 1);
    lines.push(...healRows(results, setupId));
  }
  // The CPU-busy check runs for the IPv4 setups only (bench/failover.ts).
  for (const setupId of results.busySeconds > 0 ? results.setups.filter((id) => protocolSetups[id].family === 'ipv4') : []) {
    const busy = (implementation: ImplementationName) => results.busy.find((b) => b.implementation === implementation && b.setup === setupId);
    const cell = (b: BusyResult | undefined) =>
      b === undefined ? 'n/a' : `${b.vipChanges} VIP changes, ${b.clientFailures}/${b.clientAttempts} client failures${errorList(b.clientErrors)} (${b.busyLoops} busy loops)`;
    lines.push(`| **${protocolSetups[setupId].title}**, ${results.busySeconds} s with the CPU busy | ${cell(busy('keepalived'))} | ${cellOrMissing(results, cell(busy('tsvip')))} | |`);
  }
  const rss = (implementation: ImplementationName) => spread(results.kills.filter((r) => r.implementation === implementation).flatMap((r) => Object.values(r.rssKiB)));
  const rssCell = (value: Spread | null) => (value === null ? 'n/a' : `${(value.median / 1024).toFixed(1)} MiB (${(value.min / 1024).toFixed(1)}–${(value.max / 1024).toFixed(1)})`);
  lines.push(`| RSS per host once elected, median (range) | ${rssCell(rss('keepalived'))} | ${cellOrMissing(results, rssCell(rss('tsvip')))} | ${ratio(rss('tsvip'), rss('keepalived'))} |`);
  lines.push(
    '',
    "keepalived's RSS is its two processes (parent and VRRP child) together. CPU busy: one busy loop per CPU in the master's",
    'host (namespaces share the CPUs, so they compete with every daemon of the group); a failover shows as VIP changes',
    "(`ip monitor`), while client TIMEOUTs there are the prober's and listeners' own starvation.",
    '',
  );
  lines.push(...targets(results), ...runTable(results), ...healRunTable(results), ...failureLines(results));
  return lines.join('\n');
}

function cellOrMissing(results: FailoverResults, cell: string): string {
  return results.tsvipMissing === null ? cell : 'missing';
}

/** The failover targets, judged only when both sides were measured in this run. */
function targets(results: FailoverResults): string[] {
  if (results.tsvipMissing !== null) return [];
  const median = (implementation: ImplementationName, setup: SetupId) =>
    spread(results.kills.filter((r) => r.implementation === implementation && r.setup === setup).map((r) => r.outageMs))?.median ?? null;
  const verdict = (ok: boolean | null) => (ok === null ? 'not measured' : ok ? 'met' : '**not met**');
  const [tv2, kv2, tv3] = [median('tsvip', 'v2'), median('keepalived', 'v2'), median('tsvip', 'v3')];
  const [tv6, kv6] = [median('tsvip', 'v3-ipv6'), median('keepalived', 'v3-ipv6')];
  const busy = results.busy.filter((b) => b.implementation === 'tsvip');
  const ipv6Ratio = tv6 === null || kv6 === null || kv6 === 0 ? null : tv6 / kv6;
  return [
    'Targets:',
    '',
    `- v2/1 s median outage no worse than keepalived's in the same run, to the client's ${defaultProbeIntervalMs} ms resolution: ${verdict(tv2 === null || kv2 === null ? null : tv2 <= kv2 + defaultProbeIntervalMs)}`,
    `- v3/100 ms median outage below 400 ms: ${verdict(tv3 === null ? null : tv3 < 400)}`,
    ...(results.setups.includes('v3-ipv6')
      ? [`- v3/100 ms over IPv6 median outage at most ${ipv6OutageRatioTarget}× keepalived's in the same run: ${verdict(ipv6Ratio === null ? null : ipv6Ratio <= ipv6OutageRatioTarget)}${ipv6Ratio === null ? '' : ` (${ipv6Ratio.toFixed(2)}×)`}`]
      : []),
    `- no spurious failover with the CPU busy: ${verdict(busy.length === 0 ? null : busy.every((b) => b.vipChanges === 0))}`,
    ...(results.heals.length === 0 ? [] : [`- partition then heal: one VIP holder and the client served again within one advert interval of the heal, in every run: ${verdict(healTarget(results))}`]),
    '',
  ];
}

/** The IPv6 kill rows' target: tsvip's median outage over keepalived's, in the same run. */
export const ipv6OutageRatioTarget = 1.1;

function healTarget(results: FailoverResults): boolean | null {
  const heals = results.heals.filter((r) => r.implementation === 'tsvip');
  if (heals.length === 0) return null;
  return heals.every((r) => {
    const interval = protocolSetups[r.setup].advertIntervalMs;
    return r.oneHolderMs !== null && r.oneHolderMs <= interval && r.servedAgainMs !== null && r.servedAgainMs <= interval;
  });
}

function ipv6Method(results: FailoverResults): string[] {
  const ipv6 = results.setups.filter((id) => protocolSetups[id].family === 'ipv6');
  if (ipv6.length === 0) return [];
  return [
    '',
    `IPv6 (${ipv6.map((id) => `"${protocolSetups[id].title}"`).join(', ')}): the same runs, measured the same way, in a dual-stack lab: hosts 2001:2::N/64 (nodad),`,
    "their link-locals usable before the daemons start, the bridge's multicast snooping off (it floods every group, as the",
    "IPv4 labs' bridge does in effect without a querier), so the adverts go from each host's link-local to ff02::12. The VIP is",
    '2001:2::100/128, added nodad by both; the listeners take [::]:6443 and h4 connects to [2001:2::100]:6443. Where IPv4 has',
    "gratuitous ARP, the new master sends unsolicited neighbour advertisements, which move the client's neighbour (NDP) entry.",
  ];
}

function healMethod(results: FailoverResults): string[] {
  if (results.heals.length === 0) return [];
  return [
    '',
    '"Partition, then heal" (bench/heal-run.ts): h1\'s port is detached from the bridge (its carrier stays up, so h1 stays',
    'master on its own), h2 takes over and the client follows it; 6 s after h2 took the VIP (after its second gratuitous ARP',
    'burst, 5 s in both) the port is attached again. Run i of n heals (i - 0.5)/n of an advert interval after one of h1\'s',
    "adverts, timed from h1's adverts as tcpdump captured them; h2's adverts fall at a fixed point of that interval (one",
    "Master_Down after h1's last advert it heard), so some runs meet h2's advert first and others h1's, and tcpdump in h1 and",
    'h2 records whose arrived first. One holder: the heal to the VIP on exactly one host. Served again: the heal to the',
    "client's first success after its last failed attempt (0 when no attempt failed), once 50 attempts in a row are answered",
    `by the only holder; a client still cut off ${seconds(results.healWaitMs)} after the heal is "> ${seconds(results.healWaitMs)}". Longest outage: as for the kills, from`,
    'the last success before it.',
    ...(results.setups.some((id) => protocolSetups[id].family === 'ipv6') ? ['Over IPv6 the bursts are of unsolicited neighbour advertisements, on the same schedule in both.'] : []),
  ];
}

function healRows(results: FailoverResults, setupId: SetupId): string[] {
  const heals = (implementation: ImplementationName) => results.heals.filter((r) => r.implementation === implementation && r.setup === setupId);
  const [k, t] = [heals('keepalived'), heals('tsvip')];
  if (k.length === 0 && t.length === 0) return [];
  const beyond = `> ${seconds(results.healWaitMs)}`;
  const lines = [`| **${protocolSetups[setupId].title}**, partition of the master, then heal | | | |`];
  // A run that never got there counts as Infinity: it sorts last and shows as "> 60 s".
  const row = (measure: string, of: (run: HealRunResult) => number | null) => {
    const [ks, ts] = [spread(k.map((r) => of(r) ?? Infinity)), spread(t.map((r) => of(r) ?? Infinity))];
    lines.push(`| ${measure} | ${formatSpread(ks, beyond)} | ${cellOrMissing(results, formatSpread(ts, beyond))} | ${ratio(ts, ks)} |`);
  };
  const count = (measure: string, of: (run: HealRunResult) => boolean) =>
    lines.push(`| ${measure} | ${k.filter(of).length}/${k.length} | ${cellOrMissing(results, `${t.filter(of).length}/${t.length}`)} | |`);
  row(`one VIP holder after the heal min / **median** / max (${Math.max(k.length, t.length)} runs)`, (r) => r.oneHolderMs);
  row('client served again after the heal min / **median** / max', (r) => r.servedAgainMs);
  row('longest client outage after the heal min / **median** / max', (r) => (r.servedAgainMs === null ? null : r.outageMs));
  count(`runs where the client was served again within ${seconds(results.healWaitMs)}`, (r) => r.servedAgainMs !== null);
  count("runs where h1's advert crossed first (h2's in the others)", (r) => r.firstAcross?.host === r.partitioned);
  count('client answered by h1 at the end', (r) => r.answerAtEnd === r.partitioned);
  return lines;
}

function runTable(results: FailoverResults): string[] {
  if (results.kills.length === 0) return [];
  const lines = [
    '<details><summary>Every run</summary>',
    '',
    `| implementation | setup | run | kill phase | killed | outage | failed attempts (errors) | takeover | VIP holders after | ${neighbourColumn(results)} | cold start (first master, VIP takeovers) |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results.kills) {
    lines.push(
      `| ${r.implementation} | ${r.setup} | ${r.run} | ${r.phaseMs} ms | ${r.killed} | ${formatMs(r.outageMs)}${r.recovered ? '' : ' (not recovered)'} | ${r.failedAttempts}${errorList(r.clientErrors)} | ${r.takeoverMs === null ? 'none' : formatMs(r.takeoverMs)} | ${r.holdersAfter.join(', ')} | ${r.clientArpHost ?? 'none'} | ${formatMs(r.coldStartMs)} (${r.firstMaster}, ${r.startupTakeovers}) |`,
    );
  }
  lines.push('', '</details>', '');
  return lines;
}

function healRunTable(results: FailoverResults): string[] {
  if (results.heals.length === 0) return [];
  const lines = [
    '<details><summary>Every partition/heal run</summary>',
    '',
    `| implementation | setup | run | heal phase | h2's adverts at | first across | one holder after | VIP changes after the heal | served again after | longest outage | failed attempts (errors) | answered at the end | ${neighbourColumn(results)} |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const ms = (value: number | null, none: string) => (value === null ? none : formatMs(value));
  for (const r of results.heals) {
    const across = r.firstAcross === null ? 'none' : `${r.firstAcross.host}'s, +${formatMs(r.firstAcross.afterHealMs)}`;
    const changes = r.vipChangesAfter.length === 0 ? 'none' : r.vipChangesAfter.map((c) => `${r.loser === c.host || r.partitioned === c.host ? c.host : `**${c.host}**`} ${c.change} +${formatMs(c.afterHealMs)}`).join(', ');
    const notServed = `not served again within ${seconds(results.healWaitMs)}`;
    lines.push(
      `| ${r.implementation} | ${r.setup} | ${r.run} | ${r.healPhaseMs} ms | ${ms(r.loserPhaseMs, '?')} | ${across} | ${ms(r.oneHolderMs, 'never')} | ${changes} | ${ms(r.servedAgainMs, notServed)} | ${formatMs(r.outageMs)}${r.servedAgainMs === null ? ' (not recovered)' : ''} | ${r.failedAttempts}${errorList(r.clientErrors)} | ${r.answerAtEnd} | ${r.clientArpHost ?? 'none'} |`,
    );
  }
  lines.push('', '</details>', '');
  return lines;
}

/** Whose MAC the client's entry for the VIP holds: ARP, and NDP too when IPv6 setups ran. */
function neighbourColumn(results: FailoverResults): string {
  return results.setups.some((id) => protocolSetups[id].family === 'ipv6') ? 'client ARP / NDP →' : 'client ARP →';
}

/** A wait, as the reader thinks of it: 60000 -> "60 s". */
function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

function failureLines(results: FailoverResults): string[] {
  if (results.failures.length === 0) return [];
  return ['Runs that failed (not in the numbers above):', '', ...results.failures.map((f) => `- ${f.implementation}, ${f.what}: ${f.error.split('\n')[0] ?? ''}`), ''];
}

/** " (TIMEOUT 3, ECONNREFUSED 2)", or nothing when there were none. */
function errorList(errors: Readonly<Record<string, number>>): string {
  const entries = Object.entries(errors);
  return entries.length === 0 ? '' : ` (${entries.map(([code, n]) => `${code} ${n}`).join(', ')})`;
}
