// kube-vip's IPv6 and dual-stack control-plane VIPs, in both formats convert reads (the static pod's env
// and config.yaml): an IPv6 `address` becomes a version 3 instance, `address: 10.0.0.50,2001:db8::50`
// (kube-vip's vip.Split) one instance per family sharing the vrid, and vip_cidr `32,128` gives each
// family its prefix as kube-vip's SelectSubnet does. Every result passes the loader `tsvip check` uses.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { convertFixture, findingAt } from './convert-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'tsvip-kube-vip6-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function file(text: string): string {
  const path = join(dir, `kube-vip-${++count}.yaml`);
  writeFileSync(path, text);
  return path;
}

/** A Pod manifest with these env vars (name, value), one per two lines from line 9 on. */
function pod(env: [string, string][]): string {
  const lines = ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: kube-vip', 'spec:', '  containers:', '  - image: ghcr.io/kube-vip/kube-vip:v0.9.2', '    env:'];
  for (const [name, value] of env) lines.push(`    - name: ${name}`, `      value: "${value}"`);
  lines.push('    args:', '    - manager');
  return `${lines.join('\n')}\n`;
}

describe('kube-vip manifest (env vars)', () => {
  test('an IPv6 address becomes a version 3 instance, its vrid from the last byte, vip_cidr 128 its prefix', () => {
    const m = file(pod([['vip_interface', 'eth0'], ['address', '2001:DB8::0:64'], ['vip_cidr', '128'], ['vip_skipdad', 'true']]));
    const { config, yaml, stderr } = convertFixture({ kubeVip: m });
    expect(config.vrrp).toHaveLength(1);
    expect(config.vrrp[0]).toMatchObject({ name: 'kube-vip', interface: 'eth0', vrid: 100, version: 3, vips: ['2001:db8::64/128'] });
    expect(yaml).toContain("VRRP multicasts to ff02::12 on eth0; where the network drops multicast (most clouds), add unicast: { peers: [the other control-plane hosts' IPv6 addresses] }");
    expect(yaml).toMatch(/vrid: 100 # .*the IPv6 VIP's last byte/);
    expect(findingAt(stderr, `${m}:15`)).toContain('vip_skipdad=true: not needed: tsvip adds IPv6 VIPs without duplicate address detection (nodad) always');
  });

  test('address 10.0.0.50,2001:db8::50 with vip_cidr 32,128: one instance per family on one vrid, each with its prefix', () => {
    const m = file(pod([['vip_interface', 'eth0'], ['vip_address', '10.0.0.50, 2001:db8::50'], ['vip_cidr', '32,128'], ['vip_leaderelection', 'true']]));
    const { config, yaml } = convertFixture({ kubeVip: m });
    expect(config.vrrp.map((v) => [v.name, v.vrid, v.version, v.vips])).toEqual([
      ['kube-vip-ipv4', 50, 2, ['10.0.0.50/32']],
      ['kube-vip-ipv6', 50, 3, ['2001:db8::50/128']],
    ]);
    // Both carry the apiserver tracker the Lease stood for.
    for (const v of config.vrrp) expect(v.track).toMatchObject([{ type: 'https', url: 'https://127.0.0.1:6443/readyz', weight: -50 }]);
    expect(yaml).toContain('kube-vip moved both VIPs with one leader; here each family elects on its own');
  });

  test('an haproxy bind on the IPv6 VIP becomes vip:PORT', () => {
    const m = file(pod([['vip_interface', 'eth0'], ['address', '10.0.0.50,2001:db8::50']]));
    const h = join(dir, 'haproxy.cfg');
    writeFileSync(h, 'frontend api\n  bind [2001:db8::50]:8443\n  default_backend be\nbackend be\n  server m1 [2001:db8::11]:6443 check\n');
    const { config } = convertFixture({ kubeVip: m, haproxy: h });
    expect(config.loadBalancers[0]?.bind).toBe('vip:8443');
  });
});

describe('kube-vip config.yaml', () => {
  test('vip: an IPv6 address becomes a version 3 instance; vipCidr 64 serves it (kube-vip: one value for either family)', () => {
    const c = file(['vip: 2001:db8::75', 'vipCidr: "64"', 'interface: ens192', 'singleNode: true', ''].join('\n'));
    const { config } = convertFixture({ kubeVip: c });
    expect(config.vrrp[0]).toMatchObject({ name: 'kube-vip', interface: 'ens192', version: 3, vrid: 0x75, vips: ['2001:db8::75/64'] });
  });

  test('address: both families; IPv4 raft peers serve the IPv4 instance, the IPv6 one multicasts', () => {
    const c = file(
      [
        'localPeer:',
        '  id: cp1',
        '  address: 192.168.0.70',
        '  port: 10000',
        'remotePeers:',
        '- id: cp2',
        '  address: 192.168.0.71',
        '  port: 10000',
        'address: 192.168.0.75,fd00::75',
        'interface: ens192',
        '',
      ].join('\n'),
    );
    const { config } = convertFixture({ kubeVip: c });
    expect(config.vrrp[0]).toMatchObject({ name: 'kube-vip-ipv4', version: 2, vips: ['192.168.0.75/32'], unicast: { source: '192.168.0.70', peers: ['192.168.0.71'] } });
    expect(config.vrrp[1]).toMatchObject({ name: 'kube-vip-ipv6', version: 3, vips: ['fd00::75/128'] });
    expect(config.vrrp[1]?.unicast).toBeUndefined();
  });
});
