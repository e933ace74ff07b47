// A home-lab keepalived.conf that asks for what keepalived does not do: nopreempt and preempt_delay on a
// state MASTER instance, preempt_delay beside nopreempt, a weight on the instance's own interface. The
// converted instances behave as keepalived ran them (keepalived-check.test.ts checks the same lines
// against `keepalived -t`), and vrrp_startup_delay carries over to each instance.
import { describe, expect, test } from 'vitest';
import { FIXTURES, convertFixture, findingAt } from './convert-fixture.js';

const keepalived = `${FIXTURES}/homelab-nopreempt/keepalived.conf`;

describe('home-lab "MASTER, but no fail-back"', () => {
  const { config, stderr } = convertFixture({ keepalived });
  const [vip, ingress] = config.vrrp;

  test('state MASTER clears nopreempt and preempt_delay, as keepalived 2.2 does, and says so', () => {
    expect(vip).toMatchObject({ name: 'K8S_VIP', initialState: 'master', preempt: true, preemptDelay: 0 });
    expect(findingAt(stderr, `${keepalived}:10`)).toContain('with state MASTER keepalived clears nopreempt ("nopreempt will not work with initial state MASTER - clearing"), so the converted instance preempts');
    expect(findingAt(stderr, `${keepalived}:11`)).toContain('preempt delay will not work with initial state MASTER - clearing');
  });

  test('nopreempt in state BACKUP is kept, and the preempt_delay beside it is dropped', () => {
    expect(ingress).toMatchObject({ name: 'K8S_INGRESS', initialState: 'backup', preempt: false, preemptDelay: 0 });
    expect(findingAt(stderr, `${keepalived}:32`)).toContain('with nopreempt keepalived resets preempt_delay');
  });

  test("track_interface of the instance's own interface is left out (tsvip always tracks it with weight 0); another interface is tracked", () => {
    expect(vip?.track).toEqual([{ type: 'interface', name: 'ens19', weight: 0 }]);
    expect(findingAt(stderr, `${keepalived}:24`)).toContain("the instance's own interface: keepalived ignores it");
  });

  test('vrrp_startup_delay holds each instance back as it held keepalived', () => {
    expect(config.vrrp.map((v) => v.startupDelay)).toEqual([5000, 5000]);
  });
});
