// notify: { master, backup, fault, stop }: the command configured for a state runs when the instance
// enters it (keepalived's notify_master/notify_backup/notify_fault/notify_stop), without a shell, with
// TSVIP_INSTANCE, TSVIP_STATE (MASTER, BACKUP, FAULT, STOP: keepalived's spelling) and TSVIP_PRIORITY
// added to the environment.
//
// Fire and forget: the election never waits for a notify. Runs are serialized per instance in the
// order of the transitions (as keepalived runs them), and each is killed with its process group at
// its timeout, so a hung command delays the ones after it by at most that long and blocks nothing else.
import type { Logger } from 'pino';
import type { VrrpInstanceConfig } from '../config/schema.js';
import { commandArgv } from '../command/command-line.js';
import { describeRun, runCommand, runSucceeded } from '../command/run-command.js';
import type { Clock } from '../clock.js';
import type { VrrpStateName } from './fsm.js';

export type NotifyCommands = VrrpInstanceConfig['notify'];
export type NotifyState = 'master' | 'backup' | 'fault' | 'stop';

export interface NotifyRunnerOptions {
  instance: string;
  notify: NotifyCommands;
  logger: Logger;
  /** Default 30 s. */
  timeoutMs?: number;
  clock?: Clock;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export class NotifyRunner {
  private commands: Partial<Record<NotifyState, string[]>>;
  private queue: Promise<void> = Promise.resolve();
  private readonly timeoutMs: number;

  /** Throws ERR_COMMAND_LINE for a command that cannot be split: found at start, not at failover. */
  constructor(private readonly options: NotifyRunnerOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.commands = parseCommands(options.notify);
  }

  /** SIGHUP: later transitions use the new commands; queued runs keep the ones they were given. */
  update(notify: NotifyCommands): void {
    this.commands = parseCommands(notify);
  }

  /**
   * The instance entered `state`. 'initialize' runs nothing (keepalived has no notify for it); 'stop'
   * is for the daemon's shutdown. Returns at once.
   */
  onState(state: VrrpStateName | 'stop', priority: number): void {
    if (state === 'initialize') return;
    const argv = this.commands[state];
    if (!argv) return;
    const env = {
      TSVIP_INSTANCE: this.options.instance,
      TSVIP_STATE: state.toUpperCase(),
      TSVIP_PRIORITY: String(priority),
    };
    // run() does not reject; the catch keeps one surprise from stopping every later notify.
    this.queue = this.queue
      .then(() => this.run(state, argv, env))
      .catch((error: unknown) => this.options.logger.error({ err: error, notify: state, code: 'ERR_NOTIFY_FAILED' }, `notify ${state} failed`));
  }

  /** Resolves when every notify queued so far has finished (or been killed): for shutdown and tests. */
  idle(): Promise<void> {
    return this.queue;
  }

  private async run(state: NotifyState, argv: string[], env: Record<string, string>): Promise<void> {
    const { logger, clock } = this.options;
    const fields = { notify: state, command: argv };
    logger.debug(fields, `running notify ${state}`);
    const result = await runCommand({ argv, env, timeoutMs: this.timeoutMs, ...(clock ? { clock } : {}) });
    if (runSucceeded(result)) return;
    const detail = describeRun(result, { timeoutMs: this.timeoutMs });
    const failure = { ...fields, detail, exitCode: result.exitCode, signal: result.signal, stderr: result.stderrTail };
    if (result.timedOut) logger.warn({ ...failure, code: 'ERR_NOTIFY_TIMEOUT' }, `notify ${state} ${detail}`);
    else logger.warn({ ...failure, code: 'ERR_NOTIFY_FAILED' }, `notify ${state} failed: ${detail}`);
  }
}

function parseCommands(notify: NotifyCommands): Partial<Record<NotifyState, string[]>> {
  const commands: Partial<Record<NotifyState, string[]>> = {};
  for (const state of ['master', 'backup', 'fault', 'stop'] as const) {
    const command = notify[state];
    if (command !== undefined) commands[state] = commandArgv(command);
  }
  return commands;
}
