// kube-vip's static pod manifest, as `kube-vip manifest pod --interface eth0 --address 10.0.0.100
// --controlplane --arp --leaderElection` prints it (v0.8): a Lease-elected VIP in ARP mode.
import { describe, expect, test } from 'vitest';
import { FIXTURES, convertFixture, findingAt } from './convert-fixture.js';

const kubeVip = `${FIXTURES}/kube-vip/kube-vip.yaml`;

describe("kube-vip's static pod manifest", () => {
  const { config, yaml, stderr } = convertFixture({ kubeVip });

  test('one VRRP instance on vip_interface with the address as /vip_cidr, defaults every host can share', () => {
    expect(config.loadBalancers).toEqual([]);
    expect(config.vrrp).toHaveLength(1);
    expect(config.vrrp[0]).toMatchObject({
      name: 'kube-vip',
      interface: 'eth0',
      vrid: 100,
      priority: 100,
      version: 2,
      advertInterval: 1000,
      initialState: 'backup',
      preempt: true,
      vips: ['10.0.0.100/32'],
    });
    expect(config.vrrp[0]?.unicast).toBeUndefined();
  });

  test('the Lease timing becomes an https tracker of the local apiserver on `port`, so a host whose apiserver fails steps down', () => {
    expect(config.vrrp[0]?.track).toEqual([
      { type: 'https', url: 'https://127.0.0.1:6443/readyz', insecureSkipVerify: true, caFile: null, interval: 1000, timeout: 1000, rise: 2, fall: 3, weight: -50 },
    ]);
    expect(yaml).toContain(`port at ${kubeVip}:14`);
  });

  test('the comments say where it came from and what the operator must choose per host', () => {
    expect(yaml).toContain(`# from ${kubeVip}:9 kube-vip static pod manifest`);
    expect(yaml).toContain(`kube-vip ran through a Kubernetes Lease (vip_leaderelection, ${kubeVip}:30); tsvip elects a MASTER with VRRP on eth0 instead.`);
    expect(yaml).toMatch(/priority: 100 # the same on every host: .* raise it \(up to 254\) on a host that should be preferred/);
    expect(yaml).toMatch(/vrid: 100 # .*the VIP's last octet/);
    expect(yaml).toContain(`advertInterval: 1s # vip_leaseduration 5s (${kubeVip}:34)`);
    expect(yaml).toContain('add unicast: { peers: [the other control-plane hosts] }');
  });

  test('every env var with no tsvip meaning is listed at the line of its name; the Pod itself once', () => {
    expect(stderr).toEqual([
      `${kubeVip}:2: kind Pod: the Pod itself (image, capabilities, volumes, hostNetwork) is not translated: tsvip manifest pod -c vip.yaml prints tsvip's own static pod`,
      `${kubeVip}:16: vip_nodename (valueFrom): not needed: VRRP tells hosts apart by their addresses`,
      `${kubeVip}:24: dns_mode=first: not needed: the VIP is converted as the address itself`,
      `${kubeVip}:28: cp_namespace=kube-system: not needed: tsvip elects with VRRP on the LAN, without a Lease object in Kubernetes`,
      `${kubeVip}:32: vip_leasename=plndr-cp-lock: not needed: tsvip elects with VRRP on the LAN, without a Lease object in Kubernetes`,
      `${kubeVip}:42: prometheus_server=:2112: not translated: tsvip serves /metrics at status.listen (default 127.0.0.1:9901); set status.listen to scrape it from elsewhere`,
    ]);
    expect(findingAt(stderr, `${kubeVip}:42`)).toContain('prometheus_server');
  });
});
