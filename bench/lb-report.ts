// The "## Load balancer" section of docs/benchmarks.md: the table (haproxy and tsvip from the same run,
// tsvip as a ratio of haproxy), its targets, the election under load, and where tsvip's time goes.
import type { LbOptions } from './lb.js';
import type { HoldResult, ProxyKind } from './lb-lab.js';
import { ADVERT_INTERVAL_MS, NOFILE, holdCount } from './lb-lab.js';
import type { CodeKind, ProfileSummary } from './lb-profile.js';
import { WRK_THREADS, errorCount, megabytesPerSecond, requestsPerSecond, wrkModes } from './lb-wrk.js';
import type { WrkMode, WrkResult } from './lb-wrk.js';
import { spread } from './stats.js';
import { TSVIP_NODE_FLAGS } from '../src/node-flags.js';
import type { Spread } from './stats.js';

export interface RoundResult {
  readonly proxy: ProxyKind;
  readonly round: number;
  readonly rssIdleKiB: number;
  /** The idle connections held before any load. */
  readonly freshHold: HoldResult;
  readonly rssAfterLoadKiB: number;
  readonly wrk: Readonly<Record<WrkMode, WrkResult>>;
  /** The idle connections held after the load. */
  readonly hold: HoldResult;
  /** SIGTERM to exit (haproxy's, or tsvip's own shutdown), right after the held connections' client exited. */
  readonly stop: { readonly ms: number; readonly how: string };
}

export interface GapStats {
  readonly adverts: number;
  readonly medianGapMs: number;
  readonly p99GapMs: number;
  readonly maxGapMs: number;
  /** Gaps longer than 1.5 advert intervals. */
  readonly lateAdverts: number;
}

export interface VrrpResult {
  readonly seconds: number;
  readonly wrk: { readonly close: WrkResult; readonly keepalive: WrkResult };
  readonly baseline: GapStats;
  readonly load: GapStats;
  readonly transitions: readonly { readonly host: string; readonly atMs: number; readonly text: string }[];
  readonly vipOnProxy: boolean;
  readonly vipOnPeer: boolean;
}

export interface ProfileResult {
  readonly mode: WrkMode;
  readonly wrk: WrkResult;
  readonly summary: ProfileSummary;
}

export interface LbResults {
  readonly command: string;
  readonly date: string;
  readonly environment: string;
  readonly options: LbOptions;
  readonly minutes: number;
  readonly rounds: readonly RoundResult[];
  readonly vrrp: VrrpResult | null;
  readonly profiles: readonly ProfileResult[];
  readonly failures: readonly { readonly what: string; readonly error: string }[];
}

/** The RSS target: at most 150 MB while holding 10,000 connections. */
const RSS_LIMIT_BYTES = 150e6;

