// tsvip in one IPv6 VRRP group (VRRPv3, multicast to ff02::12, 100 ms) with each of the other
// implementations it must work beside: keepalived 2.2 (test/lab/keepalived.ts) and FRR vrrpd 8.4
// (test/lab/frr.ts). In both roles the two sides agree on one master: one host holds the VIP, and each
// side's own account (tsvip's log, keepalived's log, FRR's `show vrrp`) says the same. When the master
// dies the other side takes over and the client's neighbour entry for the VIP follows its unsolicited
// NA; when tsvip returns with the higher priority it preempts. A tsvip master stopped with SIGTERM
// sends priority 0, which the other's own log shows it heard, and leaves it the only holder. The bridge
// snoops multicast, so ff02::12 reaches only the hosts that joined it. No timing assertions; the
// limits only catch hangs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { useLab, type Lab, type LabHost } from '../lab/index.js';
import { startKeepalived } from '../lab/keepalived.js';
import { startFrr } from '../lab/frr.js';
import { requireTool } from '../lab/system-tools.js';
import { parseNeighbours } from '../../src/lab/ip-json.js';
import { startTsvip, waitUntil, type TsvipDaemon } from '../../src/lab/tsvip-daemon.js';
import { waitForAdverts } from './instance-counters.js';

const VIP = '2001:2::100';
const VRID = 51;
const ADVERT_INTERVAL_MS = 100;
const HANG_MS = 20_000;

type Role = 'master' | 'backup' | 'initialize' | 'fault';

/** The other implementation's router in the group, seen the way its operator would see it. */
interface OtherRouter {
  readonly host: LabHost;
  /** Where a client's neighbour entry for the VIP points while this router is master. */
  readonly vipMac: string;
  /** Its state changes so far, from its own log. */
  roles(): Role[];
  waitForRole(role: 'master' | 'backup'): Promise<void>;
  /** Its state now, as it reports it. */
  role(): Promise<Role>;
  holdsVip(): Promise<boolean>;
  /** Its log says it heard a priority-0 advert from `source` (the link-local tsvip sends from). */
  heardPriorityZero(source: string): boolean;
  /** The master dies: see each flavour for how, and what it leaves behind. */
  die(): Promise<void>;
  stop(): Promise<void>;
}

interface Flavour {
  title: string;
  /** Whether the way its master dies leaves the VIP answering on its host (a crash does). */
  deadMasterKeepsVip: boolean;
  start: (lab: Lab, host: LabHost, priority: number, workDir: string) => Promise<OtherRouter>;
}

const FLAVOURS: Flavour[] = [
  {
    // kill -9 of keepalived's whole process group: no priority-0 advert, and the VIP stays on the
    // killed host's eth0 (a crash), so tsvip takes over after Master_Down_Interval.
    title: 'keepalived 2.2 (IPv6 instance), killed with kill -9',
    deadMasterKeepsVip: true,
    start: async (lab, host, priority, workDir) => {
      const keepalived = await startKeepalived(lab, host, { name: 'VI_6', interface: 'eth0', vrid: VRID, priority, version: 3, advertIntervalMs: ADVERT_INTERVAL_MS, vips: [`${VIP}/128`] }, { workDir });
      const roles = (): Role[] => keepalived.stateChanges().map((change) => change.state.toLowerCase() as Role);
      return {
        host,
        vipMac: host.mac,
        roles,
        waitForRole: async (role) => {
          await waitUntil(() => (roles().at(-1) === role ? true : undefined), `keepalived in ${host.name} to be ${role}`, HANG_MS);
        },
        role: () => Promise.resolve(roles().at(-1) ?? 'initialize'),
        holdsVip: async () => (await lab.addresses6(host)).some((entry) => entry.address === VIP),
        // keepalived's detailed log (-D, on stderr) names no sender: the group has one other router.
        heardPriorityZero: () => {
          const { stdout, stderr } = keepalived.process.output();
          return (stdout + stderr).includes('(VI_6) Backup received priority 0 advertisement');
        },
        die: async () => {
          await keepalived.stop('SIGKILL');
        },
        stop: async () => {
          await keepalived.stop('SIGKILL');
          await lab.run(host, ['ip', '-6', 'addr', 'del', `${VIP}/128`, 'dev', 'eth0']);
        },
      };
    },
  },
  {
    // SIGTERM to vrrpd: it sets its macvlan protodown but sends no priority-0 advert, so tsvip takes
    // over after Master_Down_Interval, and the dead master no longer answers for the VIP.
    title: 'FRR vrrpd 8.4 (VIP on a macvlan with the virtual MAC), stopped with SIGTERM',
    deadMasterKeepsVip: false,
    start: async (lab, host, priority, workDir) => {
      const frr = await startFrr(lab, host, { interface: 'eth0', vrid: VRID, priority, advertIntervalMs: ADVERT_INTERVAL_MS, vips: [VIP] }, { workDir });
      // vrrpd logs Initialize -> Backup at start-up; the roles after it are what the group decided.
      const roles = (): Role[] => frr.transitions().map((t) => t.to.toLowerCase() as Role);
      return {
        host,
        vipMac: frr.virtualMac,
        roles,
        waitForRole: async (role) => {
          await waitUntil(() => (roles().at(-1) === role ? true : undefined), `FRR vrrpd in ${host.name} to be ${role}`, HANG_MS);
        },
        role: async () => (await frr.status()).toLowerCase() as Role,
        holdsVip: () => frr.holdsVips(),
        heardPriorityZero: (source) => frr.advertsReceived().some((advert) => advert.source === source && advert.priority === 0),
        die: async () => {
          await frr.stopVrrpd('SIGTERM');
        },
        stop: () => frr.stop(),
      };
    },
  },
];

