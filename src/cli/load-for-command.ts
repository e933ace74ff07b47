// How every command that takes `-c vip.yaml` reads it: the config, or `check`'s exact errors on
// stderr and exit 1; warnings go to stderr and do not stop the command.
import { loadConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { ConfigError, ConfigFileError, formatProblem } from '../errors.js';
import type { CliIo } from './io.js';

export async function loadForCommand(file: string, io: CliIo): Promise<Config | null> {
  try {
    const { config, warnings } = await loadConfigFile(file);
    for (const warning of warnings) io.stderr(`${formatProblem({ ...warning, message: `warning: ${warning.message}` })}\n`);
    return config;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ConfigFileError) {
      io.stderr(`${error.message}\n`);
      return null;
    }
    throw error;
  }
}
