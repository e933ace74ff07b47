// The daemon's start, SIGHUP reload and shutdown, without root: the host is FakeHost's scripted
// rtnetlink, VRRP sockets and ARP senders, and VRRP time is a fake clock. What is asserted is what an
// operator sees: addresses on the interface, adverts on the wire, announcements, log lines.
import { createServer } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { Daemon } from '../../src/daemon.js';
import { loadConfigText } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { decode, encode, VRRP_MULTICAST_GROUP, VRRP_PROTOCOL } from '../../src/vrrp/packet.js';
import { StartupTimeline } from '../../src/daemon/startup-timeline.js';
import type { FakeVrrpSocket } from './fake-ports.js';
import { DaemonHarness, settle } from './daemon-harness.js';
import { freePort } from '../free-port.js';

const ETH0 = 2;
const OWN = '198.18.0.1';
const PEER = '198.18.0.2';
const VIP = '198.18.0.100/24';
/** Master_Down at v3, 1 s, priority 100: 3 s plus a skew of 156/256 s. */
const PAST_MASTER_DOWN_MS = 3700;

/** Real sockets answer on the event loop (a health check's refused connect): polled, with a bound that only catches a hang. */
async function waitFor<T>(read: () => T | undefined, limitMs = 10_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not seen within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}


async function configOf(instances: string, statusPort: number): Promise<Config> {
  return loadConfigText(`vrrp:\n${instances}status: { listen: "127.0.0.1:${statusPort}" }\n`, 'vip.yaml').config;
}

const instance = (fields: string): string => `  - { name: VI_1, interface: eth0, version: 3, advertInterval: 1s, vips: [${VIP}], ${fields.includes('vrid') ? '' : 'vrid: 51, '}${fields} }\n`;

/** One instance beside a load balancer "apiserver" on a free fixed port, whose one backend refuses connections. */
async function withLoadBalancer(): Promise<Config> {
  const port = await freePort();
  const lbPort = await freePort();
  return loadConfigText(
    `vrrp:\n${instance('priority: 100')}loadBalancers:\n  - { name: apiserver, bind: "127.0.0.1:${lbPort}", backends: [{ name: cp1, address: "127.0.0.1:1" }] }\nstatus: { listen: "127.0.0.1:${port}" }\n`,
    'vip.yaml',
  ).config;
}


function sentPriorities(socket: FakeVrrpSocket): number[] {
  return socket.sent.map(({ payload }) => {
    const decoded = decode(payload, { source: OWN, destination: VRRP_MULTICAST_GROUP });
    if (!decoded.ok) throw new Error(`the daemon sent an undecodable advert: ${decoded.detail}`);
    return decoded.value.priority;
  });
}

function advertFrom(source: string, { vrid = 51, priority }: { vrid?: number; priority: number }) {
  const payload = encode({ version: 3, vrid, priority, adverIntervalMs: 1000, addresses: ['198.18.0.100'] }, { envelope: { source, destination: VRRP_MULTICAST_GROUP } });
  return { ttl: 255, tos: 0xc0, protocol: VRRP_PROTOCOL, source, destination: VRRP_MULTICAST_GROUP, payload };
}

class Harness extends DaemonHarness {
  constructor() {
    super({ addresses: { [ETH0]: [`${OWN}/24`] } });
  }

  get vipsOnEth0(): string[] {
    return this.host.rtnl.addressesOn(ETH0).filter((address) => address !== `${OWN}/24`);
  }
}

let harness: Harness;

afterEach(async () => {
  await harness.daemon?.shutdown('test over');
});

