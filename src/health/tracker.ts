// What every tracker (a health monitor, an interface, an externally fed state) shows the tracker set
// and the status page.

/**
 * `init`: no answer yet (keepalived's SCRIPT_INIT_STATE_INIT, see monitor.ts); neither up nor down
 * for weights, but it keeps a weight-0 tracker's instance out of MASTER/BACKUP.
 */
export type TrackerState = 'init' | 'up' | 'down';

export interface TrackerChange {
  from: TrackerState;
  to: TrackerState;
  up: boolean;
  detail: string;
}

export type TrackerListener = (change: TrackerChange) => void;

export interface Tracker {
  readonly state: TrackerState;
  /** state === 'up' */
  readonly up: boolean;
  readonly lastDetail: string;
  /** Called once per state change (not per check). Returns a function that unsubscribes. */
  onChange(listener: TrackerListener): () => void;
}

/** The listener list the trackers share; a listener that throws does not stop the others. */
export class ChangeListeners {
  private readonly listeners = new Set<TrackerListener>();

  add(listener: TrackerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(change: TrackerChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (error) {
        // A broken listener is a bug elsewhere; surface it without losing the other listeners' calls.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
