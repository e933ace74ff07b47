// kubeadm's HA guide (ha-considerations.md): keepalived.conf + check_apiserver.sh + haproxy.cfg.
import { describe, expect, test } from 'vitest';
import { FIXTURES, convertFixture, findingAt } from './convert-fixture.js';

const dir = `${FIXTURES}/kubeadm`;
const keepalived = `${dir}/keepalived.conf`;
const haproxy = `${dir}/haproxy.cfg`;

describe("kubeadm's HA guide: keepalived + haproxy", () => {
  const { config, yaml, stderr } = convertFixture({ keepalived, haproxy });

  test('the vrrp_instance keeps its election settings', () => {
    expect(config.vrrp).toHaveLength(1);
    expect(config.vrrp[0]).toMatchObject({
      name: 'VI_1',
      interface: 'eth0',
      vrid: 51,
      priority: 101,
      version: 2,
      advertInterval: 1000,
      initialState: 'master',
      preempt: true,
      authPass: '42',
      vips: ['192.168.0.40/32'],
    });
    expect(config.vrrp[0]?.unicast).toBeUndefined();
  });

  test('check_apiserver.sh, which only curls the local load balancer, becomes a backends tracker on it', () => {
    expect(config.vrrp[0]?.track).toEqual([{ type: 'backends', loadBalancer: 'apiserver', weight: -2 }]);
    expect(yaml).toMatch(/# vrrp_script check_apiserver \(.*keepalived\.conf:6\) \(read .*check_apiserver\.sh\) only checks GET https:\/\/localhost:8443\//);
  });

  test('the frontend and its backend become one load balancer with an https check of /healthz', () => {
    expect(config.loadBalancers).toHaveLength(1);
    expect(config.loadBalancers[0]).toMatchObject({
      name: 'apiserver',
      bind: '0.0.0.0:8443',
      balance: 'roundrobin',
      backends: [
        { name: 'master1', address: '192.168.0.41:6443', weight: 1 },
        { name: 'master2', address: '192.168.0.42:6443', weight: 1 },
        { name: 'master3', address: '192.168.0.43:6443', weight: 1 },
      ],
      healthCheck: { type: 'https', path: '/healthz', insecureSkipVerify: true, interval: 2000, rise: 2, fall: 3, timeout: 12_000 },
      connectTimeout: 5000,
      retries: 1,
      idleTimeout: 35_000,
    });
  });

  test('comments name the source of each block and explain the timeouts', () => {
    expect(yaml).toContain(`# from ${keepalived}:14 vrrp_instance VI_1`);
    expect(yaml).toContain(`# from ${haproxy}:33 frontend apiserver with backend apiserverbackend (${haproxy}:42)`);
    expect(yaml).toContain("tsvip's default 0s never cuts watches");
    expect(yaml).toContain('option redispatch');
    expect(yaml).toContain('router_id LVS_DEVEL');
  });

  test('every line with no tsvip meaning is listed with file:line', () => {
    expect(findingAt(stderr, `${haproxy}:6`)).toContain('log stdout format raw local0 (global)');
    expect(findingAt(stderr, `${haproxy}:16`)).toContain('option httplog');
    expect(findingAt(stderr, `${haproxy}:19`)).toContain('option forwardfor');
    expect(findingAt(stderr, `${haproxy}:22`)).toContain('timeout http-request 10s');
    expect(findingAt(stderr, `${haproxy}:36`)).toContain('option tcplog');
    // The only keepalived line: the script's 3 s x fall 10 of grace, which a backends tracker has no place for.
    expect(stderr.filter((line) => line.startsWith(keepalived))).toEqual([findingAt(stderr, `${keepalived}:6`)]);
    expect(findingAt(stderr, `${keepalived}:6`)).toContain("the script's interval 3s, timeout 3s, rise 2, fall 10 are not kept; it fails when the last backend is marked down (its healthCheck: interval 2s x fall 3)");
  });
});

describe("kubeadm's HA guide: keepalived alone (haproxy stays)", () => {
  const { config, yaml } = convertFixture({ keepalived });

  test('the check script (curl without --fail: any answer will do) becomes a built-in tcp tracker with keepalived timing', () => {
    expect(config.loadBalancers).toEqual([]);
    expect(config.vrrp[0]?.track).toEqual([{ type: 'tcp', address: 'localhost:8443', interval: 3000, timeout: 3000, rise: 2, fall: 10, weight: -2 }]);
    expect(yaml).toContain('curl without --fail accepts any HTTP answer (403 and 500 too), so a built-in tcp tracker on localhost:8443 checks the same');
  });
});
