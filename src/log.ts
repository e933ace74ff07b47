// JSON logs with pino: one root logger per process and one child per part (`{ part: 'vrrp', instance }`),
// so every line says which part of tsvip wrote it.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export { LOG_LEVELS } from './log-levels.js';

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Where lines go; stdout by default (a static pod's logs). */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    { level: options.level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    options.destination ?? process.stdout,
  );
}

export function partLogger(root: Logger, part: string, fields: Record<string, unknown> = {}): Logger {
  return root.child({ part, ...fields });
}
