// When each step of a start was done, for the 'started' log line: an operator whose daemon comes up
// late sees which step took the time (reading the config, loading the code, the stale VIPs, the
// instances, the load balancers' worker threads, the status server), and `npm run bench -- footprint`
// reads the same line from every host it starts.

export type StartupStep = 'configLoaded' | 'codeLoaded' | 'staleVipsCleared' | 'instancesStarted' | 'loadBalancersStarted' | 'statusStarted';

export class StartupTimeline {
  private readonly marks: Partial<Record<StartupStep, number>> = {};

  /** `now` in ms since Node's time origin (performance.now(): the process's start, as near as Node knows). */
  constructor(private readonly now: () => number = () => performance.now()) {}

  mark(step: StartupStep): void {
    this.marks[step] = Math.round(this.now());
  }

  /** The steps marked so far and `started` (now), each in ms since the process started. */
  summary(): Partial<Record<StartupStep | 'started', number>> {
    return { ...this.marks, started: Math.round(this.now()) };
  }
}
