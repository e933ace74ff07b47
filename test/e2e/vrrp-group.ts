// A VRRP group of tsvip hosts in a lab, for the e2e tests: hosts 1..n-1 run tsvip, the last host is
// the client. Reads what a user would look at: who has the VIP on eth0, which MAC the client's ARP
// entry for the VIP points to, and whether a TCP connection to the VIP gets through.
import type { Lab, LabHost } from '../lab/index.js';
import { startTsvip, waitUntil, type TsvipDaemon } from '../../src/lab/tsvip-daemon.js';

export const VIP = '198.18.0.100';
export const VIP_CIDR = `${VIP}/24`;
export const VRID = 51;

export interface GroupOptions {
  version: 2 | 3;
  advertInterval: string;
  mode: 'multicast' | 'unicast';
  authPass?: string;
  preempt?: boolean;
}

export interface RouterOptions {
  priority: number;
  track?: unknown[];
  authPass?: string;
  preempt?: boolean;
  garp?: Record<string, unknown>;
  notify?: Record<string, unknown>;
  /** The config's `status:` block. */
  status?: Record<string, unknown>;
}

/** The vip.yaml for `host` in a group of `routers`. */
export function routerConfig(host: LabHost, routers: readonly LabHost[], group: GroupOptions, router: RouterOptions): Record<string, unknown> {
  const authPass = router.authPass ?? group.authPass;
  const preempt = router.preempt ?? group.preempt;
  return {
    vrrp: [
      {
        name: 'VI_1',
        interface: 'eth0',
        vrid: VRID,
        priority: router.priority,
        version: group.version,
        advertInterval: group.advertInterval,
        ...(preempt === undefined ? {} : { preempt }),
        ...(authPass === undefined ? {} : { authPass }),
        ...(group.mode === 'unicast' ? { unicast: { source: host.address, peers: routers.filter((other) => other !== host).map((other) => other.address) } } : {}),
        vips: [VIP_CIDR],
        // Fast refresh keeps the tests short; the burst on becoming master is what they check.
        garp: { burst: 2, delay: '0s', refresh: '0s', ...router.garp },
        ...(router.track === undefined ? {} : { track: router.track }),
        ...(router.notify === undefined ? {} : { notify: router.notify }),
      },
    ],
    ...(router.status === undefined ? {} : { status: router.status }),
  };
}

/** Hosts that have the VIP (the group's unless told) on eth0 now. */
export async function vipHolders(lab: Lab, hosts: readonly LabHost[], vip = VIP): Promise<LabHost[]> {
  const holders: LabHost[] = [];
  for (const host of hosts) {
    if ((await lab.addresses(host)).some((entry) => entry.address === vip)) holders.push(host);
  }
  return holders;
}

/** Waits until exactly `expected` holds each of `vips` (the group's VIP unless told), and nobody else. */
export async function waitForSoleHolder(lab: Lab, hosts: readonly LabHost[], expected: LabHost, limitMs = 20_000, vips: readonly string[] = [VIP]): Promise<void> {
  let last = '';
  try {
    await waitUntil(async () => {
      const seen = await Promise.all(vips.map((vip) => vipHolders(lab, hosts, vip)));
      last = seen.map((holders) => `[${holders.map((host) => host.name).join(', ')}]`).join(' ');
      return seen.every((holders) => holders.length === 1 && holders[0] === expected) ? true : undefined;
    }, `${expected.name} to be the only holder of ${vips.join(', ')}`, limitMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}; holders: ${last}`, { cause: error });
  }
}

/** The MAC the client's ARP entry for the VIP points to, after one ping (null: no answer). */
export async function clientMacForVip(lab: Lab, client: LabHost): Promise<string | null> {
  await lab.run(client, ['ping', '-c', '1', '-W', '1', VIP]);
  const entry = (await lab.neighbours(client)).find((neighbour) => neighbour.ip === VIP);
  return entry?.mac ?? null;
}

/** The client's ARP entry for the VIP as it is, without sending anything. */
export async function clientNeighbourMac(lab: Lab, client: LabHost): Promise<string | null> {
  const entry = (await lab.neighbours(client)).find((neighbour) => neighbour.ip === VIP);
  return entry?.mac ?? null;
}

/** A TCP listener on 0.0.0.0:port that answers with the host's name: reachable through the VIP on its holder. */
export function startNameServer(lab: Lab, host: LabHost, port: number): void {
  const script = `require('node:net').createServer((s) => s.end(${JSON.stringify(host.name)})).listen(${port}, '0.0.0.0', () => console.log('listening'))`;
  lab.spawn(host, [process.execPath, '-e', script]);
}

/** Connects from the client to VIP:port; the name of the host that answered, or null. */
export async function whoAnswers(lab: Lab, client: LabHost, port: number): Promise<string | null> {
  const script = `const s=require('node:net').connect({host:${JSON.stringify(VIP)},port:${port},timeout:1000});let d='';s.on('data',(c)=>d+=c);s.on('end',()=>{console.log(d);process.exit(0)});s.on('timeout',()=>process.exit(1));s.on('error',()=>process.exit(1));`;
  const result = await lab.run(client, [process.execPath, '-e', script]);
  return result.code === 0 ? result.stdout.trim() : null;
}

export class Group {
  readonly daemons = new Map<LabHost, TsvipDaemon>();

  constructor(
    readonly lab: Lab,
    readonly routers: readonly LabHost[],
    readonly group: GroupOptions,
  ) {}

  start(host: LabHost, router: RouterOptions): TsvipDaemon {
    const daemon = startTsvip(this.lab, host, routerConfig(host, this.routers, this.group, router));
    this.daemons.set(host, daemon);
    return daemon;
  }

  daemon(host: LabHost): TsvipDaemon {
    const daemon = this.daemons.get(host);
    if (daemon === undefined) throw new Error(`no tsvip started on ${host.name}`);
    return daemon;
  }

  /** Kills every daemon and takes the VIP off every host, so the next test starts clean. */
  async stopAll(): Promise<void> {
    for (const daemon of this.daemons.values()) daemon.kill('SIGKILL');
    await Promise.all([...this.daemons.values()].map((daemon) => daemon.exited));
    this.daemons.clear();
    for (const host of this.routers) await this.lab.run(host, ['ip', 'addr', 'del', VIP_CIDR, 'dev', 'eth0']);
  }
}
