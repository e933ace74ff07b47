// The data path's timers: deadlines come due in time order, each once, and a cancelled one not at all.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeadlineHeap } from '../../src/lb/engine/deadline-heap.js';

describe('DeadlineHeap', () => {
  it('runs exactly the deadlines due, earliest first, whatever the order they were pushed in', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 200 }), fc.integer({ min: 0, max: 1000 }), (dues, now) => {
        const heap = new DeadlineHeap();
        const ran: number[] = [];
        for (const due of dues) heap.push(due, { onDeadline: () => ran.push(due) });
        heap.runDue(now);
        const expected = dues.filter((due) => due <= now).sort((a, b) => a - b);
        expect(ran).toEqual(expected);
        expect(heap.size).toBe(dues.length - expected.length);
        expect(heap.next).toBe(Math.min(...dues.filter((due) => due > now), Infinity));
      }),
    );
  });

  it('a cancelled entry (owner set to null) is dropped when due without a call', () => {
    const heap = new DeadlineHeap();
    const ran: string[] = [];
    const kept = heap.push(10, { onDeadline: () => ran.push('kept') });
    const cancelled = heap.push(5, { onDeadline: () => ran.push('cancelled') });
    cancelled.owner = null;
    heap.runDue(20);
    expect(ran).toEqual(['kept']);
    expect(kept.owner).not.toBeNull();
    expect(heap.size).toBe(0);
  });

  it('an owner may push a new deadline while being run; it runs in the same call when already due', () => {
    const heap = new DeadlineHeap();
    const ran: number[] = [];
    heap.push(1, {
      onDeadline: (now) => {
        ran.push(1);
        heap.push(now, { onDeadline: () => ran.push(2) });
        heap.push(now + 100, { onDeadline: () => ran.push(3) });
      },
    });
    heap.runDue(5);
    expect(ran).toEqual([1, 2]);
    expect(heap.next).toBe(105);
  });
});
