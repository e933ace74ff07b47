// Host checks name what is missing before tsvip touches anything.
import { describe, expect, test } from 'vitest';
import { checkHost, effectiveCapabilities, HostCheckError, missingCapabilities } from '../../src/daemon/host-checks.js';
import { loadConfigText } from '../../src/config/load.js';

const ALL = (1n << 41n) - 1n;
const NET_ADMIN = 1n << 12n;
const NET_RAW = 1n << 13n;

const config = loadConfigText('vrrp:\n  - { name: VI_1, interface: eth0, vrid: 51, vips: [198.18.0.100/24] }\n', 'vip.yaml').config;
const eth0 = { name: 'eth0', ifindex: 2, mac: '02:00:c6:12:00:01', up: true, running: true };

describe('host checks', () => {
  test('CapEff is read from /proc/self/status text', () => {
    expect(effectiveCapabilities('Name:\tnode\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n')).toBe(ALL);
    expect(effectiveCapabilities('Name:\tnode\nCapEff:\t0000000000003000\n')).toBe(NET_ADMIN | NET_RAW);
  });

  test('each missing capability is named', () => {
    expect(missingCapabilities(ALL)).toEqual([]);
    expect(missingCapabilities(NET_ADMIN)).toEqual(['CAP_NET_RAW']);
    expect(missingCapabilities(0n)).toEqual(['CAP_NET_ADMIN', 'CAP_NET_RAW']);
  });

  test('no capabilities and no interface: both problems in one error', () => {
    let thrown: unknown;
    try {
      checkHost(config, { capabilities: 0n, interfaceInfo: () => null });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(HostCheckError);
    expect((thrown as HostCheckError).code).toBe('ERR_HOST_CHECK');
    expect((thrown as HostCheckError).problems).toEqual([
      expect.stringMatching(/^missing CAP_NET_ADMIN and CAP_NET_RAW: /),
      'vrrp[0].interface: interface eth0 (instance VI_1) does not exist on this host',
    ]);
  });

  test('an interface without an Ethernet address cannot carry gratuitous ARP', () => {
    expect(() => checkHost(config, { capabilities: ALL, interfaceInfo: () => ({ ...eth0, mac: null }) })).toThrow(/eth0 has no Ethernet address/);
  });

  test('a good host gives the interfaces to use', () => {
    expect(checkHost(config, { capabilities: NET_ADMIN | NET_RAW, interfaceInfo: () => eth0 }).get('eth0')).toEqual(eth0);
  });

  test('a load-balancer-only config needs no capabilities', () => {
    const lbOnly = loadConfigText('loadBalancers:\n  - { name: api, bind: 127.0.0.1:6443, backends: [{ name: m1, address: 198.18.0.1:6443 }] }\n', 'vip.yaml').config;
    expect(checkHost(lbOnly, { capabilities: 0n, interfaceInfo: () => null }).size).toBe(0);
  });
});
