// The receive checks (RFC 3768 7.1, RFC 5798 7.1) over random packets and random rules: a packet is
// believed exactly when every check holds, and a refusal names a check the packet really fails.
// Packets are built from the rules and then changed field by field, so that most runs
// fail one or two checks rather than all of them at once.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { filterAdvert, type DropReason, type ReceiveRules } from '../../src/vrrp/receive-filter.js';
import { decode, encode, passAuthData, VRRP_MULTICAST_GROUP, type Advertisement } from '../../src/vrrp/packet.js';
import type { Ipv4Packet } from '../../src/vrrp/ipv4-header.js';
import { internetChecksum } from '../../src/net/checksum.js';

const ROUTERS = ['198.18.0.1', '198.18.0.2', '198.18.0.3', '198.18.0.4'] as const;
const PASSWORDS = ['k8s-vip', 'k8s-vip2', 'other', 'k8s-vip\0', ''] as const;

/** The checksum over the VRRP message alone: right for v2, and the RFC 9568 variant v3 accepts too. */
function setVrrpOnlyChecksum(payload: Uint8Array): void {
  payload[6] = 0;
  payload[7] = 0;
  const checksum = internetChecksum(payload);
  payload[6] = checksum >>> 8;
  payload[7] = checksum & 0xff;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((byte, i) => byte === b[i]);

/** What each drop reason claims about the packet, judged from the packet and the rules alone. */
function claimHolds(reason: DropReason, packet: Ipv4Packet, rules: ReceiveRules): boolean {
  const decoded = decode(packet.payload, { source: packet.source, destination: packet.destination });
  const advert = decoded.ok ? decoded.value : null;
  switch (reason) {
    case 'bad_ttl':
      return rules.peers === null && packet.ttl !== 255;
    case 'own_packet':
      return packet.source === rules.ownAddress;
    case 'version_mismatch':
      return advert !== null && advert.version !== rules.version;
    case 'vrid_mismatch':
      return advert !== null && advert.vrid !== rules.vrid;
    case 'unknown_peer':
      return rules.peers !== null && !rules.peers.includes(packet.source);
    case 'auth_mismatch': {
      if (advert?.version !== 2) return false;
      const theirs = advert.auth.type === 'pass' ? advert.auth.password : null;
      return rules.authData === null ? theirs !== null : theirs === null || !sameBytes(theirs, rules.authData);
    }
    case 'interval_mismatch':
      return advert?.version === 2 && advert.adverIntervalMs !== rules.advertIntervalMs;
    default:
      return !decoded.ok && decoded.reason === reason;
  }
}

const EVERY_CHECK: DropReason[] = ['bad_ttl', 'own_packet', 'too_short', 'bad_version', 'bad_type', 'bad_checksum', 'bad_length', 'bad_auth_type', 'version_mismatch', 'vrid_mismatch', 'unknown_peer', 'auth_mismatch', 'interval_mismatch'];

interface World {
  rules: ReceiveRules;
  packet: Ipv4Packet;
}

/** Mostly what the rules expect; each field differs now and then. */
const usually = <T>(expected: T, other: fc.Arbitrary<T>): fc.Arbitrary<T> => fc.oneof({ weight: 4, arbitrary: fc.constant(expected) }, { weight: 1, arbitrary: other });

/** Null but once in `every` runs. */
const sometimes = <T>(value: fc.Arbitrary<T>, every: number): fc.Arbitrary<T | null> => fc.oneof({ weight: every - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: value });

const world: fc.Arbitrary<World> = fc
  .record({
    version: fc.constantFrom(2 as const, 3 as const),
    vrid: fc.integer({ min: 1, max: 255 }),
    intervalSeconds: fc.integer({ min: 1, max: 5 }),
    password: fc.option(fc.constantFrom(...PASSWORDS), { nil: null }),
    own: fc.constantFrom(...ROUTERS),
    unicast: fc.boolean(),
  })
  .chain((r) => {
    const rules: ReceiveRules = {
      version: r.version,
      vrid: r.vrid,
      advertIntervalMs: r.intervalSeconds * 1000,
      authData: r.password === null ? null : passAuthData(r.password),
      ownAddress: r.own,
      peers: r.unicast ? ROUTERS.filter((address) => address !== r.own) : null,
    };
    return fc
      .record({
        version: usually(r.version, fc.constantFrom(2 as const, 3 as const)),
        vrid: usually(r.vrid, fc.integer({ min: 1, max: 255 })),
        intervalMs: usually(rules.advertIntervalMs, fc.integer({ min: 1, max: 255 }).map((s) => s * 1000)),
        password: usually(r.password, fc.option(fc.constantFrom(...PASSWORDS), { nil: null })),
        priority: fc.integer({ min: 0, max: 255 }),
        ttl: usually(255, fc.constantFrom(1, 64, 254)),
        source: usually(
          ROUTERS.find((address) => address !== r.own) ?? '',
          fc.constantFrom(...ROUTERS, '198.18.1.9'),
        ),
        // A byte of the VRRP message changed (index, xor), in transit or by a sender that checksummed it
        // (so that the checks after the checksum take their turn too).
        corruption: sometimes(fc.tuple(fc.nat(40), fc.integer({ min: 1, max: 255 }), fc.boolean()), 5),
        truncateTo: sometimes(fc.nat(7), 12),
      })
      .map((p): World => {
        const destination = r.unicast ? r.own : VRRP_MULTICAST_GROUP;
        const addresses = ['198.18.0.100'];
        const advert: Advertisement =
          p.version === 2
            ? { version: 2, vrid: p.vrid, priority: p.priority, adverIntervalMs: p.intervalMs, addresses, auth: p.password === null ? { type: 'none' } : { type: 'pass', password: passAuthData(p.password) } }
            : { version: 3, vrid: p.vrid, priority: p.priority, adverIntervalMs: p.intervalMs, addresses };
        let payload = encode(advert, { envelope: { source: p.source, destination } });
        if (p.corruption !== null) {
          const index = p.corruption[0] % payload.length;
          payload[index] = (payload[index] ?? 0) ^ p.corruption[1];
          if (p.corruption[2]) setVrrpOnlyChecksum(payload);
        }
        if (p.truncateTo !== null) payload = payload.slice(0, p.truncateTo);
        return { rules, packet: { ttl: p.ttl, tos: 0xc0, protocol: 112, source: p.source, destination, payload } };
      });
  });

describe('filterAdvert', () => {
  test('believes a packet exactly when it passes every check; a refusal names a check it fails', () => {
    const refused = new Set<DropReason>();
    let believed = 0;
    fc.assert(
      fc.property(world, ({ rules, packet }) => {
        const result = filterAdvert(packet, rules);
        const failing = EVERY_CHECK.filter((reason) => claimHolds(reason, packet, rules));
        if (result.ok) {
          believed++;
          expect(failing).toEqual([]);
          expect(result.advert).toEqual((decode(packet.payload, { source: packet.source, destination: packet.destination }) as { value: Advertisement }).value);
        } else {
          refused.add(result.reason);
          expect(failing).toContain(result.reason);
          expect(result.detail.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 5000 },
    );
    // Every check was the deciding one somewhere, and some packets went through.
    expect([...refused].sort()).toEqual([...EVERY_CHECK].sort());
    expect(believed).toBeGreaterThan(100);
  });

  test('our own adverts are never believed; in multicast mode a TTL other than 255 is refused before the payload is read', () => {
    fc.assert(
      fc.property(world, ({ rules, packet }) => {
        const result = filterAdvert(packet, rules);
        if (packet.source === rules.ownAddress) expect(result.ok).toBe(false);
        if (rules.peers === null && packet.ttl !== 255) expect(result).toMatchObject({ ok: false, reason: 'bad_ttl' });
      }),
      { numRuns: 2000 },
    );
  });
});
