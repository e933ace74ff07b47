// The kube-vip converter's choices on small files: features tsvip has not (Services, BGP, IPVS), values
// it cannot read (valueFrom), multi-document manifests, config.yaml variants, and nginx on the same VIP.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { convertFiles } from '../../src/convert/convert.js';
import { convertFixture, findingAt } from './convert-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'tsvip-convert-kube-vip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A Pod manifest with these env vars (name, value), one per two lines from line 9 on. */
function pod(env: [string, string][], args = ['manager']): string {
  const lines = ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: kube-vip', 'spec:', '  containers:', '  - image: ghcr.io/kube-vip/kube-vip:v0.8.9', '    env:'];
  for (const [name, value] of env) lines.push(`    - name: ${name}`, `      value: "${value}"`);
  lines.push('    args:', ...args.map((a) => `    - ${a}`));
  return `${lines.join('\n')}\n`;
}

/** The line of the n-th env var (0-based) in pod(). */
const envLine = (n: number): number => 9 + 2 * n;

describe('kube-vip features tsvip has not', () => {
  test('Services and the IPVS load balancer are listed; BGP off is only named; vip_subnet gives the IPv4 VIP its prefix; vip_arpRate refreshes ARP', () => {
    const m = file(
      'services.yaml',
      pod([
        ['vip_interface', 'eth1'], //        0
        ['vip_address', '10.0.0.50'], //     1
        ['vip_subnet', '24,128'], //         2
        ['cp_enable', 'true'], //            3
        ['svc_enable', 'true'], //           4
        ['lb_enable', 'true'], //            5
        ['lb_port', '6443'], //              6
        ['bgp_enable', 'false'], //          7
        ['vip_arpRate', '5000'], //          8
        ['port', '6443'], //                 9
      ]),
    );
    const { config, yaml, stderr } = convertFixture({ kubeVip: m });
    expect(config.vrrp[0]).toMatchObject({ interface: 'eth1', vrid: 50, vips: ['10.0.0.50/24'], garp: { refresh: 5000 }, track: [] });
    expect(stderr.some((l) => l.startsWith(`${m}:${envLine(2)}:`))).toBe(false);
    expect(findingAt(stderr, `${m}:${envLine(4)}`)).toContain('svc_enable=true: Services of type LoadBalancer are not supported');
    const ipvs = "kube-vip's control-plane load balancer of the static-pod era (lb_enable; 0.1.x's config.yaml load balancer was a user-space proxy, converted from that file) is IPVS in the kernel with its backends (the control-plane nodes) taken from Kubernetes";
    expect(findingAt(stderr, `${m}:${envLine(5)}`)).toContain(`lb_enable=true: not translated: ${ipvs}`);
    expect(findingAt(stderr, `${m}:${envLine(6)}`)).toContain(`lb_port=6443: not translated: ${ipvs}`);
    expect(findingAt(stderr, `${m}:${envLine(9)}`)).toContain('port 6443: only used with leader election');
    expect(stderr.some((l) => l.startsWith(`${m}:${envLine(7)}:`))).toBe(false);
    expect(yaml).toContain(`kube-vip settings that were off or empty, which is what tsvip does without them: bgp_enable=false (${m}:${envLine(7)})`);
    expect(yaml).toContain(`vip_arpRate (${m}:${envLine(8)}): kube-vip's leader re-sends gratuitous ARP this often`);
  });

  test('lb_fwdmethod and lb_port with lb_enable off or unset were no load balancer: said so, not the IPVS text', () => {
    const unset = file('lb-unset.yaml', pod([['vip_interface', 'eth0'], ['address', '10.0.0.50'], ['lb_fwdmethod', 'local'], ['lb_port', '6443']]));
    const one = convertFixture({ kubeVip: unset });
    expect(findingAt(one.stderr, `${unset}:${envLine(2)}`)).toBe(`${unset}:${envLine(2)}: lb_fwdmethod=local: lb_enable is not set, so kube-vip ran no load balancer and this setting did nothing: nothing to translate`);
    expect(findingAt(one.stderr, `${unset}:${envLine(3)}`)).toContain('lb_port=6443: lb_enable is not set, so kube-vip ran no load balancer');
    expect(one.config.loadBalancers).toEqual([]);
    // lb_enable after the setting it governs still decides.
    const off = file('lb-off.yaml', pod([['vip_interface', 'eth0'], ['address', '10.0.0.50'], ['lb_fwdmethod', 'masquerade'], ['lb_enable', 'false']]));
    const two = convertFixture({ kubeVip: off });
    expect(findingAt(two.stderr, `${off}:${envLine(2)}`)).toBe(`${off}:${envLine(2)}: lb_fwdmethod=masquerade: lb_enable is off (${off}:${envLine(3)}), so kube-vip ran no load balancer and this setting did nothing: nothing to translate`);
    expect(two.yaml).toContain(`lb_enable=false (${off}:${envLine(3)})`);
    const on = file('lb-on.yaml', pod([['vip_interface', 'eth0'], ['address', '10.0.0.50'], ['lb_fwdmethod', 'local'], ['lb_enable', 'true']]));
    expect(findingAt(convertFixture({ kubeVip: on }).stderr, `${on}:${envLine(2)}`)).toContain('lb_fwdmethod=local: not translated: kube-vip\'s control-plane load balancer of the static-pod era');
  });

  test('BGP on lo, cp_enable false, a DNS name: no instance, each with its reason, and nothing printed', () => {
    const cases: [string, [string, string][], string][] = [
      ['lo.yaml', [['vip_interface', 'lo'], ['address', '10.0.0.50'], ['bgp_enable', 'true']], 'interface lo: kube-vip put the VIP on lo for BGP to announce'],
      ['cp-off.yaml', [['vip_interface', 'eth0'], ['address', '10.0.0.50'], ['cp_enable', 'false']], 'control plane off (cp_enable false)'],
      ['dns.yaml', [['vip_interface', 'eth0'], ['address', 'api.example.com']], 'not an IPv4 or IPv6 address, nor both comma-separated (kube-vip resolves a DNS name at start-up'],
    ];
    for (const [name, env, reason] of cases) {
      const m = file(name, pod(env));
      const outcome = convertFiles({ kubeVip: m });
      expect(outcome).toMatchObject({ ok: false, reason: 'nothing', errors: ['nothing could be converted: no usable kube-vip VIP or load balancer'] });
      expect(outcome.findings.map((f) => f.message).join('\n')).toContain(reason);
    }
  });

  test('vip_arp false is listed: tsvip always sends gratuitous ARP', () => {
    const m = file('noarp.yaml', pod([['vip_interface', 'eth0'], ['address', '10.0.0.50'], ['vip_arp', 'false']]));
    expect(findingAt(convertFixture({ kubeVip: m }).stderr, `${m}:${envLine(2)}`)).toContain('vip_arp false: not translated: tsvip always announces the VIP');
  });
});

