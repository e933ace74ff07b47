// One configured VRRP instance on this host: its VRRP socket (opened by the daemon, so that a reload
// fails before it stops anything), its VIPs through rtnetlink, gratuitous ARP (IPv4) or unsolicited
// neighbour advertisements (IPv6), trackers that set its priority, and notify commands. The daemon
// makes one per instance.
import type { Logger } from 'pino';
import type { VrrpInstanceConfig } from '../config/schema.js';
import { vipAddress } from '../net/address.js';
import { familyOfAddress } from '../config/instance-family.js';
import type { Rtnl } from '../netlink/rtnl.js';
import type { AddressEvent, Ipv6AddressEvent, LinkEvent } from '../netlink/events.js';
import type { Announcer } from '../netlink/packet-socket.js';
import type { EthernetInterface } from './host-checks.js';
import type { VrrpSocket } from './ports.js';
import type { Clock } from '../clock.js';
import { effectivePriority } from '../vrrp/fsm.js';
import { VrrpInstance, type GarpPort, type TransitionRecord, type VipPort } from '../vrrp/instance.js';
import { InstanceTrackers } from './instance-trackers.js';
import { instanceSettings } from './instance-settings.js';
import { NotifyRunner } from '../vrrp/notify.js';
import type { InstanceStatus } from '../status/snapshot.js';

export interface InstanceRuntimeDeps {
  /** What is left of startupDelay when this runtime starts (the daemon counts it from the process start). */
  startupHoldMs: number;
  rtnl: Rtnl;
  iface: EthernetInterface;
  ownAddress: string;
  /** Open, not yet listened to: start() attaches it, stop() closes it. */
  socket: VrrpSocket;
  /** Gratuitous ARP for an IPv4 instance, unsolicited neighbour advertisements for an IPv6 one. */
  announcer: Announcer;
  clock: Clock;
  logger: Logger;
}

export class InstanceRuntime {
  private socketOpen = true;
  /** Gratuitous ARP or unsolicited NA packets sent: one per VIP per announcement. */
  private garpPacketsSent = 0;
  /** VIPs being put back after the kernel showed them tentative or dadfailed: one repair at a time each. */
  private readonly dadRepairs = new Set<string>();
  private readonly instance: VrrpInstance;
  private readonly trackers: InstanceTrackers;
  private readonly notify: NotifyRunner;
  /** The last VIP add: gratuitous ARP waits for it, so a client moving to our MAC finds the address. */
  private vipsAdded: Promise<void> = Promise.resolve();
  private restorePending = false;
  private readonly stateListeners = new Set<(record: TransitionRecord) => void>();
  /**
   * keepalived 2.2.7, seen in a lab: an instance whose weight-0 script has not answered yet starts in
   * FAULT silently; notify_fault runs only once the script has failed, and not at all when it passes
   * (notify_backup then). The start-up FAULT's notify waits here until no weight-0 tracker is in init.
   */
  private startupFaultNotify: { priority: number } | null = null;
  /** Wall-clock time of the last state change (or of the start): what /status calls `since`. */
  private sinceMs = Date.now();

