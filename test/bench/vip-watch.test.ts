// The failover benchmark's takeovers and holders come from `ip -o monitor address` lines: one of
// either family about the VIP must count, and one about another address must not.
import { describe, expect, test } from 'vitest';
import { vipChangeOf } from '../../bench/vip-watch.js';

// As `ip -o -4/-6 monitor address dev eth0` printed them in the lab (the IPv6 VIP as keepalived 2.2.7 and tsvip add it).
const added4 = '3: eth0    inet 198.18.0.100/24 scope global secondary eth0\\       valid_lft forever preferred_lft forever';
const added6 = '2: eth0    inet6 2001:2::100/128 scope global nodad deprecated \\       valid_lft forever preferred_lft 0sec';
const deleted6 = 'Deleted 2: eth0    inet6 2001:2::100/128 scope global nodad deprecated \\       valid_lft forever preferred_lft 0sec';

describe('vipChangeOf', () => {
  test('an IPv4 VIP added, and deleted', () => {
    expect(vipChangeOf(added4, '198.18.0.100/24')).toBe('added');
    expect(vipChangeOf(`Deleted ${added4}`, '198.18.0.100')).toBe('deleted');
  });

  test('an IPv6 VIP added, and deleted', () => {
    expect(vipChangeOf(added6, '2001:2::100/128')).toBe('added');
    expect(vipChangeOf(deleted6, '2001:2::100')).toBe('deleted');
  });

  test('another address, or one the VIP is only the start of, is no change of the VIP', () => {
    expect(vipChangeOf(added6.replace('2001:2::100/', '2001:2::1/'), '2001:2::100/128')).toBeNull();
    expect(vipChangeOf(added6.replace('2001:2::100/', '2001:2::1001/'), '2001:2::100/128')).toBeNull();
    expect(vipChangeOf(added4.replace('198.18.0.100/', '198.18.0.1001/'), '198.18.0.100/24')).toBeNull();
    expect(vipChangeOf(added6, '198.18.0.100/24')).toBeNull();
    expect(vipChangeOf('2: eth0    inet6 fe80::c6ff:fe12:1/64 scope link', '2001:2::100/128')).toBeNull();
  });
});