describe('daemon start', () => {
  test('a stale VIP left by a killed predecessor is removed before the election; after Master_Down the VIP is added and announced', async () => {
    harness = new Harness();
    harness.host.rtnl.requests.length = 0;
    await harness.host.rtnl.addAddress(ETH0, VIP);
    const daemon = await harness.start(await configOf(instance('priority: 100'), await freePort()));

    expect(harness.logged(`removed stale VIP ${VIP} left on eth0 by a previous run`)).toHaveLength(1);
    expect(harness.vipsOnEth0).toEqual([]);
    const [socket] = harness.host.openSockets;
    expect(socket?.options).toEqual({ family: 'ipv4', interfaceName: 'eth0', ifindex: ETH0, multicast: true, sourceAddress: null });
    expect(daemon.instances.map((runtime) => runtime.state)).toEqual(['backup']);

    await harness.advance(PAST_MASTER_DOWN_MS);
    expect(daemon.instances.map((runtime) => runtime.state)).toEqual(['master']);
    expect(harness.vipsOnEth0).toEqual([VIP]);
    expect(harness.host.announcers[0]?.announced).toContain('198.18.0.100');
    expect(socket?.sent.at(-1)?.destination).toBe(VRRP_MULTICAST_GROUP);
    expect(sentPriorities(socket as FakeVrrpSocket).at(-1)).toBe(100);
  });

  test('stale VIPs are removed first, then the instances listen, and only then do the load balancers start', async () => {
    harness = new Harness();
    await harness.host.rtnl.addAddress(ETH0, VIP);
    await harness.start(await withLoadBalancer());
    const removed = harness.logs.findIndex((line) => line.code === 'STALE_VIP_REMOVED');
    const instanceStarted = harness.logs.findIndex((line) => line.msg === 'instance starting');
    const listening = harness.logs.findIndex((line) => line.part === 'lb' && line.msg === 'listening');
    expect(removed).toBeGreaterThanOrEqual(0);
    expect(instanceStarted).toBeGreaterThan(removed);
    expect(listening).toBeGreaterThan(instanceStarted);
  });

  test("the 'started' line says when each step of the start was done, the caller's steps first", async () => {
    harness = new Harness();
    let tick = 0;
    const timeline = new StartupTimeline(() => (tick += 10));
    timeline.mark('configLoaded');
    timeline.mark('codeLoaded');
    const config = await withLoadBalancer();
    harness.daemon = await Daemon.start(config, { logger: harness.logger, clock: harness.clock, ports: harness.host.ports, timeline });
    const [started] = harness.logged('started');
    expect(started?.['startupMs']).toEqual({ configLoaded: 10, codeLoaded: 20, staleVipsCleared: 30, instancesStarted: 40, loadBalancersStarted: 50, statusStarted: 60, started: 70 });
  });

  test("a backend's up/down lines come from its load balancer's logger: part lb and the load balancer's name", async () => {
    harness = new Harness();
    await harness.start(await withLoadBalancer());
    await waitFor(() => harness.logs.find((line) => line.code === 'LB_BACKEND_DOWN'));
    const down = harness.logs.filter((line) => line.code === 'LB_BACKEND_DOWN' || line.code === 'LB_POOL_DOWN');
    expect(down.map((line) => [line.code, line.part, line['loadBalancer']])).toEqual([
      ['LB_BACKEND_DOWN', 'lb', 'apiserver'],
      ['LB_POOL_DOWN', 'lb', 'apiserver'],
    ]);
  });

  test('the address owner (priority 255) keeps its address at start: it is its own', async () => {
    harness = new Harness();
    await harness.host.rtnl.addAddress(ETH0, VIP);
    await harness.start(await configOf(instance('priority: 255, unicast: { source: 198.18.0.100, peers: [198.18.0.2] }'), await freePort()));
    expect(harness.logged(`removed stale VIP ${VIP} left on eth0 by a previous run`)).toHaveLength(0);
    expect(harness.vipsOnEth0).toEqual([VIP]);
  });

  test('a socket that cannot be opened stops the start: nothing is left open and no VIP was added', async () => {
    harness = new Harness();
    harness.host.failNextSocket();
    const config = await configOf(instance('priority: 100'), await freePort());
    await expect(Daemon.start(config, { logger: harness.logger, clock: harness.clock, ports: harness.host.ports })).rejects.toMatchObject({ code: 'ERR_VRRP_TRANSPORT' });
    expect(harness.host.rtnl.closed).toBe(true);
    expect(harness.host.announcers.every((announcer) => announcer.closed)).toBe(true);
    expect(harness.vipsOnEth0).toEqual([]);
  });

  test('an interface without an IPv4 address of its own is named, before any socket opens', async () => {
    harness = new Harness();
    await harness.host.rtnl.deleteAddress(ETH0, `${OWN}/24`);
    const config = await configOf(instance('priority: 100'), await freePort());
    await expect(Daemon.start(config, { logger: harness.logger, clock: harness.clock, ports: harness.host.ports })).rejects.toThrow(/eth0 \(instance VI_1\) has no IPv4 address of its own/);
    expect(harness.host.sockets).toHaveLength(0);
  });

  test('a higher-priority advert makes the master a backup that gives its VIP up', async () => {
    harness = new Harness();
    const daemon = await harness.start(await configOf(instance('priority: 100'), await freePort()));
    await harness.advance(PAST_MASTER_DOWN_MS);
    harness.host.openSockets[0]?.deliver(advertFrom(PEER, { priority: 200 }));
    await settle();
    expect(daemon.instances[0]?.state).toBe('backup');
    expect(harness.vipsOnEth0).toEqual([]);
  });

  test('a VIP someone else deletes from a master is put back', async () => {
    harness = new Harness();
    await harness.start(await configOf(instance('priority: 100'), await freePort()));
    await harness.advance(PAST_MASTER_DOWN_MS);
    harness.host.rtnl.removeExternally(ETH0, VIP);
    await settle();
    expect(harness.logs.filter((line) => line.code === 'VIP_DELETED_EXTERNALLY')).toHaveLength(1);
    expect(harness.vipsOnEth0).toEqual([VIP]);
  });

  test('IPv6 address events on the interface (now subscribed to) leave an IPv4 master and its VIPs alone', async () => {
    harness = new Harness();
    await harness.start(await configOf(instance('priority: 100'), await freePort()));
    await harness.advance(PAST_MASTER_DOWN_MS);
    const flags = { tentative: false, dadfailed: false, nodad: false, deprecated: false };
    for (const kind of ['new', 'deleted'] as const) {
      harness.host.rtnl.events.emit('address', { kind, family: 'ipv6', ifindex: ETH0, address: 'fe80::c6ff:fe12:1', prefix: 64, scope: 'link', flags });
    }
    await settle();
    expect(harness.logs.filter((line) => line.code === 'VIP_DELETED_EXTERNALLY')).toEqual([]);
    expect(harness.vipsOnEth0).toEqual([VIP]);
  });
});

