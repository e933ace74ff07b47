// Multi-router scenarios over an in-memory LAN with a fake clock, named after the RFC sections they
// check. The same scenarios run for real in namespaces in the e2e suite.
import { describe, expect, test } from 'vitest';
import { masterDownMs, skewMs } from '../../src/vrrp/fsm.js';
import { MemoryLan, type RouterSpec } from './memory-lan.js';

const A = '198.18.0.1';
const B = '198.18.0.2';
const C = '198.18.0.3';

function threeRouters(overrides: Partial<RouterSpec> = {}): MemoryLan {
  const lan = new MemoryLan();
  lan.add({ name: 'a', address: A, priority: 150, ...overrides });
  lan.add({ name: 'b', address: B, priority: 100, ...overrides });
  lan.add({ name: 'c', address: C, priority: 50, ...overrides });
  return lan;
}

/** The master (a) stops cleanly; b takes over. */
function failOverToB(lan: MemoryLan): void {
  lan.router('a').instance.stop();
  lan.runUntil(() => lan.masters()[0] === 'b', 5000);
}

function settle(lan: MemoryLan): void {
  lan.startAll();
  lan.runUntil(() => lan.masters().length === 1, 10_000);
  lan.clock.advance(3000);
}

describe.each([
  { mode: 'multicast v2', version: 2 as const, unicast: false, advertIntervalMs: 1000 },
  { mode: 'unicast v2', version: 2 as const, unicast: true, advertIntervalMs: 1000 },
  { mode: 'multicast v3 at 100 ms', version: 3 as const, unicast: false, advertIntervalMs: 100 },
])('$mode', ({ version, unicast, advertIntervalMs }) => {
  const options = { version, unicast, advertIntervalMs };

  test('RFC 5798 6.4.1: all start as backup; the highest priority becomes the one master and holds the VIP', () => {
    const lan = threeRouters(options);
    settle(lan);
    expect(lan.masters()).toEqual(['a']);
    expect(lan.vipHolders()).toEqual(['a']);
    expect(lan.clientArpOwner).toBe('a');
  });

  test('RFC 5798 6.4.2: when the master falls silent (kill -9) the next priority takes over after Master_Down_Interval', () => {
    const lan = threeRouters(options);
    settle(lan);
    lan.crash('a');
    const elapsed = lan.runUntil(() => lan.masters().length === 1 && lan.masters()[0] === 'b', 10 * advertIntervalMs);
    expect(elapsed).toBeLessThanOrEqual(Math.ceil(masterDownMs(100, advertIntervalMs)) + 2);
    expect(lan.vipHolders()).toEqual(['b']);
    expect(lan.clientArpOwner).toBe('b');
  });

  test('RFC 5798 6.4.3: a master that shuts down sends priority 0, and the backup takes over after Skew_Time', () => {
    const lan = threeRouters(options);
    settle(lan);
    lan.router('a').instance.stop();
    expect(lan.router('a').holdsVip).toBe(false);
    const elapsed = lan.runUntil(() => lan.masters()[0] === 'b', 10 * advertIntervalMs);
    expect(elapsed).toBeLessThanOrEqual(Math.ceil(skewMs(100, advertIntervalMs)) + 2);
    expect(lan.vipHolders()).toEqual(['b']);
  });
});

describe('RFC 5798 6.4.2 Preempt_Mode', () => {
  test('with preempt, a higher-priority router that comes back takes the VIP back', () => {
    const lan = threeRouters();
    settle(lan);
    failOverToB(lan);
    lan.router('a').instance.start();
    lan.runUntil(() => lan.masters().length === 1 && lan.masters()[0] === 'a', 10_000);
    expect(lan.vipHolders()).toEqual(['a']);
    expect(lan.clientArpOwner).toBe('a');
  });

  test('with nopreempt (preempt: false), the returning higher-priority router stays backup', () => {
    const lan = threeRouters({ preempt: false });
    settle(lan);
    failOverToB(lan);
    lan.router('a').instance.start();
    lan.clock.advance(20_000);
    expect(lan.masters()).toEqual(['b']);
    expect(lan.router('a').instance.stateName).toBe('backup');
  });

  test("keepalived's preempt_delay: the returning router waits the delay before preempting", () => {
    const lan = threeRouters({ preemptDelayMs: 10_000 });
    settle(lan);
    failOverToB(lan);
    lan.router('a').instance.start();
    lan.clock.advance(9000);
    expect(lan.masters()).toEqual(['b']);
    lan.runUntil(() => lan.masters().length === 1 && lan.masters()[0] === 'a', 10_000);
  });
});

describe('RFC 5798 6.4.3: equal priority', () => {
  test('the router with the higher primary address wins', () => {
    const lan = new MemoryLan();
    lan.add({ name: 'low', address: A, priority: 100 });
    lan.add({ name: 'high', address: B, priority: 100 });
    lan.startAll();
    lan.clock.advance(10_000);
    expect(lan.masters()).toEqual(['high']);
  });
});

