// One VRRP group in a fresh lab, as every failover measurement starts: hosts h1..h3 run the VRRP
// implementation under test (priorities 150/100/50) and a TCP listener each, h4 is the client. The
// lab's namespace names are unique to the run and the lab is destroyed by destroy(), by the lab's own
// exit and signal handlers (src/lab/teardown.ts), or on Ctrl-C.
import { createLab } from '../src/lab/lab.js';
import type { Lab, LabHost } from '../src/lab/lab.js';
import { startKeepalived } from '../test/lab/keepalived.js';
import type { DaemonGroup, KeepalivedSpec } from '../test/lab/keepalived.js';
import { startListener, whoHoldsVip } from '../src/lab/vip-client.js';
import type { ListenerHandle } from '../src/lab/vip-client.js';
import { startTsvip } from './tsvip.js';
import type { TsvipExtras, TsvipForm, TsvipTuning } from './tsvip.js';
import { watchVip } from './vip-watch.js';
import type { VipWatch } from './vip-watch.js';

export type ImplementationName = 'keepalived' | 'tsvip';
export type SetupId = 'v2' | 'v3' | 'v3-ipv6';
export type AddressFamily = 'ipv4' | 'ipv6';

export interface ProtocolSetup {
  readonly id: SetupId;
  readonly title: string;
  readonly version: 2 | 3;
  readonly advertIntervalMs: number;
  readonly vrid: number;
  readonly unicast: boolean;
  readonly authPass?: string;
  /** The VIP's family: IPv6 runs in a dual-stack lab, adverts from the link-locals to ff02::12. */
  readonly family: AddressFamily;
  /** The VIP as both daemons are configured with it (CIDR). */
  readonly vip: string;
  /** The VIP without its prefix, as `ip` prints it and the client connects to it. */
  readonly vipAddress: string;
}

export const VIP = '198.18.0.100/24';
export const VIP_ADDRESS = '198.18.0.100';
/** /128 as keepalived and tsvip both default to for an IPv6 VIP; both add it nodad. */
export const VIP6 = '2001:2::100/128';
export const VIP6_ADDRESS = '2001:2::100';

/**
 * The two setups of the keepalived interop tests (test/e2e/keepalived-interop.test.ts): what a kubeadm
 * cluster with keepalived typically runs, and the fast one; and the fast one over IPv6.
 */
export const protocolSetups: Readonly<Record<SetupId, ProtocolSetup>> = {
  v2: { id: 'v2', title: 'v2, 1 s, unicast, PASS auth', version: 2, advertIntervalMs: 1000, vrid: 51, unicast: true, authPass: 'k8s-vip', family: 'ipv4', vip: VIP, vipAddress: VIP_ADDRESS },
  v3: { id: 'v3', title: 'v3, 100 ms, multicast', version: 3, advertIntervalMs: 100, vrid: 53, unicast: false, family: 'ipv4', vip: VIP, vipAddress: VIP_ADDRESS },
  'v3-ipv6': { id: 'v3-ipv6', title: 'v3, 100 ms, multicast, IPv6', version: 3, advertIntervalMs: 100, vrid: 53, unicast: false, family: 'ipv6', vip: VIP6, vipAddress: VIP6_ADDRESS },
};

export const setupIds = Object.keys(protocolSetups) as readonly SetupId[];

export function isSetupId(id: string): id is SetupId {
  return Object.hasOwn(protocolSetups, id);
}

export const SERVICE_PORT = 6443;
const priorities = [150, 100, 50] as const;

export interface VrrpGroup {
  readonly implementation: ImplementationName;
  readonly setup: ProtocolSetup;
  readonly lab: Lab;
  readonly vrrpHosts: readonly LabHost[];
  readonly client: LabHost;
  readonly daemons: ReadonlyMap<string, DaemonGroup>;
  readonly listeners: ReadonlyMap<string, ListenerHandle>;
  readonly watch: VipWatch;
  /** Date.now() just before the daemons were spawned. */
  readonly startedAtMs: number;
  destroy(): Promise<void>;
}