export function lbMarkdown(results: LbResults): string {
  const { options } = results;
  const lines: string[] = [
    `\`${results.command}\`, ${results.date}; ${results.environment}. ${options.rounds} round${options.rounds === 1 ? '' : 's'}, ${Math.round(results.minutes)} minutes in all.`,
    '',
    'Lab (bench/lb-lab.ts, network namespaces): h1 and h2 run nginx (one process each, a 96-byte file and a 10 MiB one);',
    `h3 runs the proxy on 198.18.0.3:8443 to both, haproxy (\`mode tcp\`, \`balance roundrobin\`, \`nbthread ${options.haproxyThreads}\`, checks every 2 s) or`,
    `tsvip (\`node ${TSVIP_NODE_FLAGS.join(' ')} bin/tsvip start\`, as bin/tsvip's shebang runs it, with only \`loadBalancers:\`, roundrobin, tcp checks every 2 s, defaults otherwise), one after the other,`,
    `each a fresh process per round, in alternating order; h4 runs wrk (\`-t${WRK_THREADS}\`, ${options.seconds} s per run, after a ${options.warmupSeconds} s keep-alive warm-up)`,
    `with \`net.ipv4.tcp_tw_reuse=1\`. Keep-alive: \`-c${wrkModes.keepalive.connections}\` on the small file. New connection per request: the same with`,
    `\`-H 'Connection: close'\`, so requests/s = connections/s. Bulk: \`-c${wrkModes.bulk.connections}\` on the 10 MiB file. RSS: VmRSS of the proxy process,`,
    `fresh and idle; holding ${holdCount(options.hold).toLocaleString('en-US')} idle client connections (bench/lb-client.ts on h4) and as many to the backends, before the load`,
    `and again after it${holdCount(options.hold) < options.hold ? ` (not ${options.hold.toLocaleString('en-US')}: this machine allows ${NOFILE.toLocaleString('en-US')} file descriptors per process, without CAP_SYS_RESOURCE to raise it, and a TCP proxy needs two per connection; the ${options.hold.toLocaleString('en-US')} figure is extrapolated linearly from the reading before the connections)` : ''};`,
    'and idle after the load. The proxy is stopped with SIGTERM right after the holding client exits.',
    "Proxy CPU: the proxy's user + system time during each wrk run. The machine's CPUs are shared by everything in the",
    'lab (nginx, wrk, the proxy, the kernel\'s network stack), so a proxy that needs less CPU leaves more to the others:',
    'the CPU per request is the direct comparison of the two proxies, requests/s the end-to-end one.',
    '',
  ];
  const of = (kind: ProxyKind) => results.rounds.filter((r) => r.proxy === kind);
  const [h, t] = [of('haproxy'), of('tsvip')];
  if (h.length === 0 || t.length === 0) lines.push(`**Incomplete**: ${h.length} haproxy and ${t.length} tsvip rounds succeeded.`, '');

  const table = measures(h, t, options);
  lines.push(
    `| measure (median of the rounds, min–max) | haproxy | tsvip | tsvip / haproxy | target |`,
    '|---|---|---|---|---|',
    ...table.rows,
    '',
    'Targets, tsvip against haproxy in the same run:',
    '',
    ...table.targets.map((target) => `- ${target}`),
    ...(results.vrrp === null ? [] : [`- no VRRP transition while wrk runs at full load, election at v3/${ADVERT_INTERVAL_MS} ms: ${verdict(results.vrrp.transitions.length === 0 && results.vrrp.vipOnProxy && !results.vrrp.vipOnPeer)}`]),
    '',
  );
  lines.push(...vrrpLines(results), ...profileLines(results), ...roundTable(results), ...failureLines(results));
  return lines.join('\n');
}

interface Measures {
  readonly rows: string[];
  readonly targets: string[];
}

