// nginx's IPv6 listens and upstream servers, converted: `[::1]:PORT`, `[::]:PORT` (IPv6 only by nginx's
// default ipv6only=on, dual-stack with ipv6only=off), the common `listen PORT; listen [::]:PORT;` pair as
// one dual-stack listener, and bracketed upstream servers. Every result passes the loader `tsvip check` uses.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { convertFixture, findingAt } from './convert-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'tsvip-nginx6-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
/** A stream server with these listens (from line 3) proxying to one IPv6 upstream server. */
function nginxFile(listens: readonly string[]): string {
  const path = join(dir, `nginx-${++count}.conf`);
  const lines = ['stream {', '  server {', ...listens.map((l) => `    ${l}`), '    proxy_pass apiservers;', '  }', '  upstream apiservers {', '    server [2001:DB8::11]:6443;', '    server [2001:db8:0::12]:6443 max_fails=2;', '  }', '}'];
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('nginx IPv6 listens', () => {
  test('[::1]:PORT is the IPv6 loopback listener; upstream servers in brackets become canonical backends', () => {
    const n = nginxFile(['listen 127.0.0.1:6443;', 'listen [::1]:6443;']);
    const { config, stderr } = convertFixture({ nginx: n });
    expect(config.loadBalancers.map((lb) => lb.bind)).toEqual(['127.0.0.1:6443', '[::1]:6443']);
    expect(config.loadBalancers[0]?.backends.map((b) => [b.name, b.address])).toEqual([
      ['2001-db8--11', '[2001:db8::11]:6443'],
      ['2001-db8--12', '[2001:db8::12]:6443'],
    ]);
    expect(stderr.some((l) => l.startsWith(`${n}:3: `) || l.startsWith(`${n}:4: `))).toBe(false);
  });

  test('listen PORT with listen [::]:PORT (nginx: two sockets, the IPv6 one ipv6only) becomes one dual-stack [::]:PORT', () => {
    const n = nginxFile(['listen 6443;', 'listen [::]:6443;']);
    const { config, yaml, stderr } = convertFixture({ nginx: n });
    expect(config.loadBalancers.map((lb) => lb.bind)).toEqual(['[::]:6443']);
    expect(findingAt(stderr, `${n}:3`)).toContain(`listen 0.0.0.0:6443 (stream server at ${n}:2): joined into [::]:6443 (${n}:4)`);
    expect(yaml).toContain(`with 0.0.0.0:6443 (${n}:3): one dual-stack listener takes both families`);
  });

  test("a lone listen [::]:PORT: nginx's ipv6only=on kept IPv4 out, which tsvip's dual-stack [::] does not; a finding says so", () => {
    const n = nginxFile(['listen [::]:6443;']);
    const { config, stderr } = convertFixture({ nginx: n });
    expect(config.loadBalancers[0]?.bind).toBe('[::]:6443');
    expect(findingAt(stderr, `${n}:3`)).toBe(`${n}:3: listen [::]:6443 (stream server at ${n}:2): nginx listens on IPv6 only there (ipv6only=on, its default); tsvip's [::]:6443 is dual-stack and takes IPv4 clients too`);
  });

  test('listen [::]:PORT ipv6only=off is what tsvip does: no finding', () => {
    const n = nginxFile(['listen [::]:6443 ipv6only=off;']);
    const { config, stderr } = convertFixture({ nginx: n });
    expect(config.loadBalancers[0]?.bind).toBe('[::]:6443');
    expect(stderr.some((l) => l.startsWith(`${n}:3: `))).toBe(false);
  });
});
