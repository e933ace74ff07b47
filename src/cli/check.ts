// `tsvip check -c FILE [--json]`: exit 0 with a summary (or the normalized config), 1 with every error:
// as `FILE:LINE:COL key.path: message` lines on stderr, or with --json as one document on stdout that
// CI pipelines and editors can read.
import { loadConfigFile } from '../config/load.js';
import { ConfigError, ConfigFileError, formatProblem, type ConfigProblem } from '../errors.js';
import { loadForCommand } from './load-for-command.js';
import { configSummary } from './summary.js';
import type { CliIo } from './io.js';

export interface CheckOptions {
  config: string;
  json: boolean;
}

/** One error of `check --json`; line, column and path are null when the file could not be read at all. */
export interface CheckJsonError {
  file: string;
  line: number | null;
  column: number | null;
  path: string | null;
  message: string;
}

export async function runCheck(options: CheckOptions, io: CliIo): Promise<number> {
  if (!options.json) {
    const config = await loadForCommand(options.config, io);
    if (config === null) return 1;
    io.stdout(configSummary(options.config, config));
    return 0;
  }
  try {
    const { config, warnings } = await loadConfigFile(options.config);
    for (const warning of warnings) io.stderr(`${formatProblem({ ...warning, message: `warning: ${warning.message}` })}\n`);
    io.stdout(`${JSON.stringify(config, null, 2)}\n`);
    return 0;
  } catch (error) {
    const errors = jsonErrors(error);
    if (errors === null) throw error;
    io.stdout(`${JSON.stringify({ ok: false, errors }, null, 2)}\n`);
    return 1;
  }
}

function jsonErrors(error: unknown): CheckJsonError[] | null {
  if (error instanceof ConfigError) return error.problems.map(jsonError);
  if (error instanceof ConfigFileError) {
    return [{ file: error.file, line: null, column: null, path: null, message: error.reason }];
  }
  return null;
}

function jsonError(problem: ConfigProblem): CheckJsonError {
  return { file: problem.file, line: problem.line, column: problem.col, path: problem.keyPath, message: problem.message };
}
