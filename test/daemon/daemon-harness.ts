// One scripted host (FakeHost), a fake clock and a daemon on them, with its JSON log lines collected:
// what the daemon tests start from. Time moves only when a test advances it.
import { pino } from 'pino';
import { Daemon } from '../../src/daemon.js';
import type { Config } from '../../src/config/schema.js';
import { FakeClock } from '../vrrp/fake-clock.js';
import { FakeHost, type FakeHostOptions } from './fake-ports.js';

export interface LogLine {
  msg: string;
  code?: string;
  [key: string]: unknown;
}

/** Lets promise chains (VIP adds, announcements after them) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

export class DaemonHarness {
  readonly host: FakeHost;
  readonly clock = new FakeClock();
  readonly logs: LogLine[] = [];
  readonly logger = pino({ level: 'debug' }, { write: (line: string) => void this.logs.push(JSON.parse(line) as LogLine) });
  daemon: Daemon | null = null;

  constructor(hostOptions: FakeHostOptions) {
    this.host = new FakeHost(hostOptions);
  }

  async start(config: Config): Promise<Daemon> {
    this.daemon = await Daemon.start(config, { logger: this.logger, clock: this.clock, ports: this.host.ports });
    return this.daemon;
  }

  async advance(ms: number): Promise<void> {
    this.clock.advance(ms);
    await settle();
  }

  logged(message: string): LogLine[] {
    return this.logs.filter((line) => line.msg === message);
  }
}
