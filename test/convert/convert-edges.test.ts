// The converter's choices on small configs: shell syntax, built-in trackers, VRRP version rules,
// haproxy shapes it cannot express, and the outcomes that print nothing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { convertFiles } from '../../src/convert/convert.js';
import { convertFixture, findingAt } from './convert-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'tsvip-convert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const instance = (body: string, name = 'VI_1'): string =>
  `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  virtual_ipaddress {\n    10.0.0.50/24\n  }\n${body}}\n`;

describe('keepalived check scripts', () => {
  test('a script line with shell syntax runs under /bin/sh -c, and the comment says why', () => {
    const k = file('shell.conf', `vrrp_script chk {\n  script "test -f /etc/ok && grep -q ready /etc/ok"\n  interval 2\n}\n${instance('  track_script {\n    chk\n  }\n')}`);
    const { config, yaml } = convertFixture({ keepalived: k });
    expect(config.vrrp[0]?.track[0]).toMatchObject({ type: 'script', command: ['/bin/sh', '-c', 'test -f /etc/ok && grep -q ready /etc/ok'], interval: 2000, timeout: 2000, rise: 1, fall: 1, weight: 0 });
    expect(yaml).toContain('uses shell syntax and tsvip runs no shell itself, so it runs under /bin/sh -c');
  });

  test('an inline curl of the local apiserver becomes an https tracker, even next to a load balancer on another port', () => {
    const k = file('curl.conf', `vrrp_script api {\n  script "/usr/bin/curl -sfk --max-time 2 https://127.0.0.1:6443/readyz"\n  interval 2\n  timeout 1\n  fall 3\n  rise 2\n  weight -30\n}\n${instance('  track_script {\n    api\n  }\n')}`);
    const h = file('lb.cfg', 'frontend fe\n  bind *:8443\n  default_backend be\nbackend be\n  server m1 10.0.0.51:6443 check\n');
    const { config } = convertFixture({ keepalived: k, haproxy: h });
    expect(config.vrrp[0]?.track).toEqual([
      { type: 'https', url: 'https://127.0.0.1:6443/readyz', insecureSkipVerify: true, caFile: null, interval: 2000, timeout: 1000, rise: 2, fall: 3, weight: -30 },
    ]);
  });

  test('a track_script weight overrides the vrrp_script weight; an unknown script name is listed', () => {
    const k = file('weights.conf', `vrrp_script chk {\n  script "/bin/true"\n  weight -5\n}\n${instance('  track_script {\n    chk weight 10\n    nosuch\n  }\n')}`);
    const { config, stderr } = convertFixture({ keepalived: k });
    expect(config.vrrp[0]?.track).toMatchObject([{ type: 'script', command: ['/bin/true'], weight: 10 }]);
    expect(findingAt(stderr, `${k}:14`)).toContain('track_script nosuch: no vrrp_script of that name was converted');
  });
});

describe('a check of the local load balancer on a port the script leaves to a variable', () => {
  const script = 'vrrp_script chk {\n  script "curl -sfk https://localhost:${APISERVER_DEST_PORT}/healthz"\n  weight -2\n}\n';

  test('without haproxy.cfg it stays a script (under sh -c, for the variable), and the comment says why', () => {
    const k = file('var.conf', `${script}${instance('  track_script {\n    chk\n  }\n')}`);
    const { config, yaml } = convertFixture({ keepalived: k });
    expect(config.vrrp[0]?.track[0]).toMatchObject({ type: 'script', command: ['/bin/sh', '-c', 'curl -sfk https://localhost:${APISERVER_DEST_PORT}/healthz'], weight: -2 });
    expect(yaml).toContain('names a variable this script does not set');
  });

  test('with haproxy.cfg converted it becomes a backends tracker on the load balancer', () => {
    const k = file('var2.conf', `${script}${instance('  track_script {\n    chk\n  }\n')}`);
    const h = file('var2.cfg', 'listen api\n  bind *:8443\n  server m1 10.0.0.51:6443 check\n');
    const { config } = convertFixture({ keepalived: k, haproxy: h });
    expect(config.vrrp[0]?.track).toEqual([{ type: 'backends', loadBalancer: 'api', weight: -2 }]);
  });
});

