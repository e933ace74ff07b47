// The composition root: builds the VRRP instances from a validated config, wires rtnetlink events and
// signals to them, and applies reloads. Order at start (README "`tsvip start`"): the config was
// validated by the caller, then host checks, then stale VIPs are cleared, then it acts.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config, LoadBalancerConfig, VrrpInstanceConfig } from './config/schema.js';
import { partLogger } from './log.js';
import { checkHost, HostCheckError, type EthernetInterface } from './daemon/host-checks.js';
import type { DaemonPorts, VrrpSocket } from './daemon/ports.js';
import { planReload } from './daemon/reload-plan.js';
import { systemPorts } from './daemon/system-ports.js';
import { LoadBalancerRuntime } from './daemon/load-balancer-runtime.js';
import { watchEventLoop, type EventLoopWatch } from './daemon/event-loop-watch.js';
import { feedBackendsTracker } from './lb/backend-health.js';
import { InstanceRuntime } from './daemon/instance-runtime.js';
import { ownAddressOf } from './daemon/instance-settings.js';
import { instanceFamily } from './config/instance-family.js';
import { clearStaleVips, primaryAddress } from './daemon/stale-vips.js';
import { parseHostPort } from './net/host-port.js';
import { TsvipError } from './errors.js';
import { startStatusServer, type StatusServer } from './status/server.js';
import { loadStatusCredentials, type StatusCredentials } from './status/basic-auth.js';
import { redactConfig, type StatusSnapshot, type TransitionStatus } from './status/snapshot.js';
import { VERSION } from './version.js';
import type { Announcer } from './netlink/packet-socket.js';
import type { AddressFamily } from './net/address.js';
import { ipv6SourceAddress } from './daemon/ipv6-source.js';
import type { Rtnl } from './netlink/rtnl.js';
import { systemClock, type Clock } from './clock.js';
import { StartupTimeline } from './daemon/startup-timeline.js';
import { takeHostAtStart, type HostAtStart } from './daemon/host-at-start.js';

/** How often the event-loop delay is reported (debug; warn when too high). */
const EVENT_LOOP_REPORT_MS = 10_000;
/** Without VRRP nothing is timing-critical; a second of delay still deserves a warning. */
const LB_ONLY_DELAY_WARN_MS = 1000;
/** How long an IPv6 instance waits for its source address to leave tentative (DAD takes about 1 s). */
const TENTATIVE_WAIT_MS = 10_000;
/** State changes kept for /status and the status page, across all instances. */
const TRANSITIONS_KEPT = 50;

/** Half the shortest advert interval: beyond it a backup may start to miss adverts. */
function delayWarningMs(config: Config): number {
  const shortest = Math.min(...config.vrrp.map((instance) => instance.advertInterval));
  return Number.isFinite(shortest) ? shortest / 2 : LB_ONLY_DELAY_WARN_MS;
}

export interface DaemonOptions {
  logger: Logger;
  clock?: Clock;
  /** The host behind rtnetlink, VRRP sockets and gratuitous ARP; the real one unless a test says. */
  ports?: DaemonPorts;
  /** Steps the caller already timed (the config, the code); the daemon marks its own and logs them all. */
  timeline?: StartupTimeline;
  /** The host as takeHostAtStart() left it (checked, stale VIPs removed); taken here when absent. */
  host?: HostAtStart;
  /**
   * The clock's reading when the process started (systemClock counts from there: 0). startupDelay is
   * counted from it, as keepalived counts vrrp_startup_delay from its own start, so that however long
   * each host took to load, hosts spawned together end their hold together.
   */
  processStartMs?: number;
}

/** An instance whose fallible set-up is done: its interface, its address and an open socket. */
interface PreparedInstance {
  config: VrrpInstanceConfig;
  iface: EthernetInterface;
  ownAddress: string;
  socket: VrrpSocket;
}

