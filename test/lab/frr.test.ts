// The pure parts of test/lab/frr.ts: the vrrpd.conf it writes, the virtual MAC, and how it reads
// `show vrrp json` and its log (output captured from FRR 8.4.4's vrrpd in the lab).
import { describe, expect, test } from 'vitest';
import { ipv6Status, ipv6VirtualMac, parseVrrpdLine, vrrpdConfig, type VrrpdSpec } from './frr.js';

const spec: VrrpdSpec = { interface: 'eth0', vrid: 51, priority: 150, advertIntervalMs: 100, vips: ['2001:2::100'] };

describe('vrrpdConfig', () => {
  test('one IPv6 VRRPv3 router on the interface, the interval in milliseconds, preempt left at its default unless turned off', () => {
    expect(vrrpdConfig(spec).split('\n').slice(2)).toEqual([
      'debug vrrp protocol',
      'interface eth0',
      ' vrrp 51 version 3',
      ' vrrp 51 priority 150',
      ' vrrp 51 advertisement-interval 100',
      ' vrrp 51 ipv6 2001:2::100',
      '',
    ]);
    expect(vrrpdConfig({ ...spec, preempt: false })).toContain(' no vrrp 51 preempt\n');
  });

  test('refuses what vrrpd would refuse or read otherwise: every problem at once', () => {
    expect(() => vrrpdConfig({ ...spec, vrid: 0, priority: 255, advertIntervalMs: 105, vips: ['198.18.0.100', '2001:2::100/64'] })).toThrow(
      'vrrpd spec VRID 0: vrid 0 must be 1..255; priority 255 must be 1..254; advertIntervalMs 105 must be a multiple of 10 from 10 to 40950; vip "198.18.0.100" is not an IPv6 address without prefix; vip "2001:2::100/64" is not an IPv6 address without prefix',
    );
    expect(() => vrrpdConfig({ ...spec, vips: [] })).toThrow('vips must list at least one address');
  });
});

test('the IPv6 virtual MAC is 00:00:5e:00:02 and the VRID in hex (RFC 5798 7.3)', () => {
  expect(ipv6VirtualMac(51)).toBe('00:00:5e:00:02:33');
  expect(ipv6VirtualMac(5)).toBe('00:00:5e:00:02:05');
});

describe('ipv6Status', () => {
  // Trimmed from `show vrrp interface eth0 51 json`: the IPv4 router of a VRID with only IPv6 VIPs stays in Initialize.
  const shown = (v6Status: string): string =>
    JSON.stringify([{ vrid: 51, version: 3, interface: 'eth0', v4: { interface: '', status: 'Initialize' }, v6: { interface: 'vrrp6-51', vmac: '00:00:5e:00:02:33', status: v6Status } }]);

  test("reads the IPv6 router's status, not the IPv4 one's", () => {
    expect(ipv6Status(shown('Master'), 51)).toBe('Master');
    expect(ipv6Status(shown('Backup'), 51)).toBe('Backup');
  });

  test('another VRID, or a status it does not know, is an error that shows the output', () => {
    expect(() => ipv6Status(shown('Master'), 52)).toThrow(/no IPv6 status for VRID 52 in \[/);
    expect(() => ipv6Status(shown('Mystery'), 51)).toThrow(/no IPv6 status for VRID 51/);
  });
});

describe('parseVrrpdLine', () => {
  const prefix = '2026/12/06 04:00:20 VRRP: ';

  test("reads the IPv6 router's state changes and, with debug vrrp protocol, each advert it accepted", () => {
    expect(parseVrrpdLine(`${prefix}[W23ZH-NY264] [CORE] [VRID 51] [IPv6] Master -> Backup`, 51)).toEqual({ kind: 'transition', from: 'Master', to: 'Backup' });
    expect(
      parseVrrpdLine(
        `${prefix}[Z4BWX-E7EPM] [CORE] [VRID 51] [IPv6] Received VRRP Advertisement from fe80::c6ff:fe12:1: version 3, type 1 (ADVERTISEMENT), vrid 51, priority 0, #1 addresses, max adver int 10, checksum 548c`,
        51,
      ),
    ).toEqual({ kind: 'advert', source: 'fe80::c6ff:fe12:1', priority: 0 });
  });

  test('ignores the IPv4 router, other VRIDs and every other line', () => {
    expect(parseVrrpdLine(`${prefix}[W23ZH-NY264] [CORE] [VRID 51] [IPv4] Initialize -> Backup`, 51)).toBeUndefined();
    expect(parseVrrpdLine(`${prefix}[W23ZH-NY264] [CORE] [VRID 52] [IPv6] Backup -> Master`, 51)).toBeUndefined();
    expect(parseVrrpdLine(`${prefix}[P485H-A79BW] [CORE] [VRID 51] [IPv4] Refusing to start Virtual Router: No VRRP interface`, 51)).toBeUndefined();
    expect(parseVrrpdLine(`${prefix}[TE0EM-RN6HQ] [CORE] [VRID 51] [IPv6] Received advertisement from fe80::c6ff:fe12:2 w/ priority 200; switching to Backup`, 51)).toBeUndefined();
  });
});
