// The data path's timers (connectTimeout, firstByteTimeout, idleTimeout) as a binary min-heap of
// deadlines: the worker blocks in epoll_wait, so Node's timers never run there; the loop waits until
// the earliest deadline instead. Entries are never removed early: an entry whose owner has moved its
// deadline is simply found stale when it comes due (the owner checks its own deadlines).

export interface DeadlineOwner {
  /** Called once the entry's time has come; the owner checks what is due and schedules its next one. */
  onDeadline(now: number): void;
}

/** A scheduled deadline; setting `owner` to null cancels it (and lets go of the owner at once). */
export interface DeadlineEntry {
  due: number;
  owner: DeadlineOwner | null;
}
type Entry = DeadlineEntry;

export class DeadlineHeap {
  private readonly entries: Entry[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** The earliest deadline, or Infinity. */
  get next(): number {
    return this.entries[0]?.due ?? Infinity;
  }

  push(due: number, owner: DeadlineOwner): DeadlineEntry {
    const entries = this.entries;
    const added: Entry = { due, owner };
    entries.push(added);
    let index = entries.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = entries[parent] as Entry;
      const entry = entries[index] as Entry;
      if (above.due <= entry.due) break;
      entries[parent] = entry;
      entries[index] = above;
      index = parent;
    }
    return added;
  }

  /** Calls onDeadline for every entry due at `now`, earliest first. */
  runDue(now: number): void {
    while (this.entries.length > 0 && (this.entries[0] as Entry).due <= now) {
      const entry = this.pop();
      entry.owner?.onDeadline(now);
    }
  }

  clear(): void {
    this.entries.length = 0;
  }

  private pop(): Entry {
    const entries = this.entries;
    const top = entries[0] as Entry;
    const last = entries.pop() as Entry;
    if (entries.length === 0) return top;
    entries[0] = last;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < entries.length && (entries[left] as Entry).due < (entries[smallest] as Entry).due) smallest = left;
      if (right < entries.length && (entries[right] as Entry).due < (entries[smallest] as Entry).due) smallest = right;
      if (smallest === index) break;
      const swap = entries[smallest] as Entry;
      entries[smallest] = entries[index] as Entry;
      entries[index] = swap;
      index = smallest;
    }
    return top;
  }
}
