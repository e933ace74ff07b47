// The nginx converter's choices on small configs: listen forms it cannot express, proxy_pass to an
// address or a variable, upstream server parameters, retries, includes, and what prints nothing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { convertFiles } from '../../src/convert/convert.js';
import { convertFixture, findingAt } from './convert-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'tsvip-convert-nginx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

describe('listen and proxy_pass shapes', () => {
  test('udp, ssl and proxy_protocol listens are skipped with the reason; a bare port and its [::] twin are one dual-stack listener; options are listed', () => {
    const n = file(
      'listen.conf',
      [
        'stream {', //                                     1
        '  server {', //                                   2
        '    listen 6443 reuseport backlog=512;', //       3
        '    listen [::]:6443;', //                        4
        '    listen 6444 ssl;', //                         5
        '    listen 53 udp;', //                           6
        '    listen 6445 proxy_protocol;', //              7
        '    proxy_pass 10.0.0.1:6443;', //                8
        '    ssl_certificate /etc/ssl/a.pem;', //          9
        '  }', //                                          10
        '}', //                                            11
      ].join('\n'),
    );
    const { config, stderr } = convertFixture({ nginx: n });
    expect(config.loadBalancers).toHaveLength(1);
    expect(config.loadBalancers[0]).toMatchObject({ name: '10.0.0.1-6443', bind: '[::]:6443', backends: [{ name: '10.0.0.1', address: '10.0.0.1:6443' }], healthCheck: { type: 'tcp' } });
    const line3 = stderr.filter((l) => l.startsWith(`${n}:3: `));
    expect(line3).toHaveLength(2);
    expect(line3[0]).toContain('listen options are not supported (reuseport backlog=512 left out)');
    expect(line3[1]).toContain(`listen 0.0.0.0:6443 (stream server at ${n}:2): joined into [::]:6443 (${n}:4), tsvip's dual-stack listener, which serves both families as the two listens did`);
    expect(stderr.some((l) => l.startsWith(`${n}:4: `))).toBe(false);
    expect(findingAt(stderr, `${n}:5`)).toContain('TLS termination is not supported');
    expect(findingAt(stderr, `${n}:6`)).toContain('UDP is not supported');
    expect(findingAt(stderr, `${n}:7`)).toContain('PROXY protocol');
    expect(findingAt(stderr, `${n}:9`)).toContain('neither terminates nor originates TLS');
  });

  test('proxy_pass to a variable, to an unknown name, or a server without proxy_pass: not converted; an unused upstream is listed', () => {
    const n = file(
      'targets.conf',
      'stream {\n  upstream unused {\n    server 10.0.0.9:80;\n  }\n  server {\n    listen 81;\n    proxy_pass $upstream;\n  }\n  server {\n    listen 82;\n    proxy_pass nosuch;\n  }\n  server {\n    listen 83;\n  }\n  server {\n    listen 84;\n    proxy_pass 10.0.0.1:6443;\n  }\n}\n',
    );
    const { config, stderr } = convertFixture({ nginx: n });
    expect(config.loadBalancers.map((lb) => lb.bind)).toEqual(['0.0.0.0:84']);
    expect(findingAt(stderr, `${n}:2`)).toContain('upstream unused (lines 2-4): no server proxies to it: not converted');
    expect(findingAt(stderr, `${n}:7`)).toContain('a target chosen by a variable is not supported');
    expect(findingAt(stderr, `${n}:11`)).toContain('proxy_pass nosuch: no upstream of that name, and not an address: no port');
    expect(findingAt(stderr, `${n}:13`)).toContain('server (lines 13-15): no proxy_pass: not converted');
  });
});

describe('a second proxy_pass', () => {
  test('is listed, and the first one is used, as the only one nginx would accept', () => {
    const n = file('twice.conf', 'stream {\n  server {\n    listen 81;\n    proxy_pass 10.0.0.1:6443;\n    proxy_pass 10.0.0.2:6443;\n  }\n}\n');
    const { config, stderr } = convertFixture({ nginx: n });
    expect(config.loadBalancers[0]?.backends.map((b) => b.address)).toEqual(['10.0.0.1:6443']);
    expect(findingAt(stderr, `${n}:5`)).toContain('a second proxy_pass (the first, at line 4, is used; nginx refuses this file)');
  });
});