describe('manifest shapes', () => {
  test('a DaemonSet among RBAC documents, its address from a ConfigMap: the objects and the valueFrom are listed, no instance', () => {
    const m = file(
      'ds.yaml',
      [
        'apiVersion: v1', //                              1
        'kind: ServiceAccount', //                        2
        'metadata: { name: kube-vip }', //                3
        '---', //                                         4
        'apiVersion: apps/v1', //                         5
        'kind: DaemonSet', //                             6
        'spec:', //                                       7
        '  template:', //                                 8
        '    spec:', //                                   9
        '      containers:', //                           10
        '      - name: kube-vip', //                      11
        '        image: ghcr.io/kube-vip/kube-vip:v0.8.9', // 12
        '        env:', //                                13
        '        - name: vip_interface', //               14
        '          value: eth0', //                       15
        '        - name: address', //                     16
        '          valueFrom:', //                        17
        '            configMapKeyRef: { name: kubevip, key: address }', // 18
        '---', //                                         19
        'kind: ClusterRole', //                           20
      ].join('\n'),
    );
    const outcome = convertFiles({ kubeVip: m });
    expect(outcome.ok).toBe(false);
    const lines = outcome.findings.map((f) => `${f.line}: ${f.message}`);
    expect(lines).toEqual([
      '2: kind ServiceAccount: not translated: only the Pod or DaemonSet running kube-vip carries its settings',
      "6: kind DaemonSet: the DaemonSet itself (image, capabilities, volumes, hostNetwork) is not translated: tsvip manifest pod -c vip.yaml prints tsvip's own static pod",
      '11: kube-vip manifest: no VIP address (address / vip_address / vip): no VRRP instance written',
      '16: address: its value comes from valueFrom (a field, ConfigMap or Secret), which tsvip convert cannot read: not translated',
      "20: kind ClusterRole: not translated: kube-vip's settings were read from line 11; RBAC and other objects have no tsvip meaning",
    ]);
  });

  test('an old `start -c config.yaml` manifest points at the config file; a YAML syntax error is listed', () => {
    const m = file('start.yaml', pod([['vip_interface', 'eth0'], ['vip_address', '10.0.0.50']], ['start', '-c', '/etc/kube-vip/config.yaml']));
    const { stderr } = convertFixture({ kubeVip: m });
    expect(findingAt(stderr, `${m}:${envLine(2) + 2}`)).toContain('kube-vip reads its settings from /etc/kube-vip/config.yaml: convert that file too (--kube-vip /etc/kube-vip/config.yaml)');
    const broken = file('broken.yaml', 'kind: Pod\nspec: [unclosed\n');
    const outcome = convertFiles({ kubeVip: broken });
    expect(outcome.ok).toBe(false);
    expect(outcome.findings[0]?.message).toMatch(/^YAML syntax: .*: this document is not read$/);
  });
});