function tsvipConfig(priority: number): Record<string, unknown> {
  return {
    vrrp: [{ name: 'VI_1', interface: 'eth0', vrid: VRID, priority, version: 3, advertInterval: `${ADVERT_INTERVAL_MS}ms`, vips: [VIP], garp: { burst: 2, delay: '0s', refresh: '0s' } }],
  };
}

async function tsvipHoldsVip(lab: Lab, host: LabHost): Promise<boolean> {
  return (await lab.addresses6(host)).some((entry) => entry.address === VIP);
}

/** The client's IPv6 neighbour entry for the VIP as it is, without sending anything (null: none). */
async function clientNeighbourMac(lab: Lab, client: LabHost): Promise<string | null> {
  const { stdout } = await lab.runOk(client, [requireTool('ip', 'iproute2'), '-6', '-j', 'neigh', 'show', 'dev', 'eth0']);
  return parseNeighbours(stdout).find((entry) => entry.ip === VIP)?.mac ?? null;
}

/** The client pings the VIP once, which resolves it: where its neighbour entry then points. */
async function clientResolvesVip(lab: Lab, client: LabHost): Promise<string | null> {
  await lab.run(client, [requireTool('ping', 'iputils-ping'), '-6', '-c', '1', '-W', '1', VIP]);
  return clientNeighbourMac(lab, client);
}

async function waitForClientToFollow(lab: Lab, client: LabHost, mac: string, who: string): Promise<void> {
  await waitUntil(async () => ((await clientNeighbourMac(lab, client)) === mac ? true : undefined), `the client's neighbour entry for the VIP to point to ${who} (${mac})`, HANG_MS);
}

