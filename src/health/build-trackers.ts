// From an instance's `track:` list to running trackers and the TrackerSet that weighs them.
// Throws (ERR_COMMAND_LINE, ERR_CA_FILE) before anything runs when a tracker cannot work at all.
import type { Logger } from 'pino';
import { parseHostPort } from '../net/host-port.js';
import type { TrackerConfig, VrrpInstanceConfig } from '../config/schema.js';
import { TsvipError } from '../errors.js';
import type { Clock } from '../clock.js';
import type { Checker } from './checker.js';
import { commandArgv } from '../command/command-line.js';
import { httpChecker } from './http-check.js';
import { InterfaceTracker, type LinkState } from './interface-tracker.js';
import { HealthMonitor } from './monitor.js';
import { scriptChecker } from './script-check.js';
import { tcpChecker } from './tcp-check.js';
import { ExternalTracker, TrackerSet, type TrackedEntry } from './tracker-set.js';

type CheckedConfig = Extract<TrackerConfig, { type: 'http' | 'https' | 'tcp' | 'script' }>;

export interface BuildTrackersOptions {
  track: VrrpInstanceConfig['track'];
  /** The interface's link now (rtnetlink), or null when it does not exist. */
  linkState: (name: string) => LinkState | null;
  clock?: Clock;
  /** Tracker state changes are logged here, once each. */
  logger?: Logger;
}

export interface InstanceTrackers {
  set: TrackerSet;
  monitors: readonly HealthMonitor[];
  interfaces: readonly InterfaceTracker[];
  /** `backends` trackers, for the load balancer to feed (set({ up, detail })). */
  backends: readonly { loadBalancer: string; tracker: ExternalTracker }[];
  /** Feeds a link event to every tracker of that interface (null: the interface was deleted). */
  setLink(name: string, link: LinkState | null): void;
  start(): void;
  stop(): void;
}

/** A stable name for status pages and logs: `script:/etc/tsvip/check.sh`, `interface:eth1`. */
export function trackerName(config: TrackerConfig): string {
  switch (config.type) {
    case 'http':
    case 'https':
      return `${config.type}:${config.url}`;
    case 'tcp':
      return `tcp:${config.address}`;
    case 'script':
      return `script:${typeof config.command === 'string' ? config.command : config.command.join(' ')}`;
    case 'interface':
      return `interface:${config.name}`;
    case 'backends':
      return `backends:${config.loadBalancer}`;
  }
}

export function checkerFor(config: CheckedConfig, options: { clock?: Clock } = {}): Checker {
  switch (config.type) {
    case 'http':
    case 'https':
      return httpChecker({ url: config.url, insecureSkipVerify: config.insecureSkipVerify, caFile: config.caFile });
    case 'tcp': {
      const parsed = parseHostPort(config.address, { allowHostname: true, keywords: [] });
      if (!parsed.ok) throw new TsvipError('ERR_TRACKER_ADDRESS', `tcp tracker ${config.address}: ${parsed.reason}`);
      return tcpChecker(parsed.value);
    }
    case 'script':
      return scriptChecker({ argv: commandArgv(config.command), timeoutMs: config.timeout, ...(options.clock ? { clock: options.clock } : {}) });
  }
}

export function buildTrackers(options: BuildTrackersOptions): InstanceTrackers {
  const entries: TrackedEntry[] = [];
  const monitors: HealthMonitor[] = [];
  const interfaces: InterfaceTracker[] = [];
  const backends: { loadBalancer: string; tracker: ExternalTracker }[] = [];
  const names = new Map<string, number>();

  for (const config of options.track) {
    // The same check listed twice is legal (two weights); the second gets `#2`.
    const base = trackerName(config);
    const seen = (names.get(base) ?? 0) + 1;
    names.set(base, seen);
    const name = seen === 1 ? base : `${base}#${seen}`;

    if (config.type === 'interface') {
      const tracker = new InterfaceTracker({ name: config.name, initial: options.linkState(config.name) });
      interfaces.push(tracker);
      entries.push({ name, type: config.type, weight: config.weight, tracker });
    } else if (config.type === 'backends') {
      const tracker = new ExternalTracker({ initial: 'init' });
      backends.push({ loadBalancer: config.loadBalancer, tracker });
      entries.push({ name, type: config.type, weight: config.weight, tracker });
    } else {
      const monitor = new HealthMonitor({
        checker: checkerFor(config, options.clock ? { clock: options.clock } : {}),
        intervalMs: config.interval,
        timeoutMs: config.timeout,
        rise: config.rise,
        fall: config.fall,
        initial: 'init', // keepalived's vrrp_script default; see monitor.ts
        ...(options.clock ? { clock: options.clock } : {}),
      });
      monitors.push(monitor);
      entries.push({ name, type: config.type, weight: config.weight, tracker: monitor });
    }
  }

  const set = new TrackerSet(entries, options.logger ? { logger: options.logger } : {});
  return {
    set,
    monitors,
    interfaces,
    backends,
    setLink: (name, link) => {
      for (const tracker of interfaces) if (tracker.name === name) tracker.setLink(link);
    },
    start: () => {
      for (const monitor of monitors) monitor.start();
    },
    stop: () => {
      for (const monitor of monitors) monitor.stop();
    },
  };
}
