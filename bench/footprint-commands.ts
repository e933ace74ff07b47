// How long a short command takes and how much memory it peaks at, against the `node -e 0` of the Node
// that runs it: what `tsvip version` and `tsvip check` cost beyond starting Node at all. GNU time (the
// Debian package `time`) reads the child's peak RSS from wait4; the wall time is taken here.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const GNU_TIME = '/usr/bin/time';

export interface CommandSample {
  readonly command: string;
  readonly wallMs: number;
  readonly maxRssKiB: number;
}

export function gnuTimeMissing(): string | null {
  return existsSync(GNU_TIME) ? null : `${GNU_TIME} is missing: install the Debian package "time"`;
}

export async function timeCommand(label: string, argv: readonly string[]): Promise<CommandSample> {
  const [program, ...args] = argv;
  if (program === undefined) throw new Error('timeCommand: empty argv');
  const started = performance.now();
  const { stderr } = await execFileAsync(GNU_TIME, ['-f', 'tsvip-bench-maxrss=%M', program, ...args], { encoding: 'utf8', timeout: 30_000 });
  const wallMs = performance.now() - started;
  const match = /tsvip-bench-maxrss=(\d+)/.exec(stderr);
  if (match?.[1] === undefined) throw new Error(`${label}: no peak RSS from ${GNU_TIME} (stderr: ${stderr.trim()})`);
  return { command: label, wallMs, maxRssKiB: Number(match[1]) };
}
