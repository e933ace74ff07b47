// The dual-stack lab, checked for real: each host's 2001:2::n/64 and link-local usable when createLab()
// returns, pings over both families, and VRRP's IPv6 group ff02::12 across the bridge with multicast
// snooping on (the bridge's MLD querier makes it deliver the group only where it was joined) and off
// (it floods). Needs root, like the IPv4 lab's own tests in lab.test.ts.
import { execFileSync } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, test } from 'vitest';
import { createLab, LabTimeoutError, LabUsageError, useLab } from '../lab/index.js';
import { waitForLinkLocal } from '../../src/lab/link-local.js';
import type { Lab, LabHost } from '../lab/index.js';
import { requireTool } from '../lab/system-tools.js';
import { captureUdp, joinGroup, sendToGroup } from '../lab/udp-multicast.js';

const vrrpGroup = 'ff02::12';
const allNodes = 'ff02::1';

function namespaceNames(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name !== '');
}

/** One echo request and its reply, over IPv4 or IPv6 as the address says. */
async function pings(lab: Lab, from: LabHost, to: string): Promise<boolean> {
  const ping = requireTool('ping', 'iputils-ping');
  const family = to.includes(':') ? '-6' : '-4';
  const result = await lab.run(from, [ping, family, '-c', '1', '-W', '1', to]);
  return result.code === 0;
}

/** Polls the bridge's snooped groups until the host's port has (or has not) `group`; the bound is generous. */
async function waitForBridgeGroup(lab: Lab, host: LabHost, group: string, present = true): Promise<void> {
  const deadline = performance.now() + 10_000;
  for (;;) {
    const groups = await lab.bridgeGroups(host);
    if (groups.includes(group) === present) return;
    if (performance.now() > deadline) throw new Error(`the bridge's port of ${host.name} still ${present ? 'lacks' : 'has'} ${group} after 10 s: ${groups.join(', ')}`);
    await delay(20);
  }
}

async function sysctl(lab: Lab, host: LabHost, key: string): Promise<string> {
  return (await lab.runOk(host, ['sysctl', '-n', key])).stdout.trim();
}