export function instanceSpec(setup: ProtocolSetup, self: LabHost, others: readonly LabHost[], priority: number): KeepalivedSpec {
  return {
    name: 'VI_1',
    interface: self.iface,
    vrid: setup.vrid,
    priority,
    version: setup.version,
    advertIntervalMs: setup.advertIntervalMs,
    vips: [setup.vip],
    ...(setup.authPass === undefined ? {} : { authPass: setup.authPass }),
    ...(setup.unicast ? { unicast: { source: self.address, peers: others.map((host) => host.address) } } : {}),
  };
}

export interface VrrpGroupOptions {
  readonly workDir: string;
  /** How tsvip runs (the npm install by default). */
  readonly form?: TsvipForm;
  /** tsvip also runs its load balancer (on vip:SERVICE_PORT+2000) and status server. */
  readonly withLoadBalancer?: boolean;
  /** Hosts that hold the VIP before the daemons start, as after a crash of their predecessor. */
  readonly staleVipOn?: readonly string[];
  /** startupDelay: tsvip's key, and keepalived's vrrp_startup_delay when keepalived runs. */
  readonly tuning?: TsvipTuning;
}

/** Where tsvip's load balancer listens when a group runs one: on the VIP, as kube-vip's 8443 beside a 6443 apiserver. */
export const LOAD_BALANCER_PORT = SERVICE_PORT + 2000;

export async function startVrrpGroup(implementation: ImplementationName, setup: ProtocolSetup, options: VrrpGroupOptions): Promise<VrrpGroup> {
  // IPv6: a dual-stack lab whose bridge floods every group (snooping off), as the IPv4-only labs'
  // bridge does in effect, so ff02::12 reaches every host as 224.0.0.18 does there; createLab()
  // returns once the link-locals the adverts go out from are usable.
  const lab = await createLab(setup.family === 'ipv6' ? { hosts: priorities.length + 1, ipv6: true, multicastSnooping: false } : { hosts: priorities.length + 1 });
  let watch: VipWatch | undefined;
  try {
    const vrrpHosts = lab.hosts.slice(0, priorities.length);
    const client = lab.host(priorities.length + 1);
    const listeners = new Map<string, ListenerHandle>();
    const bind = setup.family === 'ipv6' ? { bind: '::' } : {};
    for (const host of vrrpHosts) listeners.set(host.name, await startListener(lab, host, { port: SERVICE_PORT, ...bind }));
    for (const host of vrrpHosts.filter((candidate) => options.staleVipOn?.includes(candidate.name))) {
      await lab.runOk(host, ['ip', 'address', 'add', setup.vip, 'dev', host.iface, ...(setup.family === 'ipv6' ? ['nodad'] : [])]);
    }
    watch = await watchVip(lab, vrrpHosts, setup.vip);
    const extras: TsvipExtras | undefined = options.withLoadBalancer
      ? { loadBalancer: { port: LOAD_BALANCER_PORT, backends: vrrpHosts.map((host) => `${host.address}:${SERVICE_PORT}`) }, statusListen: '127.0.0.1:9901' }
      : undefined;
    const tsvipOptions = { workDir: options.workDir, ...(options.form === undefined ? {} : { form: options.form }), ...(extras === undefined ? {} : { extras }), ...(options.tuning === undefined ? {} : { tuning: options.tuning }) };
    const startedAtMs = Date.now();
    const started = await Promise.all(
      vrrpHosts.map((host, i) => {
        const spec = instanceSpec(setup, host, vrrpHosts.filter((other) => other !== host), priorities[i] ?? 1);
        const startupDelay = options.tuning?.startupDelayMs;
        return implementation === 'keepalived'
          ? startKeepalived(lab, host, startupDelay === undefined ? spec : { ...spec, startupDelayMs: startupDelay }, options)
          : startTsvip(lab, host, spec, tsvipOptions);
      }),
    );
    const daemons = new Map<string, DaemonGroup>(started.map((daemon, i) => [vrrpHosts[i]?.name ?? '', daemon]));
    const ownWatch = watch;
    return { implementation, setup, lab, vrrpHosts, client, daemons, listeners, watch: ownWatch, startedAtMs, destroy: () => destroyGroup(lab, ownWatch) };
  } catch (error: unknown) {
    await destroyGroup(lab, watch);
    throw error;
  }
}

