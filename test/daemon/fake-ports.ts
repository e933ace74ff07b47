// Scripted fakes of the daemon's ports (in the spirit of mdlayher/netlink's nltest): an in-memory
// rtnetlink with an address table and events, VRRP sockets that record what is sent and deliver what
// the test says, gratuitous ARP senders that record what they announce, and a host with the
// capabilities and interfaces the test gives it. Each operation can be made to fail once.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { DaemonPorts, VrrpSocket, VrrpSocketOptions } from '../../src/daemon/ports.js';
import type { EthernetInterface, HostFacts } from '../../src/daemon/host-checks.js';
import type { GarpSender } from '../../src/netlink/garp.js';
import type { NetlinkWatcher, NetlinkWatcherEvents } from '../../src/netlink/events.js';
import type { InterfaceAddress, Ipv6InterfaceAddress, Rtnl } from '../../src/netlink/rtnl.js';
import type { ReceivedPacket } from '../../src/vrrp/received-packet.js';
import { parseInterfaceCidr } from '../../src/net/interface-cidr.js';
import type { AddressFlags } from '../../src/netlink/addresses.js';
import { TsvipError } from '../../src/errors.js';

const ALL_CAPABILITIES = (1n << 41n) - 1n;

class FakeWatcher extends EventEmitter<NetlinkWatcherEvents> implements NetlinkWatcher {
  closed = false;
  close(): void {
    this.closed = true;
  }
}

type RtnlOperation = 'list' | 'add' | 'delete';

export class FakeRtnl implements Rtnl {
  readonly events = new FakeWatcher();
  /** Every request, in order: `add 2 198.18.0.100/24`. */
  readonly requests: string[] = [];
  closed = false;
  private readonly table = new Map<number, TableEntry[]>();
  private readonly failures = new Map<RtnlOperation, Error>();

  constructor(addresses: Record<number, string[]> = {}) {
    for (const [ifindex, cidrs] of Object.entries(addresses)) this.table.set(Number(ifindex), cidrs.map((text) => cidr(text)));
  }

  /** The next `operation` rejects with `error`. */
  failNext(operation: RtnlOperation, error: Error): void {
    this.failures.set(operation, error);
  }

  /** `a.b.c.d/n` on `ifindex`, in the kernel's order. */
  addressesOn(ifindex: number): string[] {
    return (this.table.get(ifindex) ?? []).map(({ address, prefix }) => `${address}/${prefix}`);
  }

  /** Someone else (`ip addr del`) removes an address: the event arrives as the kernel's would. */
  removeExternally(ifindex: number, vip: string): void {
    const { address, prefix } = cidr(vip);
    const removed = (this.table.get(ifindex) ?? []).find((entry) => entry.address === address);
    this.table.set(ifindex, (this.table.get(ifindex) ?? []).filter((entry) => entry.address !== address));
    this.events.emit('address', removed?.family === 'ipv6' ? { kind: 'deleted', ifindex, ...ipv6View(removed) } : { kind: 'deleted', ifindex, address, prefix });
  }

  async listAddresses(ifindex: number): Promise<InterfaceAddress[]> {
    this.request('list', `list ${ifindex}`);
    return (this.table.get(ifindex) ?? []).filter((entry) => entry.family === 'ipv4').map(({ address, prefix }) => ({ address, prefix }));
  }

  /** fe80::/10 addresses have scope link, the others global; flags as scripted with setIpv6Flags. */
  async listIpv6Addresses(ifindex: number): Promise<Ipv6InterfaceAddress[]> {
    this.request('list', `list ipv6 ${ifindex}`);
    return (this.table.get(ifindex) ?? []).flatMap((entry) => (entry.family === 'ipv6' ? [ipv6View(entry)] : []));
  }

  /** The kernel changes an IPv6 address's DAD state (tentative, then usable or dadfailed) and says so. */
  setIpv6Flags(ifindex: number, address: string, flags: Partial<AddressFlags>): void {
    const entry = (this.table.get(ifindex) ?? []).find((candidate) => candidate.address === address);
    if (entry === undefined) throw new Error(`no ${address} on ${ifindex}`);
    entry.flags = { ...entry.flags, ...flags };
    this.events.emit('address', { kind: 'new', ...ipv6View(entry), ifindex });
  }

  async addAddress(ifindex: number, vip: string): Promise<void> {
    this.request('add', `add ${ifindex} ${vip}`);
    const entry = cidr(vip, vip.includes(':') ? { ...NO_FLAGS, nodad: true } : NO_FLAGS);
    const current = this.table.get(ifindex) ?? [];
    if (current.some((existing) => existing.address === entry.address)) return;
    this.table.set(ifindex, [...current, entry]);
    this.events.emit('address', entry.family === 'ipv6' ? { kind: 'new', ifindex, ...ipv6View(entry) } : { kind: 'new', ifindex, address: entry.address, prefix: entry.prefix });
  }

  async deleteAddress(ifindex: number, vip: string): Promise<void> {
    this.request('delete', `delete ${ifindex} ${vip}`);
    const { address, prefix } = cidr(vip);
    const current = this.table.get(ifindex) ?? [];
    if (!current.some((existing) => existing.address === address)) return;
    const removed = current.find((existing) => existing.address === address);
    this.table.set(ifindex, current.filter((existing) => existing.address !== address));
    this.events.emit('address', removed?.family === 'ipv6' ? { kind: 'deleted', ifindex, ...ipv6View(removed) } : { kind: 'deleted', ifindex, address, prefix });
  }

