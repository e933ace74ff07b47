// RFC 5798 6.4.3: a master sends an advert every Advertisement_Interval. Real timers fire late (a busy
// event loop, a loaded host); the interval must not slip by that lateness each time, or the adverts
// drift apart from the schedule that backups expect (seen in the heal benchmark before the fix).
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { VrrpInstance } from '../../src/vrrp/instance.js';
import { VRRP_MULTICAST_GROUP } from '../../src/vrrp/packet.js';
import { FakeClock } from './fake-clock.js';

/** Every timer runs `lateMs` after it was due, as on a busy host. */
function lateClock(clock: FakeClock, lateMs: number): Clock {
  return { now: () => clock.now(), setTimeout: (callback, afterMs) => clock.setTimeout(callback, afterMs + lateMs), clearTimeout: (handle) => clock.clearTimeout(handle) };
}

function soloMaster(clock: Clock, sentAt: number[]): VrrpInstance {
  return new VrrpInstance(
    {
      name: 'VI_1',
      vrid: 51,
      fsm: { version: 3, priority: 255, advertIntervalMs: 100, preempt: true, preemptDelayMs: 0, startupDelayMs: 0, initialState: 'backup', ownAddress: '198.18.0.100' },
      vips: ['198.18.0.100/32'],
      destinations: [VRRP_MULTICAST_GROUP],
      peers: null,
      authPass: null,
      garp: { burst: 1, delayMs: 0, refreshMs: 0 },
      v3Checksum: 'pseudoHeader',
    },
    {
      clock,
      transport: { send: () => void sentAt.push(clock.now()) },
      vips: { add: async () => undefined, remove: async () => undefined },
      garp: { announce: () => undefined },
      logger: pino({ level: 'silent' }),
    },
  );
}

describe('the advert timer', () => {
  test('timers that fire 7 ms late still give one advert per 100 ms over 10 s (no drift)', () => {
    const fake = new FakeClock();
    const sentAt: number[] = [];
    // Priority 255 (the address owner) is master at once, so every advert is from the advert timer.
    soloMaster(lateClock(fake, 7), sentAt).start();
    fake.advance(10_000);
    // Sent at 0, then due every 100 ms and each 7 ms late: 107, 207, ... 9907.
    expect(sentAt).toHaveLength(100);
    expect(sentAt.at(-1)).toBe(9907);
  });

  test('after a stall longer than the interval, one advert at once and the schedule goes on from there (no burst)', () => {
    const fake = new FakeClock();
    const sentAt: number[] = [];
    soloMaster(lateClock(fake, 350), sentAt).start();
    fake.advance(1_000);
    // 0; then 450 (due at 100, 350 late); the next was due at 200, already past: due now (450),
    // so 800 with the lateness. One advert per firing, never two at once.
    expect(sentAt).toEqual([0, 450, 800]);
  });
});
