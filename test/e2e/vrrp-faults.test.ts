// What goes wrong on real networks, with tsvip hosts in namespaces: wrong auth, a failing
// tracker, a pulled cable, a VIP left by a killed predecessor, a partition that heals, a VIP deleted
// by someone else, and a SIGHUP reload.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { useLab } from '../lab/index.js';
import { waitUntil } from '../../src/lab/tsvip-daemon.js';
import { clientMacForVip, clientNeighbourMac, Group, routerConfig, startNameServer, VIP, VIP_CIDR, vipHolders, waitForSoleHolder, whoAnswers } from './vrrp-group.js';
import { scrapeMetrics, statusOn, waitForMetrics } from './metrics-scrape.js';
import { waitForAdverts } from './instance-counters.js';

const FAST = { version: 3, advertInterval: '100ms', mode: 'unicast' } as const;

describe('faults and repairs', { timeout: 90_000 }, () => {
  const lab = useLab({ hosts: 4 });
  let group: Group | undefined;
  const scratch: string[] = [];
  afterEach(async () => {
    await group?.stopAll();
    group = undefined;
    for (const host of lab().hosts) await lab().setLinkUp(host);
    for (const host of lab().hosts) await lab().heal(host);
    for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  test('an advert with the wrong PASS is ignored and counted (auth_mismatch), in the log and in /metrics', async () => {
    const [h1, h2, h3, client] = [lab().host(1), lab().host(2), lab().host(3), lab().host(4)];
    group = new Group(lab(), [h1, h2, h3], { version: 2, advertInterval: '1s', mode: 'multicast', authPass: 'k8s-vip' });
    const h1Daemon = group.start(h1, { priority: 100, status: statusOn(h1) });
    await h1Daemon.waitForState('master');
    await h1Daemon.waitForLog((record) => record.msg === 'status server listening', 'the status server');
    const dropped = { vrrp_instance: 'VI_1', reason: 'auth_mismatch' };
    // A reason's sample may appear only with its first drop: absent counts as 0.
    const droppedBefore = (await scrapeMetrics(lab(), client, h1)).value('tsvip_vrrp_adverts_dropped_total', dropped) ?? 0;
    group.start(h3, { priority: 200, authPass: 'wrong' });
    // Three of h3's adverts crossed and were dropped: h3's priority 200 would have taken over at the
    // first had it been believed.
    await waitUntil(() => (h1Daemon.logs().filter((record) => record.msg === 'advert dropped' && record.reason === 'auth_mismatch').length >= 3 ? true : undefined), 'three adverts dropped for auth_mismatch');
    const metrics = await waitForMetrics(lab(), client, h1, 'adverts dropped for auth_mismatch', (m) => (m.value('tsvip_vrrp_adverts_dropped_total', dropped) ?? 0) > droppedBefore);
    expect(metrics.get('tsvip_vrrp_instance_state', { vrrp_instance: 'VI_1', state: 'master' })).toBe(1);
    // None of h3's adverts was believed.
    expect(metrics.get('tsvip_vrrp_adverts_received_total', { vrrp_instance: 'VI_1' })).toBe(0);
    expect(h1Daemon.state()).toBe('master');
    h1Daemon.kill('SIGTERM');
    await h1Daemon.exited;
    const stopped = h1Daemon.logs().find((record) => record.msg === 'instance stopped');
    expect((stopped?.counters as { drops: Record<string, number> }).drops.auth_mismatch).toBeGreaterThan(0);
  });

  test('a failing tracker with a negative weight moves the VIP, and its recovery brings it back (preempt)', async () => {
    const [h1, h2, h3] = [lab().host(1), lab().host(2), lab().host(3)];
    const dir = mkdtempSync(join(tmpdir(), 'tsvip-track-'));
    scratch.push(dir);
    const flag = join(dir, 'apiserver-down');
    group = new Group(lab(), [h1, h2, h3], FAST);
    const track = [{ type: 'script', command: ['test', '!', '-e', flag], interval: '200ms', timeout: '1s', rise: 1, fall: 1, weight: -60 }];
    const h1Daemon = group.start(h1, { priority: 150, track });
    group.start(h2, { priority: 100 });
    await h1Daemon.waitForState('master');
    await waitForSoleHolder(lab(), [h1, h2, h3], h1);

    writeFileSync(flag, '');
    await group.daemon(h2).waitForState('master');
    await waitForSoleHolder(lab(), [h1, h2, h3], h2);
    expect(h1Daemon.state()).toBe('backup');

    rmSync(flag);
    await waitUntil(() => (h1Daemon.transitions().filter((t) => t.to === 'master').length === 2 ? true : undefined), 'h1 to be master again');
    await waitForSoleHolder(lab(), [h1, h2, h3], h1);
  });

  test('notify as keepalived runs it at start-up: no fault notify while a weight-0 tracker has not answered, one once it fails', async () => {
    const [h1, h2, h3] = [lab().host(1), lab().host(2), lab().host(3)];
    const dir = mkdtempSync(join(tmpdir(), 'tsvip-notify-'));
    scratch.push(dir);
    const notifyLog = (host: string): string => join(dir, `${host}.log`);
    // Each notify appends its state; keepalived 2.2.7 in the same situation (vrrp_script with
    // weight 0 and notify_* scripts, seen in a lab) wrote "backup, master" for a passing script and a
    // single "fault" for a failing one.
    const notify = (host: string) => Object.fromEntries(['master', 'backup', 'fault'].map((state) => [state, `sh -c 'echo ${state} >> ${notifyLog(host)}'`]));
    const readLog = (host: string): string[] => {
      try {
        return readFileSync(notifyLog(host), 'utf8').split('\n').filter((line) => line !== '');
      } catch {
        return [];
      }
    };
    const check = (command: string) => [{ type: 'script', command: [command], interval: '300ms', timeout: '1s', rise: 1, fall: 1, weight: 0 }];
    group = new Group(lab(), [h1, h2, h3], FAST);
    const passing = group.start(h1, { priority: 150, track: check('true'), notify: notify('h1') });
    const failing = group.start(h2, { priority: 100, track: check('false'), notify: notify('h2') });
    await passing.waitForState('master');
    await waitUntil(() => (readLog('h2').length > 0 ? true : undefined), 'the failing host to run its fault notify');
    // Long enough for a repeated notify to show: several check intervals.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(readLog('h1')).toEqual(['backup', 'master']);
    expect(readLog('h2')).toEqual(['fault']);
    expect(failing.state()).toBe('fault');
  });

  test('a pulled cable puts the master in FAULT and the VIP moves; plugged back, it returns', async () => {
    const [h1, h2, h3] = [lab().host(1), lab().host(2), lab().host(3)];
    group = new Group(lab(), [h1, h2, h3], FAST);
    const h1Daemon = group.start(h1, { priority: 150 });
    group.start(h2, { priority: 100 });
    await h1Daemon.waitForState('master');

    await lab().setLinkDown(h1);
    await h1Daemon.waitForState('fault');
    await group.daemon(h2).waitForState('master');
    await waitForSoleHolder(lab(), [h1, h2, h3], h2);

    await lab().setLinkUp(h1);
    await waitUntil(() => (h1Daemon.transitions().filter((t) => t.to === 'master').length === 2 ? true : undefined), 'h1 to be master again');
    await waitForSoleHolder(lab(), [h1, h2, h3], h1);
  });

  test('a VIP left on the interface by a killed predecessor is removed at start', async () => {
    const [h1, h2, h3] = [lab().host(1), lab().host(2), lab().host(3)];
    group = new Group(lab(), [h1, h2, h3], FAST);
    group.start(h2, { priority: 100 });
    await group.daemon(h2).waitForState('master');
    await lab().runOk(h1, ['ip', 'addr', 'add', VIP_CIDR, 'dev', 'eth0']);
    // (h2's address follows its state-change log line.)
    await waitUntil(async () => ((await vipHolders(lab(), [h1, h2, h3])).map((host) => host.name).join() === 'h1,h2' ? true : undefined), 'h1 and h2 to hold the VIP');

    const h1Daemon = group.start(h1, { priority: 50 });
    await h1Daemon.waitForLog((record) => record.code === 'STALE_VIP_REMOVED', 'the stale VIP to be removed');
    await h1Daemon.waitForState('backup');
    await waitForSoleHolder(lab(), [h1, h2, h3], h2);
  });

  test.each([
    { title: 'v2 multicast, 1 s', group: { version: 2, advertInterval: '1s', mode: 'multicast' } as const },
    { title: 'v3 unicast, 100 ms', group: FAST },
  ])('$title: partition then heal: one master, and the client that followed the loser reaches the VIP again', async ({ group: options }) => {
    const [h1, h2, h3, client] = [lab().host(1), lab().host(2), lab().host(3), lab().host(4)];
    group = new Group(lab(), [h1, h2, h3], options);
    const h1Daemon = group.start(h1, { priority: 150 });
    const h2Daemon = group.start(h2, { priority: 100 });
    for (const host of [h1, h2]) startNameServer(lab(), host, 7000);
    await h1Daemon.waitForState('master');
    await h2Daemon.waitForState('backup');

    await lab().partition(h1);
    await h2Daemon.waitForState('master');
    await waitUntil(async () => ((await whoAnswers(lab(), client, 7000)) === 'h2' ? true : undefined), 'the client to reach h2 through the VIP');
    expect(await clientNeighbourMac(lab(), client)).toBe(h2.mac);

    await lab().heal(h1);
    await h2Daemon.waitForState('backup');
    expect(h1Daemon.state()).toBe('master');
    await waitForSoleHolder(lab(), [h1, h2, h3], h1);
    // Without asking: the winner's gratuitous ARP moved the client's entry off the loser's MAC.
    await waitUntil(async () => ((await clientNeighbourMac(lab(), client)) === h1.mac ? true : undefined), "the client's ARP entry to point to h1");
    expect(await whoAnswers(lab(), client, 7000)).toBe('h1');
  });

  test('a VIP deleted from the master by someone else is put back at once and announced', async () => {
    const [h1, h2, h3, client] = [lab().host(1), lab().host(2), lab().host(3), lab().host(4)];
    group = new Group(lab(), [h1, h2, h3], FAST);
    const h1Daemon = group.start(h1, { priority: 150 });
    group.start(h2, { priority: 100 });
    await h1Daemon.waitForState('master');
    expect(await clientMacForVip(lab(), client)).toBe(h1.mac);
    // A client whose entry went astray: only an announcement from h1 can fix it without it asking.
    await lab().runOk(client, ['ip', 'neigh', 'replace', VIP, 'lladdr', '02:00:c6:12:00:99', 'nud', 'stale', 'dev', 'eth0']);

    await lab().runOk(h1, ['ip', 'addr', 'del', VIP_CIDR, 'dev', 'eth0']);
    await h1Daemon.waitForLog((record) => record.code === 'VIP_DELETED_EXTERNALLY', 'the deletion to be noticed');
    await waitForSoleHolder(lab(), [h1, h2, h3], h1);
    await waitUntil(async () => ((await clientNeighbourMac(lab(), client)) === h1.mac ? true : undefined), "the client's ARP entry to point to h1 again");
    expect(h1Daemon.state()).toBe('master');
    expect(h1Daemon.transitions().filter((t) => t.to === 'master')).toHaveLength(1);
  });

  test('SIGHUP applies a new priority and a new tracker without a needless state change; an invalid config is rejected and the running one stays', async () => {
    const [h1, h2, h3] = [lab().host(1), lab().host(2), lab().host(3)];
    const routers = [h1, h2, h3];
    group = new Group(lab(), routers, FAST);
    const h1Daemon = group.start(h1, { priority: 150 });
    await h1Daemon.waitForState('master');
    const h2Daemon = group.start(h2, { priority: 100 });
    await h2Daemon.waitForState('backup');

    // The backup gets a passing tracker and a reordered peer list: nothing about its state changes.
    const tracked = routerConfig(h2, routers, FAST, { priority: 100, track: [{ type: 'script', command: ['true'], interval: '200ms', weight: 10 }] });
    h2Daemon.rewrite(tracked);
    const transitionsBefore = h2Daemon.transitions().length;
    h2Daemon.kill('SIGHUP');
    await h2Daemon.waitForLog((record) => record.msg === 'reloaded', 'the reload');
    await h2Daemon.waitForLog((record) => typeof record.tracker === 'string' && record.to === 'up', 'the new tracker to pass');
    expect(h2Daemon.transitions()).toHaveLength(transitionsBefore);

    // A broken file: every error logged, the daemon keeps running with its config.
    h1Daemon.rewrite('vrrp:\n  - name: VI_1\n    vrid: 300\n');
    h1Daemon.kill('SIGHUP');
    const rejected = await h1Daemon.waitForLog((record) => record.code === 'ERR_CONFIG_INVALID', 'the reload to be rejected');
    expect((rejected.problems as string[]).join('\n')).toMatch(/vrid/);
    // After the rejection, the backup still hears the master's adverts: it kept running as it was.
    const h1Transitions = h1Daemon.transitions().length;
    await waitForAdverts(lab(), h2, 'advertsReceived', 5);
    expect(h1Daemon.state()).toBe('master');
    expect(h1Daemon.transitions()).toHaveLength(h1Transitions);

    // A lower priority on the master: the backup (110 with its tracker) preempts.
    h1Daemon.rewrite(routerConfig(h1, routers, FAST, { priority: 50 }));
    h1Daemon.kill('SIGHUP');
    await h2Daemon.waitForState('master');
    await h1Daemon.waitForState('backup');
    await waitForSoleHolder(lab(), routers, h2);
  });
});
