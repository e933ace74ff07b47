// A long-lived process in a host (a daemon, a TCP server, tcpdump). The lab keeps a handle on each,
// so teardown kills what a test forgot, and keeps the output so a failing test can print it.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { LabCommandError } from './errors.js';

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SpawnedProcess {
  readonly pid: number;
  readonly argv: readonly string[];
  /** For streaming stdout/stderr or writing to stdin; output() is enough for most tests. */
  readonly child: ChildProcess;
  /** Resolves once the process has exited; never rejects. */
  readonly exited: Promise<ProcessExit>;
  /** Sends a signal (SIGTERM unless told); a no-op once the process has exited. */
  kill(signal?: NodeJS.Signals): void;
  /** Everything it printed so far (the last 1 MiB of each stream). */
  output(): { readonly stdout: string; readonly stderr: string };
}

export interface SpawnOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** 'pipe' to write to the process through child.stdin; closed by default. */
  readonly stdin?: 'pipe' | 'ignore';
}

const keptOutputChars = 1024 * 1024;

/** Spawns argv without a shell. `ip netns exec` execs the command, so the pid is the command's own. */
export function spawnProcess(argv: readonly string[], options: SpawnOptions = {}): SpawnedProcess {
  const [file, ...args] = argv;
  if (file === undefined) throw new TypeError('spawnProcess: empty argv');
  const child = spawn(file, args, {
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
    env: options.env === undefined ? process.env : { ...process.env, ...options.env },
  });
  const kept = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (kept.stdout = keepTail(kept.stdout + chunk)));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (kept.stderr = keepTail(kept.stderr + chunk)));
  const exited = new Promise<ProcessExit>((resolve) => {
    child.on('error', (error) => {
      kept.stderr += String(error);
      resolve({ code: 127, signal: null });
    });
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const pid = child.pid;
  if (pid === undefined) throw new LabCommandError(argv, null, 'could not be started (spawn failed)');
  return {
    pid,
    argv,
    child,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    output: () => ({ ...kept }),
  };
}

function keepTail(text: string): string {
  return text.length > keptOutputChars ? text.slice(-keptOutputChars) : text;
}