export class Daemon {
  private readonly runtimes = new Map<string, InstanceRuntime>();
  private readonly balancers = new Map<string, LoadBalancerRuntime>();
  private readonly wiring: (() => void)[] = [];
  private readonly eventLoop: EventLoopWatch;
  private readonly announcers = new Map<string, Announcer>();
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly ports: DaemonPorts;
  private stopping = false;
  private started = false;
  private status: StatusServer | null = null;
  private credentials: StatusCredentials | null = null;
  /** Newest last; survives an instance's restart by a reload. */
  private readonly transitions: TransitionStatus[] = [];
  private readonly startedAt = new Date();

  private constructor(
    private config: Config,
    private readonly rtnl: Rtnl,
    ports: DaemonPorts,
    private readonly options: DaemonOptions,
  ) {
    this.log = partLogger(options.logger, 'daemon');
    this.clock = options.clock ?? systemClock;
    this.ports = ports;
    const watcher = rtnl.events;
    this.eventLoop = watchEventLoop({ logger: this.log, everyMs: EVENT_LOOP_REPORT_MS, warnAboveMs: delayWarningMs(config) });
    watcher.on('link', (event) => {
      for (const runtime of this.runtimes.values()) runtime.onLink(event);
    });
    watcher.on('address', (event) => {
      for (const runtime of this.runtimes.values()) {
        if (event.kind === 'deleted') runtime.onAddressDeleted(event);
        else if ('family' in event) runtime.onIpv6AddressChanged(event);
      }
    });
    watcher.on('error', () => {
      // Logged by the watcher. Events may have been lost (ENOBUFS): a master puts its VIPs back in
      // case a deletion went unseen (adding one that is there is a no-op).
      for (const runtime of this.runtimes.values()) runtime.reassertVips();
    });
  }

  /** Host checks, stale VIP cleanup, then every instance starts. Throws HostCheckError or TsvipError. */
  static async start(config: Config, options: DaemonOptions): Promise<Daemon> {
    const ports = options.ports ?? systemPorts();
    const timeline = options.timeline ?? new StartupTimeline();
    // A predecessor killed with -9 may have left its VIPs: they go before anything slower starts (the
    // caller may have done it before even loading this module), so that two hosts answer for a VIP
    // as briefly as possible.
    const host = options.host ?? (await takeHostAtStart(config, ports, options.logger, timeline));
    const { interfaces } = host;
    const daemon = new Daemon(config, host.rtnl, ports, options);
    daemon.credentials = host.credentials;
    try {
      // The instances next, before a load balancer's worker thread competes for the CPU: when every
      // host restarts at once, the one whose instance listens first wins. They start as backups and
      // take no VIP for a Master_Down at least, so a load balancer's bind that fails (a port in use)
      // still stops the start before any VIP is taken.
      for (const instance of config.vrrp) await daemon.startInstance(await daemon.prepareInstance(instance, config, interfaces));
      timeline.mark('instancesStarted');
      for (const lb of config.loadBalancers) await daemon.startLoadBalancer(lb);
      timeline.mark('loadBalancersStarted');
      daemon.wire();
      const listen = parseHostPort(config.status.listen, { allowHostname: false, keywords: [] });
      if (!listen.ok) throw new TsvipError('ERR_STATUS_BIND', `status.listen ${config.status.listen}: ${listen.reason}`);
      daemon.status = await startStatusServer({
        listen: listen.value,
        logger: partLogger(options.logger, 'status'),
        ready: () => daemon.isReady,
        snapshot: () => daemon.snapshot(),
        credentials: () => daemon.credentials,
        pageAlias: () => daemon.config.status.pageAlias ?? null,
      });
      timeline.mark('statusStarted');
      daemon.started = true;
    } catch (error) {
      await daemon.shutdown('start failed');
      throw error;
    }
    daemon.log.info({ instances: config.vrrp.map((instance) => instance.name), startupMs: timeline.summary() }, 'started');
    return daemon;
  }

