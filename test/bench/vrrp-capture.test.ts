// The partition/heal runs time the heal from tcpdump's lines and tell from them whose advert crossed
// first: a line of either family that is not parsed is an advert that never happened.
import { describe, expect, test } from 'vitest';
import { advertSchedule, parseAdverts } from '../../bench/vrrp-capture.js';

// As tcpdump -nn -tt printed them in the lab (keepalived 2.2.7 as h1, VRRPv3 at 100 ms).
const ipv4Line = '1796528765.441856 IP 198.18.0.1 > 224.0.0.18: VRRPv3, Advertisement, vrid 53, prio 150, intvl 10cs, length 12';
const ipv6Lines = [
  '1796528765.441856 IP6 fe80::c6ff:fe12:1 > ff02::12: VRRPv3, Advertisement, vrid 53, prio 150, intvl 10cs, length 24',
  '1796528765.542260 IP6 fe80::c6ff:fe12:1 > ff02::12: VRRPv3, Advertisement, vrid 53, prio 150, intvl 10cs, length 24',
  '1796528765.652049 IP6 fe80::c6ff:fe12:1 > ff02::12: VRRPv3, Advertisement, vrid 53, prio 150, intvl 10cs, length 24',
];

describe('parseAdverts', () => {
  test('an IPv4 advert: source, group, priority and the kernel timestamp in ms', () => {
    expect(parseAdverts(`${ipv4Line}\n`)).toEqual([{ atMs: 1796528765441.856, source: '198.18.0.1', destination: '224.0.0.18', priority: 150 }]);
  });

  test('IPv6 adverts from the link-local to ff02::12, and a unicast one to a global address', () => {
    const unicast = '1796528765.700000 IP6 2001:2::2 > 2001:2::1: VRRPv3, Advertisement, vrid 53, prio 100, intvl 10cs, length 24';
    const adverts = parseAdverts([...ipv6Lines, unicast, 'tcpdump: listening on eth0', ''].join('\n'));
    expect(adverts.map(({ source, destination, priority }) => [source, destination, priority])).toEqual([
      ['fe80::c6ff:fe12:1', 'ff02::12', 150],
      ['fe80::c6ff:fe12:1', 'ff02::12', 150],
      ['fe80::c6ff:fe12:1', 'ff02::12', 150],
      ['2001:2::2', '2001:2::1', 100],
    ]);
    expect(adverts[0]?.atMs).toBeCloseTo(1796528765441.856, 3);
  });

  test("an IPv6 host's schedule is read from its link-local as from an IPv4 address", () => {
    const schedule = advertSchedule(parseAdverts(ipv6Lines.join('\n')), { source: 'fe80::c6ff:fe12:1', nominalMs: 100, beforeMs: Infinity });
    expect(schedule?.lastMs).toBeCloseTo(1796528765652.049, 3);
    // Gaps of 100.4 and 109.8 ms: the median of an even count is the upper middle one here.
    expect(schedule?.periodMs).toBeCloseTo(109.79, 1);
  });
});
