// `tsvip start -c FILE [--log-level L] [--pretty]`: the daemon in the foreground. The config is
// checked first (the same errors as `check`), then the host, then it acts. Signals (README
// "`tsvip start`"): SIGTERM/SIGINT give the VIP up (priority 0, VIPs removed) and exit 0 within 2 s;
// SIGHUP reloads, and an invalid new config is rejected with its errors while the running one stays.
import type { Logger, LevelWithSilent } from 'pino';
import { ConfigError, formatProblem, TsvipError } from '../errors.js';
import { loadForCommand } from './load-for-command.js';
import { loadConfigFile } from '../config/load.js';
import type { Daemon } from '../daemon.js';
import { StartupTimeline } from '../daemon/startup-timeline.js';
import { createLogger, partLogger } from '../log.js';
import { prettyStream } from '../log-pretty.js';
import type { CliIo } from './io.js';

export interface StartOptions {
  config: string;
  logLevel: LevelWithSilent;
  pretty: boolean;
}

/**
 * Giving the VIPs up must be done within 2 s (the kubelet and systemd wait longer); load balancers
 * then get their shutdownDrain on top. Whatever is not done by then is abandoned.
 */
const VRRP_SHUTDOWN_MS = 1800;

export async function runStart(options: StartOptions, io: CliIo): Promise<number> {
  const timeline = new StartupTimeline();
  const config = await loadForCommand(options.config, io);
  if (config === null) return 1;
  timeline.mark('configLoaded');

  const logger = createLogger(options.pretty ? { level: options.logLevel, destination: prettyStream() } : { level: options.logLevel });
  const log = partLogger(logger, 'daemon');
  // Signals are taken from here on: a SIGTERM during start-up is answered once the daemon is up
  // (so it still gives its VIPs back), not by Node's default of dying on the spot.
  const signals = new SignalQueue();
  let daemon: Daemon;
  try {
    // The host first (checks, then a predecessor's stale VIPs removed), loading only what that needs;
    // the daemon's code (VRRP sockets, the data path, the status server, prom-client) after it. Each is
    // loaded only once the config is known to be good: a rejected config costs no more than `check`.
    const [{ takeHostAtStart }, { systemHostPorts }] = await Promise.all([import('../daemon/host-at-start.js'), import('../daemon/system-host-ports.js')]);
    const host = await takeHostAtStart(config, systemHostPorts(), logger, timeline);
    const daemonModule = await import('../daemon.js');
    timeline.mark('codeLoaded');
    daemon = await daemonModule.Daemon.start(config, { logger, timeline, host });
  } catch (error) {
    signals.close();
    if (error instanceof TsvipError) {
      log.fatal({ code: error.code, err: error }, 'cannot start');
      io.stderr(`tsvip: cannot start (${error.code}):\n${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const code = await serve(daemon, signals, options.config, log);
  // The daemon has given its VIPs up and closed what it opened. Whatever handle is still open (a
  // library's socket, a connection that outlived the drain deadline) must not keep a stopped daemon
  // alive: the benchmark saw one outlive SIGTERM by 15 s after 10k connections closed at once.
  setImmediate(() => process.exit(code));
  return code;
}

/** Records SIGTERM/SIGINT/SIGHUP until someone handles them. */
class SignalQueue {
  private pending: NodeJS.Signals[] = [];
  private handler: ((signal: NodeJS.Signals) => void) | null = null;
  private readonly listener = (signal: NodeJS.Signals): void => {
    if (this.handler === null) this.pending.push(signal);
    else this.handler(signal);
  };

  constructor() {
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, this.listener);
  }

  handle(handler: (signal: NodeJS.Signals) => void): void {
    this.handler = handler;
    for (const signal of this.pending.splice(0)) handler(signal);
  }

  close(): void {
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.off(signal, this.listener);
  }
}

function serve(daemon: Daemon, signals: SignalQueue, configFile: string, log: Logger): Promise<number> {
  return new Promise((resolve) => {
    let reloading: Promise<void> = Promise.resolve();
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      const deadlineMs = VRRP_SHUTDOWN_MS + daemon.drainBudgetMs;
      const deadline = setTimeout(() => {
        log.error({ code: 'ERR_SHUTDOWN_DEADLINE', deadlineMs }, 'shutdown did not finish in time; exiting anyway');
        signals.close();
        resolve(0);
      }, deadlineMs);
      deadline.unref();
      daemon.shutdown(signal).then(
        () => {
          clearTimeout(deadline);
          signals.close();
          resolve(0);
        },
        (error: unknown) => {
          log.error({ err: error, code: 'ERR_SHUTDOWN' }, 'shutdown failed');
          signals.close();
          resolve(1);
        },
      );
    };
    signals.handle((signal) => {
      if (signal === 'SIGHUP') {
        if (!stopping) reloading = reloading.then(() => reload(daemon, configFile, log));
      } else {
        stop(signal);
      }
    });
  });
}

async function reload(daemon: Daemon, configFile: string, log: Logger): Promise<void> {
  log.info({ file: configFile }, 'SIGHUP: reloading');
  try {
    const { config, warnings } = await loadConfigFile(configFile);
    for (const warning of warnings) log.warn({ problem: formatProblem(warning) }, 'config warning');
    await daemon.reload(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      log.error({ code: error.code, problems: error.problems.map(formatProblem) }, 'reload rejected: the new config is invalid; the running one stays');
    } else if (error instanceof TsvipError) {
      log.error({ code: error.code, err: error }, 'reload rejected; the running config stays');
    } else {
      log.error({ err: error, code: 'ERR_RELOAD' }, 'reload failed');
    }
  }
}