  close(): void {
    this.closed = true;
    this.events.close();
  }

  private request(operation: RtnlOperation, description: string): void {
    this.requests.push(description);
    const failure = this.failures.get(operation);
    if (failure === undefined) return;
    this.failures.delete(operation);
    throw failure;
  }
}

export class FakeVrrpSocket implements VrrpSocket {
  readonly sent: { payload: Uint8Array; destination: string }[] = [];
  badIpHeaders = 0;
  closed = false;
  private readonly listeners: ((packet: ReceivedPacket) => void)[] = [];

  constructor(readonly options: Omit<VrrpSocketOptions, 'logger'>) {}

  onPacket(listener: (packet: ReceivedPacket) => void): void {
    this.listeners.push(listener);
  }

  send(payload: Uint8Array, destination: string): void {
    if (this.closed) throw new Error(`send on a closed VRRP socket (${this.options.interfaceName})`);
    this.sent.push({ payload, destination });
  }

  /** A packet arrives from the wire; a closed socket hears nothing. */
  deliver(packet: ReceivedPacket): void {
    if (this.closed) return;
    for (const listener of this.listeners) listener(packet);
  }

  close(): void {
    this.closed = true;
  }
}

export class FakeAnnouncer implements GarpSender {
  readonly announced: string[] = [];
  closed = false;

  /** garp: gratuitous ARP (IPv4 VIPs); na: unsolicited neighbour advertisements (IPv6 VIPs). */
  constructor(
    readonly iface: EthernetInterface,
    readonly kind: 'garp' | 'na' = 'garp',
  ) {}

  announce(vip: string): void {
    this.announced.push(vip);
  }

  close(): void {
    this.closed = true;
  }
}

export interface FakeHostOptions {
  interfaces?: EthernetInterface[];
  /** Addresses already on each interface, by ifindex. */
  addresses?: Record<number, string[]>;
  capabilities?: bigint;
}

/** One fake host: the ports a Daemon takes, and what the test inspects and scripts. */
export class FakeHost {
  readonly rtnl: FakeRtnl;
  readonly sockets: FakeVrrpSocket[] = [];
  readonly announcers: FakeAnnouncer[] = [];
  readonly interfaces: EthernetInterface[];
  capabilities: bigint;
  private socketFailure: Error | null = null;

  constructor(options: FakeHostOptions = {}) {
    this.interfaces = options.interfaces ?? [{ name: 'eth0', ifindex: 2, mac: '02:00:c6:12:00:01', up: true, running: true }];
    this.rtnl = new FakeRtnl(options.addresses ?? { 2: ['198.18.0.1/24'] });
    this.capabilities = options.capabilities ?? ALL_CAPABILITIES;
  }

  /** The next VRRP socket fails to open, as a raw socket without CAP_NET_RAW would. */
  failNextSocket(message = 'cannot open a raw socket for VRRP (IP protocol 112): EPERM'): void {
    this.socketFailure = new TsvipError('ERR_VRRP_TRANSPORT', message);
  }

  /** The open sockets, the newest last. */
  get openSockets(): FakeVrrpSocket[] {
    return this.sockets.filter((socket) => !socket.closed);
  }

  get ports(): DaemonPorts {
    return {
      openRtnl: (_logger: Logger) => this.rtnl,
      openVrrpSocket: ({ logger: _logger, ...options }) => {
        if (this.socketFailure !== null) {
          const failure = this.socketFailure;
          this.socketFailure = null;
          throw failure;
        }
        const socket = new FakeVrrpSocket(options);
        this.sockets.push(socket);
        return socket;
      },
      openAnnouncer: (iface) => {
        const announcer = new FakeAnnouncer(iface);
        this.announcers.push(announcer);
        return announcer;
      },
      openNeighbourAdvertiser: (iface) => {
        const announcer = new FakeAnnouncer(iface, 'na');
        this.announcers.push(announcer);
        return announcer;
      },
      hostFacts: (): HostFacts => ({
        capabilities: this.capabilities,
        interfaceInfo: (name) => this.interfaces.find((iface) => iface.name === name) ?? null,
      }),
    };
  }
}

interface TableEntry {
  family: 'ipv4' | 'ipv6';
  address: string;
  prefix: number;
  flags: AddressFlags;
}

const NO_FLAGS: AddressFlags = { tentative: false, dadfailed: false, nodad: false, deprecated: false };

/** IPv6 VIPs are added with nodad, as the real rtnl adds them; addresses given at construction have no flags. */
function cidr(text: string, flags: AddressFlags = NO_FLAGS): TableEntry {
  const parsed = parseInterfaceCidr(text);
  if (!parsed.ok) throw new TypeError(`not a CIDR: ${text}`);
  return { ...parsed.value, flags: { ...flags } };
}

function ipv6View(entry: TableEntry): Ipv6InterfaceAddress {
  return { family: 'ipv6', address: entry.address, prefix: entry.prefix, scope: /^fe[89ab]/.test(entry.address) ? 'link' : 'global', flags: { ...entry.flags } };
}