describe('startupDelay, counted from the process start as keepalived counts vrrp_startup_delay', () => {
  const HOLD_MS = 2000;
  const LOADING_MS = 1500;

  test('a daemon that took 1.5 s to load holds only the 0.5 s left: hosts spawned together end their hold together', async () => {
    harness = new Harness();
    harness.clock.advance(LOADING_MS);
    const config = await configOf(instance(`priority: 100, startupDelay: ${HOLD_MS}ms`), await freePort());
    const daemon = await Daemon.start(config, { logger: harness.logger, clock: harness.clock, ports: harness.host.ports, processStartMs: 0 });
    harness.daemon = daemon;
    await harness.advance(PAST_MASTER_DOWN_MS);
    expect(daemon.instances[0]?.state).toBe('backup');
    await harness.advance(HOLD_MS - LOADING_MS);
    expect(daemon.instances[0]?.state).toBe('master');
  });

  test('an instance a reload restarts long after the start is not held again', async () => {
    harness = new Harness();
    const port = await freePort();
    const daemon = await harness.start(await configOf(instance(`priority: 100, startupDelay: ${HOLD_MS}ms`), port));
    await harness.advance(PAST_MASTER_DOWN_MS + HOLD_MS);
    expect(daemon.instances[0]?.state).toBe('master');
    await daemon.reload(await configOf(instance(`vrid: 52, priority: 100, startupDelay: ${HOLD_MS}ms`), port));
    expect(daemon.instances[0]?.state).toBe('backup');
    await harness.advance(PAST_MASTER_DOWN_MS);
    expect(daemon.instances[0]?.state).toBe('master');
  });
});

