import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { instanceSchema, type VrrpInstanceConfig } from '../../src/config/schema.js';
import { buildTrackers, trackerName, type InstanceTrackers } from '../../src/health/build-trackers.js';
import type { LinkState } from '../../src/health/interface-tracker.js';
import { FakeClock } from '../vrrp/fake-clock.js';

function track(list: unknown[]): VrrpInstanceConfig['track'] {
  return instanceSchema.parse({ name: 'VI_1', interface: 'eth0', vrid: 51, vips: ['198.18.0.50'], track: list }).track;
}

const links: Record<string, LinkState> = { eth1: { up: true, running: true }, eth2: { up: true, running: false } };
const linkState = (name: string): LinkState | null => links[name] ?? null;

let built: InstanceTrackers | null = null;
afterEach(() => {
  built?.stop();
  built = null;
});

describe('buildTrackers', () => {
  test('one tracker per entry with a stable name; interfaces start from linkState, checks and backends in init', () => {
    built = buildTrackers({
      track: track([
        { type: 'http', url: 'https://127.0.0.1:6443/readyz', insecureSkipVerify: true, weight: -20 },
        { type: 'tcp', address: '127.0.0.1:2379', weight: -10 },
        { type: 'script', command: "/etc/tsvip/check.sh --mode 'a b'", weight: -20 },
        { type: 'script', command: ['/usr/bin/check', 'x'], weight: 5 },
        { type: 'interface', name: 'eth1' },
        { type: 'interface', name: 'eth2', weight: -50 },
        { type: 'backends', loadBalancer: 'apiserver', weight: -30 },
      ]),
      linkState,
    });
    expect(built.set.describe().map(({ name, state, weight }) => [name, state, weight])).toEqual([
      ['http:https://127.0.0.1:6443/readyz', 'init', -20],
      ['tcp:127.0.0.1:2379', 'init', -10],
      ["script:/etc/tsvip/check.sh --mode 'a b'", 'init', -20],
      ['script:/usr/bin/check x', 'init', 5],
      ['interface:eth1', 'up', 0],
      ['interface:eth2', 'down', -50],
      ['backends:apiserver', 'init', -30],
    ]);
    expect(built.monitors).toHaveLength(4);
    expect(built.backends.map((b) => b.loadBalancer)).toEqual(['apiserver']);
    expect([built.set.weightSum(), built.set.faulted()]).toEqual([-50, false]);
  });

  test('setLink feeds every tracker of that interface; backends are fed through their tracker', () => {
    built = buildTrackers({
      track: track([
        { type: 'interface', name: 'eth1' },
        { type: 'backends', loadBalancer: 'apiserver', weight: -30 },
      ]),
      linkState,
    });
    const changes: [number, boolean][] = [];
    built.set.onChange((state) => changes.push([state.weightSum, state.faulted]));
    built.setLink('eth1', { up: true, running: false });
    built.setLink('eth9', null);
    expect(built.set.faulted()).toBe(true);
    built.backends[0]?.tracker.set({ up: false, detail: 'no backend up' });
    expect(built.set.weightSum()).toBe(-30);
    expect(changes).toEqual([
      [0, true],
      [-30, true],
    ]);
  });

  test('the same check listed twice gets a second name', () => {
    const list = [{ type: 'tcp', address: '127.0.0.1:2379', weight: -10 }, { type: 'tcp', address: '127.0.0.1:2379', weight: -5 }];
    built = buildTrackers({ track: track(list), linkState });
    expect(built.set.describe().map((d) => d.name)).toEqual(['tcp:127.0.0.1:2379', 'tcp:127.0.0.1:2379#2']);
  });

  test('a tracker that cannot work is refused before anything runs', () => {
    expect(() => buildTrackers({ track: track([{ type: 'script', command: "/bin/check 'oops" }]), linkState })).toThrow(
      expect.objectContaining({ code: 'ERR_COMMAND_LINE' }),
    );
    expect(() => buildTrackers({ track: track([{ type: 'https', url: 'https://127.0.0.1:6443/readyz', caFile: '/nonexistent/ca.crt' }]), linkState })).toThrow(
      expect.objectContaining({ code: 'ERR_CA_FILE' }),
    );
  });

  test('start() runs the checks: a tcp tracker against a listening port comes up', async () => {
    // The check closes with a reset (as haproxy's do): the server side sees ECONNRESET.
    const server = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      built = buildTrackers({ track: track([{ type: 'tcp', address: `127.0.0.1:${port}` }]), linkState, clock: new FakeClock() });
      expect(built.set.faulted()).toBe(true);
      built.start();
      await vi.waitFor(() => expect(built?.set.faulted()).toBe(false), { timeout: 5000 });
      expect(built.set.describe()[0]).toMatchObject({ state: 'up', detail: 'connected' });
    } finally {
      server.close();
    }
  });

  test('trackerName', () => {
    expect(trackerName({ type: 'interface', name: 'eth1', weight: 0 })).toBe('interface:eth1');
    expect(trackerName({ type: 'backends', loadBalancer: 'apiserver', weight: 0 })).toBe('backends:apiserver');
  });
});
