// Runs one external program (a check script or a notify command) without a shell, and always comes
// back: a hung program is killed at its timeout, a missing one is a failed result, not an exception.
//
// The program leads its own process group (`detached: true`), so a timeout kills everything it started
// (`kill(-pid)`), as keepalived does for its scripts: a `check.sh` that runs `curl` which hangs must not
// leave the curl behind, once per interval, forever.
import { spawn, type ChildProcess } from 'node:child_process';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';

export interface RunCommandOptions {
  argv: readonly string[];
  timeoutMs: number;
  /** Added to (and overriding) process.env. */
  env?: Readonly<Record<string, string>>;
  /** Aborting kills the process group, as a timeout does. */
  signal?: AbortSignal;
  clock?: Clock;
  /** How much of the end of stderr to keep for the logs (default 4 KiB). */
  stderrTailBytes?: number;
}

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** Set when the program could not be started (ENOENT, EACCES ...); nothing ran. */
  spawnError: { code: string; message: string } | null;
  stderrTail: string;
}

const DEFAULT_TAIL_BYTES = 4096;
// After the program exits, its stdout/stderr may still be held open by something it left running in
// the background; we stop waiting for them after this long.
const CLOSE_GRACE_MS = 200;

export function runCommand(options: RunCommandOptions): Promise<RunResult> {
  const clock = options.clock ?? systemClock;
  const result: RunResult = { exitCode: null, signal: null, timedOut: false, aborted: false, spawnError: null, stderrTail: '' };
  if (options.signal?.aborted) return Promise.resolve({ ...result, aborted: true });
  const [program, ...args] = options.argv;
  if (program === undefined) return Promise.resolve({ ...result, spawnError: { code: 'ERR_NO_PROGRAM', message: 'no program to run' } });

  return new Promise<RunResult>((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(program, args, {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...options.env },
      });
    } catch (error) {
      // spawn() throws synchronously only for arguments it cannot pass at all (a NUL byte in a word).
      resolve({ ...result, spawnError: spawnErrorOf(error) });
      return;
    }

    let timeoutTimer: TimerHandle | null = null;
    let graceTimer: TimerHandle | null = null;
    let settled = false;
    const stopTimers = (): void => {
      if (timeoutTimer) clock.clearTimeout(timeoutTimer);
      if (graceTimer) clock.clearTimeout(graceTimer);
      timeoutTimer = graceTimer = null;
    };
    const finish = (): void => {
      if (settled) return;
      settled = true;
      stopTimers();
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: the whole group is gone already, which is what we wanted.
      }
    };
    const onAbort = (): void => {
      result.aborted = true;
      killGroup();
    };

    child.stdout?.resume(); // drained and dropped: a chatty script must not block on a full pipe
    const tail = keepTail(options.stderrTailBytes ?? DEFAULT_TAIL_BYTES);
    child.stderr?.on('data', (chunk: Buffer) => {
      result.stderrTail = tail(chunk);
    });

    child.on('error', (error) => {
      // Without a pid nothing started: ENOENT, EACCES, EMFILE ...
      if (child.pid === undefined) {
        result.spawnError = spawnErrorOf(error);
        finish();
      }
    });
    child.on('exit', (code, signal) => {
      result.exitCode = code;
      result.signal = signal;
      // The program is done: what it left in the background is its own business, not a timeout.
      stopTimers();
      options.signal?.removeEventListener('abort', onAbort);
      graceTimer = clock.setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      }, CLOSE_GRACE_MS);
    });
    child.on('close', finish);

    timeoutTimer = clock.setTimeout(() => {
      timeoutTimer = null;
      result.timedOut = true;
      killGroup();
    }, options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function runSucceeded(result: RunResult): boolean {
  return result.exitCode === 0 && !result.timedOut && !result.aborted && result.spawnError === null;
}

/** "exit 1", "killed by SIGTERM", "timed out after 1000 ms, killed process group", "spawn ENOENT: ..." */
export function describeRun(result: RunResult, options: { timeoutMs: number }): string {
  if (result.spawnError) return `spawn ${result.spawnError.code}: ${result.spawnError.message}`;
  if (result.timedOut) return `timed out after ${options.timeoutMs} ms, killed process group`;
  if (result.aborted) return 'aborted, killed process group';
  const outcome = result.signal ? `killed by ${result.signal}` : `exit ${result.exitCode ?? '?'}`;
  const lastLine = result.stderrTail.trimEnd().split('\n').at(-1)?.trim() ?? '';
  return lastLine !== '' && result.exitCode !== 0 ? `${outcome} (stderr: ${lastLine.slice(0, 200)})` : outcome;
}

function spawnErrorOf(error: unknown): { code: string; message: string } {
  const code = (error as { code?: unknown }).code;
  return {
    code: typeof code === 'string' ? code : 'ERR_SPAWN',
    message: error instanceof Error ? error.message : String(error),
  };
}

/** Returns a function that appends a chunk and gives back the last `maxBytes` seen so far, as text. */
function keepTail(maxBytes: number): (chunk: Buffer) => string {
  let kept = Buffer.alloc(0);
  return (chunk) => {
    kept = Buffer.concat([kept, chunk]);
    if (kept.length > maxBytes) kept = kept.subarray(kept.length - maxBytes);
    return kept.toString('utf8');
  };
}
