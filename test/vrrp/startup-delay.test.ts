// startupDelay (keepalived's vrrp_startup_delay): the first Master_Down after a start waits longer, for
// a network that comes up late at boot; adverts heard meanwhile are followed as ever.
import { describe, expect, test } from 'vitest';
import { masterDownMs } from '../../src/vrrp/fsm.js';
import { MemoryLan } from './memory-lan.js';

const INTERVAL_MS = 100;
const DELAY_MS = 2000;

describe('startupDelay', () => {
  test('a host alone becomes master Master_Down plus the delay after its start, not Master_Down after it', () => {
    const lan = new MemoryLan();
    lan.add({ name: 'a', address: '198.18.0.1', priority: 150, version: 3, advertIntervalMs: INTERVAL_MS, startupDelayMs: DELAY_MS });
    lan.startAll();
    const elapsed = lan.runUntil(() => lan.masters().length === 1, 10_000);
    expect(elapsed).toBe(Math.ceil(masterDownMs(150, INTERVAL_MS) + DELAY_MS));
    expect(lan.vipHolders()).toEqual(['a']);
  });

  test('while it holds, a running master is heard: the starting host stays backup and never takes the VIP', () => {
    const lan = new MemoryLan();
    lan.add({ name: 'a', address: '198.18.0.1', priority: 150, version: 3, advertIntervalMs: INTERVAL_MS });
    lan.add({ name: 'b', address: '198.18.0.2', priority: 100, version: 3, advertIntervalMs: INTERVAL_MS, startupDelayMs: DELAY_MS });
    lan.router('a').instance.start();
    lan.runUntil(() => lan.masters().length === 1, 10_000);
    lan.router('b').instance.start();
    lan.clock.advance(3 * DELAY_MS);
    expect(lan.masters()).toEqual(['a']);
    expect(lan.vipHolders()).toEqual(['a']);
  });

  test('after the first election it is spent: the backup takes over a crashed master after Master_Down alone', () => {
    const lan = new MemoryLan();
    lan.add({ name: 'a', address: '198.18.0.1', priority: 150, version: 3, advertIntervalMs: INTERVAL_MS });
    lan.add({ name: 'b', address: '198.18.0.2', priority: 100, version: 3, advertIntervalMs: INTERVAL_MS, startupDelayMs: DELAY_MS });
    lan.startAll();
    lan.runUntil(() => lan.masters()[0] === 'a', 10_000);
    lan.clock.advance(3 * DELAY_MS);
    lan.crash('a');
    const crashedAt = lan.clock.now();
    lan.runUntil(() => lan.masters()[0] === 'b', 10_000);
    // The takeover's cause is the Master_Down timer armed by a's last advert, not a second startup
    // hold: b changed state once, and well inside the 2 s the hold would have taken.
    const takeover = lan.transitionLog.filter((t) => t.router === 'b' && t.to === 'master');
    expect(takeover).toMatchObject([{ from: 'backup', reason: 'master down timer' }]);
    expect((takeover[0]?.atMs ?? Infinity) - crashedAt).toBeLessThan(DELAY_MS);
  });
});
