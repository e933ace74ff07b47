// `npm run bench -- syscalls`: the system calls each proxy makes per proxied connection, haproxy and
// tsvip on the same lab host, counted by `strace -c -f` (every thread: tsvip's data path is a worker
// thread) while wrk opens a new connection per request through it. strace slows a proxy down many
// times, so only the counts per connection mean anything here, not the rates. Written to
// docs/benchmarks.md under "## Syscalls per connection".
//   --seconds S   length of the traced wrk run (5)
//   --dry-run     print the section instead of writing it
//   --out FILE    instead of docs/benchmarks.md
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLbLab, startProxy } from './lb-lab.js';
import type { ProxyKind } from './lb-lab.js';
import { runWrk, writeWrkScript } from './lb-wrk.js';
import { writeSection } from './report.js';
import { commitLabel, repoRoot } from './tsvip.js';
import { withWorkDir } from './work-dir.js';
import type { SpawnedProcess } from '../src/lab/spawned-process.js';

export interface SyscallCount {
  readonly proxy: ProxyKind;
  readonly connections: number;
  /** Calls by system call name, whole run. */
  readonly calls: Readonly<Record<string, number>>;
}

/** strace -c's table: "% time  seconds  usecs/call  calls  errors syscall", the errors column may be empty. */
export function parseStraceSummary(text: string): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?([a-z_0-9]+)\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined && match[2] !== 'total') calls[match[2]] = (calls[match[2]] ?? 0) + Number(match[1]);
  }
  return calls;
}

export async function runSyscallsBenchmark(args: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: [...args], options: { seconds: { type: 'string', default: '5' }, 'dry-run': { type: 'boolean', default: false }, out: { type: 'string', default: join(repoRoot(), 'docs', 'benchmarks.md') } } }));
  } catch (error: unknown) {
    process.stderr.write(`bench syscalls: ${String(error)}\n`);
    return 2;
  }
  const seconds = Number(values.seconds);
  if (!Number.isInteger(seconds) || seconds < 1) {
    process.stderr.write(`bench syscalls: --seconds must be a whole number of at least 1, got "${values.seconds}"\n`);
    return 2;
  }
  const counts: SyscallCount[] = [];
  await withWorkDir('tsvip-bench-', async (workDir) => {
    const lbLab = await createLbLab(workDir);
    try {
      const script = await writeWrkScript(workDir);
      for (const kind of ['haproxy', 'tsvip'] as const) {
        const proxy = await startProxy(lbLab, kind, 'syscalls');
        try {
          const strace = lbLab.lab.spawn(lbLab.proxyHost, ['strace', '-c', '-f', '-p', String(proxy.process.pid)]);
          // strace says nothing when it has attached: a second is plenty (the counts are per connection anyway).
          await new Promise((resolve) => setTimeout(resolve, 1000));
          const wrk = await runWrk(lbLab, proxy, script, 'close', seconds);
          const summary = await stopStrace(strace);
          counts.push({ proxy: kind, connections: wrk.requests, calls: parseStraceSummary(summary) });
          process.stderr.write(`bench syscalls: ${kind}: ${wrk.requests} connections traced\n`);
        } finally {
          await proxy.stop();
        }
      }
    } finally {
      await lbLab.destroy();
    }
  });
  const body = syscallsMarkdown(counts, `npm run bench -- syscalls${args.length > 0 ? ` ${args.join(' ')}` : ''}`, await commitLabel());
  if (values['dry-run']) process.stdout.write(`${body}\n`);
  else await writeSection(values.out, '## Syscalls per connection', body);
  return 0;
}

async function stopStrace(strace: SpawnedProcess): Promise<string> {
  strace.kill('SIGINT');
  await strace.exited;
  const { stderr } = strace.output();
  if (!/% time/.test(stderr)) throw new Error(`strace printed no summary: ${stderr.trim().slice(-500)}`);
  return stderr;
}

export function syscallsMarkdown(counts: readonly SyscallCount[], command: string, commit: string): string {
  const perConnection = (count: SyscallCount, name: string): number => (count.calls[name] ?? 0) / Math.max(1, count.connections);
  const total = (count: SyscallCount): number => Object.values(count.calls).reduce((sum, n) => sum + n, 0) / Math.max(1, count.connections);
  const names = [...new Set(counts.flatMap((count) => Object.keys(count.calls)))]
    .filter((name) => counts.some((count) => perConnection(count, name) >= 0.05))
    .sort((a, b) => Math.max(...counts.map((c) => perConnection(c, b))) - Math.max(...counts.map((c) => perConnection(c, a))));
  return [
    `Command: \`${command}\` at commit ${commit}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    "`strace -c -f` on each proxy (all its threads) while wrk opened a new connection per request through it (`-H 'Connection: close'`)",
    "to the lab's nginx backends; calls divided by the connections wrk completed. Calls below 0.05 per connection are left out of the rows, not of the total.",
    '',
    `| system call | ${counts.map((count) => `${count.proxy} (${count.connections} connections)`).join(' | ')} |`,
    `|---|${counts.map(() => '---|').join('')}`,
    `| **all, per connection** | ${counts.map((count) => `**${total(count).toFixed(1)}**`).join(' | ')} |`,
    ...names.map((name) => `| ${name} | ${counts.map((count) => perConnection(count, name).toFixed(2)).join(' | ')} |`),
  ].join('\n');
}