describe('keepalived VRRP rules', () => {
  test('`preempt` after `nopreempt` turns preemption back on, as in keepalived', () => {
    const k = file('preempt.conf', instance('  nopreempt\n  preempt\n'));
    expect(convertFixture({ keepalived: k }).config.vrrp[0]?.preempt).toBe(true);
  });

  test('VRRPv2 advert_int must be whole seconds: 0.5 is written as 1s and listed', () => {
    const k = file('v2.conf', instance('  advert_int 0.5\n'));
    const { config, stderr } = convertFixture({ keepalived: k });
    expect(config.vrrp[0]?.advertInterval).toBe(1000);
    expect(findingAt(stderr, `${k}:1`)).toContain('VRRPv2 carries whole seconds from 1 to 255: written as 1s');
  });

  test('global vrrp_version 3: centisecond adverts, and authentication is left out with a finding', () => {
    const k = file('v3.conf', `global_defs {\n  vrrp_version 3\n}\n${instance('  advert_int 0.25\n  authentication {\n    auth_type PASS\n    auth_pass secret\n  }\n')}`);
    const { config, stderr } = convertFixture({ keepalived: k });
    expect(config.vrrp[0]).toMatchObject({ version: 3, advertInterval: 250 });
    expect(config.vrrp[0]?.authPass).toBeUndefined();
    expect(findingAt(stderr, `${k}:14`)).toContain('VRRPv3 has no authentication');
  });

  test('auth_type AH, unknown keywords and IPv6 VIPs are listed, never dropped silently', () => {
    const k = file('odd.conf', instance('  authentication {\n    auth_type AH\n  }\n  use_vmac\n  frobnicate 3\n').replace('10.0.0.50/24', '10.0.0.50/24\n    fd00::50/64'));
    const { stderr } = convertFixture({ keepalived: k });
    expect(findingAt(stderr, `${k}:7`)).toContain('fd00::50/64');
    expect(findingAt(stderr, `${k}:10`)).toContain('tsvip supports only auth_type PASS');
    expect(findingAt(stderr, `${k}:12`)).toContain('use_vmac');
    expect(findingAt(stderr, `${k}:13`)).toContain('frobnicate (vrrp_instance VI_1): not translated: tsvip convert does not know this keyword');
  });

  test('an instance without virtual_router_id is not converted; with nothing else, nothing is printed', () => {
    const k = file('novrid.conf', 'vrrp_instance X {\n  interface eth0\n  virtual_ipaddress {\n    10.0.0.50\n  }\n}\n');
    const outcome = convertFiles({ keepalived: k });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.reason).toBe('nothing');
    expect(outcome.findings).toEqual([{ file: k, line: 1, message: 'vrrp_instance X: no virtual_router_id: not converted' }]);
  });

  test('a part check would refuse (the same VRID twice on eth0) is left out with its line; the rest is converted', () => {
    const k = file('dup.conf', instance('') + instance('', 'VI_2').replace('10.0.0.50/24', '10.0.0.60/24'));
    const outcome = convertFiles({ keepalived: k });
    expect(outcome).toMatchObject({ ok: true, instances: 1 });
    if (!outcome.ok) return;
    expect(outcome.yaml).toContain('name: VI_1');
    expect(outcome.yaml).not.toContain('VI_2');
    const second = outcome.findings.find((f) => f.message.startsWith('VRRP instance VI_2'));
    expect(second?.message).toBe('VRRP instance VI_2: not converted: tsvip would refuse vrid: VRID 51 is already used on eth0 by vrrp[0] (VI_1)');
    expect(second?.line).toBeGreaterThan(1);
  });

  test('a VIP listed twice and a tracker check refuses are left out one by one; a VRID out of range leaves out its instance', () => {
    const k = file(
      'entries.conf',
      instance('  track_script {\n    chk weight 300\n  }\n').replace('10.0.0.50/24', '10.0.0.50/24\n    10.0.0.50/24') +
        'vrrp_script chk {\n  script "/bin/true"\n}\n' +
        instance('', 'VI_2').replace('virtual_router_id 51', 'virtual_router_id 300').replace('10.0.0.50/24', '10.0.0.60/24'),
    );
    const outcome = convertFiles({ keepalived: k });
    expect(outcome).toMatchObject({ ok: true, instances: 1 });
    if (!outcome.ok) return;
    const messages = outcome.findings.map((f) => f.message);
    expect(messages).toContain('VRRP instance VI_1: VIP 10.0.0.50/24 left out: tsvip would refuse it (vips: 10.0.0.50 is listed twice (first at vips[0]))');
    expect(messages).toContain('VRRP instance VI_1: tracker script left out: tsvip would refuse it (weight: must be an integer from -254 to 254 (got 300))');
    expect(messages).toContain('VRRP instance VI_2: not converted: tsvip would refuse vrid: must be an integer from 1 to 255 (got 300)');
    expect(outcome.yaml).not.toContain('track:');
  });

  test('an unreadable file, a directory', () => {
    const outcome = convertFiles({ keepalived: join(dir, 'missing.conf'), haproxy: dir });
    expect(outcome).toMatchObject({ ok: false, reason: 'unreadable', errors: [`${join(dir, 'missing.conf')}: no such file`, `${dir}: is a directory, not a file`] });
  });
});

