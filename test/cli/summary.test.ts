import { describe, expect, test } from 'vitest';
import { configSummary } from '../../src/cli/summary.js';
import { loadConfigText } from '../../src/config/load.js';

describe("check's summary of an IPv6 instance", () => {
  test('says ff02::12 from the link-local and neighbour advertisements; the IPv4 instance keeps 224.0.0.18 and gratuitous ARP', () => {
    const { config } = loadConfigText(
      ['vrrp:', '  - { name: VI_4, interface: eth0, vrid: 51, vips: [10.0.0.50] }', '  - { name: VI_6, interface: eth0, vrid: 51, version: 3, vips: ["2001:db8::50"] }', ''].join('\n'),
      'vip.yaml',
    );
    const lines = configSummary('vip.yaml', config).split('\n');
    expect(lines).toContain('  multicast 224.0.0.18');
    expect(lines).toContain('  gratuitous ARP: 5 on becoming master, again after 5s, refresh every 30s');
    expect(lines).toContain('  vips: 2001:db8::50/128');
    expect(lines).toContain('  multicast ff02::12 from the link-local address');
    expect(lines).toContain('  unsolicited neighbour advertisements: 5 on becoming master, again after 5s, refresh every 30s');
  });

  test('IPv6 unicast without a source names the default the daemon picks', () => {
    const { config } = loadConfigText(['vrrp:', '  - { name: VI_6, interface: eth0, vrid: 51, version: 3, vips: ["2001:db8::50"], unicast: { peers: ["2001:db8::52"] } }', ''].join('\n'), 'vip.yaml');
    expect(configSummary('vip.yaml', config)).toContain("  unicast from the interface's first global IPv6 address to 2001:db8::52");
  });
});