describe('a dual-stack lab of three hosts (multicast snooping on, the kernel default)', () => {
  const lab = useLab({ hosts: 3, ipv6: true });

  test('host n has 2001:2::n/64 added nodad and not tentative, and a link-local that has left tentative', async () => {
    for (const [index, host] of lab().hosts.entries()) {
      expect(host).toMatchObject({ address6: `2001:2::${index + 1}`, prefixLength6: 64 });
      const addresses = await lab().addresses6(host);
      expect(addresses).toContainEqual({ address: host.address6, prefixLength: 64, scope: 'global', nodad: true, tentative: false, dadFailed: false });
      const linkLocals = addresses.filter((address) => address.scope === 'link');
      expect(linkLocals).toEqual([{ address: lab().linkLocal(host), prefixLength: 64, scope: 'link', nodad: false, tentative: false, dadFailed: false }]);
      expect(lab().linkLocal(host)).toMatch(/^fe80::/);
    }
  });

  test('the hosts run no DAD, route nothing and take no router advertisement', async () => {
    for (const host of lab().hosts) {
      expect(await sysctl(lab(), host, 'net.ipv6.conf.eth0.accept_dad')).toBe('0');
      expect(await sysctl(lab(), host, 'net.ipv6.conf.all.forwarding')).toBe('0');
      expect(await sysctl(lab(), host, 'net.ipv6.conf.eth0.accept_ra')).toBe('0');
      expect(await sysctl(lab(), host, 'net.ipv6.conf.eth0.router_solicitations')).toBe('0');
    }
  });

  test('the IPv4 addresses are still there and still reach the other hosts', async () => {
    for (const host of lab().hosts) expect(await lab().addresses(host)).toEqual([{ address: host.address, prefixLength: 24 }]);
    expect(await pings(lab(), lab().host(1), lab().host(2).address)).toBe(true);
    expect(await pings(lab(), lab().host(3), lab().host(1).address)).toBe(true);
  });

  test('the hosts ping each other over IPv6 by global address', async () => {
    const [h1, h2, h3] = [lab().host(1), lab().host(2), lab().host(3)];
    expect(await pings(lab(), h1, h2.address6 ?? '')).toBe(true);
    expect(await pings(lab(), h1, h3.address6 ?? '')).toBe(true);
    expect(await pings(lab(), h3, h2.address6 ?? '')).toBe(true);
  });

  test('the hosts ping each other by link-local address, zoned to eth0', async () => {
    const [h1, h2, h3] = [lab().host(1), lab().host(2), lab().host(3)];
    expect(await pings(lab(), h1, `${lab().linkLocal(h2)}%eth0`)).toBe(true);
    expect(await pings(lab(), h2, `${lab().linkLocal(h3)}%eth0`)).toBe(true);
    expect(await pings(lab(), h3, `${lab().linkLocal(h1)}%eth0`)).toBe(true);
  });

  test('ff02::12 reaches the host that joined it and not a host that did not', async () => {
    const [h1, h2, h3] = [lab().host(1), lab().host(2), lab().host(3)];
    const to = { group: vrrpGroup, port: 5412 };
    const capture = await captureUdp(lab(), h3, to.port);
    const listener = joinGroup(lab(), h2, to);
    await listener.waitFor((line) => line === `joined ${vrrpGroup}`, 'the listener on h2 to join ff02::12');
    // The report that teaches the bridge leaves the host a moment after the join.
    await waitForBridgeGroup(lab(), h2, vrrpGroup);
    expect(await lab().bridgeGroups(h1)).not.toContain(vrrpGroup);
    expect(await lab().bridgeGroups(h3)).not.toContain(vrrpGroup);

    await sendToGroup(lab(), h1, to, ['advert-1', 'advert-2', 'advert-3']);
    await listener.waitFor((line) => line === 'received advert-3', 'h2 to receive the third datagram');
    expect(listener.lines.filter((line) => line.startsWith('received advert-'))).toEqual(['received advert-1', 'received advert-2', 'received advert-3']);

    // ff02::1 is never snooped: once h3 has this one, which was sent after them, the others would have come first.
    await sendToGroup(lab(), h1, { group: allNodes, port: to.port }, ['marker']);
    await capture.waitFor((line) => line.includes(`> ${allNodes}.${to.port}:`), "h3 to capture the datagram to ff02::1");
    expect(capture.lines.filter((line) => line.includes(`> ${vrrpGroup}.${to.port}:`))).toEqual([]);
  });

  test("the querier snoops IPv4 groups too, but never VRRPv2's 224.0.0.18, which reaches a host that did not join it", async () => {
    const [h1, h2, h3] = [lab().host(1), lab().host(2), lab().host(3)];
    const port = 5415;
    const capture = await captureUdp(lab(), h3, port);
    for (const group of ['224.0.0.18', '239.1.1.1']) {
      const listener = joinGroup(lab(), h2, { group, port });
      await listener.waitFor((line) => line === `joined ${group}`, `the listener on h2 to join ${group}`);
    }
    // The bridge never lists 224.0.0.0/24 (it does not snoop it), so only the other group can be waited for.
    await waitForBridgeGroup(lab(), h2, '239.1.1.1');
    expect(await lab().bridgeGroups(h2)).not.toContain('224.0.0.18');

    await sendToGroup(lab(), h1, { group: '239.1.1.1', port }, ['snooped']);
    await sendToGroup(lab(), h1, { group: '224.0.0.18', port }, ['vrrpv2']);
    // Sent after the datagram to 239.1.1.1, so that one would have come first.
    await capture.waitFor((line) => line.includes(`> 224.0.0.18.${port}:`), 'h3 to capture the datagram to 224.0.0.18');
    expect(capture.lines.filter((line) => line.includes(`> 239.1.1.1.${port}:`))).toEqual([]);
  });

  test('after a partition heals, the bridge queries the port again and the host that joined gets ff02::12 again', async () => {
    const [h1, h2] = [lab().host(1), lab().host(2)];
    const to = { group: vrrpGroup, port: 5413 };
    const listener = joinGroup(lab(), h2, to);
    await listener.waitFor((line) => line === `joined ${vrrpGroup}`, 'the listener on h2 to join ff02::12');
    await waitForBridgeGroup(lab(), h2, vrrpGroup);

    await lab().partition(h2);
    expect(await lab().bridgeGroups(h2)).toEqual([]);
    await lab().heal(h2);
    // h2 never saw the cut, so it reports again only because the bridge asks: within the lab's 1 s response interval.
    await waitForBridgeGroup(lab(), h2, vrrpGroup);
    await sendToGroup(lab(), h1, to, ['after-heal']);
    await listener.waitFor((line) => line === 'received after-heal', 'h2 to receive ff02::12 after the heal');
  });

  test('after a pulled cable is plugged back in, the link-local is usable again when setLinkUp resolves', async () => {
    const [h1, h2] = [lab().host(1), lab().host(2)];
    await lab().setLinkDown(h2);
    await lab().setLinkUp(h2);
    const linkLocals = (await lab().addresses6(h2)).filter((address) => address.scope === 'link');
    expect(linkLocals).toEqual([expect.objectContaining({ address: lab().linkLocal(h2), tentative: false })]);
    expect(await pings(lab(), h1, `${lab().linkLocal(h2)}%eth0`)).toBe(true);
  });

  test('destroy removes every namespace of the lab', async () => {
    const names = [lab().bridgeNetns, ...lab().hosts.map((host) => host.netns)];
    expect(namespaceNames()).toEqual(expect.arrayContaining(names));
    await lab().destroy();
    expect(namespaceNames().filter((name) => name.startsWith(lab().prefix))).toEqual([]);
  });
});

