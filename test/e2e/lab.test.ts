// The lab itself, checked for real: namespaces, a bridge, veths, and the two ways of cutting a host
// off that VRRP scenarios need (a silent partition and a pulled cable). Needs root; without it the
// suite fails with the preflight's message instead of skipping.
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { createLab, LabUsageError, preflightProblems, runPrefixEnvVar, useLab } from '../lab/index.js';
import type { Lab, LabHost, PreflightProbe } from '../lab/index.js';

/** Interface names in the root namespace, which no lab may add to. */
function rootLinkNames(): string[] {
  const links = JSON.parse(execFileSync('ip', ['-j', 'link'], { encoding: 'utf8' })) as { ifname: string }[];
  return links.map((link) => link.ifname).sort();
}

function namespaceNames(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name !== '');
}

async function pings(lab: Lab, from: LabHost, to: LabHost): Promise<boolean> {
  const result = await lab.run(from, ['ping', '-c', '1', '-W', '1', to.address]);
  return result.code === 0;
}

const rootLinksBefore = rootLinkNames();

describe('a lab of three hosts on one bridge', () => {
  const lab = useLab({ hosts: 3 });

  test('the run prefix chosen by globalSetup reaches this worker, and the lab names start with it', () => {
    const runPrefix = inject('tsvipLabRun');
    expect(process.env[runPrefixEnvVar]).toBe(runPrefix);
    expect(lab().prefix.startsWith(`${runPrefix}-`)).toBe(true);
    const names = [lab().bridgeNetns, ...lab().hosts.map((host) => host.netns)];
    expect(namespaceNames()).toEqual(expect.arrayContaining(names));
  });

  test('nothing is added to the root namespace', () => {
    expect(rootLinkNames()).toEqual(rootLinksBefore);
  });

  test('each host has eth0 with its address in 198.18.0.0/24, up with carrier', async () => {
    for (const host of lab().hosts) {
      expect(await lab().addresses(host)).toEqual([{ address: host.address, prefixLength: 24 }]);
      expect(await lab().linkState(host)).toMatchObject({ ifname: 'eth0', mac: host.mac, carrier: true });
    }
  });

  test('host1 pings host2 and host3 across the bridge', async () => {
    expect(await pings(lab(), lab().host(1), lab().host(2))).toBe(true);
    expect(await pings(lab(), lab().host(1), lab().host(3))).toBe(true);
  });

  test("after the ping, host1's neighbour table holds host2's MAC", async () => {
    const neighbours = await lab().neighbours(lab().host(1));
    expect(neighbours).toContainEqual(expect.objectContaining({ ip: lab().host(2).address, mac: lab().host(2).mac }));
  });

  test('a partition cuts host3 off while its carrier stays up; heal brings it back', async () => {
    const [h1, h3] = [lab().host(1), lab().host(3)];
    await lab().partition(h3);
    expect(await pings(lab(), h1, h3)).toBe(false);
    expect((await lab().linkState(h3)).carrier).toBe(true);
    await lab().heal(h3);
    expect(await pings(lab(), h1, h3)).toBe(true);
  });

  test('a link down cuts host2 off and host2 sees carrier loss; link up brings it back', async () => {
    const [h1, h2] = [lab().host(1), lab().host(2)];
    await lab().setLinkDown(h2);
    expect(await pings(lab(), h1, h2)).toBe(false);
    // Its operstate is DOWN with the peer in another namespace on kernel 6.18 but LOWERLAYERDOWN with
    // both ends in one namespace: kernel-dependent, so only carrier and admin state are checked.
    expect(await lab().linkState(h2)).toMatchObject({ carrier: false, adminUp: true });
    await lab().setLinkUp(h2);
    expect((await lab().linkState(h2)).carrier).toBe(true);
    expect(await pings(lab(), h1, h2)).toBe(true);
  });

  test('runOk throws with the stderr of a failing command', async () => {
    await expect(lab().runOk(lab().host(1), ['ip', 'link', 'show', 'dev', 'nosuchdev'])).rejects.toThrow(/nosuchdev/);
  });

  test('destroy kills spawned processes and removes every namespace of the lab', async () => {
    const sleeper = lab().spawn(lab().host(1), ['sleep', '600']);
    const names = [lab().bridgeNetns, ...lab().hosts.map((host) => host.netns)];
    await lab().destroy();
    expect(await sleeper.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(namespaceNames().filter((name) => names.includes(name))).toEqual([]);
    expect(namespaceNames().filter((name) => name.startsWith(lab().prefix))).toEqual([]);
    expect(rootLinkNames()).toEqual(rootLinksBefore);
    await lab().destroy(); // idempotent; useLab's afterAll calls it once more
    expect(() => lab().spawn(lab().host(1), ['true'])).toThrow(LabUsageError);
  });
});

describe('two labs at once', () => {
  const labs: Lab[] = [];
  afterAll(async () => {
    await Promise.all(labs.map((lab) => lab.destroy()));
  });

  test('get distinct namespace names under the same run prefix and cannot reach each other', async () => {
    labs.push(await createLab({ hosts: 1 }), await createLab({ hosts: 1 }));
    const [first, second] = labs as [Lab, Lab];
    expect(first.prefix).not.toBe(second.prefix);
    expect(first.host(1).address).toBe(second.host(1).address);
    expect(() => first.spawn(second.host(1), ['true'])).toThrow(LabUsageError);
  });
});

describe('preflight', () => {
  const allOk: PreflightProbe = { uid: 0, ipTool: { outcome: 'ok' }, bridgeTool: { outcome: 'ok' }, netns: { outcome: 'ok' }, bridge: { outcome: 'ok' }, veth: { outcome: 'ok' } };
  const skipped = { outcome: 'skipped' } as const;

  test('finds nothing wrong when every probe works', () => {
    expect(preflightProblems(allOk)).toEqual([]);
  });

  test('names root and the uid when namespaces cannot be created by a normal user', () => {
    const probe: PreflightProbe = { ...allOk, uid: 1000, netns: { outcome: 'failed', stderr: 'mount --make-shared /run/netns failed: Operation not permitted\n' }, bridge: skipped, veth: skipped };
    expect(preflightProblems(probe)).toEqual([
      'lab: needs root (CAP_SYS_ADMIN) to create network namespaces; running as uid 1000: mount --make-shared /run/netns failed: Operation not permitted',
    ]);
  });

  test('names namespace support when even root cannot create one (an unprivileged container)', () => {
    const probe: PreflightProbe = { ...allOk, netns: { outcome: 'failed', stderr: 'Operation not permitted' }, bridge: skipped, veth: skipped };
    expect(preflightProblems(probe)).toEqual([expect.stringMatching(/^lab: needs network namespace support; .* as root .*CAP_SYS_ADMIN.*Operation not permitted$/)]);
  });

  test('names iproute2 when there is no ip command', () => {
    const probe: PreflightProbe = { uid: 0, ipTool: { outcome: 'failed', stderr: 'spawn ip ENOENT' }, bridgeTool: { outcome: 'ok' }, netns: skipped, bridge: skipped, veth: skipped };
    expect(preflightProblems(probe)).toEqual(['lab: needs the `ip` command (Debian package iproute2) on PATH: spawn ip ENOENT']);
  });

  test('names iproute2 when there is no bridge command (Lab.bridgeGroups runs it)', () => {
    expect(preflightProblems({ ...allOk, bridgeTool: { outcome: 'failed', stderr: 'spawn bridge ENOENT' } })).toEqual([
      'lab: needs the `bridge` command (Debian package iproute2) on PATH: spawn bridge ENOENT',
    ]);
  });

  test('names the bridge and veth kernel modules when they are missing', () => {
    const failed = { outcome: 'failed', stderr: 'Error: Unknown device type.' } as const;
    expect(preflightProblems({ ...allOk, bridge: failed, veth: failed })).toEqual([
      expect.stringContaining('needs Linux bridge support'),
      expect.stringContaining('needs veth support'),
    ]);
  });
});
