// The trackers of one VRRP instance and what they do to it, as keepalived's weights do:
// - weight 0: the instance is in FAULT while the tracker is not up (down, or 'init': no answer yet);
// - negative weight: added to the priority while the tracker is down;
// - positive weight: added to the priority while the tracker is up.
// A tracker in 'init' moves no priority either way (keepalived's initialise_track_script_state).
// The priority itself (base + weightSum, clamped; the owner never moves) is fsm.ts effectivePriority().
import type { Logger } from 'pino';
import type { TrackerConfig } from '../config/schema.js';
import { TsvipError } from '../errors.js';
import { ChangeListeners, type Tracker, type TrackerChange, type TrackerListener, type TrackerState } from './tracker.js';

export type TrackerType = TrackerConfig['type'];

export interface TrackedEntry {
  /** Unique in the set: `script:/etc/tsvip/check.sh`, `interface:eth1` (build-trackers.ts). */
  name: string;
  type: TrackerType;
  weight: number;
  tracker: Tracker;
}

export interface TrackerSetState {
  weightSum: number;
  faulted: boolean;
  /** Names of the weight-0 trackers that hold the instance in FAULT. */
  faultedBy: string[];
}

export interface TrackerDescription {
  name: string;
  type: TrackerType;
  state: TrackerState;
  up: boolean;
  weight: number;
  detail: string;
}

/** What one tracker in one state does to its instance. */
export function contribution(state: TrackerState, weight: number): { weight: number; faults: boolean } {
  if (weight === 0) return { weight: 0, faults: state !== 'up' };
  if (weight < 0) return { weight: state === 'down' ? weight : 0, faults: false };
  return { weight: state === 'up' ? weight : 0, faults: false };
}

export class TrackerSet {
  private readonly entries: readonly TrackedEntry[];
  private readonly listeners = new Set<(state: TrackerSetState) => void>();
  private readonly unsubscribes: (() => void)[] = [];
  private readonly transitions = new Map<string, number>();
  private last: TrackerSetState;

  constructor(
    entries: readonly TrackedEntry[],
    private readonly options: { logger?: Logger } = {},
  ) {
    const seen = new Set<string>();
    for (const entry of entries) {
      if (seen.has(entry.name)) throw new TsvipError('ERR_TRACKER_NAME', `two trackers are named ${entry.name}`);
      seen.add(entry.name);
    }
    this.entries = [...entries];
    this.last = this.compute();
    for (const entry of this.entries) {
      this.unsubscribes.push(entry.tracker.onChange((change) => this.trackerChanged(entry, change)));
    }
  }

  weightSum(): number {
    return this.last.weightSum;
  }

  faulted(): boolean {
    return this.last.faulted;
  }

  state(): TrackerSetState {
    return { ...this.last, faultedBy: [...this.last.faultedBy] };
  }

  describe(): TrackerDescription[] {
    return this.entries.map(({ name, type, weight, tracker }) => ({
      name,
      type,
      state: tracker.state,
      up: tracker.up,
      weight,
      detail: tracker.lastDetail,
    }));
  }

  /** Called when the weight sum or the fault state changes (not on every tracker change). */
  onChange(listener: (state: TrackerSetState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops listening to the trackers (they keep running; their owner stops them). */
  close(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    this.listeners.clear();
  }

  private trackerChanged(entry: TrackedEntry, change: TrackerChange): void {
    const count = (this.transitions.get(entry.name) ?? 0) + 1;
    this.transitions.set(entry.name, count);
    this.options.logger?.info(
      { tracker: entry.name, from: change.from, to: change.to, detail: change.detail, weight: entry.weight, transitions: count },
      `tracker ${entry.name}: ${change.from} -> ${change.to} (${change.detail})`,
    );
    const before = this.last;
    this.last = this.compute();
    if (before.weightSum === this.last.weightSum && before.faulted === this.last.faulted) return;
    for (const listener of [...this.listeners]) listener(this.state());
  }

  private compute(): TrackerSetState {
    let weightSum = 0;
    const faultedBy: string[] = [];
    for (const entry of this.entries) {
      const effect = contribution(entry.tracker.state, entry.weight);
      weightSum += effect.weight;
      if (effect.faults) faultedBy.push(entry.name);
    }
    return { weightSum, faulted: faultedBy.length > 0, faultedBy };
  }
}

/**
 * A tracker whose state someone else decides: the load balancer reports whether a pool has a backend
 * up (`backends` trackers). Starts in `initial` until the first set().
 */
export class ExternalTracker implements Tracker {
  private current: TrackerState;
  private detail: string;
  private readonly listeners = new ChangeListeners();

  constructor(options: { initial: TrackerState; detail?: string }) {
    this.current = options.initial;
    this.detail = options.detail ?? (options.initial === 'init' ? 'no report yet' : options.initial);
  }

  get state(): TrackerState {
    return this.current;
  }

  get up(): boolean {
    return this.current === 'up';
  }

  get lastDetail(): string {
    return this.detail;
  }

  onChange(listener: TrackerListener): () => void {
    return this.listeners.add(listener);
  }

  set(report: { up: boolean; detail: string }): void {
    const before = this.current;
    this.current = report.up ? 'up' : 'down';
    this.detail = report.detail;
    if (this.current !== before) this.listeners.emit({ from: before, to: this.current, up: report.up, detail: report.detail });
  }
}