function measures(h: readonly RoundResult[], t: readonly RoundResult[], options: LbOptions): Measures {
  const rows: string[] = [];
  const targets: string[] = [];
  const row = (measure: string, value: (r: RoundResult) => number, format: (n: number) => string, target?: { readonly text: string; readonly ok: (ratio: number, tsvip: Spread) => boolean; readonly absolute?: boolean }) => {
    const [hs, ts] = [spread(h.map(value)), spread(t.map(value))];
    const ratio = hs !== null && ts !== null && hs.median !== 0 ? ts.median / hs.median : null;
    const met = target === undefined || ratio === null || ts === null ? null : target.ok(ratio, ts);
    const targetCell = target === undefined ? '' : `${target.text}: ${verdict(met)}`;
    rows.push(`| ${measure} | ${cell(hs, format)} | ${cell(ts, format)} | ${ratio === null ? '–' : `${ratio.toFixed(2)}×`} | ${targetCell} |`);
    if (target !== undefined) {
      const measured = target.absolute === true ? (ts === null ? '' : ` (tsvip: median ${format(ts.median)}, max ${format(ts.max)})`) : ratio === null ? '' : ` (${ratio.toFixed(2)}×)`;
      // A p99 whose rounds spread over more than 3× is the shared machine's tail as much as the proxy's.
      const unstable = /p99/.test(measure) && [hs, ts].some((x) => x !== null && x.min > 0 && x.max / x.min > 3) ? '; the rounds spread over more than 3× (see every round below), so this verdict may flip between runs' : '';
      targets.push(`${measure}: ${targetCell}${measured}${unstable}`);
    }
  };
  const rate = (n: number) => Math.round(n).toLocaleString('en-US');
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  const us = (n: number) => `${n.toFixed(1)} µs`;
  const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
  const atMost = (limit: number) => (ratio: number) => ratio <= limit;
  const atLeast = (limit: number) => (ratio: number) => ratio >= limit;

  row('keep-alive: requests/s', (r) => requestsPerSecond(r.wrk.keepalive), rate);
  row('keep-alive: p99 latency', (r) => r.wrk.keepalive.p99Ms, ms, { text: '≤ 1.5×', ok: atMost(1.5) });
  row('new connection per request: connections/s', (r) => requestsPerSecond(r.wrk.close), rate, { text: '≥ 0.9×', ok: atLeast(0.9) });
  row('new connection per request: p99 latency', (r) => r.wrk.close.p99Ms, ms, { text: '≤ 1.5×', ok: atMost(1.5) });
  row('bulk 10 MiB: MB/s (10^6 bytes)', (r) => megabytesPerSecond(r.wrk.bulk), rate, { text: '≥ 0.9×', ok: atLeast(0.9) });
  row('proxy CPU per keep-alive request', (r) => (r.wrk.keepalive.proxyCpuSeconds / r.wrk.keepalive.requests) * 1e6, us);
  row('proxy CPU per connection (request)', (r) => (r.wrk.close.proxyCpuSeconds / r.wrk.close.requests) * 1e6, us);
  row('proxy CPU per MB of bulk', (r) => (r.wrk.bulk.proxyCpuSeconds / (r.wrk.bulk.bytes / 1e6)) * 1e6, us);
  rows.push(cpuUseRow(h, t, 'proxy CPU use, keep-alive / close / bulk (one core = 100%)', (w) => w.proxyCpuSeconds / w.seconds));
  rows.push(cpuUseRow(h, t, 'of which in the kernel (system time), keep-alive / close / bulk', (w) => (w.proxyCpuSeconds === 0 ? 0 : w.proxySystemSeconds / w.proxyCpuSeconds)));
  row('listen queue overflows in the proxy host, new connection per request run', (r) => r.wrk.close.listenOverflows, (n) => Math.round(n).toLocaleString('en-US'));
  row('wrk errors, all three runs', (r) => errorCount(r.wrk.keepalive) + errorCount(r.wrk.close) + errorCount(r.wrk.bulk), (n) => String(Math.round(n)));
  row('RSS fresh and idle', (r) => r.rssIdleKiB, mib);
  const rssTarget = { text: `≤ 150 MB (${(RSS_LIMIT_BYTES / 1024 / 1024).toFixed(0)} MiB) in every round`, ok: (_ratio: number, tsvip: Spread) => tsvip.max * 1024 <= RSS_LIMIT_BYTES, absolute: true };
  const held = holdCount(options.hold);
  const count = held.toLocaleString('en-US');
  // Below the count asked for (the file descriptor limit), linear in the connections from the reading before them.
  const scaled = (before: number, hold: HoldResult) => (held >= options.hold ? hold.rssKiB : before + ((hold.rssKiB - before) * options.hold) / Math.max(1, hold.held));
  const at = held >= options.hold ? `holding ${count} idle connections` : `holding ${count} idle connections, extrapolated to ${options.hold.toLocaleString('en-US')}`;
  row(`RSS ${at}, fresh process`, (r) => scaled(r.rssIdleKiB, r.freshHold), mib, rssTarget);
  row('RSS idle again after the load', (r) => r.rssAfterLoadKiB, mib);
  row(`RSS ${at}, after the load`, (r) => scaled(r.rssAfterLoadKiB, r.hold), mib, rssTarget);
  rows.push(heldRow(h, t, held));
  const stops = (rounds: readonly RoundResult[]) => rounds.map((r) => `${formatStop(r.stop.ms)}${r.stop.how.startsWith('exit 0') || r.stop.how === 'SIGTERM' ? '' : ` (${r.stop.how})`}`).join(', ') || 'n/a';
  rows.push(`| SIGTERM to exit, right after the held connections' client exited (per round) | ${stops(h)} | ${stops(t)} | | |`);
  return { rows, targets };
}

