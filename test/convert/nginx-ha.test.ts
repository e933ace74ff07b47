// nginx next to keepalived, in the style of the HA guides' nginx variant: nginx.conf includes
// stream.d/*.conf, where the upstream and a server listening on the VIP and on localhost are.
import { describe, expect, test } from 'vitest';
import { FIXTURES, convertFixture, findingAt } from './convert-fixture.js';

const dir = `${FIXTURES}/nginx-ha`;
const nginx = `${dir}/nginx.conf`;
const included = `${dir}/stream.d/apiserver.conf`;
const keepalived = `${dir}/keepalived.conf`;

const backends = [
  { name: '192.168.0.41', address: '192.168.0.41:6443', weight: 5 },
  { name: '192.168.0.42', address: '192.168.0.42:6443', weight: 5 },
  { name: '192.168.0.43', address: '192.168.0.43:6443', weight: 5 },
];

describe('nginx alone: the included stream server, one load balancer per listen', () => {
  const { config, yaml, stderr } = convertFixture({ nginx });

  test('weights, max_fails as the tcp check fall, the inherited proxy_connect_timeout and proxy_timeout', () => {
    expect(config.loadBalancers.map((lb) => [lb.name, lb.bind])).toEqual([
      ['k8s-apiserver', '192.168.0.40:8443'],
      ['k8s-apiserver-2', '127.0.0.1:8443'],
    ]);
    for (const lb of config.loadBalancers) {
      expect(lb).toMatchObject({ balance: 'roundrobin', backends, healthCheck: { type: 'tcp', fall: 3 }, connectTimeout: 2000, idleTimeout: 3_600_000 });
    }
    expect(yaml).toContain(`connectTimeout: 2s # proxy_connect_timeout (${nginx}:25)`);
    expect(yaml).toContain('nginx OSS only checks passively (max_fails=3 fail_timeout=30s)');
    expect(yaml).toContain('fall: 3 as max_fails');
    // Two load balancers from one server: each gets its own copy, not a YAML alias.
    expect(yaml).not.toMatch(/[&*]a\d/);
  });

  test('findings name the included file and its lines: fail_timeout, backup, logging; the http block once', () => {
    for (const line of [3, 4, 5]) expect(findingAt(stderr, `${included}:${line}`)).toContain('fail_timeout=30s (how long nginx skips a failed server');
    expect(findingAt(stderr, `${included}:6`)).toContain('server 192.168.0.44:6443 backup (upstream k8s-apiserver): backup servers are not supported');
    expect(findingAt(stderr, `${nginx}:22`)).toContain('log_format basic');
    expect(findingAt(stderr, `${nginx}:24`)).toContain('access_log /var/log/nginx/k8s-access.log basic (stream): not translated: tsvip logs connections itself');
    expect(findingAt(stderr, `${nginx}:13`)).toContain('http block (lines 13-19): ignored');
    // The include inside the ignored http block is not followed, so it is not reported either.
    expect(stderr.some((l) => l.startsWith(`${nginx}:18:`))).toBe(false);
    expect(stderr.some((l) => l.startsWith(`${nginx}:25:`) || l.startsWith(`${included}:1`))).toBe(false);
  });
});

describe('keepalived + nginx: the listen on the VIP becomes vip:PORT', () => {
  const { config, yaml } = convertFixture({ keepalived, nginx });

  test('the VIP listen binds vip:8443 (listening only while MASTER), the localhost one stays', () => {
    expect(config.vrrp[0]).toMatchObject({ name: 'VI_1', vrid: 51, vips: ['192.168.0.40/32'] });
    expect(config.loadBalancers.map((lb) => [lb.name, lb.bind])).toEqual([
      ['k8s-apiserver', 'vip:8443'],
      ['k8s-apiserver-2', '127.0.0.1:8443'],
    ]);
    expect(yaml).toContain(`bind: vip:8443 # listen 192.168.0.40:8443 (${included}:10) is the VIP: tsvip listens there only while MASTER`);
  });

  test('`killall -0 nginx` asks about the load balancer tsvip replaces: it becomes a backends tracker', () => {
    expect(config.vrrp[0]?.track).toEqual([{ type: 'backends', loadBalancer: 'k8s-apiserver', weight: -2 }]);
    expect(yaml).toContain('only checks is nginx running: tsvip is the load balancer now');
  });
});
