// keepalived's IPv6 instances, converted as keepalived 2.2 runs them (each behaviour below is what
// `keepalived -t` says of the same lines): IPv6 means VRRPv3, one family per instance decided by the
// first address, the other family's VIPs and peers refused, and what tsvip refuses (a link-local VIP)
// left out with its line. Every result passes the loader `tsvip check` uses.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { convertFixture, findingAt } from './convert-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'tsvip-keepalived6-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function keepalivedFile(lines: readonly string[]): string {
  const path = join(dir, `keepalived-${++count}.conf`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** A vrrp_instance whose body starts at line 2 of the file. */
const instance = (body: readonly string[], name = 'VI_6', vrid = 51): string[] => [`vrrp_instance ${name} {`, '  interface eth0', `  virtual_router_id ${vrid}`, ...body, '}'];

describe('an IPv6 vrrp_instance', () => {
  test('becomes a version 3 instance with canonical VIPs (/128 by default), unicast source and peers in IPv6, and no authPass', () => {
    const k = keepalivedFile(
      instance([
        '  priority 100', //                          4
        '  authentication {', //                      5
        '    auth_type PASS', //                      6
        '    auth_pass secret', //                    7
        '  }', //                                     8
        '  unicast_src_ip 2001:DB8::0:11', //         9
        '  unicast_peer {', //                        10
        '    2001:db8:0:0:0:0:0:12', //               11
        '  }', //                                     12
        '  virtual_ipaddress {', //                   13
        '    2001:db8::50/64 dev eth0', //            14
        '    2001:db8::51', //                        15
        '  }', //                                     16
      ]),
    );
    const { config, yaml, stderr } = convertFixture({ keepalived: k });
    expect(config.vrrp[0]).toMatchObject({ name: 'VI_6', version: 3, vips: ['2001:db8::50/64', '2001:db8::51/128'], unicast: { source: '2001:db8::11', peers: ['2001:db8::12'] } });
    expect(config.vrrp[0]?.authPass).toBeUndefined();
    expect(yaml).toContain('version: 3 # IPv6: keepalived runs every IPv6 instance with VRRPv3');
    expect(findingAt(stderr, `${k}:7`)).toContain('auth_pass (vrrp_instance VI_6): VRRPv3 has no authentication (keepalived ignores it too): left out');
  });

  test('an explicit version 2 is said to become version 3, as keepalived runs it', () => {
    const k = keepalivedFile(instance(['  version 2', '  virtual_ipaddress {', '    2001:db8::50', '  }']));
    const { config, stderr } = convertFixture({ keepalived: k });
    expect(config.vrrp[0]?.version).toBe(3);
    expect(findingAt(stderr, `${k}:4`)).toContain('version 2 (vrrp_instance VI_6): the instance is IPv6, which keepalived runs with VRRPv3');
  });

  test('native_ipv6 makes the instance IPv6, so an IPv4 VIP after it is left out, as keepalived ignores it', () => {
    const k = keepalivedFile(instance(['  native_ipv6', '  virtual_ipaddress {', '    10.0.0.50/24', '    2001:db8::50', '  }']));
    const { config, stderr } = convertFixture({ keepalived: k });
    expect(config.vrrp[0]).toMatchObject({ version: 3, vips: ['2001:db8::50/128'] });
    expect(findingAt(stderr, `${k}:6`)).toContain('10.0.0.50/24 (vrrp_instance VI_6): IPv4, but native_ipv6 (line 4) made the instance IPv6: keepalived ignores it ("address family must match VRRP instance - ignoring")');
  });

  test('native_ipv6 after an IPv4 VIP is refused, as keepalived refuses it', () => {
    const k = keepalivedFile(instance(['  virtual_ipaddress {', '    10.0.0.50/24', '  }', '  native_ipv6']));
    const { config, stderr } = convertFixture({ keepalived: k });
    expect(config.vrrp[0]).toMatchObject({ version: 2, vips: ['10.0.0.50/24'] });
    expect(findingAt(stderr, `${k}:7`)).toContain('native_ipv6 (vrrp_instance VI_6): after 10.0.0.50/24 (line 5) keepalived refuses it ("Cannot specify native_ipv6 with IPv4 addresses")');
  });

  test('a virtual_ipaddress that mixes families keeps the first family; each VIP of the other is a finding that says how to serve it', () => {
    const k = keepalivedFile(instance(['  virtual_ipaddress {', '    10.0.0.50/24', '    2001:db8::50/64', '  }'], 'VI_1'));
    const { config, stderr } = convertFixture({ keepalived: k });
    expect(config.vrrp).toHaveLength(1);
    expect(config.vrrp[0]).toMatchObject({ version: 2, vips: ['10.0.0.50/24'] });
    expect(findingAt(stderr, `${k}:6`)).toBe(
      `${k}:6: 2001:db8::50/64 (vrrp_instance VI_1): IPv6, but 10.0.0.50/24 (line 5) made the instance IPv4: keepalived ignores it ("address family must match VRRP instance - ignoring"), so it is left out; to serve it, give it a vrrp instance of its own (version: 3) (the same vrid may serve both families on one interface)`,
    );
  });

  test('virtual_ipaddress_excluded, where keepalived lets the other family ride along, is listed with how to serve it', () => {
    const k = keepalivedFile(instance(['  virtual_ipaddress {', '    2001:db8::50', '  }', '  virtual_ipaddress_excluded {', '    10.0.0.50/24', '  }']));
    const { config, stderr } = convertFixture({ keepalived: k });
    expect(config.vrrp[0]?.vips).toEqual(['2001:db8::50/128']);
    expect(findingAt(stderr, `${k}:7`)).toContain('one of the other family needs an instance of its own (IPv6 with version: 3), which elects on its own');
  });

  test('a unicast peer of the other family is left out, as keepalived skips it', () => {
    const k = keepalivedFile(instance(['  unicast_src_ip 2001:db8::11', '  unicast_peer {', '    2001:db8::12', '    10.0.0.13', '  }', '  virtual_ipaddress {', '    2001:db8::50', '  }']));
    const { config, stderr } = convertFixture({ keepalived: k });
    expect(config.vrrp[0]?.unicast).toEqual({ source: '2001:db8::11', peers: ['2001:db8::12'] });
    expect(findingAt(stderr, `${k}:7`)).toContain('unicast peer 10.0.0.13 (vrrp_instance VI_6): IPv4, but unicast_src_ip 2001:db8::11 (line 4) made the instance IPv6: keepalived skips it');
  });

  test('a link-local VIP, which keepalived adds, is left out with tsvip’s reason; a VIP on another interface too', () => {
    const k = keepalivedFile(instance(['  virtual_ipaddress {', '    fe80::50/64', '    2001:db8::50/64 dev eth0', '    2001:db8::51/64 dev eth1', '  }']));
    const { config, stderr } = convertFixture({ keepalived: k });
    expect(config.vrrp[0]).toMatchObject({ version: 3, vips: ['2001:db8::50/64'] });
    expect(findingAt(stderr, `${k}:5`)).toContain('fe80::50/64 (vrrp_instance VI_6): keepalived adds it, but tsvip refuses it as a VIP (fe80::50 is link-local (fe80::/10)');
    expect(findingAt(stderr, `${k}:7`)).toContain('2001:db8::51/64 dev eth1 (vrrp_instance VI_6): a VIP on another interface than the instance');
  });

  test('an IPv4 and an IPv6 instance with the same vrid on one interface are both kept (they are different routers)', () => {
    const k = keepalivedFile([...instance(['  virtual_ipaddress {', '    10.0.0.50/24', '  }'], 'API_0', 14), ...instance(['  virtual_ipaddress {', '    2001:db8::50/128', '  }'], 'API_1', 14)]);
    const { config } = convertFixture({ keepalived: k });
    expect(config.vrrp.map((v) => [v.name, v.vrid, v.version, v.vips])).toEqual([
      ['API_0', 14, 2, ['10.0.0.50/24']],
      ['API_1', 14, 3, ['2001:db8::50/128']],
    ]);
  });

  test('an haproxy bind on the IPv6 VIP, however it is spelled, becomes vip:PORT', () => {
    const k = keepalivedFile(instance(['  virtual_ipaddress {', '    2001:db8::50/64', '  }']));
    const h = join(dir, 'vip6.cfg');
    writeFileSync(h, 'frontend api\n  bind [2001:db8:0::50]:8443\n  default_backend be\nbackend be\n  server m1 [2001:db8::11]:6443 check\n');
    const { config } = convertFixture({ keepalived: k, haproxy: h });
    expect(config.loadBalancers[0]?.bind).toBe('vip:8443');
  });
});

describe('check scripts on IPv6 addresses', () => {
  test('curl of https://[::1]:6443 becomes an https tracker; nc -z of ::1 a tcp tracker on [::1]:PORT', () => {
    const k = keepalivedFile([
      'vrrp_script chk_api {',
      '  script "/usr/bin/curl -sfk https://[::1]:6443/readyz"',
      '  interval 2',
      '}',
      'vrrp_script chk_port {',
      '  script "nc -z 0:0::1 6443"',
      '  interval 2',
      '}',
      ...instance(['  virtual_ipaddress {', '    2001:db8::50', '  }', '  track_script {', '    chk_api', '    chk_port', '  }']),
    ]);
    const { config } = convertFixture({ keepalived: k });
    expect(config.vrrp[0]?.track).toMatchObject([
      { type: 'https', url: 'https://[::1]:6443/readyz', insecureSkipVerify: true },
      { type: 'tcp', address: '[::1]:6443' },
    ]);
  });
});

describe('an IPv6 virtual_server', () => {
  test('on the IPv6 VIP becomes a vip:PORT load balancer with bracketed backends', () => {
    const k = keepalivedFile([
      ...instance(['  virtual_ipaddress {', '    2001:db8::50/64', '  }']),
      'virtual_server 2001:db8::50 6443 {',
      '  lb_algo rr',
      '  real_server 2001:db8::11 6443 {',
      '    TCP_CHECK {',
      '      connect_timeout 3',
      '    }',
      '  }',
      '}',
    ]);
    const { config } = convertFixture({ keepalived: k });
    expect(config.loadBalancers[0]).toMatchObject({ bind: 'vip:6443', backends: [{ name: '2001-db8--11-6443', address: '[2001:db8::11]:6443' }], healthCheck: { type: 'tcp' } });
  });
});
