// Time is injected: the runtime takes a Clock, tests drive a fake one (not global fake timers), and
// the pure parts (packet.ts, fsm.ts) get none.

export interface TimerHandle {
  readonly id: unknown;
}

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, afterMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, afterMs) => ({ id: setTimeout(callback, afterMs) }),
  clearTimeout: (handle) => clearTimeout(handle.id as NodeJS.Timeout),
};