describe('metrics of the running daemon', () => {
  test('gratuitous ARP is counted in packets, and IP-header drops appear among the dropped adverts', async () => {
    harness = new Harness();
    const port = await freePort();
    await harness.start(await configOf(`  - { name: VI_1, interface: eth0, version: 3, vrid: 51, vips: [198.18.0.100/24, 198.18.0.101/24], garp: { burst: 2 } }\n`, port));
    await harness.advance(PAST_MASTER_DOWN_MS);
    const [socket] = harness.host.openSockets;
    (socket as FakeVrrpSocket).badIpHeaders = 3;

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    // Two VIPs, a burst of two: four packets.
    expect(harness.host.announcers[0]?.announced).toHaveLength(4);
    expect(metrics).toContain('tsvip_vrrp_garp_sent_total{vrrp_instance="VI_1"} 4');
    expect(metrics).toContain('tsvip_vrrp_adverts_dropped_total{vrrp_instance="VI_1",reason="bad_ip_header"} 3');
  });
});

describe('SIGHUP reload', () => {
  test('a changed priority applies in place: the same socket, still master, adverts carry the new priority', async () => {
    harness = new Harness();
    const port = await freePort();
    const daemon = await harness.start(await configOf(instance('priority: 100'), port));
    await harness.advance(PAST_MASTER_DOWN_MS);
    const [socket] = harness.host.openSockets;

    await daemon.reload(await configOf(instance('priority: 150'), port));
    await harness.advance(1000);

    expect(harness.logged('configuration applied in place')).toHaveLength(1);
    expect(harness.host.sockets).toHaveLength(1);
    expect(daemon.instances[0]?.state).toBe('master');
    expect(sentPriorities(socket as FakeVrrpSocket).at(-1)).toBe(150);
    expect(harness.vipsOnEth0).toEqual([VIP]);
  });

  test('a changed VRID restarts the instance: the master gives up (priority 0), a new socket takes over', async () => {
    harness = new Harness();
    const port = await freePort();
    const daemon = await harness.start(await configOf(instance('vrid: 51, priority: 100'), port));
    await harness.advance(PAST_MASTER_DOWN_MS);
    const [oldSocket] = harness.host.openSockets;

    await daemon.reload(await configOf(instance('vrid: 52, priority: 100'), port));

    expect(harness.logged('instance restarted by reload').map((line) => line.changed)).toEqual([['vrid']]);
    expect(sentPriorities(oldSocket as FakeVrrpSocket).at(-1)).toBe(0);
    expect(oldSocket?.closed).toBe(true);
    expect(harness.host.openSockets).toHaveLength(1);
    expect(harness.host.openSockets[0]).not.toBe(oldSocket);
    expect(daemon.instances.map((runtime) => [runtime.config.vrid, runtime.state])).toEqual([[52, 'backup']]);
    await harness.advance(PAST_MASTER_DOWN_MS);
    expect(daemon.instances[0]?.state).toBe('master');
    expect(harness.vipsOnEth0).toEqual([VIP]);
  });

  test('a restart whose new socket cannot open is rejected with the instance still running as before', async () => {
    harness = new Harness();
    const port = await freePort();
    const daemon = await harness.start(await configOf(instance('vrid: 51, priority: 100'), port));
    await harness.advance(PAST_MASTER_DOWN_MS);
    const [socket] = harness.host.openSockets;
    const sentBefore = socket?.sent.length ?? 0;

    harness.host.failNextSocket();
    await expect(daemon.reload(await configOf(instance('vrid: 52, priority: 100'), port))).rejects.toMatchObject({ code: 'ERR_VRRP_TRANSPORT' });

    expect(harness.logged('instance restarted by reload')).toHaveLength(0);
    expect(daemon.instances.map((runtime) => [runtime.config.vrid, runtime.state])).toEqual([[51, 'master']]);
    expect(daemon.snapshot().config.vrrp[0]?.vrid).toBe(51);
    expect(harness.vipsOnEth0).toEqual([VIP]);
    await harness.advance(1000);
    expect(socket?.closed).toBe(false);
    expect(sentPriorities(socket as FakeVrrpSocket).slice(sentBefore)).toEqual([100]);
  });

  test('an instance added on an interface without an address of its own rejects the whole reload', async () => {
    harness = new Harness();
    harness.host.interfaces.push({ name: 'eth1', ifindex: 3, mac: '02:00:c6:12:00:02', up: true, running: true });
    const port = await freePort();
    const daemon = await harness.start(await configOf(instance('priority: 100'), port));
    await harness.advance(PAST_MASTER_DOWN_MS);

    const next = await configOf(`${instance('priority: 120')}  - { name: VI_2, interface: eth1, vrid: 60, vips: [198.18.1.100/24] }\n`, port);
    await expect(daemon.reload(next)).rejects.toThrow(/eth1 \(instance VI_2\) has no IPv4 address of its own/);

    expect(daemon.instances.map((runtime) => [runtime.name, runtime.state, runtime.config.priority])).toEqual([['VI_1', 'master', 100]]);
    expect(harness.host.openSockets).toHaveLength(1);
  });

  test('a new load balancer whose port is taken rejects the reload before the instances change', async () => {
    harness = new Harness();
    const port = await freePort();
    const daemon = await harness.start(await configOf(instance('priority: 100'), port));
    await harness.advance(PAST_MASTER_DOWN_MS);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const takenPort = (taken.address() as { port: number }).port;
    try {
      const next = loadConfigText(
        `vrrp:\n${instance('priority: 150')}loadBalancers:\n  - { name: apiserver, bind: "127.0.0.1:${takenPort}", backends: [{ name: cp1, address: "127.0.0.1:1" }] }\nstatus: { listen: "127.0.0.1:${port}" }\n`,
        'vip.yaml',
      ).config;
      await expect(daemon.reload(next)).rejects.toMatchObject({ code: 'ERR_LB_BIND' });
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    expect(daemon.loadBalancers).toHaveLength(0);
    expect(daemon.instances.map((runtime) => [runtime.config.priority, runtime.state])).toEqual([[100, 'master']]);
    expect(harness.logged('configuration applied in place')).toHaveLength(0);
  });

  test('removed instances give their VIPs up and added ones start', async () => {
    harness = new Harness();
    const port = await freePort();
    const daemon = await harness.start(await configOf(instance('priority: 100'), port));
    await harness.advance(PAST_MASTER_DOWN_MS);
    const [first] = harness.host.openSockets;

    await daemon.reload(await configOf('  - { name: VI_2, interface: eth0, version: 3, vrid: 60, vips: [198.18.0.200/24] }\n', port));

    expect(first?.closed).toBe(true);
    expect(harness.vipsOnEth0).toEqual([]);
    expect(harness.logged('instance removed by reload')).toHaveLength(1);
    expect(harness.logged('instance added by reload')).toHaveLength(1);
    await harness.advance(PAST_MASTER_DOWN_MS);
    expect(daemon.instances.map((runtime) => [runtime.name, runtime.state])).toEqual([['VI_2', 'master']]);
    expect(harness.vipsOnEth0).toEqual(['198.18.0.200/24']);
  });
});

describe('shutdown', () => {
  test('a master sends priority 0, removes its VIPs and closes every socket it opened', async () => {
    harness = new Harness();
    const daemon = await harness.start(await configOf(instance('priority: 100'), await freePort()));
    await harness.advance(PAST_MASTER_DOWN_MS);
    const [socket] = harness.host.openSockets;

    await daemon.shutdown('SIGTERM');

    expect(sentPriorities(socket as FakeVrrpSocket).at(-1)).toBe(0);
    expect(harness.vipsOnEth0).toEqual([]);
    expect(harness.host.openSockets).toHaveLength(0);
    expect(harness.host.announcers.every((announcer) => announcer.closed)).toBe(true);
    expect(harness.host.rtnl.closed).toBe(true);
    expect(harness.logged('stopped').map((line) => line.reason)).toEqual(['SIGTERM']);
    // A second signal finds the work done.
    await daemon.shutdown('SIGINT');
    expect(harness.logged('stopped')).toHaveLength(1);
  });
});
