// `bind: vip:PORT` follows the instances' MASTER state on every VIP, of either family: an IPv4 instance
// and an IPv6 one (VIPs 127.0.0.1 and ::1 here, loopback addresses the host already has, so nothing is
// added) each put the load balancer on their VIP while MASTER and take it off when they leave.
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { loadBalancerSchema } from '../../src/config/schema.js';
import type { InstanceRuntime } from '../../src/daemon/instance-runtime.js';
import { LoadBalancerRuntime } from '../../src/daemon/load-balancer-runtime.js';
import { createLogger } from '../../src/log.js';
import { freePort } from '../free-port.js';
import { waitFor } from '../lb/helpers.js';

const hasIpv6Loopback = Object.values(networkInterfaces()).some((addresses) => addresses?.some((address) => address.address === '::1'));

/** What LoadBalancerRuntime.follow asks of an instance: its name, state, VIP addresses and state changes. */
class FakeInstance {
  state = 'backup';
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly vipAddresses: string[],
  ) {}

  onStateChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  vipsSettled(): Promise<void> {
    return Promise.resolve();
  }

  become(state: string): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}

const runtimes: LoadBalancerRuntime[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.drain();
});

describe.skipIf(!hasIpv6Loopback)('vip:PORT with an IPv4 and an IPv6 instance', () => {
  it('listens on each VIP while its instance is MASTER, the IPv6 one shown as [::1]:PORT, and stops when the instance leaves MASTER', async () => {
    const port = await freePort();
    const config = loadBalancerSchema.parse({ name: 'apiserver', bind: `vip:${port}`, backends: [{ name: 'b', address: '127.0.0.1:1' }] });
    const runtime = new LoadBalancerRuntime(config, { logger: createLogger({ level: 'silent' }), clock: systemClock });
    runtimes.push(runtime);
    const v4 = new FakeInstance('VI_4', ['127.0.0.1']);
    const v6 = new FakeInstance('VI_6', ['::1']);
    runtime.follow([v4, v6] as unknown as InstanceRuntime[]);
    const listening = (): string[] => [...runtime.describe().listening].sort();

    expect(listening()).toEqual([]);
    v4.become('master');
    v6.become('master');
    await waitFor(() => listening().length === 2);
    expect(listening()).toEqual([`127.0.0.1:${port}`, `[::1]:${port}`]);

    v6.become('backup');
    await waitFor(() => listening().length === 1);
    expect(listening()).toEqual([`127.0.0.1:${port}`]);
  });
});