describe('haproxy shapes', () => {
  test('mode http, conditional use_backend, a dual-stack bind and its IPv4 twin, servers without a port, unused backends are listed', () => {
    const h = file(
      'shapes.cfg',
      [
        'frontend web', //                               1
        '  mode http', //                                2
        '  bind :::443 v4v6', //                         3
        '  bind *:443', //                               4
        '  use_backend api if { path_beg /api }', //     5
        '  default_backend be', //                       6
        'backend be', //                                 7
        '  server a 10.0.0.1 check', //                  8
        '  server b 10.0.0.2:8443 check inter 3s', //    9
        'backend orphan', //                             10
        '  server c 10.0.0.3:80', //                     11
        'frontend nobackend', //                         12
        '  bind *:81', //                                13
      ].join('\n'),
    );
    const { config, stderr } = convertFixture({ haproxy: h });
    expect(config.loadBalancers).toHaveLength(1);
    expect(config.loadBalancers[0]).toMatchObject({ name: 'web', bind: '[::]:443', backends: [{ address: '10.0.0.1:443' }, { address: '10.0.0.2:8443' }] });
    expect(findingAt(stderr, `${h}:2`)).toContain('mode http: not translated: tsvip proxies TCP only');
    expect(stderr.some((line) => line.startsWith(`${h}:3:`))).toBe(false);
    expect(findingAt(stderr, `${h}:4`)).toBe(`${h}:4: bind 0.0.0.0:443 (frontend web): joined into [::]:443 (${h}:3), tsvip's dual-stack listener, which takes IPv4 clients too`);
    expect(findingAt(stderr, `${h}:5`)).toContain('conditional backend choice is not supported');
    expect(findingAt(stderr, `${h}:7`)).toContain('servers use different inter/fall/rise');
    expect(findingAt(stderr, `${h}:8`)).toContain('no port');
    expect(findingAt(stderr, `${h}:10`)).toContain('backend orphan: no frontend uses it: not converted');
    expect(findingAt(stderr, `${h}:12`)).toContain('frontend nobackend has no default_backend: not converted');
  });

  test('timeout tunnel wins over client/server for idleTimeout; retries above 10 are capped and listed', () => {
    const h = file('tunnel.cfg', 'defaults\n  mode tcp\n  retries 20\n  timeout client 30s\n  timeout server 30s\n  timeout tunnel 2h\nlisten api\n  bind 127.0.0.1:6443\n  server m1 10.0.0.51:6443 check\n');
    const { config, stderr } = convertFixture({ haproxy: h });
    expect(config.loadBalancers[0]).toMatchObject({ idleTimeout: 7_200_000, retries: 10 });
    expect(findingAt(stderr, `${h}:3`)).toContain('retries 20: tsvip allows 0 to 10: written as 10');
  });
});

describe('parts check would refuse', () => {
  test('a server listed twice is left out once; a bind another balancer has leaves out that balancer', () => {
    const h = file(
      'twice.cfg',
      [
        'frontend api', //                          1
        '  bind *:8443', //                         2
        '  mode tcp', //                            3
        '  default_backend masters', //             4
        'frontend api-again', //                    5
        '  bind *:8443', //                         6
        '  mode tcp', //                            7
        '  default_backend masters', //             8
        'backend masters', //                       9
        '  mode tcp', //                           10
        '  server m1 10.0.0.51:6443 check', //     11
        '  server m1 10.0.0.51:6443 check', //     12
        '  server m2 10.0.0.52:6443 check', //     13
        '',
      ].join('\n'),
    );
    const outcome = convertFiles({ haproxy: h });
    expect(outcome).toMatchObject({ ok: true, loadBalancers: 1 });
    if (!outcome.ok) return;
    const { config } = convertFixture({ haproxy: h });
    expect(config.loadBalancers[0]?.backends.map((b) => b.name)).toEqual(['m1', 'm2']);
    const messages = outcome.findings.map((f) => `${f.line}: ${f.message}`);
    expect(messages).toContain('5: load balancer api-again: not converted: tsvip would refuse bind: 0.0.0.0:8443 collides with loadBalancers[0] (api) (0.0.0.0:8443)');
    expect(messages.some((m) => /^\d+: load balancer api: backend m1 left out: tsvip would refuse it \(name: backend name "m1" is already used by backends\[0\]\)$/.test(m))).toBe(true);
  });
});
