// A lab: one bridge in a namespace of its own and N hosts, each in its own namespace, joined to the
// bridge by a veth pair (README "Development"). Host n is `eth0` with 198.18.0.n/24 (RFC 2544's
// benchmarking range, routed nowhere); a dual-stack lab adds 2001:2::n/64 (RFC 5180's) and waits for
// each host's link-local address. Every link is created directly inside a namespace, so the root
// namespace never holds anything, not even for a moment.
import { runCommand, runCommandOk } from './command.js';
import type { CommandResult, RunOptions } from './command.js';
import { LabUsageError } from './errors.js';
import { parseBridgeGroups, parseIpv4Addresses, parseIpv6Addresses, parseLinkState, parseNeighbours } from './ip-json.js';
import type { Ipv4Address, Ipv6Address, LinkState, Neighbour } from './ip-json.js';
import { hostIpv6Sysctls, sysctlArgv } from './ipv6-settings.js';
import { waitForLinkLocal } from './link-local.js';
import { assertMachineCanHostLab } from './preflight.js';
import { currentRunPrefix, newLabPrefix } from './run-prefix.js';
import { startSnoopingQuerier } from './snooping-querier.js';
import { spawnProcess } from './spawned-process.js';
import type { SpawnedProcess, SpawnOptions } from './spawned-process.js';
import { killQuietly, removeNamespacesSync, trackLab, untrackLab } from './teardown.js';
import type { LiveLab } from './teardown.js';

export interface LabOptions {
  /** Number of hosts, 1 to 250 (they share one /24). */
  readonly hosts: number;
  /**
   * Dual stack: host n also gets 2001:2::n/64 (nodad), and createLab() returns once every host's
   * link-local address has left tentative. Default false: IPv4 only, the lab every older test was
   * written and timed against.
   */
  readonly ipv6?: boolean;
  /**
   * The bridge's multicast snooping (mcast_snooping). Unset leaves the bridge as the kernel makes it,
   * which is snooping on; IPv4-only labs keep exactly that bridge, which in effect floods every group
   * because no querier is present (snooping-querier.ts), and that is what every older test ran on.
   * In a dual-stack lab, snooping on (set or unset) also starts the bridge's MLD querier, so a group
   * such as VRRP's ff02::12 reaches only the hosts that joined it, as on a switch that snoops (IPv4
   * groups too, but never 224.0.0.0/24, so VRRPv2's 224.0.0.18 still reaches every host).
   */
  readonly multicastSnooping?: boolean;
}

export interface LabHost {
  /** 'h1', 'h2' ...: 1-based, as the addresses are. */
  readonly name: string;
  readonly netns: string;
  readonly iface: string;
  /** IPv4 address of `iface`, without prefix: '198.18.0.1' for h1. */
  readonly address: string;
  readonly prefixLength: number;
  /** Global IPv6 address of `iface`, without prefix ('2001:2::1' for h1); null in an IPv4-only lab. */
  readonly address6: string | null;
  /** 64 in a dual-stack lab; null in an IPv4-only one. */
  readonly prefixLength6: number | null;
  /** Fixed per index (02:00:c6:12:00:nn, locally administered) so captures read the same every run. */
  readonly mac: string;
  /** The veth end in the bridge's namespace, also named 'h1', 'h2' ... */
  readonly bridgePort: string;
}

/** Which interface to look at; the host's `eth0` unless told. */
export interface InterfaceOptions {
  readonly iface?: string;
}

