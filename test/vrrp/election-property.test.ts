// Random histories of crashes, restarts, partitions, heals and priority changes over the in-memory LAN
// (raft's rafttest in spirit), in every mode. Whatever happened before, once the LAN is whole again and
// nothing has happened for Master_Down_Interval (RFC 5798 6.1; at priority 1, the longest: a backup's
// running timer keeps the length it was armed with when its priority changes), there is exactly one
// master and it alone holds the VIP. Without partitions the client heard every takeover's gratuitous
// ARP, so its ARP cache points at the master too. (A master elected behind a partition announced
// itself where the client could not hear; after the heal nothing tells the client until its ARP
// entry goes stale, with keepalived as with tsvip.)
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { masterDownMs } from '../../src/vrrp/fsm.js';
import { MemoryLan } from './memory-lan.js';

const ADDRESSES = ['198.18.0.1', '198.18.0.2', '198.18.0.3', '198.18.0.4'] as const;
/** An advert sent is heard 1 ms later (memory-lan.ts); a step-down answers it at once. */
const DELIVERY_MS = 2;

type Step =
  | { kind: 'crash'; router: number }
  | { kind: 'restart'; router: number }
  | { kind: 'partition'; router: number; side: 'a' | 'b' | 'c' }
  | { kind: 'heal' }
  | { kind: 'priority'; router: number; priority: number }
  | { kind: 'wait'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('crash' as const), router: fc.nat(3) }),
  fc.record({ kind: fc.constant('restart' as const), router: fc.nat(3) }),
  fc.record({ kind: fc.constant('partition' as const), router: fc.nat(3), side: fc.constantFrom('a' as const, 'b' as const, 'c' as const) }),
  fc.record({ kind: fc.constant('heal' as const) }),
  fc.record({ kind: fc.constant('priority' as const), router: fc.nat(3), priority: fc.integer({ min: 1, max: 254 }) }),
  // In advert intervals: from one timer's tick to several Master_Down_Intervals.
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 12 }) }) },
);

const MODES = [
  { mode: 'multicast v2', version: 2 as const, unicast: false, advertIntervalMs: 1000 },
  { mode: 'unicast v2', version: 2 as const, unicast: true, advertIntervalMs: 1000 },
  { mode: 'multicast v3 at 100 ms', version: 3 as const, unicast: false, advertIntervalMs: 100 },
];

const history = fc.record({
  priorities: fc.array(fc.integer({ min: 1, max: 254 }), { minLength: 2, maxLength: 4 }),
  preempt: fc.boolean(),
  steps: fc.array(step, { maxLength: 25 }),
  /** Whether the routers still down at the end come back before the LAN is judged. */
  restartAtEnd: fc.boolean(),
});

describe.each(MODES)('$mode', ({ version, unicast, advertIntervalMs }) => {
  test('after any history, once the LAN is whole and quiet for Master_Down_Interval: one master, and it alone holds the VIP', () => {
    fc.assert(
      fc.property(history, ({ priorities, preempt, steps, restartAtEnd }) => {
        const lan = new MemoryLan();
        const names = priorities.map((_, i) => `r${i + 1}`);
        priorities.forEach((priority, i) => lan.add({ name: names[i] ?? '', address: ADDRESSES[i] ?? '', priority, version, unicast, advertIntervalMs, preempt }));
        lan.startAll();
        const nameOf = (index: number): string => names[index % names.length] ?? '';

        for (const s of steps) {
          if (s.kind === 'wait') {
            lan.clock.advance(s.ms * advertIntervalMs);
            continue;
          }
          if (s.kind === 'heal') {
            lan.heal();
            continue;
          }
          const name = nameOf(s.router);
          const router = lan.router(name);
          if (s.kind === 'crash' && !router.crashed) lan.crash(name);
          if (s.kind === 'restart' && router.crashed) lan.restart(name);
          if (s.kind === 'partition') lan.partition(name, s.side);
          if (s.kind === 'priority' && !router.crashed) router.instance.setPriority(s.priority);
        }

        lan.heal();
        const down = names.filter((name) => lan.router(name).crashed);
        // Somebody must be up to be master.
        if (restartAtEnd || down.length === names.length) for (const name of down) lan.restart(name);
        lan.clock.advance(Math.ceil(masterDownMs(1, advertIntervalMs)) + DELIVERY_MS);

        const masters = lan.masters();
        expect(masters).toHaveLength(1);
        expect(lan.vipHolders()).toEqual(masters);
        if (!steps.some((s) => s.kind === 'partition')) expect(lan.clientArpOwner).toBe(masters[0]);
      }),
      { numRuns: 150 },
    );
  });
});