describe.each(FLAVOURS)('tsvip and $title in one IPv6 group', { timeout: 120_000 }, (flavour) => {
  const lab = useLab({ hosts: 3, ipv6: true, multicastSnooping: true });
  // Made in beforeAll, not while vitest collects: a suite that a filter skips runs no afterAll either.
  let workDir = '';
  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'tsvip-interop6-'));
  });
  let other: OtherRouter | undefined;
  const daemons: TsvipDaemon[] = [];

  /** Which of the two routers answer for the VIP now: the one of them and no other, once the group agrees. */
  async function holders(tsvipHost: LabHost): Promise<LabHost[]> {
    if (other === undefined) throw new Error('the other router is not running');
    const found: LabHost[] = [];
    if (await tsvipHoldsVip(lab(), tsvipHost)) found.push(tsvipHost);
    if (await other.holdsVip()) found.push(other.host);
    return found;
  }

  async function waitForSoleHolder(tsvipHost: LabHost, expected: LabHost): Promise<void> {
    let seen = '';
    await waitUntil(
      async () => {
        const found = await holders(tsvipHost);
        seen = found.map((host) => host.name).join(', ');
        return found.length === 1 && found[0] === expected ? true : undefined;
      },
      `${expected.name} to be the only holder of ${VIP}`,
      HANG_MS,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; holders: [${seen}]`, { cause: error });
    });
  }

  const startOwnTsvip = (host: LabHost, priority: number): TsvipDaemon => {
    const daemon = startTsvip(lab(), host, tsvipConfig(priority));
    daemons.push(daemon);
    return daemon;
  };

  /**
   * tsvip on `tsvipHost` at 150 is master, then the other router starts on `otherHost` at 100 and goes
   * backup, and more of tsvip's adverts than the other's Master_Down spans have gone out (it stays backup).
   */
  async function tsvipMasterOtherBackup(tsvipHost: LabHost, otherHost: LabHost): Promise<{ tsvip: TsvipDaemon; other: OtherRouter }> {
    const tsvip = startOwnTsvip(tsvipHost, 150);
    await tsvip.waitForState('master');
    const started = await flavour.start(lab(), otherHost, 100, workDir);
    other = started;
    await started.waitForRole('backup');
    await waitForAdverts(lab(), tsvipHost, 'advertsSent', 5);
    return { tsvip, other: started };
  }

  afterEach(async () => {
    await other?.stop();
    other = undefined;
    for (const daemon of daemons.splice(0)) {
      daemon.kill('SIGKILL');
      await daemon.exited;
    }
    for (const host of [lab().host(1), lab().host(2)]) await lab().run(host, ['ip', '-6', 'addr', 'del', `${VIP}/128`, 'dev', 'eth0']);
    await lab().run(lab().host(3), ['ip', '-6', 'neigh', 'flush', 'dev', 'eth0']);
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  test("it is master, tsvip backup: they agree on one master; the master dies, tsvip takes over and the client's neighbour entry follows", async () => {
    const [h1, h2, client] = [lab().host(1), lab().host(2), lab().host(3)];
    other = await flavour.start(lab(), h1, 150, workDir);
    await other.waitForRole('master');
    const tsvip = startOwnTsvip(h2, 100);
    await tsvip.waitForState('backup');
    // tsvip accepts its adverts, more of them than Master_Down spans, drops none of them (its own
    // multicast looped back aside), and stays backup.
    const counters = await waitForAdverts(lab(), h2, 'advertsReceived', 5);
    expect(Object.keys(counters.drops).filter((reason) => reason !== 'own_packet')).toEqual([]);
    expect(tsvip.state()).toBe('backup');
    expect(other.roles().filter((role) => role !== 'initialize')).toEqual(['backup', 'master']);
    expect(await other.role()).toBe('master');
    await waitForSoleHolder(h2, h1);
    expect(await clientResolvesVip(lab(), client)).toBe(other.vipMac);

    await other.die();
    await tsvip.waitForState('master');
    if (flavour.deadMasterKeepsVip) {
      expect(await tsvipHoldsVip(lab(), h2)).toBe(true);
    } else {
      await waitForSoleHolder(h2, h2);
    }
    await waitForClientToFollow(lab(), client, h2.mac, "tsvip's host");
  });

  test("tsvip master, it backup: they agree; kill -9 of tsvip, it takes over and the client follows; tsvip returns with the higher priority and preempts", async () => {
    const [h1, h2, client] = [lab().host(1), lab().host(2), lab().host(3)];
    const { tsvip, other } = await tsvipMasterOtherBackup(h1, h2);
    expect(other.roles().filter((role) => role !== 'initialize')).toEqual(['backup']);
    expect(await other.role()).toBe('backup');
    expect(tsvip.transitions().map((t) => t.to)).toEqual(['backup', 'master']);
    await waitForSoleHolder(h1, h1);
    expect(await clientResolvesVip(lab(), client)).toBe(h1.mac);

    tsvip.kill('SIGKILL');
    await tsvip.exited;
    await other.waitForRole('master');
    expect(await other.role()).toBe('master');
    expect(await other.holdsVip()).toBe(true);
    await waitForClientToFollow(lab(), client, other.vipMac, 'the other router');

    // tsvip comes back: it clears the VIP its killed predecessor left, and preempts.
    const returning = startOwnTsvip(h1, 150);
    await returning.waitForState('master');
    await other.waitForRole('backup');
    expect(await other.role()).toBe('backup');
    await waitForSoleHolder(h1, h1);
    await waitForClientToFollow(lab(), client, h1.mac, "tsvip's host");
  });

  test('tsvip master stops with SIGTERM: its priority-0 advert is heard, it gives the VIP up, and the other is the only holder', async () => {
    const [h1, h2, client] = [lab().host(1), lab().host(2), lab().host(3)];
    const { tsvip, other } = await tsvipMasterOtherBackup(h1, h2);
    expect(await clientResolvesVip(lab(), client)).toBe(h1.mac);
    expect(other.heardPriorityZero(lab().linkLocal(h1))).toBe(false);

    tsvip.kill('SIGTERM');
    expect(await tsvip.exited).toEqual({ code: 0, signal: null });
    await other.waitForRole('master');
    expect(other.heardPriorityZero(lab().linkLocal(h1))).toBe(true);
    await waitForSoleHolder(h1, h2);
    await waitForClientToFollow(lab(), client, other.vipMac, 'the other router');
  });
});
