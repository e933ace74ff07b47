// kubespray's nginx-proxy (roles/kubernetes/node/templates/loadbalancer/nginx.conf.j2, rendered for three
// control-plane hosts): the node-local load balancer on 127.0.0.1:6443, no keepalived.
import { describe, expect, test } from 'vitest';
import { FIXTURES, convertFixture, findingAt } from './convert-fixture.js';

const nginx = `${FIXTURES}/kubespray-nginx/nginx.conf`;

describe("kubespray's nginx localhost load balancer", () => {
  const { config, yaml, stderr } = convertFixture({ nginx });

  test('the stream server becomes one node-local load balancer: leastconn, the upstream servers, its timeouts', () => {
    expect(config.vrrp).toEqual([]);
    expect(config.loadBalancers).toHaveLength(1);
    expect(config.loadBalancers[0]).toMatchObject({
      name: 'kube_apiserver',
      bind: '127.0.0.1:6443',
      balance: 'leastconn',
      backends: [
        { name: '10.10.1.11', address: '10.10.1.11:6443', weight: 1 },
        { name: '10.10.1.12', address: '10.10.1.12:6443', weight: 1 },
        { name: '10.10.1.13', address: '10.10.1.13:6443', weight: 1 },
      ],
      healthCheck: { type: 'tcp', interval: 2000, timeout: 1000, rise: 2, fall: 3 },
      connectTimeout: 1000,
      idleTimeout: 600_000,
      retries: 2,
    });
  });

  test('the comments say why a tcp check stands for nginx passive checks and where the timeouts came from', () => {
    expect(yaml).toContain(`# from ${nginx}:21 nginx stream server, backends from upstream kube_apiserver (${nginx}:14)`);
    expect(yaml).toContain("nginx OSS only checks passively (nginx's defaults max_fails=1 fail_timeout=10s)");
    expect(yaml).toContain('the closest is a tcp connect check');
    expect(yaml).toContain(`idleTimeout: 10m # from nginx's proxy_timeout (${nginx}:24)`);
    expect(yaml).toContain(`connectTimeout: 1s # proxy_connect_timeout (${nginx}:25)`);
  });

  test('process settings, the events block and the http block are each listed once with their line', () => {
    expect(stderr).toEqual([
      `${nginx}:1: error_log stderr notice: nginx process settings have no tsvip equivalent`,
      `${nginx}:3: worker_processes 2: nginx process settings have no tsvip equivalent`,
      `${nginx}:4: worker_rlimit_nofile 130048: nginx process settings have no tsvip equivalent`,
      `${nginx}:5: worker_shutdown_timeout 10s: nginx process settings have no tsvip equivalent`,
      `${nginx}:7: events block (lines 7-11): nginx worker settings have no tsvip equivalent (one process, one event loop)`,
      `${nginx}:29: http block (lines 29-52): ignored: tsvip proxies TCP only, as nginx's stream context; HTTP servers, locations and health pages have no tsvip equivalent (tsvip serves /healthz at status.listen)`,
    ]);
    expect(findingAt(stderr, `${nginx}:29`)).toContain('http block');
  });
});
