// A status snapshot as a daemon with one VRRP instance (master) and one load balancer (a backend
// down) would report it: what the status server's unit tests serve. The config is deploy/vip.yaml,
// loaded as `check` loads it, so redaction is tested on a real config.
import { readFileSync } from 'node:fs';
import { loadConfigText } from '../../src/config/load.js';
import { redactConfig, type StatusSnapshot } from '../../src/status/snapshot.js';

const EXAMPLE = new URL('../../deploy/vip.yaml', import.meta.url);

export function exampleConfig(): ReturnType<typeof loadConfigText>['config'] {
  return loadConfigText(readFileSync(EXAMPLE, 'utf8'), 'deploy/vip.yaml').config;
}

export function sampleSnapshot(): StatusSnapshot {
  const config = exampleConfig();
  const backend = (name: string, address: string, up: boolean, active: number) => ({
    name,
    address,
    weight: 1,
    state: up ? ('up' as const) : ('down' as const),
    up,
    reason: up ? 'HTTP 200' : 'connect ECONNREFUSED',
    since: '2026-11-23T10:00:00.000Z',
    lastCheck: up ? 'HTTP 200' : 'connect ECONNREFUSED',
    checks: 40,
    failedChecks: up ? 0 : 12,
    passiveFailures: up ? 0 : 1,
    counters: { active, total: active * 10, failedConnects: up ? 0 : 1, retries: up ? 1 : 0, bytesIn: 1000 * active, bytesOut: 50_000 * active },
  });
  return {
    version: '0.1.0',
    hostname: 'master1',
    pid: 4242,
    startedAt: '2026-11-23T09:00:00.000Z',
    now: '2026-11-23T10:05:00.000Z',
    ready: true,
    eventLoop: { periodSeconds: 10, p50Ms: 10.1, p99Ms: 12.5, maxMs: 31 },
    config: redactConfig(config),
    instances: [
      {
        name: 'VI_1',
        interface: 'eth0',
        vrid: 51,
        version: 2,
        state: 'master',
        priority: 150,
        configuredPriority: 150,
        ownAddress: '10.0.0.51',
        masterAddress: '10.0.0.51',
        since: '2026-11-23T09:00:04.000Z',
        vips: ['10.0.0.50/24'],
        trackers: [
          { name: 'eth0', type: 'interface', state: 'up', up: true, weight: 0, detail: 'eth0 up and running' },
          { name: 'backends:apiserver', type: 'backends', state: 'up', up: true, weight: -60, detail: '2 of 3 backends up' },
        ],
        counters: { advertsSent: 3896, advertsReceived: 2, garpSent: 10, transitions: 2, drops: { auth_mismatch: 3 } },
      },
    ],
    loadBalancers: [
      {
        name: 'apiserver',
        bind: '0.0.0.0:8443',
        balance: 'roundrobin',
        listening: ['0.0.0.0:8443'],
        pool: { state: 'up', up: true, usable: 2, total: 3, detail: '2 of 3 backends up' },
        counters: { active: 5, total: 50, failedConnects: 1, retries: 1, rejected: 0, bytesIn: 5000, bytesOut: 250_000 },
        backends: [backend('master1', '10.0.0.51:6443', true, 3), backend('master2', '10.0.0.52:6443', false, 0), backend('master3', '10.0.0.53:6443', true, 2)],
      },
    ],
    transitions: [
      { instance: 'VI_1', from: 'backup', to: 'master', reason: 'master down timer', priority: 150, at: '2026-11-23T09:00:04.000Z' },
      { instance: 'VI_1', from: 'initialize', to: 'backup', reason: 'startup', priority: 150, at: '2026-11-23T09:00:01.000Z' },
    ],
  };
}

/**
 * The same host dual-stack: beside VI_1, an IPv6 instance with the same VRID (a different router) in
 * multicast mode, so its own address is the interface's link-local and the master is another host's
 * link-local; a load balancer on [::]:8443 (dual-stack) to IPv6 backends.
 */
export function dualStackSnapshot(): StatusSnapshot {
  const sample = sampleSnapshot();
  const ipv4 = sample.instances[0];
  const balancer = sample.loadBalancers[0];
  if (ipv4 === undefined || balancer === undefined) throw new Error('sampleSnapshot has an instance and a load balancer');
  return {
    ...sample,
    instances: [
      ipv4,
      {
        ...ipv4,
        name: 'VI_6',
        version: 3,
        state: 'backup',
        priority: 100,
        configuredPriority: 100,
        ownAddress: 'fe80::c6ff:fe12:1',
        masterAddress: 'fe80::c6ff:fe12:2',
        vips: ['2001:db8::50/128'],
        trackers: [],
        counters: { advertsSent: 0, advertsReceived: 2950, garpSent: 0, transitions: 1, drops: {} },
      },
    ],
    loadBalancers: [
      {
        ...balancer,
        name: 'apiserver6',
        bind: '[::]:8443',
        listening: ['[::]:8443'],
        backends: balancer.backends.map((backend, i) => ({ ...backend, address: `[2001:db8::5${i + 1}]:6443` })),
      },
    ],
  };
}