  get instances(): readonly InstanceRuntime[] {
    return [...this.runtimes.values()];
  }

  get loadBalancers(): readonly LoadBalancerRuntime[] {
    return [...this.balancers.values()];
  }

  get isReady(): boolean {
    return this.started && !this.stopping;
  }

  /** What /status, /metrics and the status page show. */
  snapshot(): StatusSnapshot {
    return {
      version: VERSION,
      hostname: hostname(),
      pid: process.pid,
      startedAt: this.startedAt.toISOString(),
      now: new Date().toISOString(),
      ready: this.isReady,
      eventLoop: { periodSeconds: EVENT_LOOP_REPORT_MS / 1000, ...this.eventLoop.lastPeriod() },
      config: redactConfig(this.config),
      instances: this.instances.map((runtime) => runtime.describe()),
      loadBalancers: this.loadBalancers.map((runtime) => runtime.describe()),
      transitions: [...this.transitions].reverse(),
    };
  }

  /** The longest shutdownDrain: how long a SIGTERM may take beyond giving the VIPs up. */
  get drainBudgetMs(): number {
    return Math.max(0, ...this.config.loadBalancers.map((lb) => lb.shutdownDrain));
  }

  /**
   * SIGHUP: applies `next` (already validated) as planReload() decides. Whatever can fail is done
   * first (host checks, credentials, the new instances' addresses and sockets, the new load balancers'
   * binds): if any of it fails, nothing has changed and the reload is rejected with that error.
   */
  async reload(next: Config): Promise<void> {
    const plan = planReload(this.config, next);
    const interfaces = checkHost(next, this.ports.hostFacts());
    // Read before anything changes: an unreadable password file rejects the whole reload.
    const credentials = loadStatusCredentials(next.status.auth);
    const nextInstances = new Map(next.vrrp.map((instance) => [instance.name, instance]));
    const nextBalancers = new Map(next.loadBalancers.map((lb) => [lb.name, lb]));
    const configOf = <T>(configs: Map<string, T>, name: string): T => configs.get(name) as T;

    const prepared = new Map<string, PreparedInstance>();
    const addedBalancers: LoadBalancerRuntime[] = [];
    try {
      for (const name of [...plan.instances.restart.map((restart) => restart.name), ...plan.instances.add]) {
        prepared.set(name, await this.prepareInstance(configOf(nextInstances, name), next, interfaces));
      }
      for (const name of plan.loadBalancers.add) addedBalancers.push(await this.openLoadBalancer(configOf(nextBalancers, name)));
    } catch (error) {
      for (const ready of prepared.values()) ready.socket.close();
      await Promise.all(addedBalancers.map(async (runtime) => (await runtime.stopAccepting(), runtime.drain())));
      throw error;
    }

    // From here on nothing is expected to fail; what does is logged and the rest still applies.
    for (const name of plan.instances.remove) {
      this.log.info({ instance: name }, 'instance removed by reload');
      await this.stopInstance(name);
    }
    for (const { name, changed } of plan.instances.restart) {
      this.log.info({ instance: name, changed }, 'instance restarted by reload');
      await this.stopInstance(name);
      await this.startInstance(prepared.get(name) as PreparedInstance);
    }
    for (const name of plan.instances.inPlace) this.runtimes.get(name)?.apply(configOf(nextInstances, name));
    for (const name of plan.instances.add) {
      this.log.info({ instance: name }, 'instance added by reload');
      await this.startInstance(prepared.get(name) as PreparedInstance);
    }
    for (const name of plan.loadBalancers.remove) {
      const runtime = this.balancers.get(name);
      this.balancers.delete(name);
      this.log.info({ loadBalancer: name }, 'load balancer removed by reload: draining');
      if (runtime !== undefined) {
        await runtime.stopAccepting();
        void runtime.drain();
      }
    }
    for (const { name } of plan.loadBalancers.update) {
      try {
        await this.balancers.get(name)?.update(configOf(nextBalancers, name), this.instances);
      } catch (error) {
        this.log.error({ loadBalancer: name, err: error, code: (error as TsvipError).code ?? 'ERR_LB_BIND' }, `load balancer ${name} could not listen on its new bind; the rest of the reload applies`);
      }
    }
    for (const runtime of addedBalancers) {
      this.log.info({ loadBalancer: runtime.config.name }, 'load balancer added by reload');
      this.balancers.set(runtime.config.name, runtime);
    }
    if (plan.statusListenChanged) this.log.warn({ listen: next.status.listen, code: 'STATUS_LISTEN_NOT_RELOADED' }, 'status.listen changes at the next restart, not on reload');
    this.config = next;
    this.credentials = credentials;
    this.eventLoop.setWarnAbove(delayWarningMs(next));
    this.wire();
    this.log.info({ instances: next.vrrp.map((instance) => instance.name), loadBalancers: next.loadBalancers.map((lb) => lb.name) }, 'reloaded');
  }

