// IPv6 addresses through rtnetlink in a lab host: VIPs go on with IFA_F_NODAD (usable at once, never
// dadfailed after a split brain) and off again, as `ip -6` sees them; listings and events carry the
// DAD flags, so a caller can see an address tentative, usable, or dadfailed, and wait for a link-local.
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { useLab, type Lab, type LabHost } from '../lab/index.js';
import type { SpawnedProcess } from '../../src/lab/spawned-process.js';
import { requireTool } from '../lab/system-tools.js';
import { waitUntil } from '../../src/lab/tsvip-daemon.js';

const ADDRESSES = fileURLToPath(new URL('./probes/addresses.mjs', import.meta.url));
const EVENTS = fileURLToPath(new URL('./probes/netlink-events.mjs', import.meta.url));

/** Hang bounds: what they wait for takes milliseconds (DAD about a second per probe). */
const HANG_MS = 15_000;

interface Flags {
  tentative: boolean;
  dadfailed: boolean;
  nodad: boolean;
  deprecated: boolean;
}
interface Listed {
  family: 'ipv6';
  address: string;
  prefix: number;
  scope: string | number;
  flags: Flags;
}
interface AddressPrinted {
  event: 'address';
  kind: 'new' | 'deleted';
  family?: 'ipv6';
  ifindex: number;
  address: string;
  prefix: number;
  scope?: string | number;
  flags?: Flags;
}

const CLEAR: Flags = { tentative: false, dadfailed: false, nodad: false, deprecated: false };

/** `ip -6 -j addr show dev IFACE`: each address with the flags ip prints as keys (nodad, tentative, dadfailed). */
async function ipShow(lab: Lab, host: LabHost, iface = 'eth0'): Promise<Record<string, unknown>[]> {
  const { stdout } = await lab.runOk(host, [requireTool('ip', 'iproute2'), '-6', '-j', 'addr', 'show', 'dev', iface]);
  const links = JSON.parse(stdout) as { addr_info?: Record<string, unknown>[] }[];
  return links.flatMap((link) => link.addr_info ?? []);
}

async function probe<T>(lab: Lab, host: LabHost, args: string[]): Promise<T> {
  return JSON.parse((await lab.runOk(host, [process.execPath, ADDRESSES, '-6', ...args])).stdout) as T;
}

/** The lab's poll (waitUntil) with this file's hang bound. */
const waitFor = <T>(read: () => T | undefined | Promise<T | undefined>, what: string, limitMs = HANG_MS): Promise<T> => waitUntil(read, what, limitMs);

function addressEvents(watcher: SpawnedProcess): AddressPrinted[] {
  return watcher
    .output()
    .stdout.split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AddressPrinted | { event?: string })
    .filter((line): line is AddressPrinted => line.event === 'address');
}

async function startWatcher(lab: Lab, host: LabHost): Promise<SpawnedProcess> {
  const watcher = lab.spawn(host, [process.execPath, EVENTS, 'watch', 'eth0']);
  await waitFor(() => (watcher.output().stdout.includes('"ready"') ? true : undefined), 'the watcher to subscribe');
  return watcher;
}