  constructor(
    private current: VrrpInstanceConfig,
    private readonly deps: InstanceRuntimeDeps,
  ) {
    const { rtnl, iface, logger } = deps;
    const vips: VipPort = {
      add: () => {
        this.vipsAdded = Promise.all(this.current.vips.map((vip) => rtnl.addAddress(iface.ifindex, vip))).then(() => undefined);
        return this.vipsAdded;
      },
      remove: async () => {
        await Promise.all(this.current.vips.map((vip) => rtnl.deleteAddress(iface.ifindex, vip)));
      },
    };
    const garp: GarpPort = {
      announce: () => {
        void this.vipsAdded.then(() => {
          if (this.instance.stateName !== 'master') return;
          for (const vip of this.current.vips) {
            try {
              deps.announcer.announce(vipAddress(vip));
              this.garpPacketsSent++;
            } catch (error) {
              const ipv6 = familyOfAddress(vip) === 'ipv6';
              logger.warn({ err: error, vip, code: ipv6 ? 'ERR_UNSOLICITED_NA' : 'ERR_GARP' }, ipv6 ? 'could not send an unsolicited neighbour advertisement' : 'could not send gratuitous ARP');
            }
          }
        }, () => undefined);
      },
    };
    this.notify = new NotifyRunner({ instance: current.name, notify: current.notify, logger });
    this.instance = new VrrpInstance(instanceSettings(current, deps.ownAddress, deps.startupHoldMs), {
      clock: deps.clock,
      transport: { send: (payload, destination) => this.socketOpen && deps.socket.send(payload, destination) },
      vips,
      garp,
      logger,
      onTransition: (record) => this.onTransition(record),
    });
    this.trackers = new InstanceTrackers(current, { clock: deps.clock, logger, onChange: () => this.applyTrackers() });
  }

  get config(): VrrpInstanceConfig {
    return this.current;
  }

  get name(): string {
    return this.current.name;
  }

  get state(): string {
    return this.instance.stateName;
  }

  /** For /status, /metrics and the status page. */
  describe(): InstanceStatus {
    const config = this.current;
    return {
      name: config.name,
      interface: config.interface,
      vrid: config.vrid,
      version: config.version,
      state: this.instance.stateName,
      priority: this.instance.priority,
      configuredPriority: config.priority,
      ownAddress: this.deps.ownAddress,
      masterAddress: this.instance.masterAddress,
      since: new Date(this.sinceMs).toISOString(),
      vips: [...config.vips],
      trackers: this.trackers.describe(),
      counters: this.counters(),
    };
  }

  start(): void {
    const { iface, ownAddress, logger } = this.deps;
    this.deps.socket.onPacket((packet) => {
      if (this.socketOpen) this.instance.receive(packet);
    });
    this.trackers.start();
    this.applyTrackers();
    logger.info({ interface: iface.name, vrid: this.current.vrid, ownAddress, priority: this.instance.priority }, 'instance starting');
    this.sinceMs = Date.now();
    this.instance.start();
  }

  /** Priority 0 if master, VIPs removed, then the socket closes. */
  async stop(): Promise<void> {
    this.trackers.stop();
    this.instance.stop();
    await this.instance.settled();
    if (this.socketOpen) this.deps.socket.close();
    this.socketOpen = false;
    this.deps.logger.info({ counters: this.counters() }, 'instance stopped');
  }

  /** SIGHUP with the same VRID, interface, VIPs and addressing: no election, no state change. */
  apply(next: VrrpInstanceConfig): void {
    const previous = this.current;
    this.current = next;
    this.instance.reconfigure(instanceSettings(next, this.deps.ownAddress));
    this.notify.update(next.notify);
    this.trackers.update(next);
    this.applyTrackers();
    this.deps.logger.info({ priority: this.instance.priority, previousPriority: previous.priority }, 'configuration applied in place');
  }

