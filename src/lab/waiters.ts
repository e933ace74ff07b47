// Waiting on what a process prints: its output arrives in chunks, lines are parsed as they complete,
// and callers wait for a condition over what was seen so far, with a time limit that says what was
// awaited. Shared by the VIP prober, keepalived's log reader and the benchmark's VIP watcher.
import type { Readable } from 'node:stream';

/** Calls `handle` with each complete line of `stream` (text without the newline). */
export function onLines(stream: Readable | null | undefined, handle: (line: string) => void): void {
  let partial = '';
  stream?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) handle(line);
  });
}

export class Waiters {
  private readonly waiting = new Set<() => void>();

  /** Something new was seen: every waiter checks its condition again. */
  wake(): void {
    for (const check of [...this.waiting]) check();
  }

  /** Resolves with `find()`'s first defined value; rejects with `timeoutError()` after `timeoutMs`. */
  waitFor<T>(find: () => T | undefined, options: { timeoutMs: number; timeoutError: () => Error }): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = find();
        if (found === undefined) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(options.timeoutError());
      }, options.timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiting.delete(check);
      };
      this.waiting.add(check);
      check();
    });
  }
}