  /** Priority 0 from every master, VIPs removed, sockets closed. Idempotent. */
  async shutdown(reason: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log.info({ reason }, 'stopping');
    this.unwire();
    // No new clients, then the VIPs go (priority 0), then open connections get shutdownDrain to end.
    await Promise.all(this.loadBalancers.map((lb) => lb.stopAccepting()));
    await Promise.all([...this.runtimes.keys()].map((name) => this.stopInstance(name)));
    const cut = await Promise.all(this.loadBalancers.map((lb) => lb.drain()));
    if (cut.some((count) => count > 0)) this.log.warn({ cut: cut.reduce((sum, count) => sum + count, 0), code: 'LB_DRAIN_CUT' }, 'connections cut at the end of shutdownDrain');
    for (const sender of this.announcers.values()) sender.close();
    this.announcers.clear();
    this.eventLoop.stop();
    await this.status?.close();
    this.rtnl.close();
    this.log.info({ reason }, 'stopped');
  }

  private async startLoadBalancer(config: LoadBalancerConfig): Promise<void> {
    const runtime = new LoadBalancerRuntime(config, { logger: this.options.logger, clock: this.clock });
    // In the map before it listens: a failed start is stopped with the rest by shutdown().
    this.balancers.set(config.name, runtime);
    await runtime.start();
  }

  /** A started load balancer not yet in the daemon's map: a failed bind stops it here. */
  private async openLoadBalancer(config: LoadBalancerConfig): Promise<LoadBalancerRuntime> {
    const runtime = new LoadBalancerRuntime(config, { logger: this.options.logger, clock: this.clock });
    try {
      await runtime.start();
    } catch (error) {
      await runtime.stopAccepting();
      await runtime.drain();
      throw error;
    }
    return runtime;
  }

  /**
   * Connects what depends on several parts: `backends` trackers to their load balancer's health, and
   * `vip:` binds to the instances. Run again after every change of either.
   */
  private wire(): void {
    this.unwire();
    for (const runtime of this.runtimes.values()) {
      for (const { loadBalancer, tracker } of runtime.backendsTrackers()) {
        const balancer = this.balancers.get(loadBalancer);
        if (balancer !== undefined) this.wiring.push(feedBackendsTracker(balancer.health, tracker));
      }
    }
    for (const balancer of this.balancers.values()) balancer.follow(this.instances);
  }

  private unwire(): void {
    for (const undo of this.wiring.splice(0)) undo();
  }

