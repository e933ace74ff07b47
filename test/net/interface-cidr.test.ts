// A VIP as rtnetlink takes it, in either family.
import { describe, expect, test } from 'vitest';
import { parseInterfaceCidr } from '../../src/net/interface-cidr.js';

describe('parseInterfaceCidr', () => {
  test.each([
    ['198.18.0.100', { family: 'ipv4', address: '198.18.0.100', prefix: 32 }],
    ['198.18.0.100/24', { family: 'ipv4', address: '198.18.0.100', prefix: 24 }],
    ['2001:2::100', { family: 'ipv6', address: '2001:2::100', prefix: 128 }],
    ['2001:2::100/64', { family: 'ipv6', address: '2001:2::100', prefix: 64 }],
    ['2001:0002:0:0:0:0:0:0100/128', { family: 'ipv6', address: '2001:2::100', prefix: 128 }],
    ['2001:2::100/1', { family: 'ipv6', address: '2001:2::100', prefix: 1 }],
  ])('%s', (text, value) => {
    expect(parseInterfaceCidr(text)).toEqual({ ok: true, value });
  });

  test.each(['2001:2::100/0', '2001:2::100/129', '2001:2::100/064x', '2001:2::100/64/1', 'fe80::1%eth0', '198.18.0.100/33', 'eth0', ''])('refuses %s', (text) => {
    expect(parseInterfaceCidr(text).ok).toBe(false);
  });
});