export interface Lab {
  /** Start of every namespace name of this lab: `tsvip-<run>-<lab>`. */
  readonly prefix: string;
  readonly bridgeNetns: string;
  readonly bridge: string;
  readonly hosts: readonly LabHost[];
  /** Whether the hosts have IPv6 addresses (LabOptions.ipv6). */
  readonly ipv6: boolean;
  /** Host n, 1-based like its name and address; throws for a host the lab does not have. */
  host(n: number): LabHost;
  /** Runs argv in the host's namespace; a non-zero exit is a result, not an error. */
  run(host: LabHost, argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** As run, but throws LabCommandError (with stderr) on a non-zero exit. */
  runOk(host: LabHost, argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** Starts a long-lived process in the host; destroy() kills it if the test has not. */
  spawn(host: LabHost, argv: readonly string[], options?: SpawnOptions): SpawnedProcess;
  addresses(host: LabHost, options?: InterfaceOptions): Promise<Ipv4Address[]>;
  /** IPv6 addresses of the interface, link-local included, with their DAD flags. */
  addresses6(host: LabHost, options?: InterfaceOptions): Promise<Ipv6Address[]>;
  /**
   * The host's link-local address on `eth0` (no prefix, no zone), as the kernel made it from the
   * fixed MAC; what a VRRPv3 advert over IPv6 is sent from. Throws LabUsageError in an IPv4-only lab.
   */
  linkLocal(host: LabHost): string;
  /**
   * Multicast groups the bridge has learned, from MLD and IGMP reports, on the host's port: with
   * snooping in force a group reaches the host only while it is listed here.
   */
  bridgeGroups(host: LabHost): Promise<string[]>;
  /** IPv4 neighbour (ARP) table of the interface. */
  neighbours(host: LabHost, options?: InterfaceOptions): Promise<Neighbour[]>;
  /** IPv6 neighbour (NDP) table of the interface; empty in an IPv4-only lab. */
  neighbours6(host: LabHost, options?: InterfaceOptions): Promise<Neighbour[]>;
  linkState(host: LabHost, options?: InterfaceOptions): Promise<LinkState>;
  /** Network partition: detaches the host's port from the bridge. Its carrier stays up, so the host does not notice. */
  partition(host: LabHost): Promise<void>;
  /** Ends a partition: attaches the port to the bridge again. */
  heal(host: LabHost): Promise<void>;
  /** Pulled cable: sets the bridge-side end down, so the host sees carrier loss (NO-CARRIER). */
  setLinkDown(host: LabHost): Promise<void>;
  /** Plugs the cable back in; in a dual-stack lab, resolves once the host's link-local is usable again. */
  setLinkUp(host: LabHost): Promise<void>;
  /** Kills every process in the lab and deletes its namespaces; idempotent. */
  destroy(): Promise<void>;
}

const maxHosts = 250;
const subnet = '198.18.0';
const hostPrefixLength = 24;
const subnet6 = '2001:2::';
const hostPrefixLength6 = 64;
const bridgeName = 'br0';
const bridgeMac = '02:00:c6:12:00:ff';
/** EUI-64 of bridgeMac: only a bridge whose MLD querier runs has it (snooping-querier.ts). */
const bridgeLinkLocal = 'fe80::c6ff:fe12:ff';
const hostIface = 'eth0';
/** Generous: with DAD off the link-local is usable at once, and the kernel's own DAD takes about 1.5 s. */
const linkLocalTimeoutMs = 10_000;
const linkLocalPollMs = 20;
/** How long destroy() waits for killed processes to be reaped before giving up on them. */
const reapTimeoutMs = 5_000;

export async function createLab(options: LabOptions): Promise<Lab> {
  if (!Number.isInteger(options.hosts) || options.hosts < 1 || options.hosts > maxHosts) {
    throw new LabUsageError(`hosts must be an integer from 1 to ${maxHosts} (got ${options.hosts})`);
  }
  const runPrefix = currentRunPrefix();
  await assertMachineCanHostLab(runPrefix);
  const lab = new NamespaceLab(newLabPrefix(runPrefix), options);
  // Tracked before the first namespace exists, so a failure or a signal halfway still removes it.
  trackLab(lab);
  try {
    await lab.build();
  } catch (error: unknown) {
    await lab.destroy();
    throw error;
  }
  return lab;
}

class NamespaceLab implements Lab, LiveLab {
  readonly prefix: string;
  readonly bridgeNetns: string;
  readonly bridge = bridgeName;
  readonly hosts: readonly LabHost[];
  readonly ipv6: boolean;
  private readonly multicastSnooping: boolean | undefined;
  private readonly linkLocals = new Map<LabHost, string>();
  private readonly processes = new Set<SpawnedProcess>();
  private readonly created: string[] = [];
  private destroyed = false;

  constructor(prefix: string, options: LabOptions) {
    this.prefix = prefix;
    this.bridgeNetns = `${prefix}-br`;
    this.ipv6 = options.ipv6 ?? false;
    this.multicastSnooping = options.multicastSnooping;
    this.hosts = Array.from({ length: options.hosts }, (_, i) => describeHost(prefix, i + 1, this.ipv6));
  }

  async build(): Promise<void> {
    const br = this.bridgeNetns;
    await this.addNamespace(br);
    // Unset, no argument at all: older labs keep the exact bridge they were built with.
    const snooping = this.multicastSnooping === undefined ? [] : ['mcast_snooping', this.multicastSnooping ? '1' : '0'];
    // A bridge's MAC otherwise follows its lowest-numbered port, so it would change on partition/heal.
    await ip(['-n', br, 'link', 'add', bridgeName, 'address', bridgeMac, 'type', 'bridge', 'stp_state', '0', ...snooping]);
    // The bridge and its ports get no kernel-made link-local; without one they send no IPv6 (MLD, RS)
    // either. Only the querier of a snooping dual-stack lab is given one, below.
    await ip(['-n', br, 'link', 'set', bridgeName, 'addrgenmode', 'none']);
    await ip(['-n', br, 'link', 'set', bridgeName, 'up']);
    // Started before the hosts are built, so its start-up delay passes meanwhile.
    const snoopingInForce = this.ipv6 && this.multicastSnooping !== false ? await startSnoopingQuerier({ netns: br, bridge: bridgeName, linkLocal: bridgeLinkLocal }) : undefined;
    for (const host of this.hosts) {
      await this.addNamespace(host.netns);
      await ip(['-n', host.netns, 'link', 'add', host.iface, 'address', host.mac, 'type', 'veth', 'peer', 'name', host.bridgePort, 'netns', br]);
      await ip(['-n', br, 'link', 'set', host.bridgePort, 'addrgenmode', 'none']);
      // STP is off, so the port forwards as soon as it is up: no 15 s listening/learning delay.
      await ip(['-n', br, 'link', 'set', host.bridgePort, 'master', bridgeName, 'up']);
      await ip(['-n', host.netns, 'addr', 'add', `${host.address}/${host.prefixLength}`, 'dev', host.iface]);
      if (host.address6 !== null) {
        // Before the link is up, which is when the kernel makes the link-local and would start DAD.
        await runCommandOk(sysctlArgv(host.netns, hostIpv6Sysctls(host.iface)));
        await ip(['-n', host.netns, 'addr', 'add', `${host.address6}/${host.prefixLength6}`, 'dev', host.iface, 'nodad']);
      }
      await ip(['-n', host.netns, 'link', 'set', host.iface, 'up']);
    }
    if (this.ipv6) await Promise.all(this.hosts.map((host) => this.awaitLinkLocal(host)));
    await snoopingInForce?.();
  }

  host(n: number): LabHost {
    const host = this.hosts[n - 1];
    if (host === undefined) throw new LabUsageError(`no host ${n}; this lab has hosts 1 to ${this.hosts.length}`);
    return host;
  }

  run(host: LabHost, argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    return runCommand(this.inHost(host, argv), options);
  }

  runOk(host: LabHost, argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    return runCommandOk(this.inHost(host, argv), options);
  }

  spawn(host: LabHost, argv: readonly string[], options: SpawnOptions = {}): SpawnedProcess {
    const spawned = spawnProcess(this.inHost(host, argv), options);
    this.processes.add(spawned);
    void spawned.exited.then(() => this.processes.delete(spawned));
    return spawned;
  }

  async addresses(host: LabHost, options: InterfaceOptions = {}): Promise<Ipv4Address[]> {
    const { stdout } = await ip(['-n', this.own(host).netns, '-j', '-4', 'addr', 'show', 'dev', options.iface ?? host.iface]);
    return parseIpv4Addresses(stdout);
  }

  async addresses6(host: LabHost, options: InterfaceOptions = {}): Promise<Ipv6Address[]> {
    const { stdout } = await ip(['-n', this.own(host).netns, '-j', '-6', 'addr', 'show', 'dev', options.iface ?? host.iface]);
    return parseIpv6Addresses(stdout);
  }

  linkLocal(host: LabHost): string {
    const address = this.linkLocals.get(this.own(host));
    if (address === undefined) throw new LabUsageError(`lab ${this.prefix} is IPv4 only: createLab({ ipv6: true }) for link-local addresses`);
    return address;
  }

  async bridgeGroups(host: LabHost): Promise<string[]> {
    const { bridgePort } = this.own(host);
    const { stdout } = await runCommandOk(['bridge', '-n', this.bridgeNetns, '-j', 'mdb', 'show', 'dev', bridgeName]);
    return parseBridgeGroups(stdout, bridgePort);
  }

  async neighbours(host: LabHost, options: InterfaceOptions = {}): Promise<Neighbour[]> {
    const { stdout } = await ip(['-n', this.own(host).netns, '-j', '-4', 'neigh', 'show', 'dev', options.iface ?? host.iface]);
    return parseNeighbours(stdout);
  }

  async neighbours6(host: LabHost, options: InterfaceOptions = {}): Promise<Neighbour[]> {
    const { stdout } = await ip(['-n', this.own(host).netns, '-j', '-6', 'neigh', 'show', 'dev', options.iface ?? host.iface]);
    return parseNeighbours(stdout);
  }

  async linkState(host: LabHost, options: InterfaceOptions = {}): Promise<LinkState> {
    const { stdout } = await ip(['-n', this.own(host).netns, '-j', 'link', 'show', 'dev', options.iface ?? host.iface]);
    return parseLinkState(stdout);
  }

  async partition(host: LabHost): Promise<void> {
    await ip(['-n', this.bridgeNetns, 'link', 'set', this.own(host).bridgePort, 'nomaster']);
  }

  async heal(host: LabHost): Promise<void> {
    await ip(['-n', this.bridgeNetns, 'link', 'set', this.own(host).bridgePort, 'master', bridgeName]);
  }

  async setLinkDown(host: LabHost): Promise<void> {
    await ip(['-n', this.bridgeNetns, 'link', 'set', this.own(host).bridgePort, 'down']);
  }

  async setLinkUp(host: LabHost): Promise<void> {
    await ip(['-n', this.bridgeNetns, 'link', 'set', this.own(host).bridgePort, 'up']);
    // On carrier the kernel restarts DAD for addresses that are not nodad; with DAD off that ends at
    // once, but the link-local is waited for rather than assumed.
    if (this.ipv6) await this.awaitLinkLocal(host);
  }

  async destroy(): Promise<void> {
    const processes = [...this.processes];
    this.teardownSync();
    await Promise.race([Promise.all(processes.map((p) => p.exited)), new Promise((resolve) => setTimeout(resolve, reapTimeoutMs).unref())]);
  }

  teardownSync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    untrackLab(this);
    for (const spawned of this.processes) killQuietly(spawned.pid);
    // Hosts first, bridge last: the reverse of creation.
    const problems = removeNamespacesSync([...this.created].reverse());
    // Runs from signal and exit handlers too, where a throw would hide the signal; global-setup.ts
    // fails the run if a namespace is still there.
    for (const problem of problems) process.stderr.write(`lab ${this.prefix}: ${problem}\n`);
  }

  private async awaitLinkLocal(host: LabHost): Promise<void> {
    const address = await waitForLinkLocal({ hostName: host.name, netns: host.netns, iface: host.iface, timeoutMs: linkLocalTimeoutMs, pollMs: linkLocalPollMs });
    this.linkLocals.set(host, address);
  }

  private async addNamespace(name: string): Promise<void> {
    // Recorded before it exists: if `ip netns add` dies halfway, teardown tries it anyway.
    this.created.push(name);
    await ip(['netns', 'add', name]);
    await ip(['-n', name, 'link', 'set', 'lo', 'up']);
  }

  private inHost(host: LabHost, argv: readonly string[]): string[] {
    return ['ip', 'netns', 'exec', this.own(host).netns, ...argv];
  }

  /** Refuses hosts of another lab and any use after destroy(), which would act on a gone namespace. */
  private own(host: LabHost): LabHost {
    if (this.destroyed) throw new LabUsageError(`lab ${this.prefix} is destroyed`);
    if (!this.hosts.includes(host)) throw new LabUsageError(`host ${host.netns} is not in lab ${this.prefix}`);
    return host;
  }
}

function describeHost(prefix: string, n: number, ipv6: boolean): LabHost {
  const name = `h${n}`;
  return {
    name,
    netns: `${prefix}-${name}`,
    iface: hostIface,
    address: `${subnet}.${n}`,
    prefixLength: hostPrefixLength,
    // n written in decimal, as in the IPv4 address, so h12 is 198.18.0.12 and 2001:2::12.
    address6: ipv6 ? `${subnet6}${n}` : null,
    prefixLength6: ipv6 ? hostPrefixLength6 : null,
    mac: `02:00:c6:12:00:${n.toString(16).padStart(2, '0')}`,
    bridgePort: name,
  };
}

function ip(args: readonly string[]): Promise<CommandResult> {
  return runCommandOk(['ip', ...args]);
}
