// Time is injected (style.md 6): the runtime takes a Clock, tests drive a fake one.

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