async function destroyGroup(lab: Lab, watch: VipWatch | undefined): Promise<void> {
  watch?.stop();
  await lab.destroy();
}

export interface Election {
  /** The host that took the VIP first; a later start-up preemption may move it on. */
  readonly firstMaster: string;
  /** From spawning the daemons to the VIP appearing on the first master's interface. */
  readonly coldStartMs: number;
  /** The master once the group is quiet. */
  readonly master: LabHost;
  /** Date.now() when the VIP appeared on `master`: its adverts keep this phase. */
  readonly masterSinceMs: number;
  /** VIP additions during start-up: 1 when the first master kept it, more when it was preempted. */
  readonly startupTakeovers: number;
}

/**
 * Waits for the first master (cold start), then for the group to be quiet: one host holds the VIP and
 * nothing has moved for three advert intervals and half a second more. The daemons do not start at the
 * same instant (three Node processes take a few hundred ms each to load on two CPUs), so a lower
 * priority may be master for a moment before the higher one preempts it: that is start-up, not failure.
 */
export async function waitForElection(group: VrrpGroup, options: { readonly timeoutMs: number }): Promise<Election> {
  try {
    return await electionOf(group, options);
  } catch (error: unknown) {
    // A daemon that would not start says why on its stderr; without it the error only says "no VIP".
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${describeDaemons(group)}`, { cause: error });
  }
}

function describeDaemons(group: VrrpGroup): string {
  return [...group.daemons]
    .map(([name, daemon]) => {
      const { child } = daemon.process;
      const { stdout, stderr } = daemon.process.output();
      const status = child.exitCode === null && child.signalCode === null ? 'running' : `exited ${child.exitCode ?? child.signalCode}`;
      return `${group.implementation} in ${name} (${status}):\n${(stderr || stdout).trim().split('\n').slice(-10).join('\n')}`;
    })
    .join('\n');
}

async function electionOf(group: VrrpGroup, options: { readonly timeoutMs: number }): Promise<Election> {
  const deadline = Date.now() + options.timeoutMs;
  const first = await group.watch.waitFor((event) => event.change === 'added', {
    sinceMs: group.startedAtMs,
    timeoutMs: options.timeoutMs,
    what: 'VIP on any host after start',
  });
  const quietMs = 3 * group.setup.advertIntervalMs + 500;
  for (;;) {
    const events = group.watch.events().filter((event) => event.atMs >= group.startedAtMs);
    const lastEvent = events.at(-1) ?? first;
    const quietForMs = Date.now() - lastEvent.atMs;
    if (quietForMs >= quietMs) {
      const holders = await whoHoldsVip(group.lab, group.setup.vip, { hosts: group.vrrpHosts });
      const master = holders[0];
      const stillQuiet = group.watch.events().length === events.length;
      if (holders.length === 1 && master !== undefined && stillQuiet) {
        const additions = events.filter((event) => event.change === 'added');
        const since = additions.filter((event) => event.host === master.name).at(-1) ?? first;
        return { firstMaster: first.host, coldStartMs: first.atMs - group.startedAtMs, master, masterSinceMs: since.atMs, startupTakeovers: additions.length };
      }
    }
    if (Date.now() > deadline) {
      const holders = await whoHoldsVip(group.lab, group.setup.vip, { hosts: group.vrrpHosts });
      throw new Error(`no stable master within ${options.timeoutMs} ms: VIP on [${holders.map((h) => h.name).join(', ')}], VIP events ${JSON.stringify(events)}`);
    }
    await sleep(Math.max(50, quietMs - quietForMs));
  }
}

/** Whose MAC the client's neighbour entry for the VIP holds (ARP for IPv4, NDP for IPv6); null when none. */
export async function clientNeighbourHost(group: VrrpGroup): Promise<string | null> {
  const { lab, client, setup } = group;
  const table = setup.family === 'ipv6' ? await lab.neighbours6(client) : await lab.neighbours(client);
  const entry = table.find((neighbour) => neighbour.ip === setup.vipAddress);
  return lab.hosts.find((host) => host.mac === entry?.mac)?.name ?? null;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
