// An interface tracker (keepalived's track_interface): up while the link is administratively up and
// has carrier (IFF_UP and IFF_RUNNING, keepalived's IF_FLAGS_UP). Fed from outside by the daemon with
// rtnetlink link events; no rise/fall, the kernel's word is taken at once, as keepalived does.
import { ChangeListeners, type Tracker, type TrackerListener, type TrackerState } from './tracker.js';

export interface LinkState {
  /** IFF_UP: set up by the administrator. */
  up: boolean;
  /** IFF_RUNNING: carrier (operationally up). */
  running: boolean;
}

export interface InterfaceTrackerOptions {
  name: string;
  /** The link as it is now; null when the interface does not exist. */
  initial: LinkState | null;
}

export class InterfaceTracker implements Tracker {
  readonly name: string;
  private current: TrackerState;
  private detail: string;
  private readonly listeners = new ChangeListeners();

  constructor(options: InterfaceTrackerOptions) {
    this.name = options.name;
    this.current = stateOf(options.initial);
    this.detail = describeLink(options.initial);
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

  /** A link event for this interface; null when it was deleted. Repeats of the same state are ignored. */
  setLink(link: LinkState | null): void {
    const before = this.current;
    this.current = stateOf(link);
    this.detail = describeLink(link);
    if (this.current !== before) this.listeners.emit({ from: before, to: this.current, up: this.up, detail: this.detail });
  }
}

function stateOf(link: LinkState | null): TrackerState {
  return link !== null && link.up && link.running ? 'up' : 'down';
}

function describeLink(link: LinkState | null): string {
  if (link === null) return 'no such interface';
  if (!link.up) return 'link down';
  return link.running ? 'link up' : 'no carrier';
}