describe('rtnetlink IPv6 addresses in a lab host', () => {
  const lab = useLab({ hosts: 2 });

  test('add an IPv6 VIP /128 and a /64: ip shows them nodad and not tentative, the /128 deprecated (as keepalived), the listing has them with flags; delete them', async () => {
    const host = lab().host(1);
    const listed = await probe<Listed[]>(lab(), host, ['add', 'eth0', '2001:2::100', '2001:0002::0101/64']);
    // Preferred lifetime 0: never picked as a source address (address-message.ts).
    const vip = { family: 'ipv6', address: '2001:2::100', prefix: 128, scope: 'global', flags: { ...CLEAR, nodad: true, deprecated: true } };
    const slash64 = { family: 'ipv6', address: '2001:2::101', prefix: 64, scope: 'global', flags: { ...CLEAR, nodad: true } };
    expect(listed).toEqual(expect.arrayContaining([vip, slash64]));
    // The lab host's own link-local is there too, with scope link.
    expect(listed.filter((entry) => entry.scope === 'global')).toHaveLength(2);

    const shown = await ipShow(lab(), host);
    for (const [address, prefixlen] of [['2001:2::100', 128], ['2001:2::101', 64]] as const) {
      const entry = shown.find((info) => info['local'] === address);
      expect(entry, `ip -6 addr shows ${address}`).toMatchObject({ family: 'inet6', prefixlen, scope: 'global', nodad: true });
      expect(entry?.['tentative'], `${address} is usable at once`).toBeUndefined();
      expect(entry?.['dadfailed']).toBeUndefined();
      expect(entry?.['deprecated'], `${address} is deprecated only as a /128`).toBe(prefixlen === 128 ? true : undefined);
    }

    const after = await probe<Listed[]>(lab(), host, ['delete', 'eth0', '2001:2::100', '2001:2::101/64']);
    expect(after.filter((entry) => entry.scope === 'global')).toEqual([]);
    expect((await ipShow(lab(), host)).filter((info) => info['scope'] === 'global')).toEqual([]);
  });

  test('adding an IPv6 VIP that is there and deleting one that is gone both succeed (idempotent)', async () => {
    const host = lab().host(1);
    await probe(lab(), host, ['add', 'eth0', '2001:2::100/128', '2001:2::100/128']);
    const result = await probe<Listed[]>(lab(), host, ['delete', 'eth0', '2001:2::100/128', '2001:2::100/128']);
    expect(result.filter((entry) => entry.scope === 'global')).toEqual([]);
  });

  test('a kernel refusal is a NetlinkError naming the operation and errno', async () => {
    const result = await lab().run(lab().host(1), [process.execPath, ADDRESSES, '-6', 'add', '#9999', '2001:2::100']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ERR_NETLINK add 2001:2::100 ENODEV: netlink add 2001:2::100 failed: .*ENODEV/);
  });

  test('address events report an IPv6 add and delete, with family, prefix and flags; IPv4 events keep their shape', async () => {
    const host = lab().host(1);
    const watcher = await startWatcher(lab(), host);
    const ip = requireTool('ip', 'iproute2');
    await lab().runOk(host, [ip, '-6', 'addr', 'add', '2001:2::102/128', 'dev', 'eth0', 'nodad']);
    await lab().runOk(host, [ip, 'addr', 'add', '198.18.0.102/32', 'dev', 'eth0']);
    await waitFor(() => (addressEvents(watcher).some((e) => e.address === '198.18.0.102') ? true : undefined), 'the IPv4 new address event');
    await lab().runOk(host, [ip, '-6', 'addr', 'del', '2001:2::102/128', 'dev', 'eth0']);
    await lab().runOk(host, [ip, 'addr', 'del', '198.18.0.102/32', 'dev', 'eth0']);
    const seen = await waitFor(() => {
      const events = addressEvents(watcher).filter((e) => e.address === '2001:2::102' || e.address === '198.18.0.102');
      return events.length >= 4 ? events : undefined;
    }, 'the deleted address events');
    const ifindex = seen[0]?.ifindex;
    const ipv6 = { event: 'address', family: 'ipv6', ifindex, address: '2001:2::102', prefix: 128, scope: 'global', flags: { ...CLEAR, nodad: true } };
    expect(seen).toEqual([
      { ...ipv6, kind: 'new' },
      { event: 'address', kind: 'new', ifindex, address: '198.18.0.102', prefix: 32 },
      { ...ipv6, kind: 'deleted' },
      { event: 'address', kind: 'deleted', ifindex, address: '198.18.0.102', prefix: 32 },
    ]);
    watcher.kill();
  });

  test('an address added without nodad is reported tentative, then usable once DAD passes', async () => {
    const host = lab().host(1);
    const watcher = await startWatcher(lab(), host);
    await lab().runOk(host, [requireTool('ip', 'iproute2'), '-6', 'addr', 'add', '2001:2::103/64', 'dev', 'eth0']);
    try {
      const states = await waitFor(() => {
        const flags = addressEvents(watcher).filter((e) => e.address === '2001:2::103' && e.kind === 'new').map((e) => e.flags?.tentative);
        return flags.includes(false) ? flags : undefined;
      }, 'DAD to pass on 2001:2::103');
      expect(states[0], 'first reported tentative').toBe(true);
      expect(states.at(-1)).toBe(false);
    } finally {
      await lab().runOk(host, ['ip', '-6', 'addr', 'del', '2001:2::103/64', 'dev', 'eth0']);
      watcher.kill();
    }
  });

  test('an address another host already has is reported dadfailed (what tsvip avoids for VIPs with nodad)', async () => {
    const [host, other] = [lab().host(1), lab().host(2)];
    const ip = requireTool('ip', 'iproute2');
    await lab().runOk(other, [ip, '-6', 'addr', 'add', '2001:2::104/64', 'dev', 'eth0', 'nodad']);
    const watcher = await startWatcher(lab(), host);
    await lab().runOk(host, [ip, '-6', 'addr', 'add', '2001:2::104/64', 'dev', 'eth0']);
    try {
      const failed = await waitFor(() => addressEvents(watcher).find((e) => e.address === '2001:2::104' && e.flags?.dadfailed === true), 'DAD to fail on 2001:2::104');
      expect(failed).toMatchObject({ kind: 'new', family: 'ipv6', prefix: 64, flags: { dadfailed: true, nodad: false } });
      const listed = await probe<Listed[]>(lab(), host, ['list', 'eth0']);
      expect(listed.find((entry) => entry.address === '2001:2::104')?.flags).toMatchObject({ dadfailed: true });
    } finally {
      await lab().runOk(host, ['ip', '-6', 'addr', 'del', '2001:2::104/64', 'dev', 'eth0']);
      await lab().runOk(other, ['ip', '-6', 'addr', 'del', '2001:2::104/64', 'dev', 'eth0']);
      watcher.kill();
    }
  });

  test("a fresh interface's link-local is read as tentative, then as not once DAD passes", async () => {
    const host = lab().host(1);
    const ip = requireTool('ip', 'iproute2');
    // A veth pair of the host's own (removed with its namespace): up with carrier, so DAD runs.
    await lab().runOk(host, [ip, 'link', 'add', 'tv0', 'type', 'veth', 'peer', 'name', 'tv1']);
    // Three probes instead of one keep it tentative for about three seconds: time for the first read.
    await lab().runOk(host, [requireTool('sysctl', 'procps'), '-qw', 'net.ipv6.conf.tv0.dad_transmits=3']);
    await lab().runOk(host, [ip, 'link', 'set', 'tv1', 'up']);
    await lab().runOk(host, [ip, 'link', 'set', 'tv0', 'up']);
    const first = await waitFor(() => probe<Listed | null>(lab(), host, ['link-local', 'tv0']).then((entry) => entry ?? undefined), 'a link-local on tv0');
    expect(first).toMatchObject({ family: 'ipv6', prefix: 64, scope: 'link', flags: { tentative: true, dadfailed: false } });
    expect(first.address).toMatch(/^fe80::/);
    const usable = await waitFor(() => probe<Listed | null>(lab(), host, ['link-local', 'tv0']).then((entry) => (entry?.flags.tentative === false ? entry : undefined)), 'the link-local on tv0 to leave tentative');
    expect(usable.address).toBe(first.address);
    const shown = (await ipShow(lab(), host, 'tv0')).find((info) => info['local'] === first.address);
    expect(shown?.['tentative']).toBeUndefined();
    await lab().runOk(host, [ip, 'link', 'del', 'tv0']);
  });
});
