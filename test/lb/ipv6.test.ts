// The data path over IPv6 on loopback (::1, which needs no address added): listeners of either family,
// `::` dual-stack, clients and backends of either family in any pairing, and how an address reads in
// logs and listeningAddresses. Skipped where the host has IPv6 turned off.
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadBalancerSchema, type LoadBalancerConfig } from '../../src/config/schema.js';
import { LoadBalancer } from '../../src/lb/load-balancer.js';
import { answering, captureLogger, closedPort, collect, connectClient, FakeHealth, HOST, request, startBackend, useCleanups, waitFor, type LogCapture } from './helpers.js';

const LOOPBACK6 = '::1';
const hasIpv6Loopback = Object.values(networkInterfaces()).some((addresses) => addresses?.some((address) => address.address === LOOPBACK6));

const { track, trackLb } = useCleanups();

function config(backends: { name: string; address: string }[]): LoadBalancerConfig {
  return loadBalancerSchema.parse({ name: 'apiserver', bind: '[::]:6443', firstByteTimeout: 0, backends });
}

/** A load balancer listening on `host`, port chosen by the kernel. */
async function listeningOn(host: string, lbConfig: LoadBalancerConfig, health = new FakeHealth()): Promise<{ lb: LoadBalancer; port: number; logs: LogCapture; health: FakeHealth }> {
  const logs = captureLogger();
  const lb = new LoadBalancer(lbConfig, { health, logger: logs.logger });
  trackLb(lb);
  await lb.listen({ host, port: 0 });
  const port = lb.listeningAddresses[0]?.port;
  if (port === undefined) throw new Error('no listening address');
  return { lb, port, logs, health };
}

describe.skipIf(!hasIpv6Loopback)('the load balancer over IPv6', () => {
  it('[::1] to an IPv6 backend: bytes both ways; listeningAddresses and the log give the IPv6 address, the log in brackets', async () => {
    const backend = track(await answering('six', LOOPBACK6));
    const { lb, port, logs } = await listeningOn(LOOPBACK6, config([{ name: 'six', address: `[::1]:${backend.port}` }]));

    expect(await request(port, 'hello', 'six:hello', LOOPBACK6)).toBe('six:hello');
    expect(lb.listeningAddresses).toEqual([{ host: '::1', port }]);
    expect(logs.lines.find((line) => line.msg === 'listening')).toMatchObject({ address: `[::1]:${port}` });
    await lb.refreshStats();
    expect(lb.counters.backends.six).toMatchObject({ total: 1, bytesIn: 5, bytesOut: 9 });
  });

  it('[::] takes IPv4 clients too (dual-stack): an IPv4 client reaches an IPv6 backend', async () => {
    const backend = track(await answering('six', LOOPBACK6));
    const { lb, port } = await listeningOn('::', config([{ name: 'six', address: `[::1]:${backend.port}` }]));

    expect(lb.listeningAddresses).toEqual([{ host: '::', port }]);
    expect(await request(port, 'over v4', 'six:over v4', HOST)).toBe('six:over v4');
    expect(await request(port, 'over v6', 'six:over v6', LOOPBACK6)).toBe('six:over v6');
  });

  it('an IPv6 client reaches an IPv4 backend', async () => {
    const backend = track(await answering('four', HOST));
    const { port } = await listeningOn(LOOPBACK6, config([{ name: 'four', address: `${HOST}:${backend.port}` }]));

    expect(await request(port, 'hi', 'four:hi', LOOPBACK6)).toBe('four:hi');
  });

  it('a refused IPv6 backend fails over to an IPv4 one, reported as any connect failure', async () => {
    const dead = await closedPort();
    const live = track(await answering('live', HOST));
    const { health, port } = await listeningOn('::', config([{ name: 'dead', address: `[::1]:${dead}` }, { name: 'live', address: `${HOST}:${live.port}` }]));

    expect(await request(port, 'x', 'live:x', HOST)).toBe('live:x');
    expect(health.failures).toEqual([{ backend: 'dead', detail: 'connect ECONNREFUSED' }]);
  });

  it('a client is logged by the address it came from: an IPv4 client of [::] as 127.0.0.1:PORT (not ::ffff:127.0.0.1), an IPv6 one as [::1]:PORT', async () => {
    const backend = track(await startBackend(() => {}, LOOPBACK6));
    const health = new FakeHealth();
    health.setDown('b');
    const { logs, port } = await listeningOn('::', config([{ name: 'b', address: `[::1]:${backend.port}` }]), health);

    const expected: string[] = [];
    for (const host of [HOST, LOOPBACK6]) {
      const client = await connectClient(port, host);
      const closed = collect(client);
      expected.push(host === LOOPBACK6 ? `[::1]:${client.localPort}` : `127.0.0.1:${client.localPort}`);
      await closed;
    }
    await waitFor(() => logs.lines.filter((line) => line.code === 'ERR_LB_NO_BACKEND').length === 2);

    expect(logs.lines.filter((line) => line.code === 'ERR_LB_NO_BACKEND').map((line) => line.client)).toEqual(expected);
  });

  it('a listen on an IPv6 address this host lacks is ERR_LB_BIND with the address in brackets', async () => {
    const { lb } = await listeningOn(LOOPBACK6, config([{ name: 'b', address: `${HOST}:1` }]));
    await expect(lb.listen({ host: '2001:2::99', port: 6443 })).rejects.toMatchObject({
      code: 'ERR_LB_BIND',
      message: 'load balancer apiserver: cannot listen on [2001:2::99]:6443: EADDRNOTAVAIL (no interface has this address)',
    });
  });
});
