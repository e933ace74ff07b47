// What the probers share: a wall clock with sub-ms resolution, the fixed schedule of attempts and
// the JSON line each attempt ends with.
import { performance } from 'node:perf_hooks';

/** Wall-clock ms with sub-ms resolution, comparable with Date.now() in the process that runs a prober. */
export const now = (): number => performance.timeOrigin + performance.now();

export interface AttemptLine {
  t: number;
  ok: boolean;
  server: string | null;
  error: string | null;
}

export function printAttempt(line: AttemptLine): void {
  process.stdout.write(`${JSON.stringify({ ...line, ms: Math.round((now() - line.t) * 10) / 10 })}\n`);
}

/**
 * Starts `attempt` every `intervalMs` on a fixed schedule from now: a late timer does not push every
 * later attempt back, and a slow attempt never delays the next one (several may be in flight).
 * Prints {"ready":true} first, and exits on SIGTERM/SIGINT.
 */
export function runEvery(intervalMs: number, attempt: () => void): void {
  const start = now();
  let sent = 0;
  const tick = (): void => {
    attempt();
    sent += 1;
    setTimeout(tick, Math.max(0, start + sent * intervalMs - now()));
  };
  process.stdout.write('{"ready":true}\n');
  tick();
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}
