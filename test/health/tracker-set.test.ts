import { describe, expect, test } from 'vitest';
import { InterfaceTracker } from '../../src/health/interface-tracker.js';
import type { TrackerChange } from '../../src/health/tracker.js';
import { contribution, ExternalTracker, TrackerSet, type TrackerSetState } from '../../src/health/tracker-set.js';

const up = { up: true, detail: 'fine' };
const down = { up: false, detail: 'broken' };

function setOf(weights: Record<string, number>): { set: TrackerSet; trackers: Record<string, ExternalTracker>; calls: TrackerSetState[] } {
  const trackers: Record<string, ExternalTracker> = {};
  const entries = Object.entries(weights).map(([name, weight]) => {
    const tracker = new ExternalTracker({ initial: 'init' });
    trackers[name] = tracker;
    return { name, type: 'script' as const, weight, tracker };
  });
  const set = new TrackerSet(entries);
  const calls: TrackerSetState[] = [];
  set.onChange((state) => calls.push(state));
  return { set, trackers, calls };
}

function get(trackers: Record<string, ExternalTracker>, name: string): ExternalTracker {
  const tracker = trackers[name];
  if (!tracker) throw new Error(`no tracker ${name}`);
  return tracker;
}

describe('weights, as keepalived', () => {
  test.each([
    // state, weight -> weight added, faults
    ['init', 0, 0, true],
    ['down', 0, 0, true],
    ['up', 0, 0, false],
    ['init', -20, 0, false],
    ['down', -20, -20, false],
    ['up', -20, 0, false],
    ['init', 10, 0, false],
    ['down', 10, 0, false],
    ['up', 10, 10, false],
  ] as const)('%s tracker with weight %i adds %i, faults: %s', (state, weight, added, faults) => {
    expect(contribution(state, weight)).toEqual({ weight: added, faults });
  });

  test('weight 0 puts the instance in FAULT while the tracker is not up, including before its first answer', () => {
    const { set, trackers, calls } = setOf({ 'interface:eth1': 0, 'script:/a': -20 });
    expect([set.faulted(), set.state().faultedBy]).toEqual([true, ['interface:eth1']]);
    get(trackers, 'interface:eth1').set(up);
    expect(set.faulted()).toBe(false);
    get(trackers, 'interface:eth1').set(down);
    expect(set.faulted()).toBe(true);
    expect(calls.map((c) => c.faulted)).toEqual([false, true]);
  });

  test('negative weights are added while failing, positive ones while succeeding; the sum is kept', () => {
    const { set, trackers, calls } = setOf({ a: -20, b: -30, c: 10, d: 5 });
    expect(set.weightSum()).toBe(0);
    get(trackers, 'a').set(down);
    get(trackers, 'b').set(down);
    get(trackers, 'c').set(up);
    get(trackers, 'd').set(down);
    expect(set.weightSum()).toBe(-40);
    get(trackers, 'a').set(up);
    get(trackers, 'd').set(up);
    expect(set.weightSum()).toBe(-15);
    expect(calls.map((c) => c.weightSum)).toEqual([-20, -50, -40, -20, -15]);
    expect(set.faulted()).toBe(false);
  });

  test('onChange fires only when the sum or the fault state changes', () => {
    const { trackers, calls } = setOf({ a: -20, b: 0, c: 0 });
    get(trackers, 'a').set(up); // init -> up with a negative weight: 0 -> 0
    get(trackers, 'b').set(up); // c still holds the fault
    get(trackers, 'b').set(down);
    expect(calls).toEqual([]);
    get(trackers, 'b').set(up);
    get(trackers, 'c').set(up);
    expect(calls).toEqual([{ weightSum: 0, faulted: false, faultedBy: [] }]);
  });

  test('describe() lists every tracker for the status page', () => {
    const { set, trackers } = setOf({ 'http:https://127.0.0.1:6443/readyz': -20, 'interface:eth1': 0 });
    get(trackers, 'http:https://127.0.0.1:6443/readyz').set({ up: false, detail: 'HTTP 503' });
    expect(set.describe()).toEqual([
      { name: 'http:https://127.0.0.1:6443/readyz', type: 'script', state: 'down', up: false, weight: -20, detail: 'HTTP 503' },
      { name: 'interface:eth1', type: 'script', state: 'init', up: false, weight: 0, detail: 'no report yet' },
    ]);
  });

  test('names must be unique; close() stops listening', () => {
    const tracker = new ExternalTracker({ initial: 'up' });
    expect(() => new TrackerSet([{ name: 'x', type: 'tcp', weight: 0, tracker }, { name: 'x', type: 'tcp', weight: -1, tracker }])).toThrow(
      expect.objectContaining({ code: 'ERR_TRACKER_NAME' }),
    );
    const set = new TrackerSet([{ name: 'x', type: 'tcp', weight: -5, tracker }]);
    set.close();
    tracker.set(down);
    expect(set.weightSum()).toBe(0);
  });
});

describe('ExternalTracker', () => {
  test('reports changes once; a repeated state only updates the detail', () => {
    const tracker = new ExternalTracker({ initial: 'init' });
    const changes: TrackerChange[] = [];
    tracker.onChange((change) => changes.push(change));
    tracker.set({ up: true, detail: '3 of 3 backends up' });
    tracker.set({ up: true, detail: '2 of 3 backends up' });
    tracker.set({ up: false, detail: 'no backend up' });
    expect(changes).toEqual([
      { from: 'init', to: 'up', up: true, detail: '3 of 3 backends up' },
      { from: 'up', to: 'down', up: false, detail: 'no backend up' },
    ]);
    expect(tracker.lastDetail).toBe('no backend up');
  });
});

describe('InterfaceTracker', () => {
  test('up only with IFF_UP and carrier; repeats do not fire; a deleted interface is down', () => {
    const tracker = new InterfaceTracker({ name: 'eth1', initial: { up: true, running: true } });
    const changes: TrackerChange[] = [];
    tracker.onChange((change) => changes.push(change));
    expect([tracker.state, tracker.lastDetail]).toEqual(['up', 'link up']);
    tracker.setLink({ up: true, running: false });
    tracker.setLink({ up: true, running: false });
    tracker.setLink({ up: false, running: false });
    tracker.setLink({ up: true, running: true });
    tracker.setLink(null);
    expect(changes).toEqual([
      { from: 'up', to: 'down', up: false, detail: 'no carrier' },
      { from: 'down', to: 'up', up: true, detail: 'link up' },
      { from: 'up', to: 'down', up: false, detail: 'no such interface' },
    ]);
  });

  test('initial state comes from construction', () => {
    expect(new InterfaceTracker({ name: 'eth1', initial: null }).state).toBe('down');
    expect(new InterfaceTracker({ name: 'eth1', initial: { up: false, running: true } }).lastDetail).toBe('link down');
  });
});