describe('split brain', () => {
  // The client sits on side 'a'. During the partition the lower-priority router on the client's side
  // becomes master and the client's ARP points at it; after the heal the client must follow the winner
  // within one advert interval, whichever side's advert crosses first (keepalived 2.2.7: 46.6 s outage).
  test.each([
    // a's advert crosses first: b steps down on hearing it and a never hears b; only b's priority 0 on
    // leaving tells a to announce itself (the case keepalived 2.2.7 gets wrong).
    { first: 'the winner (a)', lostAdvertOf: 'b' },
    // b's advert crosses first: a hears a lower priority, re-advertises and sends gratuitous ARP.
    { first: 'the loser (b)', lostAdvertOf: 'a' },
  ])('partition then heal, $first advertising first: one master, and the client follows it within one interval', ({ lostAdvertOf }) => {
    const lan = new MemoryLan();
    lan.add({ name: 'a', address: A, priority: 150 });
    lan.add({ name: 'b', address: B, priority: 100 });
    settle(lan);
    lan.partition('a', 'z');
    lan.runUntil(() => lan.masters().length === 2, 10_000);
    expect(lan.clientArpOwner).toBe('b');
    // Heal just after one side's periodic advert was lost to the partition, so the other side's crosses first.
    const sent = lan.router(lostAdvertOf).instance.counters.advertsSent;
    lan.runUntil(() => lan.router(lostAdvertOf).instance.counters.advertsSent > sent, 2000);
    lan.clock.advance(2);
    lan.partition('a', 'a');
    const elapsed = lan.runUntil(() => lan.masters().length === 1 && lan.clientArpOwner === 'a', 1000);
    expect(elapsed).toBeLessThanOrEqual(1000);
    expect(lan.masters()).toEqual(['a']);
    expect(lan.vipHolders()).toEqual(['a']);
  });
});

describe('trackers and faults', () => {
  test('a failing tracker with negative weight lowers the master below a backup, which takes over', () => {
    const lan = threeRouters();
    settle(lan);
    lan.router('a').instance.setPriority(90);
    lan.runUntil(() => lan.masters().length === 1 && lan.masters()[0] === 'b', 10_000);
    expect(lan.vipHolders()).toEqual(['b']);
  });

  test('a weight-0 tracker failing puts the master in FAULT: it gives the VIP up with priority 0', () => {
    const lan = threeRouters();
    settle(lan);
    lan.router('a').instance.setFaulted(true);
    expect(lan.router('a').instance.stateName).toBe('fault');
    expect(lan.router('a').holdsVip).toBe(false);
    const elapsed = lan.runUntil(() => lan.masters()[0] === 'b', 5000);
    expect(elapsed).toBeLessThanOrEqual(Math.ceil(skewMs(100, 1000)) + 2);
    lan.router('a').instance.setFaulted(false);
    lan.runUntil(() => lan.masters().length === 1 && lan.masters()[0] === 'a', 10_000);
  });

  test('a VIP deleted by someone else while master is put back and announced at once', () => {
    const lan = threeRouters();
    settle(lan);
    const garps = lan.garpLog.length;
    lan.router('a').holdsVip = false;
    lan.router('a').instance.vipsLost();
    lan.clock.advance(1);
    expect(lan.router('a').holdsVip).toBe(true);
    expect(lan.garpLog.length).toBeGreaterThan(garps);
  });
});

describe('RFC 3768 7.1 / 10: receive checks', () => {
  test('adverts with the wrong password are dropped and counted; the router elects itself', () => {
    const lan = new MemoryLan();
    lan.add({ name: 'a', address: A, priority: 150, authPass: 'right' });
    lan.add({ name: 'b', address: B, priority: 100, authPass: 'wrong' });
    lan.startAll();
    lan.clock.advance(10_000);
    expect(lan.masters().sort()).toEqual(['a', 'b']);
    expect(lan.router('b').instance.counters.drops.auth_mismatch).toBeGreaterThan(0);
  });

  test('a v2 advert with another interval is dropped and counted', () => {
    const lan = new MemoryLan();
    lan.add({ name: 'a', address: A, priority: 150, advertIntervalMs: 2000 });
    lan.add({ name: 'b', address: B, priority: 100, advertIntervalMs: 1000 });
    lan.startAll();
    lan.clock.advance(10_000);
    expect(lan.router('b').instance.counters.drops.interval_mismatch).toBeGreaterThan(0);
  });

  test('RFC 5798 6.4.2: a v3 backup learns Master_Adver_Interval from the master', () => {
    const lan = new MemoryLan();
    lan.add({ name: 'a', address: A, priority: 150, version: 3, advertIntervalMs: 2000 });
    lan.add({ name: 'b', address: B, priority: 100, version: 3, advertIntervalMs: 100 });
    lan.startAll();
    lan.runUntil(() => lan.masters().length === 1 && lan.masters()[0] === 'a', 20_000);
    lan.clock.advance(10_000);
    // With its own 100 ms interval b would time out between a's 2 s adverts; it learned a's interval instead.
    expect(lan.masters()).toEqual(['a']);
    lan.crash('a');
    const elapsed = lan.runUntil(() => lan.masters()[0] === 'b', 20_000);
    // At most one 2 s interval passed between a's last advert and the crash.
    expect(elapsed).toBeGreaterThan(masterDownMs(100, 2000) - 2000);
  });
});

describe("keepalived's `state MASTER` hint", () => {
  test('alone on the LAN, an initialState master router takes over after one interval, not three', () => {
    const lan = new MemoryLan();
    lan.add({ name: 'a', address: A, priority: 100, initialState: 'master' });
    lan.startAll();
    const elapsed = lan.runUntil(() => lan.masters().length === 1, 10_000);
    expect(elapsed).toBeLessThan(2000);
  });
});
