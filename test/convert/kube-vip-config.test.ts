// kube-vip's older config.yaml (the raft era: localPeer, remotePeers, vip, loadBalancers), for the first
// of three control-plane hosts.
import { describe, expect, test } from 'vitest';
import { FIXTURES, convertFixture } from './convert-fixture.js';

const kubeVip = `${FIXTURES}/kube-vip/config.yaml`;

describe("kube-vip's config.yaml", () => {
  const { config, yaml, stderr } = convertFixture({ kubeVip });

  test('the raft peers become unicast peers from localPeer, startAsLeader the initial state, no Lease tracker', () => {
    expect(config.vrrp).toHaveLength(1);
    expect(config.vrrp[0]).toMatchObject({
      name: 'kube-vip',
      interface: 'ens192',
      vrid: 75,
      priority: 100,
      advertInterval: 1000,
      initialState: 'master',
      unicast: { source: '192.168.0.70', peers: ['192.168.0.71', '192.168.0.72'] },
      vips: ['192.168.0.75/32'],
      track: [],
    });
    expect(yaml).toContain(`source: 192.168.0.70 # localPeer (${kubeVip}:5): this host; on each host put its own address here and the others in peers`);
    expect(yaml).toContain(`initialState: master # startAsLeader (${kubeVip}:17): write this on the first host only`);
  });

  test('the load balancer with bindToVip listens on vip:PORT, with a tcp check of its backends', () => {
    expect(config.loadBalancers).toHaveLength(1);
    expect(config.loadBalancers[0]).toMatchObject({
      name: 'Kubernetes-Control-Plane',
      bind: 'vip:6444',
      balance: 'roundrobin',
      backends: [
        { name: '192.168.0.70', address: '192.168.0.70:6443' },
        { name: '192.168.0.71', address: '192.168.0.71:6443' },
        { name: '192.168.0.72', address: '192.168.0.72:6443' },
      ],
      healthCheck: { type: 'tcp' },
    });
    expect(yaml).toContain(`# from ${kubeVip}:20 kube-vip loadBalancers[0] "Kubernetes Control Plane"`);
    expect(yaml).toContain("kube-vip's load balancer names no health check");
  });

  test('raft ids and ports are listed at the line of each key', () => {
    const raft = 'not needed: VRRP needs only the peers\u2019 addresses (no raft id or port)';
    expect(stderr).toEqual([
      `${kubeVip}:4: localPeer.id: controlPlane01: ${raft}`,
      `${kubeVip}:6: localPeer.port: 10000: ${raft}`,
      `${kubeVip}:8: remotePeers[0].id: controlPlane02: ${raft}`,
      `${kubeVip}:10: remotePeers[0].port: 10000: ${raft}`,
      `${kubeVip}:11: remotePeers[1].id: controlPlane03: ${raft}`,
      `${kubeVip}:13: remotePeers[1].port: 10000: ${raft}`,
    ]);
  });
});
