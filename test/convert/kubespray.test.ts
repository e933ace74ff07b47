// kubespray's node-local haproxy (roles/kubernetes/node/templates/loadbalancer/haproxy.cfg.j2, rendered):
// no keepalived, so the result runs in load-balancer-only mode.
import { describe, expect, test } from 'vitest';
import { FIXTURES, convertFixture, findingAt } from './convert-fixture.js';

const haproxy = `${FIXTURES}/kubespray/haproxy.cfg`;

describe("kubespray's localhost load balancer", () => {
  const { config, stderr } = convertFixture({ haproxy });

  test('one node-local load balancer, leastconn, https /healthz checks from default-server timing', () => {
    expect(config.vrrp).toEqual([]);
    expect(config.loadBalancers).toHaveLength(1);
    expect(config.loadBalancers[0]).toMatchObject({
      name: 'kube_api_frontend',
      bind: '127.0.0.1:6443',
      balance: 'leastconn',
      backends: [
        { name: 'node1', address: '10.10.1.11:6443', weight: 100 },
        { name: 'node2', address: '10.10.1.12:6443', weight: 100 },
        { name: 'node3', address: '10.10.1.13:6443', weight: 100 },
      ],
      healthCheck: { type: 'https', path: '/healthz', insecureSkipVerify: true, interval: 15_000, timeout: 45_000, rise: 2, fall: 2 },
      connectTimeout: 30_000,
      retries: 5,
      idleTimeout: 30_000,
      maxConnections: 4000,
    });
  });

  test('the monitor frontend, HTTP-only options and unsupported server options are listed', () => {
    expect(findingAt(stderr, `${haproxy}:22`)).toContain('frontend healthz (lines 22-25): a monitor page is not translated: tsvip answers /healthz and /readyz at status.listen');
    expect(findingAt(stderr, `${haproxy}:10`)).toContain('option http-server-close');
    expect(findingAt(stderr, `${haproxy}:36`)).toBe(`${haproxy}:36: default-server: downinter, slowstart, maxconn, maxqueue: not supported by tsvip (left out)`);
    expect(findingAt(stderr, `${haproxy}:2`)).toContain('maxconn 4000 (global)');
    expect(stderr.some((line) => line.startsWith(`${haproxy}:39:`))).toBe(false);
  });
});
