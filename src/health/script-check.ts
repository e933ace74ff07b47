// Script check (keepalived's vrrp_script): healthy when the program exits 0 within the timeout.
import type { Clock } from '../clock.js';
import { abortDetail, type Checker } from './checker.js';
import { describeRun, runCommand, runSucceeded } from '../command/run-command.js';

export interface ScriptCheckOptions {
  argv: readonly string[];
  /** The program's own limit; the monitor's abort (same timeout) usually comes first. */
  timeoutMs: number;
  env?: Readonly<Record<string, string>>;
  clock?: Clock;
}

export function scriptChecker(options: ScriptCheckOptions): Checker {
  return {
    check: async (signal) => {
      const result = await runCommand({ ...options, signal });
      if (runSucceeded(result)) return { ok: true, detail: 'exit 0' };
      // Aborted by the monitor's timeout: say so in its words ("timed out after 1000 ms").
      const detail = result.aborted ? `${abortDetail(signal)}, killed process group` : describeRun(result, options);
      return { ok: false, detail };
    },
  };
}
