// haproxy's IPv6 listeners and servers, converted: each bind form haproxy takes (brackets, `:::PORT` with
// and without v4v6 or v6only, `ipv6@`), servers in brackets and without (haproxy's last-colon rule), and
// the stats page on IPv6. Every result passes the loader `tsvip check` uses.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { convertFixture, findingAt } from './convert-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'tsvip-haproxy6-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function haproxyFile(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const backend = ['backend be', '  server m1 [2001:db8::11]:6443 check'];

describe('haproxy IPv6 binds', () => {
  test('each bind form becomes the listener haproxy had, IPv6 canonical in brackets', () => {
    const h = haproxyFile('binds.cfg', [
      'frontend local', //                  1
      '  bind [::1]:6443', //               2
      '  default_backend be', //            3
      'frontend dual', //                   4
      '  bind :::9445 v4v6', //             5
      '  default_backend be', //            6
      'frontend sysctl', //                 7
      '  bind :::9446', //                  8
      '  default_backend be', //            9
      'frontend prefixed', //               10
      '  bind ipv6@:9447', //               11
      '  default_backend be', //            12
      'frontend spelled', //                13
      '  bind 2001:DB8:0::0:50:9448', //    14
      '  default_backend be', //            15
      ...backend,
    ]);
    const { config, yaml, stderr } = convertFixture({ haproxy: h });
    expect(config.loadBalancers.map((lb) => [lb.name, lb.bind])).toEqual([
      ['local', '[::1]:6443'],
      ['dual', '[::]:9445'],
      ['sysctl', '[::]:9446'],
      ['prefixed', '[::]:9447'],
      ['spelled', '[2001:db8::50]:9448'],
    ]);
    expect(yaml).toContain(`# bind :::9446 (${h}:8): without v4v6 or v6only haproxy follows net.ipv6.bindv6only (0 by default: both families); tsvip's [::] takes both`);
    for (const line of [2, 5, 8, 11, 14]) expect(stderr.some((s) => s.startsWith(`${h}:${line}:`))).toBe(false);
  });

  test("v6only: the listener is [::], and a finding says tsvip's [::] takes IPv4 clients too", () => {
    const h = haproxyFile('v6only.cfg', ['frontend v6', '  bind :::9445 v6only', '  default_backend be', ...backend]);
    const { config, stderr } = convertFixture({ haproxy: h });
    expect(config.loadBalancers[0]?.bind).toBe('[::]:9445');
    expect(findingAt(stderr, `${h}:2`)).toBe(`${h}:2: bind :::9445 v6only: tsvip's [::]:9445 listener is dual-stack: it takes IPv4 clients too, which haproxy's v6only kept out`);
  });

  test('an IPv4 bind beside a v6only bind on the same port becomes one dual-stack listener', () => {
    const h = haproxyFile('pair.cfg', ['frontend api', '  bind *:6443', '  bind :::6443 v6only', '  default_backend be', ...backend]);
    const { config, stderr } = convertFixture({ haproxy: h });
    expect(config.loadBalancers.map((lb) => lb.bind)).toEqual(['[::]:6443']);
    expect(findingAt(stderr, `${h}:2`)).toContain(`bind 0.0.0.0:6443 (frontend api): joined into [::]:6443 (${h}:3), tsvip's dual-stack listener`);
  });
});

describe('haproxy IPv6 servers', () => {
  test("in brackets, and without them by haproxy's rule that the port follows the last colon (said in a comment)", () => {
    const h = haproxyFile('servers.cfg', [
      'frontend api', //                                  1
      '  bind [::1]:6443', //                             2
      '  default_backend be', //                          3
      'backend be', //                                    4
      '  server m1 [2001:db8::11]:6443 check', //         5
      '  server m2 2001:db8::12:6443 check', //           6
      '  server m3 ipv6@2001:db8:0:0::13:6443 check', //  7
      '  server m4 fd00::14 check', //                    8
    ]);
    const { config, yaml, stderr } = convertFixture({ haproxy: h });
    expect(config.loadBalancers[0]?.backends.map((b) => [b.name, b.address])).toEqual([
      ['m1', '[2001:db8::11]:6443'],
      ['m2', '[2001:db8::12]:6443'],
      ['m3', '[2001:db8::13]:6443'],
    ]);
    expect(yaml).toContain(`address: "[2001:db8::12]:6443" # 2001:db8::12:6443 (${h}:6): haproxy takes the part after the last colon as the port`);
    // haproxy itself reads `fd00::14` as fd00: port 14, which is no address.
    expect(findingAt(stderr, `${h}:8`)).toBe(`${h}:8: server m4 fd00::14: haproxy reads the part after the last colon as the port, which leaves fd00:, not an IPv6 address (write an IPv6 address in brackets: [ADDRESS]:PORT): skipped`);
  });
});

describe('haproxy stats page on IPv6', () => {
  test.each([
    ['bind :::9000', '[::]:9000'],
    ['bind ipv6@:9000', '[::]:9000'],
    ['bind [::1]:9000', '[::1]:9000'],
  ])('%s becomes status.listen %s', (bind, listen) => {
    const h = haproxyFile(`stats-${listen.replace(/\W/g, '')}.cfg`, ['listen stats', `  ${bind}`, '  mode http', '  stats enable', '  stats uri /stats', 'frontend api', '  bind [::1]:6443', '  default_backend be', ...backend]);
    const { config, stderr } = convertFixture({ haproxy: h });
    expect(config.status.listen).toBe(listen);
    expect(stderr.some((s) => s.startsWith(`${h}:2:`))).toBe(false);
  });
});
