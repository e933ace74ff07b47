// Runs `tsvip start` in a lab host the way an operator does (bin/tsvip, a vip.yaml file, JSON logs on
// stdout), and reads what it says: state changes, the counters it logs when it stops.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { TSVIP_NODE_FLAGS } from '../node-flags.js';
import { inSingleExecutable } from '../self.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { Lab, LabHost } from './lab.js';
import type { ProcessExit, SpawnedProcess } from './spawned-process.js';

export const TSVIP_BIN = fileURLToPath(new URL('../../bin/tsvip', import.meta.url));

export { TSVIP_NODE_FLAGS } from '../node-flags.js';

export interface LogRecord {
  level: number;
  msg: string;
  part?: string;
  instance?: string;
  code?: string;
  [key: string]: unknown;
}

export interface Transition {
  instance: string;
  from: string;
  to: string;
  reason: string;
  priority: number;
}

export interface TsvipDaemon {
  readonly host: LabHost;
  readonly configFile: string;
  readonly process: SpawnedProcess;
  /** Every JSON log line so far. */
  logs(): LogRecord[];
  transitions(): Transition[];
  /** The state after the last transition ('initialize' before the first). */
  state(instance?: string): string;
  /** Waits until the instance is in `state`; throws with the daemon's output after `limitMs`. */
  waitForState(state: string, options?: { instance?: string; limitMs?: number }): Promise<void>;
  /** Waits for a log line that matches. */
  waitForLog(match: (record: LogRecord) => boolean, what: string, limitMs?: number): Promise<LogRecord>;
  /** Rewrites the config file (for SIGHUP). */
  rewrite(config: unknown): void;
  kill(signal?: NodeJS.Signals): void;
  readonly exited: Promise<ProcessExit>;
}

export async function waitUntil<T>(read: () => T | undefined | Promise<T | undefined>, what: string, limitMs = 20_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() - start > limitMs) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function configText(config: unknown): string {
  return typeof config === 'string' ? config : stringify(config);
}

/** How to run the tsvip that runs this code: the single executable itself, or node with bin/tsvip and its flags. */
export function ownTsvipProgram(): string[] {
  return inSingleExecutable ? [process.execPath] : [process.execPath, ...TSVIP_NODE_FLAGS, TSVIP_BIN];
}

export interface StartTsvipOptions {
  logLevel?: string;
  extraArgs?: readonly string[];
  /** The node binary to run bin/tsvip with: this process's own unless told. */
  node?: string;
  /** What runs tsvip instead of `node bin/tsvip`: the single executable, say, with a wrapper before it. */
  program?: readonly string[];
}

export function startTsvip(lab: Lab, host: LabHost, config: unknown, options: StartTsvipOptions = {}): TsvipDaemon {
  const dir = mkdtempSync(join(tmpdir(), `tsvip-${host.name}-`));
  const configFile = join(dir, 'vip.yaml');
  writeFileSync(configFile, configText(config));
  const program = options.program ?? (options.node === undefined ? ownTsvipProgram() : [options.node, ...TSVIP_NODE_FLAGS, TSVIP_BIN]);
  const child = lab.spawn(host, [...program, 'start', '-c', configFile, '--log-level', options.logLevel ?? 'debug', ...(options.extraArgs ?? [])]);
  const logs = (): LogRecord[] =>
    child
      .output()
      .stdout.split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as LogRecord];
        } catch {
          return [];
        }
      });
  const transitions = (): Transition[] =>
    logs()
      // Tracker changes also carry from/to; a state change is the line with a reason and no tracker.
      .filter((record) => record.part === 'vrrp' && typeof record.reason === 'string' && record.tracker === undefined && typeof record.to === 'string')
      .map((record) => ({ instance: String(record.instance), from: String(record.from), to: String(record.to), reason: String(record.reason), priority: Number(record.priority) }));
  const state = (instance?: string): string => transitions().filter((t) => instance === undefined || t.instance === instance).at(-1)?.to ?? 'initialize';
  // A daemon that has exited will never reach the state: the waits below fail at once, with its output.
  let exit: ProcessExit | null = null;
  void child.exited.then((result) => (exit = result));
  const unlessExited = <T>(value: T | undefined): T | undefined => {
    if (value === undefined && exit !== null) throw new Error(`${host.name}: tsvip exited (code ${String(exit.code)}, signal ${String(exit.signal)}) while a test waited for it`);
    return value;
  };
  const describe = (): string => `${host.name}: stdout:\n${child.output().stdout.slice(-4000)}\nstderr:\n${child.output().stderr.slice(-2000)}`;
  return {
    host,
    configFile,
    process: child,
    logs,
    transitions,
    state,
    waitForState: async (wanted, waitOptions = {}) => {
      try {
        await waitUntil(() => unlessExited(state(waitOptions.instance) === wanted ? true : undefined), `${host.name} to be ${wanted}`, waitOptions.limitMs ?? 20_000);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${describe()}`, { cause: error });
      }
    },
    waitForLog: async (match, what, limitMs = 20_000) => {
      try {
        return await waitUntil(() => unlessExited(logs().find(match)), `${host.name}: ${what}`, limitMs);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${describe()}`, { cause: error });
      }
    },
    rewrite: (next) => writeFileSync(configFile, configText(next)),
    kill: (signal) => child.kill(signal),
    exited: child.exited,
  };
}
