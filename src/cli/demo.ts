// `tsvip demo`: the failover story on this machine, live (README "`tsvip demo`"). Needs root for the
// network namespaces; everything it makes is removed on exit, on failure and on Ctrl-C.
import { runDemo } from '../demo/run-demo.js';
import { LabPreflightError } from '../lab/errors.js';
import type { CliIo } from './io.js';

export interface DemoCliOptions {
  plain: boolean;
  holdMs: number;
  ipv6: boolean;
}

export async function runDemoCommand(options: DemoCliOptions, io: CliIo, isTty: boolean): Promise<number> {
  const live = isTty && !options.plain;
  try {
    await runDemo({ live, colour: live && process.env.NO_COLOR === undefined, write: io.stdout, holdMs: options.holdMs, ipv6: options.ipv6 });
    return 0;
  } catch (error) {
    if (error instanceof LabPreflightError) {
      io.stderr(`tsvip demo: this machine cannot host the demo's network namespaces:\n${error.message}\n`);
      return 1;
    }
    io.stderr(`tsvip demo: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
