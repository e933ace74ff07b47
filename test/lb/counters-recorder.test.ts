// The data path's one writer of counters: what a sequence of events does to the numbers /metrics and
// /status show, and the pool reading its active counts from it (leastconn balances on them).
import { describe, expect, test } from 'vitest';
import { CountersRecorder } from '../../src/lb/counters-recorder.js';
import { BackendPool } from '../../src/lb/pool.js';
import type { BackendAddress } from '../../src/lb/types.js';

type Event =
  | ['accepted']
  | ['closed']
  | ['rejected']
  | ['attempt', string, boolean]
  | ['ended', string]
  | ['connected', string]
  | ['failed', string]
  | ['fromClient', number]
  | ['toBackend', string, number]
  | ['fromBackend', string, number]
  | ['list', string[]];

function replay(events: readonly Event[]): CountersRecorder {
  const recorder = new CountersRecorder();
  recorder.list(['m1', 'm2']);
  for (const event of events) {
    switch (event[0]) {
      case 'accepted': recorder.clientAccepted(); break;
      case 'closed': recorder.clientClosed(); break;
      case 'rejected': recorder.clientRejected(); break;
      case 'attempt': recorder.attemptStarted(recorder.backend(event[1]), event[2]); break;
      case 'ended': recorder.attemptEnded(event[1]); break;
      case 'connected': recorder.backendConnected(recorder.backend(event[1])); break;
      case 'failed': recorder.backendFailed(event[1]); break;
      case 'fromClient': recorder.fromClient(event[1]); break;
      case 'toBackend': recorder.toBackend(recorder.backend(event[1]), event[2]); break;
      case 'fromBackend': recorder.fromBackend(recorder.backend(event[1]), event[2]); break;
      case 'list': recorder.list(event[1]); break;
    }
  }
  return recorder;
}

const zero = { active: 0, total: 0, failedConnects: 0, retries: 0, bytesIn: 0, bytesOut: 0 };

describe('counters recorder', () => {
  test.each<[string, Event[], object]>([
    ['nothing happened: every listed backend at zero', [], { active: 0, total: 0, rejected: 0, backends: { m1: zero, m2: zero } }],
    [
      'one client proxied to m1 and gone',
      [['accepted'], ['attempt', 'm1', false], ['connected', 'm1'], ['fromClient', 100], ['toBackend', 'm1', 100], ['fromBackend', 'm1', 900], ['ended', 'm1'], ['closed']],
      { active: 0, total: 1, bytesIn: 100, bytesOut: 900, backends: { m1: { ...zero, total: 1, bytesIn: 100, bytesOut: 900 }, m2: zero } },
    ],
    [
      'm1 refuses, the retry on m2 connects: one failure on m1, one retry on m2, the client still active',
      [['accepted'], ['attempt', 'm1', false], ['failed', 'm1'], ['ended', 'm1'], ['attempt', 'm2', true], ['connected', 'm2']],
      { active: 1, total: 1, failedConnects: 1, retries: 1, backends: { m1: { ...zero, failedConnects: 1 }, m2: { ...zero, active: 1, total: 1, retries: 1 } } },
    ],
    ['no backend for a client: rejected, not active', [['accepted'], ['rejected'], ['closed']], { active: 0, total: 1, rejected: 1 }],
    [
      'a backend removed by a reload stays while it has a connection, and goes with the last one',
      [['attempt', 'm2', false], ['list', ['m1']]],
      { backends: { m1: zero, m2: { ...zero, active: 1 } } },
    ],
    ['... and goes with the last one', [['attempt', 'm2', false], ['list', ['m1']], ['ended', 'm2']], { backends: { m1: zero } }],
    ['a close never takes active below zero', [['closed'], ['ended', 'm1']], { active: 0, backends: { m1: zero, m2: zero } }],
  ])('%s', (_name, events, expected) => {
    expect(replay(events).counters).toMatchObject(expected);
  });

  test("the pool balances leastconn on the recorder's active counts and reports through it", () => {
    const recorder = new CountersRecorder();
    const backends: BackendAddress[] = [
      { name: 'm1', host: '10.0.0.51', port: 6443, weight: 1 },
      { name: 'm2', host: '10.0.0.52', port: 6443, weight: 1 },
    ];
    const failures: string[] = [];
    const pool = new BackendPool({ backends, algorithm: 'leastconn', recorder, health: { isUp: () => true, reportFailure: (name) => failures.push(name) } });
    const first = pool.pick(new Set());
    expect(first).not.toBeNull();
    if (first === null) return;
    pool.acquire(first, false);
    // The other backend has fewer connections now.
    expect(pool.pick(new Set())?.name).not.toBe(first.name);
    pool.reportFailure(first, 'connect ECONNREFUSED');
    pool.release(first);
    expect(failures).toEqual([first.name]);
    expect(recorder.counters).toMatchObject({ failedConnects: 1, backends: { [first.name]: { active: 0, failedConnects: 1 } } });
  });
});