/** One cell for the three CPU-use figures: the medians only, or the row would not fit. */
function cpuUseRow(h: readonly RoundResult[], t: readonly RoundResult[], measure: string, of: (w: WrkResult) => number): string {
  const use = (rounds: readonly RoundResult[]) => {
    const median = (mode: WrkMode) => spread(rounds.map((r) => of(r.wrk[mode])))?.median;
    const parts = (['keepalive', 'close', 'bulk'] as const).map(median);
    return parts.some((p) => p === undefined) ? 'n/a' : parts.map((p) => `${Math.round((p ?? 0) * 100)}%`).join(' / ');
  };
  return `| ${measure} | ${use(h)} | ${use(t)} | | |`;
}

function heldRow(h: readonly RoundResult[], t: readonly RoundResult[], count: number): string {
  const held = (rounds: readonly RoundResult[]) => {
    if (rounds.length === 0) return 'n/a';
    const holds = rounds.flatMap((r) => [r.freshHold, r.hold]);
    const complete = holds.every((x) => x.held === count && x.failed === 0 && x.proxySockets >= 2 * count);
    const detail = complete
      ? `all, ${(2 * count).toLocaleString('en-US')} sockets in the proxy host`
      : holds.map((x) => `${x.held}${x.failed > 0 ? ` (${x.failed} failed: ${x.failures})` : ''}, ${x.proxySockets} sockets`).join('; ');
    const times = rounds.map((r) => `${(r.freshHold.settledMs / 1000).toFixed(1)}/${(r.hold.settledMs / 1000).toFixed(1)}`).join(', ');
    const overflows = holds.reduce((sum, x) => sum + x.listenOverflows, 0);
    return `${detail}; ${times} s; ${overflows.toLocaleString('en-US')} listen queue overflows`;
  };
  return `| ${count.toLocaleString('en-US')} connections held; time until established, per round (fresh/after the load); listen queue overflows meanwhile (a SYN is retried after 1 s) | ${held(h)} | ${held(t)} | | |`;
}

