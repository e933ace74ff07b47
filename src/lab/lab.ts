// A lab: one bridge in a namespace of its own and N hosts, each in its own namespace, joined to the
// bridge by a veth pair (README "Development"). Host n is `eth0` with 198.18.0.n/24 (RFC 2544's
// benchmarking range, routed nowhere). Every link is created directly inside a namespace, so the
// root namespace never holds anything, not even for a moment.
import { runCommand, runCommandOk } from './command.js';
import type { CommandResult, RunOptions } from './command.js';
import { LabUsageError } from './errors.js';
import { parseIpv4Addresses, parseLinkState, parseNeighbours } from './ip-json.js';
import type { Ipv4Address, LinkState, Neighbour } from './ip-json.js';
import { assertMachineCanHostLab } from './preflight.js';
import { currentRunPrefix, newLabPrefix } from './run-prefix.js';
import { spawnProcess } from './spawned-process.js';
import type { SpawnedProcess, SpawnOptions } from './spawned-process.js';
import { killQuietly, removeNamespacesSync, trackLab, untrackLab } from './teardown.js';
import type { LiveLab } from './teardown.js';

export interface LabOptions {
  /** Number of hosts, 1 to 250 (they share one /24). */
  readonly hosts: number;
}

export interface LabHost {
  /** 'h1', 'h2' ...: 1-based, as the addresses are. */
  readonly name: string;
  readonly netns: string;
  readonly iface: string;
  /** IPv4 address of `iface`, without prefix: '198.18.0.1' for h1. */
  readonly address: string;
  readonly prefixLength: number;
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
  /** Host n, 1-based like its name and address; throws for a host the lab does not have. */
  host(n: number): LabHost;
  /** Runs argv in the host's namespace; a non-zero exit is a result, not an error. */
  run(host: LabHost, argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** As run, but throws LabCommandError (with stderr) on a non-zero exit. */
  runOk(host: LabHost, argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** Starts a long-lived process in the host; destroy() kills it if the test has not. */
  spawn(host: LabHost, argv: readonly string[], options?: SpawnOptions): SpawnedProcess;
  addresses(host: LabHost, options?: InterfaceOptions): Promise<Ipv4Address[]>;
  /** IPv4 neighbour (ARP) table of the interface. */
  neighbours(host: LabHost, options?: InterfaceOptions): Promise<Neighbour[]>;
  linkState(host: LabHost, options?: InterfaceOptions): Promise<LinkState>;
  /** Network partition: detaches the host's port from the bridge. Its carrier stays up, so the host does not notice. */
  partition(host: LabHost): Promise<void>;
  /** Ends a partition: attaches the port to the bridge again. */
  heal(host: LabHost): Promise<void>;
  /** Pulled cable: sets the bridge-side end down, so the host sees carrier loss (NO-CARRIER). */
  setLinkDown(host: LabHost): Promise<void>;
  /** Plugs the cable back in. */
  setLinkUp(host: LabHost): Promise<void>;
  /** Kills every process in the lab and deletes its namespaces; idempotent. */
  destroy(): Promise<void>;
}

const maxHosts = 250;
const subnet = '198.18.0';
const hostPrefixLength = 24;
const bridgeName = 'br0';
const hostIface = 'eth0';
/** How long destroy() waits for killed processes to be reaped before giving up on them. */
const reapTimeoutMs = 5_000;

export async function createLab(options: LabOptions): Promise<Lab> {
  if (!Number.isInteger(options.hosts) || options.hosts < 1 || options.hosts > maxHosts) {
    throw new LabUsageError(`hosts must be an integer from 1 to ${maxHosts} (got ${options.hosts})`);
  }
  const runPrefix = currentRunPrefix();
  await assertMachineCanHostLab(runPrefix);
  const lab = new NamespaceLab(newLabPrefix(runPrefix), options.hosts);
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
  private readonly processes = new Set<SpawnedProcess>();
  private readonly created: string[] = [];
  private destroyed = false;

  constructor(prefix: string, hostCount: number) {
    this.prefix = prefix;
    this.bridgeNetns = `${prefix}-br`;
    this.hosts = Array.from({ length: hostCount }, (_, i) => describeHost(prefix, i + 1));
  }

  async build(): Promise<void> {
    const br = this.bridgeNetns;
    await this.addNamespace(br);
    // A bridge's MAC otherwise follows its lowest-numbered port, so it would change on partition/heal.
    await ip(['-n', br, 'link', 'add', bridgeName, 'address', '02:00:c6:12:00:ff', 'type', 'bridge', 'stp_state', '0']);
    // The bridge and its ports carry no addresses; without a link-local address they send no IPv6 (MLD, RS) either.
    await ip(['-n', br, 'link', 'set', bridgeName, 'addrgenmode', 'none']);
    await ip(['-n', br, 'link', 'set', bridgeName, 'up']);
    for (const host of this.hosts) {
      await this.addNamespace(host.netns);
      await ip(['-n', host.netns, 'link', 'add', host.iface, 'address', host.mac, 'type', 'veth', 'peer', 'name', host.bridgePort, 'netns', br]);
      await ip(['-n', br, 'link', 'set', host.bridgePort, 'addrgenmode', 'none']);
      // STP is off, so the port forwards as soon as it is up: no 15 s listening/learning delay.
      await ip(['-n', br, 'link', 'set', host.bridgePort, 'master', bridgeName, 'up']);
      await ip(['-n', host.netns, 'addr', 'add', `${host.address}/${host.prefixLength}`, 'dev', host.iface]);
      await ip(['-n', host.netns, 'link', 'set', host.iface, 'up']);
    }
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

  async neighbours(host: LabHost, options: InterfaceOptions = {}): Promise<Neighbour[]> {
    const { stdout } = await ip(['-n', this.own(host).netns, '-j', '-4', 'neigh', 'show', 'dev', options.iface ?? host.iface]);
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

function describeHost(prefix: string, n: number): LabHost {
  const name = `h${n}`;
  return {
    name,
    netns: `${prefix}-${name}`,
    iface: hostIface,
    address: `${subnet}.${n}`,
    prefixLength: hostPrefixLength,
    mac: `02:00:c6:12:00:${n.toString(16).padStart(2, '0')}`,
    bridgePort: name,
  };
}

function ip(args: readonly string[]): Promise<CommandResult> {
  return runCommandOk(['ip', ...args]);
}
