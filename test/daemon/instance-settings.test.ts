// What a SIGHUP may change in place and what restarts an instance.
import { describe, expect, test } from 'vitest';
import { instanceSettings, ownAddressOf, recreateReasons } from '../../src/daemon/instance-settings.js';
import { loadConfigText } from '../../src/config/load.js';
import type { VrrpInstanceConfig } from '../../src/config/schema.js';

/** An instance with name, interface, vrid 51 and one VIP, plus `extra` keys (which may set vrid). */
function instance(extra: string): VrrpInstanceConfig {
  const vrid = extra.includes('vrid:') ? '' : ', vrid: 51';
  const { config } = loadConfigText(`vrrp:\n  - { name: VI_1, interface: eth0${vrid}, vips: [198.18.0.100/24]${extra} }\n`, 'vip.yaml');
  const first = config.vrrp[0];
  if (first === undefined) throw new Error('no instance');
  return first;
}

describe('instance settings', () => {
  test('multicast: adverts to 224.0.0.18 from the primary address, any source believed', () => {
    const config = instance('');
    expect(ownAddressOf(config, '198.18.0.1')).toBe('198.18.0.1');
    const settings = instanceSettings(config, '198.18.0.1');
    expect(settings.destinations).toEqual(['224.0.0.18']);
    expect(settings.peers).toBeNull();
    expect(settings.fsm).toMatchObject({ version: 2, priority: 100, advertIntervalMs: 1000, preempt: true, ownAddress: '198.18.0.1' });
    expect(settings.garp).toEqual({ burst: 5, delayMs: 5000, refreshMs: 30000 });
  });

  test('unicast: the configured source wins over the primary address; adverts to each peer', () => {
    const config = instance(', unicast: { source: 198.18.0.9, peers: [198.18.0.2, 198.18.0.3] }, authPass: secret');
    expect(ownAddressOf(config, '198.18.0.1')).toBe('198.18.0.9');
    const settings = instanceSettings(config, '198.18.0.9');
    expect(settings.destinations).toEqual(['198.18.0.2', '198.18.0.3']);
    expect(settings.peers).toEqual(['198.18.0.2', '198.18.0.3']);
    expect(settings.authPass).toBe('secret');
  });

  test('priority, preempt, peers, auth and trackers change in place', () => {
    const before = instance(', unicast: { peers: [198.18.0.2] }');
    const after = instance(", priority: 50, preempt: false, authPass: x, unicast: { peers: [198.18.0.3, 198.18.0.2] }, track: [{ type: interface, name: eth1 }]");
    expect(recreateReasons(before, after)).toEqual([]);
  });

  test('VRID, interface, version, interval, VIPs and addressing restart the instance', () => {
    const before = instance('');
    expect(recreateReasons(before, instance(', vrid: 52'))).toEqual(['vrid']);
    expect(recreateReasons(before, { ...before, interface: 'eth1' })).toEqual(['interface']);
    expect(recreateReasons(before, instance(', version: 3'))).toEqual(['version']);
    expect(recreateReasons(before, instance(', advertInterval: 2s'))).toEqual(['advertInterval']);
    expect(recreateReasons(before, { ...before, vips: ['198.18.0.101/24'] })).toEqual(['vips']);
    expect(recreateReasons(before, instance(', unicast: { peers: [198.18.0.2] }'))).toEqual(['unicast']);
    expect(recreateReasons(instance(', unicast: { peers: [198.18.0.2] }'), instance(', unicast: { source: 198.18.0.7, peers: [198.18.0.2] }'))).toEqual(['unicast.source']);
  });
});
