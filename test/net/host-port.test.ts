import { describe, expect, test } from 'vitest';
import { formatHostPort, parseHostPort } from '../../src/net/host-port.js';

const listener = { allowHostname: false, keywords: ['vip'] };
const backend = { allowHostname: true, keywords: [] };

describe('HOST:PORT in both families', () => {
  test.each([
    ['0.0.0.0:8443', listener, { host: '0.0.0.0', port: 8443 }],
    ['[::]:8443', listener, { host: '::', port: 8443 }],
    ['[2001:DB8:0::50]:8443', listener, { host: '2001:db8::50', port: 8443 }],
    ['vip:6443', listener, { host: 'vip', port: 6443 }],
    ['[::ffff:198.18.0.1]:6443', backend, { host: '::ffff:198.18.0.1', port: 6443 }],
    ['api.example:6443', backend, { host: 'api.example', port: 6443 }],
  ])('%s parses, IPv6 canonical and without brackets', (text, rules, expected) => {
    expect(parseHostPort(text, rules)).toEqual({ ok: true, value: expected });
  });

  test.each([
    ['2001:db8::50:8443', 'an IPv6 address must be written in brackets, such as [2001:db8::50]:8443'],
    ['[fe80::1%eth0]:6443', '[fe80::1%eth0] is not an IPv6 address in brackets, such as [2001:db8::1] or [::]'],
    ['[::1]:0', 'the port must be 1 to 65535'],
    ['[::1]', 'needs a port after the brackets, such as [::1]:6443'],
    ['api.example:6443', 'must be HOST:PORT with HOST an IPv4 address, an [IPv6] address or "vip"'],
  ])('%s is refused: %s', (text, reason) => {
    expect(parseHostPort(text, listener)).toEqual({ ok: false, reason });
  });

  test('formatHostPort puts an IPv6 host back in brackets', () => {
    expect(formatHostPort('2001:db8::50', 8443)).toBe('[2001:db8::50]:8443');
    expect(formatHostPort('10.0.0.50', 8443)).toBe('10.0.0.50:8443');
  });
});
