// `tsvip check -c FILE [--json]`: exit 0 with a summary (or the normalized config), 1 with every error.
import { ConfigError, ConfigFileError, formatProblem } from '../errors.js';
import { loadConfigFile } from '../config/load.js';
import { configSummary } from './summary.js';
import type { CliIo } from './io.js';

export interface CheckOptions {
  config: string;
  json: boolean;
}

export async function runCheck(options: CheckOptions, io: CliIo): Promise<number> {
  try {
    const { config, warnings } = await loadConfigFile(options.config);
    for (const warning of warnings) io.stderr(`${formatProblem({ ...warning, message: `warning: ${warning.message}` })}\n`);
    io.stdout(options.json ? `${JSON.stringify(config, null, 2)}\n` : configSummary(options.config, config));
    return 0;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ConfigFileError) {
      io.stderr(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
