// One probe of one thing (a port, a URL, a script). A checker knows nothing of intervals or rise/fall
// (monitor.ts does that); it answers once, and gives up when its signal is aborted.

export interface CheckOutcome {
  ok: boolean;
  /** Short and specific, for logs and status pages: "HTTP 503", "connect ECONNREFUSED", "exit 1". */
  detail: string;
}

export interface Checker {
  /** Never rejects: every failure is an outcome. Settles promptly once `signal` is aborted. */
  check(signal: AbortSignal): Promise<CheckOutcome>;
}

/** The reason the signal carries ("timed out after 1000 ms" from the monitor), or "aborted". */
export function abortDetail(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason.message;
  if (typeof reason === 'string') return reason;
  return 'aborted';
}

/**
 * A Node error as a short detail: "connect ECONNREFUSED" for socket errors (syscall and code, no
 * address: the tracker's name already says where), "CODE: message" for TLS and protocol errors.
 */
export function errorDetail(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code, syscall } = error as { code?: unknown; syscall?: unknown };
  if (typeof code === 'string' && typeof syscall === 'string') return `${syscall} ${code}`;
  if (typeof code === 'string') return `${code}: ${error.message}`;
  return error.message;
}
