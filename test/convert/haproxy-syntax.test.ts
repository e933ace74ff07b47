// haproxy.cfg's line syntax and time values.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { haproxyTimeMs, parseHaproxy, splitHaproxyLine } from '../../src/convert/haproxy-syntax.js';

describe('haproxy line syntax', () => {
  test('words, comments, quotes and escapes', () => {
    expect(splitHaproxyLine('  server m1 10.0.0.1:6443 check   # primary')).toEqual(['server', 'm1', '10.0.0.1:6443', 'check']);
    expect(splitHaproxyLine(`http-check send hdr Host "a b" uri '/x#y' ver HTTP/1.1\\ x`)).toEqual(['http-check', 'send', 'hdr', 'Host', 'a b', 'uri', '/x#y', 'ver', 'HTTP/1.1 x']);
    expect(splitHaproxyLine('option httpchk GET /healthz HTTP/1.0\\r\\nHost:\\ x')).toEqual(['option', 'httpchk', 'GET', '/healthz', 'HTTP/1.0\r\nHost: x']);
  });

  test('sections with their lines and line numbers; lines before any section are orphans', () => {
    const { sections, orphans } = parseHaproxy('maxconn 1\nglobal\n  daemon\n\nfrontend fe\n  bind :80\n', 'h.cfg');
    expect(orphans).toEqual([{ words: ['maxconn', '1'], file: 'h.cfg', line: 1, text: 'maxconn 1' }]);
    expect(sections.map((s) => [s.kind, s.name, s.line, s.lastLine, s.lines.map((l) => l.line)])).toEqual([
      ['global', undefined, 2, 3, [3]],
      ['frontend', 'fe', 5, 6, [6]],
    ]);
  });

  test('time values: milliseconds by default, or with a unit', () => {
    expect([haproxyTimeMs('5000'), haproxyTimeMs('5s'), haproxyTimeMs('2m'), haproxyTimeMs('1h'), haproxyTimeMs('1d'), haproxyTimeMs('1500us')]).toEqual([
      5000, 5000, 120_000, 3_600_000, 86_400_000, 2,
    ]);
    expect(haproxyTimeMs('5 s')).toBeUndefined();
    expect(haproxyTimeMs(undefined)).toBeUndefined();
  });

  test('property: parsing never throws on random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => void parseHaproxy(text, 'random.cfg')), { numRuns: 1000 });
  });
});
