// `tsvip check -c FILE [--json]`: exit 0 with a summary (or the normalized config), 1 with every error.
import { loadForCommand } from './load-for-command.js';
import { configSummary } from './summary.js';
import type { CliIo } from './io.js';

export interface CheckOptions {
  config: string;
  json: boolean;
}

export async function runCheck(options: CheckOptions, io: CliIo): Promise<number> {
  const config = await loadForCommand(options.config, io);
  if (config === null) return 1;
  io.stdout(options.json ? `${JSON.stringify(config, null, 2)}\n` : configSummary(options.config, config));
  return 0;
}