  /** Called after each state change (the `vip:` load balancer binds follow MASTER). */
  onStateChange(listener: (record: TransitionRecord) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Resolves once the VIP changes asked for so far are done: a `vip:` bind can then listen on the VIP. */
  vipsSettled(): Promise<void> {
    return this.instance.settled();
  }

  get vipAddresses(): string[] {
    return this.current.vips.map(vipAddress);
  }

  backendsTrackers(): ReturnType<InstanceTrackers['backendsTrackers']> {
    return this.trackers.backendsTrackers();
  }

  onLink(event: LinkEvent): void {
    this.trackers.onLink(event);
  }

  /** Someone else (a network manager restart, an operator) took a VIP off a master: put it back. */
  onAddressDeleted(event: AddressEvent): void {
    if (event.ifindex !== this.deps.iface.ifindex || this.instance.stateName !== 'master') return;
    const vip = this.current.vips.find((entry) => vipAddress(entry) === event.address);
    // Our own delete, as a dadfailed VIP is repaired: not someone else's doing.
    if (vip === undefined || this.dadRepairs.has(vip)) return;
    // Several VIPs deleted at once give one restore.
    if (this.restorePending) return;
    this.restorePending = true;
    queueMicrotask(() => {
      this.restorePending = false;
      if (this.instance.stateName !== 'master') return;
      this.deps.logger.warn({ vip: event.address, code: 'VIP_DELETED_EXTERNALLY' }, `VIP ${event.address} was removed from ${this.deps.iface.name} by someone else: putting it back`);
      this.instance.vipsLost();
    });
  }

  /**
   * The kernel shows one of a master's IPv6 VIPs tentative or dadfailed: someone added it without
   * IFA_F_NODAD (tsvip's own adds never are), or DAD found the other side of a split brain. A
   * dadfailed address is never used and a tentative one not yet: it is deleted and added again with
   * nodad, then announced, and the repair is logged.
   */
  onIpv6AddressChanged(event: Ipv6AddressEvent): void {
    if (event.ifindex !== this.deps.iface.ifindex || this.instance.stateName !== 'master') return;
    if (!event.flags.tentative && !event.flags.dadfailed) return;
    const vip = this.current.vips.find((entry) => vipAddress(entry) === event.address);
    if (vip === undefined || this.dadRepairs.has(vip)) return;
    this.dadRepairs.add(vip);
    const state = event.flags.dadfailed ? 'dadfailed' : 'tentative';
    this.deps.logger.warn({ vip, state, interface: this.deps.iface.name, code: 'VIP_DAD_STATE' }, `VIP ${event.address} on ${this.deps.iface.name} is ${state}: adding it again without duplicate address detection`);
    void this.deps.rtnl
      .deleteAddress(this.deps.iface.ifindex, vip)
      .then(() => {
        if (this.instance.stateName === 'master') this.instance.vipsLost();
      })
      .catch((error: unknown) => this.deps.logger.error({ err: error, vip, code: 'ERR_VIP_ADD' }, `could not repair VIP ${event.address}`))
      .finally(() => this.dadRepairs.delete(vip));
  }

  /** After lost netlink events: a master makes sure its VIPs are on the interface. */
  reassertVips(): void {
    if (this.instance.stateName === 'master') this.instance.vipsLost();
  }

  private counters(): InstanceStatus['counters'] {
    const { counters } = this.instance;
    const drops: InstanceStatus['counters']['drops'] = { ...counters.drops };
    // Counted by the socket, before VRRP decoding: the same counter as the other drop reasons.
    const badIpHeaders = this.deps.socket.badIpHeaders;
    if (badIpHeaders > 0) drops.bad_ip_header = badIpHeaders;
    return { advertsSent: counters.advertsSent, advertsReceived: counters.advertsReceived, transitions: counters.transitions, garpSent: this.garpPacketsSent, drops };
  }

  private applyTrackers(): void {
    this.instance.setPriority(effectivePriority(this.current.priority, this.trackers.weightSum()));
    this.instance.setFaulted(this.trackers.faulted());
    if (this.startupFaultNotify !== null && !this.trackers.faultUnanswered()) {
      // Still in FAULT now that every weight-0 tracker has answered: the fault is real.
      const { priority } = this.startupFaultNotify;
      this.startupFaultNotify = null;
      if (this.instance.stateName === 'fault') this.notify.onState('fault', priority);
    }
  }

  private onTransition(record: TransitionRecord): void {
    this.sinceMs = Date.now();
    if (record.from === 'initialize' && record.to === 'fault' && this.trackers.faultUnanswered()) {
      this.startupFaultNotify = { priority: record.priority };
    } else {
      // Leaving the start-up FAULT before its trackers answered: its notify never runs.
      if (record.from === 'fault') this.startupFaultNotify = null;
      this.notify.onState(record.to, record.priority);
    }
    for (const listener of [...this.stateListeners]) listener(record);
  }
}
