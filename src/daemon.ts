// The composition root (design.md "Architecture"): builds the VRRP instances from a validated config,
// wires rtnetlink events and signals to them, and applies reloads. Order at start (style.md 12): the
// config was validated by the caller, then host checks, then stale VIPs are cleared, then it acts.
import type { Logger } from 'pino';
import type { RtNetlinkSocket } from 'netlink';
import type { Config, VrrpInstanceConfig } from './config/schema.js';
import { partLogger } from './log.js';
import { TsvipError } from './errors.js';
import { checkHost, HostCheckError, type EthernetInterface } from './daemon/host-checks.js';
import { InstanceRuntime } from './daemon/instance-runtime.js';
import { ownAddressOf, recreateReasons } from './daemon/instance-settings.js';
import { clearStaleVips, primaryAddress } from './daemon/stale-vips.js';
import { openRtnl } from './netlink/addresses.js';
import { watchNetlinkEvents, type NetlinkWatcher } from './netlink/events.js';
import { openGarpSender, type GarpSender } from './netlink/garp.js';
import { systemClock, type Clock } from './vrrp/clock.js';

export interface DaemonOptions {
  logger: Logger;
  clock?: Clock;
}

/** What this build cannot run yet is refused with a clear error rather than silently ignored. */
function unsupportedParts(config: Config): string[] {
  const problems: string[] = [];
  if (config.loadBalancers.length > 0) problems.push('loadBalancers: the load balancer is not in this build yet; remove the section to run VRRP only');
  config.vrrp.forEach((instance, index) => {
    if (instance.track.some((tracker) => tracker.type === 'backends')) {
      problems.push(`vrrp[${index}].track: the backends tracker needs the load balancer, which is not in this build yet`);
    }
  });
  return problems;
}

export class Daemon {
  private readonly runtimes = new Map<string, InstanceRuntime>();
  private readonly garpSenders = new Map<string, GarpSender>();
  private readonly log: Logger;
  private readonly clock: Clock;
  private stopping = false;

  private constructor(
    private config: Config,
    private readonly rtnl: RtNetlinkSocket,
    private readonly watcher: NetlinkWatcher,
    private readonly options: DaemonOptions,
  ) {
    this.log = partLogger(options.logger, 'daemon');
    this.clock = options.clock ?? systemClock;
    watcher.on('link', (event) => {
      for (const runtime of this.runtimes.values()) runtime.onLink(event);
    });
    watcher.on('address', (event) => {
      if (event.kind !== 'deleted') return;
      for (const runtime of this.runtimes.values()) runtime.onAddressDeleted(event);
    });
    watcher.on('error', () => {
      // Logged by the watcher. Events may have been lost (ENOBUFS): a master puts its VIPs back in
      // case a deletion went unseen (adding one that is there is a no-op).
      for (const runtime of this.runtimes.values()) runtime.reassertVips();
    });
  }

  /** Host checks, stale VIP cleanup, then every instance starts. Throws HostCheckError or TsvipError. */
  static async start(config: Config, options: DaemonOptions): Promise<Daemon> {
    const unsupported = unsupportedParts(config);
    if (unsupported.length > 0) throw new TsvipError('ERR_UNSUPPORTED', unsupported.join('\n'));
    const interfaces = checkHost(config);
    const rtnl = openRtnl();
    let watcher: NetlinkWatcher;
    try {
      watcher = watchNetlinkEvents({ logger: partLogger(options.logger, 'netlink') });
    } catch (error) {
      rtnl.socket.close();
      throw error;
    }
    const daemon = new Daemon(config, rtnl, watcher, options);
    try {
      for (const instance of config.vrrp) await daemon.startInstance(instance, interfaces);
    } catch (error) {
      await daemon.shutdown('start failed');
      throw error;
    }
    daemon.log.info({ instances: config.vrrp.map((instance) => instance.name) }, 'started');
    return daemon;
  }

  get instances(): readonly InstanceRuntime[] {
    return [...this.runtimes.values()];
  }

  /**
   * SIGHUP: applies `next` (already validated). Changed priorities, peers, auth, trackers and notify
   * apply in place without a state change; an instance whose VRID, interface, version, interval,
   * VIPs or addressing changed is restarted; removed ones stop, new ones start.
   */
  async reload(next: Config): Promise<void> {
    const unsupported = unsupportedParts(next);
    if (unsupported.length > 0) throw new TsvipError('ERR_UNSUPPORTED', unsupported.join('\n'));
    const interfaces = checkHost(next);
    const nextByName = new Map(next.vrrp.map((instance) => [instance.name, instance]));
    for (const [name, runtime] of this.runtimes) {
      const wanted = nextByName.get(name);
      if (wanted === undefined) {
        this.log.info({ instance: name }, 'instance removed by reload');
        await this.stopInstance(name, runtime);
        continue;
      }
      const reasons = recreateReasons(runtime.config, wanted);
      if (reasons.length > 0) {
        this.log.info({ instance: name, changed: reasons }, 'instance restarted by reload');
        await this.stopInstance(name, runtime);
        await this.startInstance(wanted, interfaces);
      } else {
        runtime.apply(wanted);
      }
    }
    for (const instance of next.vrrp) {
      if (!this.runtimes.has(instance.name)) {
        this.log.info({ instance: instance.name }, 'instance added by reload');
        await this.startInstance(instance, interfaces);
      }
    }
    this.config = next;
    this.log.info({ instances: next.vrrp.map((instance) => instance.name) }, 'reloaded');
  }

  /** Priority 0 from every master, VIPs removed, sockets closed. Idempotent. */
  async shutdown(reason: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log.info({ reason }, 'stopping');
    await Promise.all([...this.runtimes].map(([name, runtime]) => this.stopInstance(name, runtime)));
    for (const sender of this.garpSenders.values()) sender.close();
    this.garpSenders.clear();
    this.watcher.close();
    this.rtnl.socket.close();
    this.log.info({ reason }, 'stopped');
  }

  private async startInstance(config: VrrpInstanceConfig, interfaces: Map<string, EthernetInterface>): Promise<void> {
    const iface = interfaces.get(config.interface);
    if (iface === undefined) throw new HostCheckError([`interface ${config.interface} (instance ${config.name}) does not exist on this host`]);
    const logger = partLogger(this.options.logger, 'vrrp', { instance: config.name });
    const allVips = this.config.vrrp.filter((other) => other.interface === config.interface).flatMap((other) => other.vips);
    const ownAddress = ownAddressOf(config, await primaryAddress(this.rtnl, iface.ifindex, allVips));
    if (ownAddress === null) {
      throw new HostCheckError([`interface ${config.interface} (instance ${config.name}) has no IPv4 address of its own to send adverts from; add one or set unicast.source`]);
    }
    await clearStaleVips({ rtnl: this.rtnl, ifindex: iface.ifindex, instance: config, logger });
    const runtime = new InstanceRuntime(config, {
      rtnl: this.rtnl,
      iface,
      ownAddress,
      garp: this.garpSender(iface),
      clock: this.clock,
      logger,
    });
    runtime.start();
    this.runtimes.set(config.name, runtime);
  }

  private async stopInstance(name: string, runtime: InstanceRuntime): Promise<void> {
    this.runtimes.delete(name);
    await runtime.stop();
  }

  private garpSender(iface: EthernetInterface): GarpSender {
    let sender = this.garpSenders.get(iface.name);
    if (sender === undefined) {
      sender = openGarpSender({ interfaceName: iface.name, ifindex: iface.ifindex, mac: iface.mac });
      this.garpSenders.set(iface.name, sender);
    }
    return sender;
  }
}
