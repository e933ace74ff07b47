// An interface tracker (keepalived's track_interface): up while the link is administratively up and
// has carrier (IFF_UP and IFF_RUNNING, keepalived's IF_FLAGS_UP). Fed from outside by the daemon with
// rtnetlink link events; no rise/fall, the kernel's word is taken at once, as keepalived does.
import type { TrackerState } from './tracker.js';
import { ExternalTracker } from './tracker-set.js';

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

/** An ExternalTracker whose reports are link states. */
export class InterfaceTracker extends ExternalTracker {
  readonly name: string;

  constructor(options: InterfaceTrackerOptions) {
    super({ initial: stateOf(options.initial), detail: describeLink(options.initial) });
    this.name = options.name;
  }

  /** A link event for this interface; null when it was deleted. Repeats of the same state are ignored. */
  setLink(link: LinkState | null): void {
    this.set({ up: stateOf(link) === 'up', detail: describeLink(link) });
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
