// The lab's pure parts, on output captured from iproute2 6.1 (kernel 6.18).
import { describe, expect, test } from 'vitest';
import { parseBridgeGroups, parseIpv4Addresses, parseIpv6Addresses, parseLinkState, parseNeighbours } from '../../src/lab/ip-json.js';
import { usableLinkLocal } from '../../src/lab/link-local.js';
import { isRunPrefix, namespacesOfRun, newLabPrefix, newRunPrefix } from '../../src/lab/run-prefix.js';

describe('ip -j parsers', () => {
  test('addresses: IPv4 entries of addr_info, without the prefix length in the address', () => {
    const json =
      '[{"ifindex":2,"ifname":"eth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"addr_info":[' +
      '{"family":"inet","local":"198.18.0.1","prefixlen":24,"scope":"global","label":"eth0"},' +
      '{"family":"inet","local":"198.18.0.100","prefixlen":32,"scope":"global","label":"eth0"},' +
      '{"family":"inet6","local":"fe80::48f2:9cff:fed5:9230","prefixlen":64,"scope":"link"}]}]';
    expect(parseIpv4Addresses(json)).toEqual([
      { address: '198.18.0.1', prefixLength: 24 },
      { address: '198.18.0.100', prefixLength: 32 },
    ]);
    expect(parseIpv4Addresses('[]')).toEqual([]);
  });

  test('IPv6 addresses: the nodad, tentative and dadfailed keys that ip prints only when set, and no IPv4 entries', () => {
    const json =
      '[{"ifindex":2,"ifname":"eth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"addr_info":[' +
      '{"family":"inet","local":"198.18.0.1","prefixlen":24,"scope":"global","label":"eth0"},' +
      '{"family":"inet6","local":"2001:2::1","prefixlen":64,"scope":"global","nodad":true,"valid_life_time":4294967295,"preferred_life_time":4294967295},' +
      '{"family":"inet6","local":"fe80::c6ff:fe12:1","prefixlen":64,"scope":"link","tentative":true,"valid_life_time":4294967295,"preferred_life_time":4294967295},' +
      '{"family":"inet6","local":"fe80::1","prefixlen":64,"scope":"link","tentative":true,"dadfailed":true,"valid_life_time":4294967295,"preferred_life_time":4294967295}]}]';
    expect(parseIpv6Addresses(json)).toEqual([
      { address: '2001:2::1', prefixLength: 64, scope: 'global', tentative: false, dadFailed: false, nodad: true },
      { address: 'fe80::c6ff:fe12:1', prefixLength: 64, scope: 'link', tentative: true, dadFailed: false, nodad: false },
      { address: 'fe80::1', prefixLength: 64, scope: 'link', tentative: true, dadFailed: true, nodad: false },
    ]);
  });

  test('a usable link-local is in fe80::/64 and has passed DAD; a global address never counts', () => {
    const address = { prefixLength: 64, tentative: false, dadFailed: false, nodad: false };
    const global = { ...address, address: '2001:2::1', scope: 'global', nodad: true };
    const tentative = { ...address, address: 'fe80::c6ff:fe12:1', scope: 'link', tentative: true };
    expect(usableLinkLocal([global, tentative])).toBeUndefined();
    expect(usableLinkLocal([global, { ...tentative, tentative: false }])).toEqual({ ...tentative, tentative: false });
    expect(usableLinkLocal([{ ...tentative, tentative: false, dadFailed: true }])).toBeUndefined();
  });

  test("bridge groups: the mdb entries of one port, not the bridge's own", () => {
    const json =
      '[{"mdb":[{"index":2,"dev":"br0","port":"h2","grp":"ff02::12","state":"temp","flags":[]},' +
      '{"index":2,"dev":"br0","port":"h2","grp":"ff02::1:ff00:2","state":"temp","flags":[]},' +
      '{"index":2,"dev":"br0","port":"h3","grp":"ff02::1:ff00:3","state":"temp","flags":[]},' +
      '{"index":2,"dev":"br0","port":"br0","grp":"ff02::6a","state":"temp","flags":[]}],"router":{}}]';
    expect(parseBridgeGroups(json, 'h2')).toEqual(['ff02::12', 'ff02::1:ff00:2']);
    expect(parseBridgeGroups(json, 'h1')).toEqual([]);
    expect(parseBridgeGroups('[{"mdb":[],"router":{}}]', 'h1')).toEqual([]);
  });

  test('neighbours: an INCOMPLETE entry has no MAC yet', () => {
    const json = '[{"dst":"198.18.0.7","lladdr":"02:00:00:00:00:07","state":["PERMANENT"]},{"dst":"198.18.0.9","state":["INCOMPLETE"]}]';
    expect(parseNeighbours(json)).toEqual([
      { ip: '198.18.0.7', mac: '02:00:00:00:00:07', states: ['PERMANENT'] },
      { ip: '198.18.0.9', mac: null, states: ['INCOMPLETE'] },
    ]);
  });

  test('link state: carrier is LOWER_UP, admin state is UP', () => {
    const json =
      '[{"ifindex":3,"ifname":"eth0","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP","M-DOWN"],' +
      '"operstate":"LOWERLAYERDOWN","address":"02:00:c6:12:00:01"}]';
    expect(parseLinkState(json)).toEqual({ ifname: 'eth0', mac: '02:00:c6:12:00:01', operstate: 'LOWERLAYERDOWN', carrier: false, adminUp: true });
    expect(() => parseLinkState('[]')).toThrow(/expected one link/);
  });
});

describe('run prefix', () => {
  test('is tsvip- and 6 hex digits, and nothing looser passes the check', () => {
    expect(isRunPrefix(newRunPrefix())).toBe(true);
    for (const bad of ['', 'tsvip-', 'tsvip', 'tsvip-abc', 'tsvip-abcdefg', 'TSVIP-abcdef', 'x-abcdef']) expect(isRunPrefix(bad)).toBe(false);
  });

  test('two labs of one run get different prefixes under it', () => {
    const run = newRunPrefix();
    const [a, b] = [newLabPrefix(run), newLabPrefix(run)];
    expect(a.startsWith(`${run}-`) && b.startsWith(`${run}-`)).toBe(true);
    expect(a).not.toBe(b);
  });

  test("namespacesOfRun keeps only the run's names from `ip netns list`", () => {
    const listed = 'tsvip-abcdef-12ab-h1 (id: 3)\ntsvip-abcdef-12ab-br (id: 2)\ntsvip-abcdef0-h1\ntsvip-123456-99aa-h1 (id: 1)\nother\n';
    expect(namespacesOfRun(listed, 'tsvip-abcdef')).toEqual(['tsvip-abcdef-12ab-h1', 'tsvip-abcdef-12ab-br']);
  });
});