describe('config.yaml variants', () => {
  test('addPeersAsBackends adds every raft peer on backendPort; lease settings under leaderElection; http type and unknown keys listed', () => {
    const c = file(
      'peers.yaml',
      [
        'localPeer: { id: a, address: 10.0.0.11, port: 10000 }', // 1
        'remotePeers:', //                                          2
        '- { id: b, address: 10.0.0.12, port: 10000 }', //          3
        'vip: 10.0.0.10', //                                        4
        'vipCidr: "24"', //                                         5
        'interface: eth0', //                                       6
        'addPeersAsBackends: true', //                              7
        'leaderElection:', //                                       8
        '  enableLeaderElection: true', //                          9
        '  leaseduration: 15', //                                   10
        'frobnicate: 3', //                                         11
        'enableServices: false', //                                 12
        'loadBalancers:', //                                        13
        '- name: api', //                                           14
        '  type: http', //                                          15
        '  port: 8443', //                                          16
        '  bindToVip: true', //                                     17
        '  backendPort: 6443', //                                   18
      ].join('\n'),
    );
    const { config, stderr, yaml } = convertFixture({ kubeVip: c });
    expect(config.vrrp[0]).toMatchObject({ vrid: 10, advertInterval: 5000, vips: ['10.0.0.10/24'], unicast: { source: '10.0.0.11', peers: ['10.0.0.12'] } });
    expect(config.vrrp[0]?.track).toMatchObject([{ type: 'https', url: 'https://127.0.0.1:6443/readyz', weight: -50 }]);
    expect(config.loadBalancers[0]).toMatchObject({
      name: 'api',
      bind: 'vip:8443',
      backends: [
        { name: '10.0.0.11', address: '10.0.0.11:6443' },
        { name: '10.0.0.12', address: '10.0.0.12:6443' },
      ],
    });
    expect(yaml).toContain("# kube-vip 0.1.x proxied these connections in user space (in the kube-vip process, on the raft leader) to the backends listed in its config.yaml (with addPeersAsBackends, its raft peers), as tsvip's load balancer does");
    expect(findingAt(stderr, `${c}:11`)).toBe(`${c}:11: frobnicate: 3: not translated: tsvip convert does not know this kube-vip key`);
    expect(findingAt(stderr, `${c}:15`)).toContain('loadBalancers[0].type: http: tsvip proxies TCP only');
    expect(yaml).toContain(`enableServices: false (${c}:12)`);
    expect(yaml).toContain(`vip_leaseduration 15s (${c}:10)`);
  });
});

describe('kube-vip + nginx', () => {
  test("an nginx listen on kube-vip's VIP becomes vip:PORT", () => {
    const m = file('kv.yaml', pod([['vip_interface', 'eth0'], ['address', '10.0.0.100'], ['vip_leaderelection', 'true']]));
    const n = file('kv.conf', 'stream {\n  upstream api {\n    server 10.0.0.1:6443;\n  }\n  server {\n    listen 10.0.0.100:8443;\n    proxy_pass api;\n  }\n}\n');
    const { config } = convertFixture({ kubeVip: m, nginx: n });
    expect(config.vrrp.map((v) => v.vips)).toEqual([['10.0.0.100/32']]);
    expect(config.loadBalancers.map((lb) => lb.bind)).toEqual(['vip:8443']);
  });
});
