// A clock that only moves when the test says so: timers fire in order, deterministically.
import type { Clock, TimerHandle } from '../../src/clock.js';

interface Pending {
  id: number;
  atMs: number;
  callback: () => void;
}

export class FakeClock implements Clock {
  private nowMs = 0;
  private nextId = 1;
  private pending: Pending[] = [];

  now(): number {
    return this.nowMs;
  }

  setTimeout(callback: () => void, afterMs: number): TimerHandle {
    const timer = { id: this.nextId++, atMs: this.nowMs + Math.max(0, afterMs), callback };
    this.pending.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending = this.pending.filter((timer) => timer.id !== handle.id);
  }

  /** Runs every timer due within `ms`, in time order (ties in the order they were set). */
  advance(ms: number): void {
    const until = this.nowMs + ms;
    for (;;) {
      const due = this.pending.filter((t) => t.atMs <= until).sort((a, b) => a.atMs - b.atMs || a.id - b.id)[0];
      if (!due) break;
      this.pending = this.pending.filter((t) => t !== due);
      this.nowMs = due.atMs;
      due.callback();
    }
    this.nowMs = until;
  }
}
