// The lab's errors carry stable codes like the daemon's (src/errors.ts), so a test that expects a
// preflight failure checks `code`, not message text.
import { TsvipError } from '../errors.js';

/** The machine cannot host a lab (no root, no `ip`, no netns, bridge or veth support). */
export class LabPreflightError extends TsvipError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('ERR_LAB_PREFLIGHT', problems.join('\n'));
    this.problems = problems;
  }
}

/** A command that the lab ran, or that a test ran through `runOk`, exited non-zero. */
export class LabCommandError extends TsvipError {
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly stderr: string;

  constructor(argv: readonly string[], exitCode: number | null, stderr: string) {
    super('ERR_LAB_COMMAND', `lab: \`${argv.join(' ')}\` exited ${exitCode ?? 'on a signal'}: ${stderr.trim() || '(no stderr)'}`);
    this.argv = argv;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** The lab was misused: unknown host, use after destroy, a bad option. */
export class LabUsageError extends TsvipError {
  constructor(message: string) {
    super('ERR_LAB_USAGE', `lab: ${message}`);
  }
}

/** The lab waited for the kernel longer than its bound (an IPv6 link-local that never left tentative). */
export class LabTimeoutError extends TsvipError {
  constructor(message: string) {
    super('ERR_LAB_TIMEOUT', `lab: ${message}`);
  }
}
