// The trackers of one instance, as the daemon runs them: the configured ones plus the instance's own
// interface (weight 0: a pulled cable means FAULT, as keepalived does), fed by rtnetlink link events.
// A reload keeps every tracker whose check did not change, with its state, so a SIGHUP that only
// touches a weight or adds a tracker causes no needless state change.
import type { Logger } from 'pino';
import type { TrackerConfig, VrrpInstanceConfig } from '../config/schema.js';
import { buildTrackers, trackerName, type InstanceTrackers as BuiltTrackers } from '../health/build-trackers.js';
import { TrackerSet, type ExternalTracker, type TrackedEntry, type TrackerDescription } from '../health/tracker-set.js';
import type { Tracker } from '../health/tracker.js';
import { interfaceInfo } from '../netlink/links.js';
import type { LinkEvent } from '../netlink/events.js';
import type { Clock } from '../clock.js';

interface RunningTracker {
  /** The check without its weight: what decides whether a reload can keep it. */
  key: string;
  name: string;
  config: TrackerConfig;
  tracker: Tracker;
  built: BuiltTrackers;
}

export interface InstanceTrackersOptions {
  clock: Clock;
  logger: Logger;
  /** The weight sum or the fault state changed, or a weight-0 tracker answered for the first time. */
  onChange: () => void;
}

function withOwnInterface(config: VrrpInstanceConfig): TrackerConfig[] {
  const own = config.track.some((tracker) => tracker.type === 'interface' && tracker.name === config.interface && tracker.weight === 0);
  return own ? [...config.track] : [{ type: 'interface', name: config.interface, weight: 0 }, ...config.track];
}

function checkKey(config: TrackerConfig): string {
  const { weight: _weight, ...check } = config;
  return JSON.stringify(check);
}

const linkState = (name: string): { up: boolean; running: boolean } | null => {
  const info = interfaceInfo(name);
  return info === null ? null : { up: info.up, running: info.running };
};

export class InstanceTrackers {
  private running: RunningTracker[] = [];
  private set: TrackerSet;
  private started = false;
  /** Subscriptions to the weight-0 trackers' first answer (TrackerSet reports only sum and fault changes). */
  private firstAnswers: (() => void)[] = [];

  constructor(
    config: VrrpInstanceConfig,
    private readonly options: InstanceTrackersOptions,
  ) {
    this.running = withOwnInterface(config).map((tracker) => this.build(tracker));
    this.set = this.combine(withOwnInterface(config));
  }

  start(): void {
    this.started = true;
    for (const entry of this.running) entry.built.start();
  }

  stop(): void {
    this.started = false;
    for (const entry of this.running) entry.built.stop();
    this.closeSet();
  }

  weightSum(): number {
    return this.set.weightSum();
  }

  faulted(): boolean {
    return this.set.faulted();
  }

  describe(): TrackerDescription[] {
    return this.set.describe();
  }

  /** A weight-0 tracker has not answered yet: a FAULT it causes is not yet known to be real. */
  faultUnanswered(): boolean {
    return this.set.describe().some((tracker) => tracker.weight === 0 && tracker.state === 'init');
  }

  /** The `backends` trackers, for the daemon to feed from each load balancer's health. */
  backendsTrackers(): { loadBalancer: string; tracker: ExternalTracker }[] {
    return this.running.flatMap((entry) => entry.built.backends.map(({ loadBalancer, tracker }) => ({ loadBalancer, tracker })));
  }

  onLink(event: LinkEvent): void {
    for (const entry of this.running) entry.built.setLink(event.name, { up: event.up, running: event.running });
  }

  /** SIGHUP: keep unchanged checks (and their state), start new ones, stop removed ones. */
  update(config: VrrpInstanceConfig): void {
    const wanted = withOwnInterface(config);
    const previous = this.running;
    const kept = new Set<RunningTracker>();
    this.running = wanted.map((tracker) => {
      const reusable = previous.find((entry) => !kept.has(entry) && entry.key === checkKey(tracker));
      if (reusable !== undefined) {
        kept.add(reusable);
        return { ...reusable, config: tracker };
      }
      const fresh = this.build(tracker);
      if (this.started) fresh.built.start();
      return fresh;
    });
    for (const entry of previous) if (!kept.has(entry)) entry.built.stop();
    this.closeSet();
    this.set = this.combine(wanted);
  }

  private build(config: TrackerConfig): RunningTracker {
    const built = buildTrackers({ track: [config], linkState, clock: this.options.clock, logger: this.options.logger });
    built.set.close();
    const tracker: Tracker | undefined = built.monitors[0] ?? built.interfaces[0] ?? built.backends[0]?.tracker;
    if (tracker === undefined) throw new Error(`no tracker built for ${trackerName(config)}`);
    return { key: checkKey(config), name: trackerName(config), config, tracker, built };
  }

  private combine(configs: readonly TrackerConfig[]): TrackerSet {
    const names = new Map<string, number>();
    const entries: TrackedEntry[] = this.running.map((entry, index) => {
      const seen = (names.get(entry.name) ?? 0) + 1;
      names.set(entry.name, seen);
      const config = configs[index] ?? entry.config;
      return { name: seen === 1 ? entry.name : `${entry.name}#${seen}`, type: config.type, weight: config.weight, tracker: entry.tracker };
    });
    const set = new TrackerSet(entries, { logger: this.options.logger });
    set.onChange(() => this.options.onChange());
    for (const entry of entries) {
      if (entry.weight !== 0) continue;
      this.firstAnswers.push(
        entry.tracker.onChange((change) => {
          if (change.from === 'init') this.options.onChange();
        }),
      );
    }
    return set;
  }

  private closeSet(): void {
    this.set.close();
    for (const unsubscribe of this.firstAnswers.splice(0)) unsubscribe();
  }
}
