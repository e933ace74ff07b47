// Published configs with their IPv6 parts, rendered from the projects' own templates (each fixture's
// header says from which commit and with which values): kubespray's node-local balancers with ipv6_stack
// (haproxy and nginx bind [::1]:6443 beside 127.0.0.1:6443, the apiservers in brackets), and OpenShift's
// on-prem keepalived and haproxy for a dual-stack cluster whose primary family is IPv6 (an instance per VIP
// and family on one VRID, `bind :::9445 v4v6`, servers written IPv6:PORT without brackets). Each converts
// to a vip.yaml that the loader `tsvip check` uses accepts, and the IPv6 parts are kept.
import { describe, expect, test } from 'vitest';
import { FIXTURES, convertFixture, findingAt } from './convert-fixture.js';

const apiservers = [
  { name: 'node1', address: '[fd00:10:10:1::11]:6443' },
  { name: 'node2', address: '[fd00:10:10:1::12]:6443' },
  { name: 'node3', address: '[fd00:10:10:1::13]:6443' },
];

describe('kubespray with ipv6_stack: haproxy.cfg.j2 rendered for an IPv6 cluster', () => {
  const haproxy = `${FIXTURES}/kubespray-ipv6/haproxy.cfg`;
  const { config, stderr } = convertFixture({ haproxy });

  test('the IPv4 and the IPv6 loopback listeners are two load balancers on the same IPv6 apiservers', () => {
    expect(config.loadBalancers.map((lb) => [lb.name, lb.bind])).toEqual([
      ['kube_api_frontend', '127.0.0.1:6443'],
      ['kube_api_frontend-2', '[::1]:6443'],
    ]);
    for (const lb of config.loadBalancers) {
      expect(lb).toMatchObject({ balance: 'leastconn', healthCheck: { type: 'https', path: '/healthz', insecureSkipVerify: true } });
      expect(lb.backends.map(({ name, address }) => ({ name, address }))).toEqual(apiservers);
    }
  });

  test('the healthz frontend on 0.0.0.0:8081 and :::8081 is the monitor page, listed once', () => {
    expect(findingAt(stderr, `${haproxy}:30`)).toContain('frontend healthz (lines 30-34): a monitor page is not translated');
  });
});

describe('kubespray with ipv6_stack: nginx.conf.j2 rendered for an IPv6 cluster', () => {
  const nginx = `${FIXTURES}/kubespray-ipv6/nginx.conf`;
  const { config } = convertFixture({ nginx });

  test('listen 127.0.0.1:6443 and [::1]:6443 proxy to the IPv6 upstream servers', () => {
    expect(config.loadBalancers.map((lb) => lb.bind)).toEqual(['127.0.0.1:6443', '[::1]:6443']);
    for (const lb of config.loadBalancers) {
      expect(lb.balance).toBe('leastconn');
      expect(lb.backends.map((b) => b.address)).toEqual(apiservers.map((a) => a.address));
    }
  });
});

describe("OpenShift on-prem, dual-stack with IPv6 primary: the machine-config-operator's keepalived and haproxy templates rendered", () => {
  const keepalived = `${FIXTURES}/openshift-ipv6-primary/keepalived.conf`;
  const haproxy = `${FIXTURES}/openshift-ipv6-primary/haproxy.cfg`;
  const { config, stderr } = convertFixture({ keepalived, haproxy });

  test('an instance per VIP and family: the IPv6 ones version 3 with IPv6 unicast, each family on the same VRIDs', () => {
    expect(config.vrrp.map((v) => [v.name, v.vrid, v.version, v.vips, v.unicast])).toEqual([
      ['ostest_API_0', 14, 3, ['fd2e:6f44:5dd8:c956::5/128'], { source: 'fd2e:6f44:5dd8:c956::14', peers: ['fd2e:6f44:5dd8:c956::15', 'fd2e:6f44:5dd8:c956::16'] }],
      ['ostest_INGRESS_0', 93, 3, ['fd2e:6f44:5dd8:c956::4/128'], { source: 'fd2e:6f44:5dd8:c956::14', peers: ['fd2e:6f44:5dd8:c956::15', 'fd2e:6f44:5dd8:c956::16'] }],
      ['ostest_API_1', 14, 2, ['192.168.111.5/32'], { source: '192.168.111.20', peers: ['192.168.111.21', '192.168.111.22'] }],
      ['ostest_INGRESS_1', 93, 2, ['192.168.111.4/32'], { source: '192.168.111.20', peers: ['192.168.111.21', '192.168.111.22'] }],
    ]);
    // The IPv6 instances send no password (VRRPv3 has none); the IPv4 ones the 8 bytes keepalived sends.
    expect(config.vrrp.map((v) => v.authPass)).toEqual([undefined, undefined, 'ostest_a', 'ostest_i']);
    expect(findingAt(stderr, `${keepalived}:97`)).toContain('auth_pass (vrrp_instance ostest_API_0): VRRPv3 has no authentication (keepalived ignores it too): left out');
    expect(findingAt(stderr, `${keepalived}:100`)).toContain('fd2e:6f44:5dd8:c956::5/128 label vip (vrrp_instance ostest_API_0): address options other than dev are not supported (label vip left out)');
  });

  test('haproxy: bind :::9445 v4v6 is the dual-stack [::]:9445; the unbracketed IPv6 servers are read by the last colon', () => {
    expect(config.loadBalancers).toHaveLength(1);
    expect(config.loadBalancers[0]).toMatchObject({ name: 'main', bind: '[::]:9445', healthCheck: { type: 'https', path: '/readyz', insecureSkipVerify: true } });
    expect(config.loadBalancers[0]?.backends.map((b) => [b.name, b.address])).toEqual([
      ['master-0', '[fd2e:6f44:5dd8:c956::14]:6443'],
      ['master-1', '[fd2e:6f44:5dd8:c956::15]:6443'],
      ['master-2', '[fd2e:6f44:5dd8:c956::16]:6443'],
    ]);
  });

  test('the stats page binds localhost, a name: listed, and the status server keeps its default', () => {
    expect(findingAt(stderr, `${haproxy}:40`)).toContain('bind localhost:29445 (listen stats): localhost is a host name, which haproxy resolves at start-up');
    expect(config.status.listen).toBe('127.0.0.1:9901');
  });
});
