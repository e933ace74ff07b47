// The log levels `--log-level` accepts: apart from log.ts so that the command line can offer them
// without loading pino.
import type { LevelWithSilent } from 'pino';

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
