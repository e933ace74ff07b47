// tsvip on every supported Node LTS, not only the machine's: the official Node 22 and 24 binaries run
// three daemons that elect a master, proxy a client through the VIP's load balancer, and move the VIP
// when the master is killed with -9. Its raw socket (koffi), netlink and the data path's worker all
// load from the one node_modules, as an npm install on that Node would have them.
import { readlinkSync, realpathSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useLab, type LabHost } from '../lab/index.js';
import { officialNode, type OfficialNode } from '../lab/official-node.js';
import { startApiserver } from '../../src/lab/apiserver.js';
import { startTsvip, waitUntil, type TsvipDaemon } from '../../src/lab/tsvip-daemon.js';
import { startProber } from '../../src/lab/vip-client.js';
import { API_PORT, LB_PORT, apiserverHostConfig } from './apiserver-cluster.js';
import { VIP, clientNeighbourMac, waitForSoleHolder } from './vrrp-group.js';

const ERROR_LEVEL = 50;

describe.each([22, 24])('on the official Node %i', { timeout: 120_000 }, (major) => {
  const lab = useLab({ hosts: 4 });
  let node: OfficialNode;
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    node = await officialNode(major);
  }, 300_000);

  afterAll(async () => {
    for (const undo of cleanup.splice(0).reverse()) await undo();
  });

  test('three hosts elect, the load balancer proxies, a kill -9 of the master moves the VIP and the client is served again', async () => {
    const routers = [lab().host(1), lab().host(2), lab().host(3)];
    const [h1, h2] = routers as [LabHost, LabHost, LabHost];
    const client = lab().host(4);
    for (const host of routers) {
      const apiserver = await startApiserver(lab(), host, { port: API_PORT });
      cleanup.push(() => apiserver.stop('SIGKILL'));
    }
    const daemons = routers.map((host, index) => {
      const config = apiserverHostConfig(host, routers, { priority: 150 - index * 50, vrrp: { version: 3, advertInterval: '100ms' } });
      return startTsvip(lab(), host, config, { logLevel: 'info', node: node.path });
    });
    for (const daemon of daemons) cleanup.push(async () => { daemon.kill('SIGKILL'); await daemon.exited; });
    const [d1, d2, d3] = daemons as [TsvipDaemon, TsvipDaemon, TsvipDaemon];

    await d1.waitForState('master');
    await d2.waitForState('backup');
    await d3.waitForState('backup');
    // Each daemon is that Node: ip netns exec has exec'd it by now, so the pid is node's own.
    for (const daemon of daemons) expect(realpathSync(readlinkSync(`/proc/${daemon.process.pid}/exe`))).toBe(realpathSync(node.path));
    await waitForSoleHolder(lab(), routers, h1);
    await d1.waitForLog((record) => record.msg === 'listening' && String(record.address).startsWith(VIP), "h1's vip: bind to listen");

    const prober = await startProber(lab(), client, { address: VIP, port: LB_PORT, protocol: 'https', intervalMs: 10, timeoutMs: 3000 });
    cleanup.push(() => prober.stop());
    await prober.waitUntil((attempts) => attempts.filter((attempt) => attempt.ok).length >= 50, { timeoutMs: 20_000, what: '50 answered connections through h1' });
    expect(await clientNeighbourMac(lab(), client)).toBe(h1.mac);

    d1.kill('SIGKILL');
    expect(await d1.exited).toMatchObject({ signal: 'SIGKILL' });
    const killedAt = Date.now();
    await d2.waitForState('master');
    await d2.waitForLog((record) => record.msg === 'listening' && String(record.address).startsWith(VIP), "h2's vip: bind to listen");
    await waitUntil(async () => ((await clientNeighbourMac(lab(), client)) === h2.mac ? true : undefined), "the client's ARP entry for the VIP to point to h2");
    await prober.waitUntil((attempts) => attempts.filter((attempt) => attempt.ok && attempt.t > killedAt).length >= 50, { timeoutMs: 20_000, what: '50 answered connections after the kill' });
    expect(d3.state()).toBe('backup');

    // Nothing went wrong on the way that the daemons noticed.
    for (const daemon of [d2, d3]) expect(daemon.logs().filter((record) => record.level >= ERROR_LEVEL)).toEqual([]);
  });
});