  /**
   * Everything about starting an instance that can fail, with nothing changed yet: its interface, the
   * address it sends from and its socket. `whole` is the config the instance belongs to: its other
   * instances' VIPs are not addresses of ours.
   */
  private async prepareInstance(config: VrrpInstanceConfig, whole: Config, interfaces: Map<string, EthernetInterface>): Promise<PreparedInstance> {
    const iface = interfaces.get(config.interface);
    if (iface === undefined) throw new HostCheckError([`interface ${config.interface} (instance ${config.name}) does not exist on this host`]);
    const allVips = whole.vrrp.filter((other) => other.interface === config.interface).flatMap((other) => other.vips);
    const family = instanceFamily(config);
    const multicast = config.unicast === undefined;
    let ownAddress: string | null;
    if (family === 'ipv6') {
      ownAddress =
        config.unicast?.source ??
        (await ipv6SourceAddress({ rtnl: this.rtnl, ifindex: iface.ifindex, interfaceName: iface.name, instance: config.name, multicast, vips: allVips, clock: this.clock, logger: this.instanceLogger(config), waitMs: TENTATIVE_WAIT_MS }));
    } else {
      ownAddress = ownAddressOf(config, await primaryAddress(this.rtnl, iface.ifindex, allVips));
    }
    if (ownAddress === null) {
      throw new HostCheckError([`interface ${config.interface} (instance ${config.name}) has no IPv4 address of its own to send adverts from; add one or set unicast.source`]);
    }
    this.announcer(iface, family);
    const socket = this.ports.openVrrpSocket({
      family,
      interfaceName: iface.name,
      ifindex: iface.ifindex,
      multicast,
      // IPv6 binds its source (the kernel would otherwise pick a global address by RFC 6724); IPv4
      // writes its own header from the unicast source, or lets the kernel use the primary address.
      sourceAddress: family === 'ipv6' ? ownAddress : (config.unicast?.source ?? null),
      logger: this.instanceLogger(config),
    });
    return { config, iface, ownAddress, socket };
  }

  private instanceLogger(config: VrrpInstanceConfig): Logger {
    return partLogger(this.options.logger, 'vrrp', { instance: config.name });
  }

  private async startInstance({ config, iface, ownAddress, socket }: PreparedInstance): Promise<void> {
    const logger = this.instanceLogger(config);
    try {
      await clearStaleVips({ rtnl: this.rtnl, ifindex: iface.ifindex, instance: config, logger });
    } catch (error) {
      // Not fatal: the election still runs, and a master adds its VIPs whatever was there.
      logger.error({ err: error, code: (error as TsvipError).code ?? 'ERR_NETLINK' }, 'could not clear stale VIPs');
    }
    // An instance (re)started later than startupDelay after the process began is not held at all.
    const sinceProcessStartMs = this.clock.now() - (this.options.processStartMs ?? 0);
    const runtime = new InstanceRuntime(config, {
      startupHoldMs: Math.max(0, config.startupDelay - sinceProcessStartMs),
      rtnl: this.rtnl,
      iface,
      ownAddress,
      socket,
      announcer: this.announcer(iface, instanceFamily(config)),
      clock: this.clock,
      logger,
    });
    runtime.onStateChange((record) => {
      this.transitions.push({ instance: config.name, from: record.from, to: record.to, reason: record.reason, priority: record.priority, at: new Date().toISOString() });
      if (this.transitions.length > TRANSITIONS_KEPT) this.transitions.shift();
    });
    this.runtimes.set(config.name, runtime);
    runtime.start();
  }

  private async stopInstance(name: string): Promise<void> {
    const runtime = this.runtimes.get(name);
    if (runtime === undefined) return;
    this.runtimes.delete(name);
    await runtime.stop();
  }

  /** Gratuitous ARP for IPv4 instances, unsolicited NA for IPv6 ones: one sender per interface and family. */
  private announcer(iface: EthernetInterface, family: AddressFamily): Announcer {
    const key = `${family} ${iface.name}`;
    let sender = this.announcers.get(key);
    if (sender === undefined) {
      sender = family === 'ipv6' ? this.ports.openNeighbourAdvertiser(iface) : this.ports.openAnnouncer(iface);
      this.announcers.set(key, sender);
    }
    return sender;
  }
}