describe('a dual-stack lab with multicast snooping off', () => {
  const lab = useLab({ hosts: 3, ipv6: true, multicastSnooping: false });

  test('ff02::12 reaches the host that joined it, and the bridge floods it to the host that did not', async () => {
    const [h1, h2, h3] = [lab().host(1), lab().host(2), lab().host(3)];
    const to = { group: vrrpGroup, port: 5414 };
    const capture = await captureUdp(lab(), h3, to.port);
    const listener = joinGroup(lab(), h2, to);
    await listener.waitFor((line) => line === `joined ${vrrpGroup}`, 'the listener on h2 to join ff02::12');
    await sendToGroup(lab(), h1, to, ['advert-1']);
    await listener.waitFor((line) => line === 'received advert-1', 'h2 to receive the datagram');
    await capture.waitFor((line) => line.includes(`> ${vrrpGroup}.${to.port}:`), 'h3 to capture the datagram to ff02::12');
    // With snooping off the bridge learns nothing.
    expect(await lab().bridgeGroups(h2)).toEqual([]);
  });
});

describe('an IPv4-only lab', () => {
  const labs: Lab[] = [];
  afterAll(async () => {
    await Promise.all(labs.map((lab) => lab.destroy()));
  });

  test('has no IPv6 address to give and says so when asked for a link-local', async () => {
    const lab = await createLab({ hosts: 1 });
    labs.push(lab);
    expect(lab.ipv6).toBe(false);
    expect(lab.host(1)).toMatchObject({ address6: null, prefixLength6: null });
    expect(() => lab.linkLocal(lab.host(1))).toThrow(LabUsageError);
  });

  test('waiting for a link-local that never comes ends in a LabTimeoutError naming the host and what it has', async () => {
    const lab = await createLab({ hosts: 1 });
    labs.push(lab);
    const host = lab.host(1);
    // lo never gets a link-local address.
    const waited = waitForLinkLocal({ hostName: host.name, netns: host.netns, iface: 'lo', timeoutMs: 300, pollMs: 20 });
    await expect(waited).rejects.toThrow(LabTimeoutError);
    await expect(waited).rejects.toThrow(`host h1 (namespace ${host.netns}): lo has no usable IPv6 link-local address after 300 ms; it has ::1/128 scope host`);
  });
});
