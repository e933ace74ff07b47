// Valid configs load with every default applied and visible (the defaults of config/schema.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { formatProblem } from '../../src/errors.js';
import { instanceWith, loadBalancerWith, yamlLines } from './yaml-text.js';

describe('valid vip.yaml', () => {
  test('a minimal instance gets every default', () => {
    const { config, warnings } = loadConfigText(instanceWith(), 'vip.yaml');
    expect(warnings).toEqual([]);
    expect(config).toEqual({
      vrrp: [
        {
          name: 'VI_1',
          interface: 'eth0',
          vrid: 51,
          priority: 100,
          version: 2,
          v3Checksum: 'pseudoHeader',
          advertInterval: 1000,
          initialState: 'backup',
          preempt: true,
          preemptDelay: 0,
          startupDelay: 0,
          vips: ['10.0.0.50/24'],
          garp: { burst: 5, delay: 5000, refresh: 30000 },
          track: [],
          notify: {},
        },
      ],
      loadBalancers: [],
      status: { listen: '127.0.0.1:9901' },
    });
  });

  test('a minimal load balancer gets every default', () => {
    const { config } = loadConfigText(loadBalancerWith(), 'vip.yaml');
    expect(config.vrrp).toEqual([]);
    expect(config.loadBalancers).toEqual([
      {
        name: 'apiserver',
        bind: '0.0.0.0:8443',
        balance: 'roundrobin',
        backends: [{ name: 'master1', address: '198.18.0.1:6443', weight: 1 }],
        healthCheck: { type: 'tcp', path: '/readyz', insecureSkipVerify: false, caFile: null, interval: 2000, timeout: 1000, rise: 2, fall: 3 },
        connectTimeout: 1000,
        retries: 2,
        firstByteTimeout: 1000,
        idleTimeout: 0,
        maxConnections: 20000,
        shutdownDrain: 10000,
      },
    ]);
  });

  test('a bare VIP gets /32, durations become milliseconds', () => {
    const { config } = loadConfigText(instanceWith('    version: 3', '    advertInterval: 100ms', '    preemptDelay: 1m30s').replace('10.0.0.50/24', '10.0.0.50'), 'vip.yaml');
    expect(config.vrrp[0]).toMatchObject({ vips: ['10.0.0.50/32'], advertInterval: 100, preemptDelay: 90_000 });
  });

  test('`vrrp:` left empty means load-balancer-only mode', () => {
    const { config } = loadConfigText(`vrrp:\n${loadBalancerWith()}`, 'vip.yaml');
    expect(config.vrrp).toEqual([]);
  });

  test('one VRID on two interfaces is allowed', () => {
    const yaml = yamlLines(
      'vrrp:',
      '  - { name: VI_1, interface: eth0, vrid: 51, vips: [10.0.0.50] }',
      '  - { name: VI_2, interface: eth1, vrid: 51, vips: [10.0.1.50] }',
    );
    expect(loadConfigText(yaml, 'vip.yaml').config.vrrp.map((i) => i.interface)).toEqual(['eth0', 'eth1']);
  });

  test('priority 255 is accepted for the address owner', () => {
    const yaml = instanceWith('    priority: 255', '    unicast: { source: 10.0.0.50, peers: [10.0.0.52] }');
    expect(loadConfigText(yaml, 'vip.yaml').config.vrrp[0]?.priority).toBe(255);
  });

  test('an authPass over 8 bytes is a warning, as keepalived, and the config still loads', () => {
    const { config, warnings } = loadConfigText(instanceWith('    authPass: k8s-vip-secret'), 'vip.yaml');
    expect(config.vrrp[0]?.authPass).toBe('k8s-vip-secret');
    expect(warnings.map(formatProblem)).toEqual(['vip.yaml:6:15 vrrp[0].authPass: is 14 bytes long: only the first 8 are sent, as keepalived does']);
  });

  test('a vip: bind is accepted with a VRRP instance', () => {
    const yaml = `${instanceWith()}${loadBalancerWith().replace('0.0.0.0:8443', 'vip:6443')}`;
    expect(loadConfigText(yaml, 'vip.yaml').config.loadBalancers[0]?.bind).toBe('vip:6443');
  });

  test('a dual-stack host: an instance per family may share interface and VRID; IPv6 comes back canonical with /128', () => {
    const yaml = yamlLines(
      'vrrp:',
      '  - { name: VI_4, interface: eth0, vrid: 51, vips: [10.0.0.50/24] }',
      '  - name: VI_6',
      '    interface: eth0',
      '    vrid: 51',
      '    version: 3',
      '    unicast: { source: "2001:DB8::51", peers: ["2001:db8:0:0:0:0:0:52"] }',
      '    vips: ["2001:0db8::50", "2001:db8::60/64"]',
      'loadBalancers:',
      '  - name: apiserver',
      '    bind: "[::]:8443"',
      '    backends: [{ name: m1, address: "[2001:db8::51]:6443" }, { name: m2, address: "10.0.0.52:6443" }]',
      'status:',
      '  listen: "[::1]:9901"',
    );
    const { config, warnings } = loadConfigText(yaml, 'vip.yaml');
    expect(warnings).toEqual([]);
    expect(config.vrrp[1]).toMatchObject({ vrid: 51, vips: ['2001:db8::50/128', '2001:db8::60/64'], unicast: { source: '2001:db8::51', peers: ['2001:db8::52'] } });
    expect(config.loadBalancers[0]?.bind).toBe('[::]:8443');
    expect(config.status.listen).toBe('[::1]:9901');
  });

  test('deploy/vip.yaml, the example operators start from, is valid', () => {
    const text = readFileSync(new URL('../../deploy/vip.yaml', import.meta.url), 'utf8');
    const { config, warnings } = loadConfigText(text, 'deploy/vip.yaml');
    expect(warnings).toEqual([]);
    expect(config.vrrp).toHaveLength(1);
    expect(config.loadBalancers[0]?.backends).toHaveLength(3);
  });

  test('deploy/vip-dual-stack.yaml, the dual-stack example, is valid: one instance per family', () => {
    const text = readFileSync(new URL('../../deploy/vip-dual-stack.yaml', import.meta.url), 'utf8');
    const { config, warnings } = loadConfigText(text, 'deploy/vip-dual-stack.yaml');
    expect(warnings).toEqual([]);
    expect(config.vrrp.map((instance) => instance.vips)).toEqual([['10.0.0.50/24'], ['2001:db8::50/128']]);
    expect(config.loadBalancers[0]?.bind).toBe('[::]:8443');
  });
});
