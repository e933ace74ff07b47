// Typed errors with stable codes (as undici's lib/core/errors.js): callers and tests branch on `code`,
// never on message text, and `cause` keeps the underlying error for the logs. The codes are listed in
// src/codes.ts and explained in docs/codes.md.
import type { ErrorCode } from './codes.js';

export class TsvipError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** One thing wrong with a config file, located at the offending value. */
export interface ConfigProblem {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Key path in the document, such as `vrrp[0].priority`. */
  readonly keyPath: string;
  readonly message: string;
}

export function formatProblem(problem: ConfigProblem): string {
  return `${problem.file}:${problem.line}:${problem.col} ${problem.keyPath}: ${problem.message}`;
}

/** A config that cannot be used; `problems` lists every error found, not only the first. */
export class ConfigError extends TsvipError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    super('ERR_CONFIG_INVALID', problems.map(formatProblem).join('\n'), options);
    this.problems = problems;
  }
}

/** The config file could not be read at all (missing, unreadable, a directory). */
export class ConfigFileError extends TsvipError {
  readonly file: string;
  /** Why, without the file name: `no such file`. */
  readonly reason: string;

  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super('ERR_CONFIG_FILE', `${file}: ${reason}`, options);
    this.file = file;
    this.reason = reason;
  }
}