describe('upstream servers', () => {
  test('down becomes weight 0; max_fails=0, hash, zone, max_conns and unix sockets are listed; weights above 256 are capped', () => {
    const n = file(
      'params.conf',
      [
        'stream {', //                                                  1
        '  upstream api {', //                                          2
        '    hash $remote_addr consistent;', //                         3
        '    zone api 64k;', //                                         4
        '    server 10.0.0.1:6443 max_fails=0;', //                     5
        '    server 10.0.0.2:6443 down;', //                            6
        '    server 10.0.0.3:6443 weight=300 max_conns=100;', //        7
        '    server unix:/run/api.sock;', //                            8
        '    server master4.example.com:6443;', //                      9
        '  }', //                                                       10
        '  server {', //                                                11
        '    listen 127.0.0.1:6443;', //                                12
        '    proxy_pass api;', //                                       13
        '  }', //                                                       14
        '}', //                                                         15
      ].join('\n'),
    );
    const { config, yaml, stderr } = convertFixture({ nginx: n });
    expect(config.loadBalancers[0]).toMatchObject({
      balance: 'roundrobin',
      backends: [
        { name: '10.0.0.1', address: '10.0.0.1:6443', weight: 1 },
        { name: '10.0.0.2', address: '10.0.0.2:6443', weight: 0 },
        { name: '10.0.0.3', address: '10.0.0.3:6443', weight: 256 },
        { name: 'master4.example.com', address: 'master4.example.com:6443', weight: 1 },
      ],
      healthCheck: { type: 'tcp', fall: 3 },
    });
    expect(yaml).toContain(`weight: 0 # "down" (${n}:6): weight 0 takes no new connections`);
    expect(findingAt(stderr, `${n}:3`)).toContain('tsvip balances roundrobin or leastconn (roundrobin used)');
    expect(findingAt(stderr, `${n}:4`)).toContain('not needed: tsvip keeps backend state in one process');
    expect(findingAt(stderr, `${n}:5`)).toContain("max_fails=0 (it turns nginx's failure accounting off");
    expect(findingAt(stderr, `${n}:7`)).toContain('weight=300 (tsvip allows 0 to 256: written as 256); max_conns=100: not translated');
    expect(findingAt(stderr, `${n}:8`)).toContain('unix sockets are not supported');
    expect(findingAt(stderr, `${n}:2`)).toContain('servers use different max_fails/fail_timeout');
  });

  test('proxy_next_upstream_tries sets retries; proxy_next_upstream off turns them off; a missing proxy_timeout is named in a comment', () => {
    const n = file(
      'retries.conf',
      'stream {\n  proxy_next_upstream_tries 3;\n  upstream a {\n    server 10.0.0.1:1;\n  }\n  server {\n    listen 81;\n    proxy_pass a;\n  }\n  server {\n    listen 82;\n    proxy_next_upstream off;\n    proxy_pass a;\n  }\n}\n',
    );
    const { config, yaml } = convertFixture({ nginx: n });
    expect(config.loadBalancers.map((lb) => [lb.name, lb.retries, lb.idleTimeout, lb.connectTimeout])).toEqual([
      ['a', 2, 0, 1000],
      ['a-2', 0, 0, 1000],
    ]);
    expect(yaml).toContain('proxy_next_upstream_tries 3');
    expect(yaml).toContain("nginx closes a connection idle for proxy_timeout (default 10m); tsvip's idleTimeout default of 0s is kept");
    expect(yaml).toContain("nginx's default proxy_connect_timeout is 60s");
  });
});

describe('includes and files', () => {
  test("includes are resolved from the main file's directory, also inside included files; a missing one is listed", () => {
    const main = file('inc/nginx.conf', 'stream {\n  include conf.d/*.conf;\n  include missing.conf;\n}\n');
    file('inc/conf.d/a.conf', 'include conf.d/upstream.inc;\nserver {\n  listen 81;\n  proxy_pass a;\n}\n');
    file('inc/conf.d/upstream.inc', 'upstream a {\n  server 10.0.0.1:6443;\n}\n');
    const { config, stderr } = convertFixture({ nginx: main });
    expect(config.loadBalancers[0]).toMatchObject({ name: 'a', bind: '0.0.0.0:81', backends: [{ address: '10.0.0.1:6443' }] });
    expect(findingAt(stderr, `${main}:3`)).toContain('include missing.conf');
  });

  test('a config with only an http block converts nothing: exit reason "nothing", the http block listed', () => {
    const n = file('http-only.conf', 'http {\n  server {\n    listen 80;\n  }\n}\n');
    const outcome = convertFiles({ nginx: n });
    expect(outcome).toMatchObject({ ok: false, reason: 'nothing', errors: ['nothing could be converted: no usable nginx stream server'] });
    if (outcome.ok) return;
    expect(outcome.findings.map((f) => f.line)).toEqual([1]);
  });

  test('haproxy and nginx converted together: a second load balancer of the same name is renamed', () => {
    const h = file('same.cfg', 'listen api\n  bind 127.0.0.1:7443\n  server m1 10.0.0.1:6443 check\n');
    const n = file('same.conf', 'stream {\n  upstream api {\n    server 10.0.0.1:6443;\n  }\n  server {\n    listen 127.0.0.1:8443;\n    proxy_pass api;\n  }\n}\n');
    const { config, yaml } = convertFixture({ haproxy: h, nginx: n });
    expect(config.loadBalancers.map((lb) => lb.name)).toEqual(['api', 'api-2']);
    expect(yaml).toContain('renamed: "api" is also the name of a load balancer converted from another file');
  });
});
