// The pseudo-headers a VRRPv3 checksum starts from (RFC 5798 5.2.8), laid out byte by byte, and how the
// family of an envelope is decided.
import { describe, expect, test } from 'vitest';
import { envelopeFamily, pseudoHeaderBytes } from '../../src/net/pseudo-header.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('pseudo-headers', () => {
  test('IPv4: source, destination, a zero byte, the protocol, the 16-bit length (12 bytes)', () => {
    const bytes = pseudoHeaderBytes({ family: 'ipv4', envelope: { source: '198.18.0.1', destination: '224.0.0.18' }, protocol: 112, length: 12 });
    expect(hex(bytes)).toBe('c6120001' + 'e0000012' + '00' + '70' + '000c');
  });

  test('IPv6, RFC 8200 8.1: source, destination, the 32-bit length, three zero bytes, the next header (40 bytes)', () => {
    const bytes = pseudoHeaderBytes({ family: 'ipv6', envelope: { source: 'fe80::c6ff:fe12:1', destination: 'ff02::12' }, protocol: 112, length: 0x10203 });
    expect(hex(bytes)).toBe('fe800000000000000000c6fffe120001' + 'ff020000000000000000000000000012' + '00010203' + '000000' + '70');
  });

  test('an address not of the family is a RangeError', () => {
    expect(() => pseudoHeaderBytes({ family: 'ipv6', envelope: { source: '198.18.0.1', destination: 'ff02::12' }, protocol: 112, length: 8 })).toThrow(RangeError);
  });
});

describe('envelopeFamily', () => {
  test.each([
    ['no envelope: IPv4, as VRRPv2 callers pass none', undefined, 'ipv4'],
    ['two IPv4 addresses', { source: '198.18.0.1', destination: '224.0.0.18' }, 'ipv4'],
    ['two IPv6 addresses', { source: 'fe80::1', destination: 'ff02::12' }, 'ipv6'],
    ['an IPv4-mapped IPv6 address is IPv6', { source: '::ffff:198.18.0.1', destination: 'ff02::12' }, 'ipv6'],
  ])('%s', (_name, envelope, family) => {
    expect(envelopeFamily(envelope)).toBe(family);
  });

  test('an envelope mixing the families is a TypeError', () => {
    expect(() => envelopeFamily({ source: '198.18.0.1', destination: 'ff02::12' })).toThrow(TypeError);
    expect(() => envelopeFamily({ source: 'fe80::1', destination: '224.0.0.18' })).toThrow(TypeError);
  });
});