function formatStop(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

function cell(value: Spread | null, format: (n: number) => string): string {
  if (value === null) return 'n/a';
  if (value.n === 1) return format(value.median);
  return `${format(value.median)} (${format(value.min)}–${format(value.max)})`;
}

function verdict(ok: boolean | null): string {
  return ok === null ? 'not measured' : ok ? 'met' : '**not met**';
}

function vrrpLines(results: LbResults): string[] {
  const v = results.vrrp;
  if (v === null) return [];
  const gaps = (g: GapStats) => `${g.medianGapMs.toFixed(0)} / ${g.p99GapMs.toFixed(0)} / ${g.maxGapMs.toFixed(0)} ms`;
  const rate = (w: WrkResult) => Math.round(requestsPerSecond(w)).toLocaleString('en-US');
  return [
    `### Election under load`,
    '',
    `tsvip on h3 runs the load balancer and a VRRP instance (v3, ${ADVERT_INTERVAL_MS} ms, priority 150, multicast) in one process; a second`,
    `tsvip on h5 (priority 100) would take the VIP if h3's adverts stopped for Master_Down (3 × ${ADVERT_INTERVAL_MS} ms + skew = ${3 * ADVERT_INTERVAL_MS + Math.floor(((256 - 100) * ADVERT_INTERVAL_MS) / 256)} ms).`,
    `tcpdump on h5 timestamps h3's adverts: 5 s idle, then wrk at full load, ${v.seconds} s new connection per request and ${v.seconds} s keep-alive.`,
    'The longest gap between two adverts, less the interval, bounds how long the proxy kept the event loop from the election.',
    '',
    '| | idle | under load |',
    '|---|---|---|',
    `| h3's adverts seen on h5 | ${v.baseline.adverts} | ${v.load.adverts} |`,
    `| gap between adverts, median / p99 / max | ${gaps(v.baseline)} | ${gaps(v.load)} |`,
    `| adverts more than ${1.5 * ADVERT_INTERVAL_MS} ms after the previous one | ${v.baseline.lateAdverts} | ${v.load.lateAdverts} |`,
    `| tsvip's load, connections/s then requests/s (p99) | | ${rate(v.wrk.close)} (${v.wrk.close.p99Ms.toFixed(2)} ms), ${rate(v.wrk.keepalive)} (${v.wrk.keepalive.p99Ms.toFixed(2)} ms) |`,
    `| VRRP transitions logged by h3 or h5 | ${v.transitions.length === 0 ? '0' : v.transitions.map((x) => `${x.host}: ${x.text}`).join('; ')} | |`,
    `| VIP at the end | ${[v.vipOnProxy ? 'h3' : '', v.vipOnPeer ? 'h5' : ''].filter(Boolean).join(' and ') || 'nowhere'} | |`,
    '',
    'The daemon also reports its own event-loop delay (`perf_hooks.monitorEventLoopDelay`: `tsvip_event_loop_delay_p99_seconds` and',
    '`_max_seconds` in /metrics, over the last 10 s, and a warning with code EVENT_LOOP_DELAY past half the advert interval); this',
    'check measures on the wire instead, which is what a backup sees.',
    '',
  ];
}

const kindOrder: readonly CodeKind[] = ['tsvip', 'node net/stream', 'node other', 'dependencies', 'native', 'garbage collector'];

function profileLines(results: LbResults): string[] {
  if (results.profiles.length === 0) return [];
  const pct = (share: number) => `${(share * 100).toFixed(1)}%`;
  const lines = [
    '### Where tsvip\'s time goes',
    '',
    `tsvip alone, started with \`node --cpu-prof\`, under one wrk mode (${results.options.seconds} s after the warm-up; only the samples of that run count);`,
    'one profile per thread (the main thread and the load balancer\'s data path, a worker thread), added up; self time per kind',
    'of code and the functions with the most self time, as shares of the sampled time V8 did not mark idle. The data path calls',
    'libc through koffi, whose calls are no frames of their own: a function\'s self time includes the syscalls it makes and the',
    "kernel's TCP and veth work under them (`tryNextBackend`: socket and connect, which sends the SYN; `writeToBackend`: write),",
    "and `run` includes epoll_wait, also while it waits: the worker never returns to Node's event loop, so V8 never sees it idle.",
    'That is why no "busy" share is given: the sampled time is not the CPU time, which the /proc row below gives.',
    '',
    `| kind of code | ${results.profiles.map((p) => `${wrkModes[p.mode].title} (${Math.round(requestsPerSecond(p.wrk)).toLocaleString('en-US')}/s)`).join(' | ')} |`,
    `|---|${results.profiles.map(() => '---|').join('')}`,
    ...kindOrder.map((kind) => `| ${kind} | ${results.profiles.map((p) => pct(p.summary.byKind[kind])).join(' | ')} |`),
    `| process CPU during the run, user + system (/proc) | ${results.profiles.map((p) => `${(p.wrk.proxyCpuSeconds - p.wrk.proxySystemSeconds).toFixed(2)} s + ${p.wrk.proxySystemSeconds.toFixed(2)} s`).join(' | ')} |`,
    '',
    "The process's CPU time from /proc (user: JavaScript, koffi and V8's own threads; system: the syscalls and the network",
    'stack under them) is the measure to compare with haproxy; the profile says which code the time is spent under.',
    '',
  ];
  for (const p of results.profiles) {
    lines.push(`Top functions under ${wrkModes[p.mode].title}:`, '', '| self | function | where |', '|---|---|---|');
    for (const f of p.summary.top) lines.push(`| ${pct(f.share)} | \`${f.name}\` | ${f.where || f.kind} |`);
    lines.push('');
  }
  lines.push(...profileParagraph(results), '');
  return lines;
}

/** The reading of the profiles, from their numbers, with the CPU per request of both proxies from the rounds. */
function profileParagraph(results: LbResults): string[] {
  const cpuRatio = (mode: WrkMode) => {
    const per = (kind: ProxyKind) => spread(results.rounds.filter((r) => r.proxy === kind).map((r) => r.wrk[mode].proxyCpuSeconds / Math.max(1, r.wrk[mode].bytes)))?.median;
    const [h, t] = [per('haproxy'), per('tsvip')];
    return h === undefined || t === undefined || h === 0 ? null : t / h;
  };
  const parts = results.profiles.map((p) => {
    const k = p.summary.byKind;
    const top = p.summary.top[0];
    const ratio = cpuRatio(p.mode);
    return (
      `under ${wrkModes[p.mode].title}${ratio === null ? '' : ` (where tsvip spends ${ratio.toFixed(1)}× haproxy's CPU for the same bytes)`}, ${pct0(k.tsvip)} of tsvip's sampled time is its own code (src/lb), ` +
      `with the syscalls it makes, ${pct0(k['node net/stream'])} Node's net/stream/events JavaScript, ${pct0(k['node other'])} other Node internals, ${pct0(k.native)} native ` +
      `and ${pct0(k['garbage collector'])} GC${top === undefined ? '' : `; the largest single item is \`${top.name}\` (${pct0(top.share)})`}`
    );
  });
  return [
    `Reading: ${parts.join('; ')}.`,
    "Node's socket and stream JavaScript, which cost half of the CPU per connection when the proxy used net.Socket (2026-11-23:",
    "0.44× haproxy's connections/s), is gone from the data path; what remains is mostly the syscalls themselves, which haproxy",
    'makes too.',
  ];
}

function pct0(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function roundTable(results: LbResults): string[] {
  if (results.rounds.length === 0) return [];
  const lines = [
    '<details><summary>Every round</summary>',
    '',
    '| proxy | round | keep-alive req/s (p50 / p99 / max) | close conn/s (p50 / p99 / max) | bulk MB/s | errors (connect/read/write/status/timeout) | proxy CPU s, ka / close / bulk | RSS idle / held fresh / idle after / held after | stop |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const lat = (w: WrkResult) => `${w.p50Ms.toFixed(2)} / ${w.p99Ms.toFixed(2)} / ${w.maxMs.toFixed(1)} ms`;
  const errs = (w: WrkResult) => `${w.errors.connect}/${w.errors.read}/${w.errors.write}/${w.errors.status}/${w.errors.timeout}`;
  for (const r of results.rounds) {
    const { keepalive: ka, close, bulk } = r.wrk;
    lines.push(
      `| ${r.proxy} | ${r.round} | ${Math.round(requestsPerSecond(ka))} (${lat(ka)}) | ${Math.round(requestsPerSecond(close))} (${lat(close)}) | ${Math.round(megabytesPerSecond(bulk))} | ${errs(ka)}, ${errs(close)}, ${errs(bulk)} | ${ka.proxyCpuSeconds.toFixed(2)} / ${close.proxyCpuSeconds.toFixed(2)} / ${bulk.proxyCpuSeconds.toFixed(2)} | ${[r.rssIdleKiB, r.freshHold.rssKiB, r.rssAfterLoadKiB, r.hold.rssKiB].map((kib) => (kib / 1024).toFixed(1)).join(' / ')} MiB | ${formatStop(r.stop.ms)} (${r.stop.how}) |`,
    );
  }
  lines.push('', '</details>', '');
  return lines;
}

function failureLines(results: LbResults): string[] {
  if (results.failures.length === 0) return [];
  return ['Runs that failed (not in the numbers above):', '', ...results.failures.map((f) => `- ${f.what}: ${f.error.split('\n')[0] ?? ''}`), ''];
}
