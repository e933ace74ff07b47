// planReload decides what a SIGHUP restarts and what it applies in place, before anything is touched.
import { describe, expect, test } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { planReload } from '../../src/daemon/reload-plan.js';

const BASE_INSTANCE = { name: 'VI_1', interface: 'eth0', vrid: 51, version: 3, priority: 100, advertInterval: '1s', vips: ['198.18.0.100/24'] };
const BASE_LB = { name: 'apiserver', bind: '0.0.0.0:8443', backends: [{ name: 'cp1', address: '198.18.0.11:6443' }] };

function config({ instances = [BASE_INSTANCE], balancers = [BASE_LB], listen = '127.0.0.1:9901' }: { instances?: object[]; balancers?: object[]; listen?: string } = {}): Config {
  return loadConfigText(JSON.stringify({ vrrp: instances, loadBalancers: balancers, status: { listen } }), 'vip.yaml').config;
}

const changed = (fields: object): object[] => [{ ...BASE_INSTANCE, ...fields }];

describe('planReload', () => {
  test.each([
    ['nothing', changed({}), { restart: [], inPlace: ['VI_1'] }],
    ['priority', changed({ priority: 150 }), { restart: [], inPlace: ['VI_1'] }],
    ['preempt', changed({ preempt: false }), { restart: [], inPlace: ['VI_1'] }],
    ['garp schedule', changed({ garp: { burst: 3 } }), { restart: [], inPlace: ['VI_1'] }],
    ['unicast peers only', [{ ...BASE_INSTANCE, unicast: { source: '198.18.0.1', peers: ['198.18.0.2'] } }], { restart: [{ name: 'VI_1', changed: ['unicast'] }], inPlace: [] }],
    ['vrid', changed({ vrid: 52 }), { restart: [{ name: 'VI_1', changed: ['vrid'] }], inPlace: [] }],
    ['interface', changed({ interface: 'eth1' }), { restart: [{ name: 'VI_1', changed: ['interface'] }], inPlace: [] }],
    ['version and interval', changed({ version: 2, advertInterval: '2s' }), { restart: [{ name: 'VI_1', changed: ['version', 'advertInterval'] }], inPlace: [] }],
    ['vips', changed({ vips: ['198.18.0.101/24'] }), { restart: [{ name: 'VI_1', changed: ['vips'] }], inPlace: [] }],
  ])('an instance whose %s changed', (_what, instances, expected) => {
    const plan = planReload(config(), config({ instances }));
    expect(plan.instances).toEqual({ remove: [], add: [], ...expected });
  });

  test('peers changed within unicast apply in place; the source does not', () => {
    const unicast = (source: string, peers: string[]) => [{ ...BASE_INSTANCE, unicast: { source, peers } }];
    const current = config({ instances: unicast('198.18.0.1', ['198.18.0.2']) });
    expect(planReload(current, config({ instances: unicast('198.18.0.1', ['198.18.0.2', '198.18.0.3']) })).instances.inPlace).toEqual(['VI_1']);
    expect(planReload(current, config({ instances: unicast('198.18.0.9', ['198.18.0.2']) })).instances.restart).toEqual([{ name: 'VI_1', changed: ['unicast.source'] }]);
  });

  test('instances gone, kept and new, in the new file order', () => {
    const other = (name: string, vrid: number) => ({ ...BASE_INSTANCE, name, vrid, vips: [`198.18.0.${vrid}/24`] });
    const plan = planReload(config({ instances: [other('A', 1), other('B', 2)] }), config({ instances: [other('C', 3), other('B', 2), other('D', 4)] }));
    expect(plan.instances).toEqual({ remove: ['A'], restart: [], inPlace: ['B'], add: ['C', 'D'] });
  });

  test('load balancers: removed, updated (with or without a new bind) and added', () => {
    const lb = (name: string, bind: string) => ({ ...BASE_LB, name, bind });
    const plan = planReload(config({ balancers: [lb('a', '0.0.0.0:8443'), lb('b', '0.0.0.0:8444'), lb('c', 'vip:8445')] }), config({ balancers: [lb('b', '0.0.0.0:8444'), lb('c', '0.0.0.0:8445'), lb('d', 'vip:8446')] }));
    expect(plan.loadBalancers).toEqual({ remove: ['a'], update: [{ name: 'b', bindChanged: false }, { name: 'c', bindChanged: true }], add: ['d'] });
  });

  test('status.listen is only noticed: it changes at the next restart', () => {
    expect(planReload(config(), config()).statusListenChanged).toBe(false);
    expect(planReload(config(), config({ listen: '127.0.0.1:9902' })).statusListenChanged).toBe(true);
  });
});
