// What the kernel announces on rtnetlink reaches tsvip as typed events: an address added and removed
// (the VRRP runtime notices a VIP someone deleted) and a cable pulled and plugged back in (the
// interface tracker puts the instance in FAULT at once).
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { useLab, type Lab, type LabHost } from '../lab/index.js';
import type { SpawnedProcess } from '../../src/lab/spawned-process.js';

const PROBE = fileURLToPath(new URL('./probes/netlink-events.mjs', import.meta.url));

interface Ready {
  ready: { name: string; ifindex: number; mac: string | null; up: boolean; running: boolean } | null;
}
type Printed = Ready | { event: 'link'; ifindex: number; name: string; up: boolean; running: boolean } | { event: 'address'; kind: string; ifindex: number; address: string; prefix: number } | { event: 'error'; code: string } | { closed: true };

function printed(watcher: SpawnedProcess): Printed[] {
  return watcher
    .output()
    .stdout.split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Printed);
}

async function waitFor<T>(watcher: SpawnedProcess, read: (lines: Printed[]) => T | undefined, what: string, limitMs = 15_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = read(printed(watcher));
    if (value !== undefined) return value;
    if (Date.now() - start > limitMs) {
      const { stdout, stderr } = watcher.output();
      throw new Error(`timed out after ${limitMs} ms waiting for ${what}\nwatcher stdout:\n${stdout}\nwatcher stderr:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function startWatcher(lab: Lab, host: LabHost): Promise<{ watcher: SpawnedProcess; ifindex: number }> {
  const watcher = lab.spawn(host, [process.execPath, PROBE, 'watch', 'eth0']);
  const ready = await waitFor(watcher, (lines) => lines.find((l): l is Ready => 'ready' in l), 'the watcher to subscribe');
  if (ready.ready === null) throw new Error('interfaceInfo("eth0") is null in the lab host');
  return { watcher, ifindex: ready.ready.ifindex };
}

function events<E extends string>(lines: Printed[], event: E): Extract<Printed, { event: E }>[] {
  return lines.filter((l): l is Extract<Printed, { event: E }> => 'event' in l && l.event === event);
}

describe('rtnetlink events in a lab host', () => {
  const lab = useLab({ hosts: 1 });

  test('regression, netlink 0.3.0 drops the message type on its "message" event: an address added then deleted is "new" then "deleted"', async () => {
    const host = lab().host(1);
    const { watcher, ifindex } = await startWatcher(lab(), host);
    await lab().runOk(host, ['ip', 'addr', 'add', '198.18.0.100/32', 'dev', 'eth0']);
    await waitFor(watcher, (lines) => (events(lines, 'address').length >= 1 ? true : undefined), 'the new address event');
    await lab().runOk(host, ['ip', 'addr', 'del', '198.18.0.100/32', 'dev', 'eth0']);
    const seen = await waitFor(watcher, (lines) => {
      const addresses = events(lines, 'address');
      return addresses.length >= 2 ? addresses : undefined;
    }, 'the deleted address event');
    // Through the library's own event both would read as the same message, and a deleted VIP would look re-added.
    expect(seen).toEqual([
      { event: 'address', kind: 'new', ifindex, address: '198.18.0.100', prefix: 32 },
      { event: 'address', kind: 'deleted', ifindex, address: '198.18.0.100', prefix: 32 },
    ]);
    watcher.kill();
  });

  test('a pulled cable gives a link event for eth0 with running=false, plugging it back running=true; interfaceInfo agrees', async () => {
    const host = lab().host(1);
    const { watcher, ifindex } = await startWatcher(lab(), host);
    const eth0Links = (lines: Printed[]) => events(lines, 'link').filter((l) => l.name === 'eth0');

    await lab().setLinkDown(host);
    const down = await waitFor(watcher, (lines) => eth0Links(lines).find((l) => !l.running), 'a link event with running=false');
    // Carrier loss, not an administrative down: the interface stays up, only not running.
    expect(down).toEqual({ event: 'link', ifindex, name: 'eth0', up: true, running: false });
    const info = JSON.parse((await lab().runOk(host, [process.execPath, PROBE, 'info', 'eth0'])).stdout) as unknown;
    expect(info).toEqual({ name: 'eth0', ifindex, mac: host.mac, up: true, running: false });

    const downCount = eth0Links(printed(watcher)).length;
    await lab().setLinkUp(host);
    const up = await waitFor(watcher, (lines) => eth0Links(lines).slice(downCount).find((l) => l.running), 'a link event with running=true');
    expect(up).toEqual({ event: 'link', ifindex, name: 'eth0', up: true, running: true });
    const infoUp = JSON.parse((await lab().runOk(host, [process.execPath, PROBE, 'info', 'eth0'])).stdout) as unknown;
    expect(infoUp).toEqual({ name: 'eth0', ifindex, mac: host.mac, up: true, running: true });
    watcher.kill();
  });

  test('interfaceInfo is null for an interface that does not exist, or a name that is a path', async () => {
    for (const name of ['eth9', '..', '../eth0']) {
      const result = await lab().runOk(lab().host(1), [process.execPath, PROBE, 'info', name]);
      expect(result.stdout.trim(), name).toBe('null');
    }
  });

  test('the watcher keeps its process alive until close(), and close() lets it exit', async () => {
    const host = lab().host(1);
    const { watcher } = await startWatcher(lab(), host);
    // Still running after the subscription, the socket holding the event loop open: it reports an
    // address added afterwards (a watcher that had exited on its own would report nothing).
    await lab().runOk(host, ['ip', 'addr', 'add', '198.18.0.101/32', 'dev', 'eth0']);
    try {
      await waitFor(watcher, (lines) => (events(lines, 'address').some((e) => e.address === '198.18.0.101') ? true : undefined), 'the watcher, still running, to report an address added after it subscribed');
    } finally {
      await lab().runOk(host, ['ip', 'addr', 'del', '198.18.0.101/32', 'dev', 'eth0']);
    }
    expect(watcher.child.exitCode, 'the watcher exited on its own: the netlink socket does not keep the process alive').toBeNull();
    watcher.kill('SIGTERM');
    // 10 s only to catch a hang.
    const exit = await Promise.race([watcher.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 10_000))]);
    expect(exit, `the process did not end after close(): ${watcher.output().stderr}`).toEqual({ code: 0, signal: null });
    expect(printed(watcher).at(-1)).toEqual({ closed: true });
  });
});
