// Runs programs without a shell: argv arrays only, so an address or a namespace name can never be
// parsed as shell syntax. A non-zero exit is a result, not an exception (tests assert on failing
// pings); `runCommandOk` is the throwing variant for set-up steps that must work.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LabCommandError } from './errors.js';

const execFileAsync = promisify(execFile);

export interface CommandResult {
  /** Exit code, or null when the process died on a signal (a timeout kills with SIGKILL). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Kill the command after this long; a hung `ping` must not eat the test's whole timeout. */
  readonly timeoutMs?: number;
  /** Extra environment, merged over this process's. */
  readonly env?: Readonly<Record<string, string>>;
}

const defaultTimeoutMs = 20_000;

export async function runCommand(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new TypeError('runCommand: empty argv');
  try {
    const { stdout, stderr } = await execFileAsync(file, args, {
      encoding: 'utf8',
      timeout: options.timeoutMs ?? defaultTimeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 16 * 1024 * 1024,
      env: options.env === undefined ? process.env : { ...process.env, ...options.env },
    });
    return { code: 0, stdout, stderr };
  } catch (error: unknown) {
    return resultOfFailure(error);
  }
}

export async function runCommandOk(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const result = await runCommand(argv, options);
  if (result.code !== 0) throw new LabCommandError(argv, result.code, result.stderr);
  return result;
}

/** execFile rejects with the exit code and output attached; a spawn failure (ENOENT) has a string code. */
function resultOfFailure(error: unknown): CommandResult {
  if (typeof error !== 'object' || error === null) throw error;
  const failure = error as { code?: unknown; stdout?: unknown; stderr?: unknown; message?: unknown };
  const stdout = typeof failure.stdout === 'string' ? failure.stdout : '';
  const stderr = typeof failure.stderr === 'string' ? failure.stderr : '';
  if (typeof failure.code === 'number') return { code: failure.code, stdout, stderr };
  if (typeof failure.code === 'string') {
    // The program could not be started at all: report it like a shell would, exit 127.
    return { code: 127, stdout, stderr: stderr || String(failure.message) };
  }
  return { code: null, stdout, stderr };
}
