// One VRRP instance at run time: feeds events to the pure state machine and carries out its actions
// through small injected ports, with an injected clock (clock.ts). The same class runs
// on real sockets in the daemon and on an in-memory LAN in the scenario tests.
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.js';
import { encode, passAuthData, type Advertisement } from './packet.js';
import { filterAdvert, type DropReason, type ReceiveRules } from './receive-filter.js';
import { initialFsmState, step, type FsmAction, type FsmConfig, type FsmEvent, type FsmState, type TimerName, type VrrpStateName } from './fsm.js';
import type { ReceivedPacket } from './received-packet.js';
import { vipAddress } from '../net/address.js';

/** Sends VRRP payloads; the IP header (TTL 255, TOS 0xC0, source) is the transport's job. */
export interface VrrpTransport {
  send(payload: Uint8Array, destination: string): void;
}

/** Puts the VIPs on the interface and takes them off (rtnetlink in the daemon). */
export interface VipPort {
  add(): Promise<void>;
  remove(): Promise<void>;
}

/** Announces the VIPs with gratuitous ARP, one packet per VIP. */
export interface GarpPort {
  announce(): void;
}

type TimerKey = TimerName | 'garpDelay' | 'garpRefresh';

export interface GarpSchedule {
  burst: number;
  delayMs: number;
  refreshMs: number;
}

export interface InstanceSettings {
  name: string;
  vrid: number;
  fsm: FsmConfig;
  vips: readonly string[];
  /** 224.0.0.18, or each unicast peer. */
  destinations: readonly string[];
  /** Unicast peers whose adverts are believed; null in multicast mode. */
  peers: readonly string[] | null;
  authPass: string | null;
  garp: GarpSchedule;
  v3Checksum: 'pseudoHeader' | 'vrrpOnly';
}

export interface TransitionRecord {
  from: VrrpStateName;
  to: VrrpStateName;
  reason: string;
  priority: number;
  atMs: number;
}

export interface InstanceCounters {
  advertsSent: number;
  advertsReceived: number;
  transitions: number;
  drops: Partial<Record<DropReason, number>>;
}

export interface InstancePorts {
  clock: Clock;
  transport: VrrpTransport;
  vips: VipPort;
  garp: GarpPort;
  logger: Logger;
  onTransition?: (record: TransitionRecord) => void;
}

export class VrrpInstance {
  readonly counters: InstanceCounters = { advertsSent: 0, advertsReceived: 0, transitions: 0, drops: {} };
  private state: FsmState;
  private readonly timers = new Map<TimerKey, TimerHandle>();
  /** The timer whose callback is running, and when it was due. */
  private firing: { timer: TimerKey; dueAt: number } | null = null;
  private receiveRules: ReceiveRules;
  /** The VIP adds and removes in flight: shutdown waits for them so the VIPs are really gone before exit. */
  private vipWork: Promise<void> = Promise.resolve();

  constructor(
    private settings: InstanceSettings,
    private readonly ports: InstancePorts,
  ) {
    this.state = initialFsmState(settings.fsm);
    this.receiveRules = receiveRulesOf(settings);
  }

  get stateName(): VrrpStateName {
    return this.state.name;
  }

  get priority(): number {
    return this.state.priority;
  }

  get masterAddress(): string | null {
    return this.state.masterAddress;
  }

  start(): void {
    this.dispatch({ type: 'startup' });
  }

  stop(): void {
    this.dispatch({ type: 'shutdown' });
    this.clearGarpSchedule();
  }

  setPriority(priority: number): void {
    this.dispatch({ type: 'priorityChanged', priority });
  }

  setFaulted(faulted: boolean): void {
    if (faulted !== this.state.faulted) this.dispatch({ type: 'faultChanged', faulted });
  }

  vipsLost(): void {
    this.dispatch({ type: 'vipsLost' });
  }

  /**
   * Applies settings that can change without an election (SIGHUP): priority, preempt, preemptDelay,
   * peers, auth and the GARP schedule. The caller recreates the instance when the VRID, version,
   * interval, VIPs or addressing change. The effective priority is the caller's to set afterwards.
   */
  reconfigure(settings: InstanceSettings): void {
    this.settings = settings;
    this.receiveRules = receiveRulesOf(settings);
  }

  /** Resolves when the VIP changes asked for so far are done (or have failed and been logged). */
  settled(): Promise<void> {
    return this.vipWork;
  }

  receive(packet: ReceivedPacket): void {
    const result = filterAdvert(packet, this.receiveRules);
    if (!result.ok) {
      this.counters.drops[result.reason] = (this.counters.drops[result.reason] ?? 0) + 1;
      this.ports.logger.debug({ reason: result.reason, detail: result.detail, source: packet.source }, 'advert dropped');
      return;
    }
    this.counters.advertsReceived++;
    this.dispatch({ type: 'advert', source: packet.source, priority: result.advert.priority, adverIntervalMs: result.advert.adverIntervalMs });
  }

  private dispatch(event: FsmEvent): void {
    const result = step(this.settings.fsm, this.state, event);
    this.state = result.state;
    for (const action of result.actions) this.apply(action);
  }

  private apply(action: FsmAction): void {
    switch (action.type) {
      case 'sendAdvert':
        this.sendAdvert(action.priority);
        return;
      case 'armTimer':
        this.arm(action.timer, action.afterMs, () => this.dispatch({ type: 'timerExpired', timer: action.timer }));
        return;
      case 'cancelTimer':
        this.cancel(action.timer);
        return;
      case 'addVips':
        this.queueVipWork(() => this.ports.vips.add(), 'ERR_VIP_ADD', 'could not add VIPs');
        return;
      case 'removeVips':
        this.clearGarpSchedule();
        this.queueVipWork(() => this.ports.vips.remove(), 'ERR_VIP_REMOVE', 'could not remove VIPs');
        return;
      case 'sendGarp':
        this.announce();
        if (action.reason === 'became master') this.scheduleGarp();
        return;
      case 'transition': {
        this.counters.transitions++;
        const record = { from: action.from, to: action.to, reason: action.reason, priority: this.state.priority, atMs: this.ports.clock.now() };
        this.ports.logger.info(record, `${action.from} -> ${action.to}: ${action.reason}`);
        this.ports.onTransition?.(record);
        return;
      }
      default: {
        const unreachable: never = action;
        throw new Error(`unknown action ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /**
   * Starts the change now (rtnetlink handles one socket's requests in order, so a remove asked for
   * after an add cannot overtake it) and remembers it for settled().
   */
  private queueVipWork(work: () => Promise<void>, code: string, message: string): void {
    const started = work().catch((error: unknown) => this.ports.logger.error({ err: error, code }, message));
    this.vipWork = Promise.all([this.vipWork, started]).then(() => undefined);
  }

  private sendAdvert(priority: number): void {
    const { version, advertIntervalMs } = this.settings.fsm;
    const addresses = this.settings.vips.map(vipAddress);
    const advert: Advertisement =
      version === 2
        ? { version: 2, vrid: this.settings.vrid, priority, adverIntervalMs: advertIntervalMs, addresses, auth: this.receiveRules.authData ? { type: 'pass', password: this.receiveRules.authData } : { type: 'none' } }
        : { version: 3, vrid: this.settings.vrid, priority, adverIntervalMs: advertIntervalMs, addresses };
    // One advert; only the v3 pseudo-header checksum differs per destination.
    for (const destination of this.settings.destinations) {
      const payload = encode(advert, { envelope: { source: this.settings.fsm.ownAddress, destination }, v3Checksum: this.settings.v3Checksum });
      this.ports.transport.send(payload, destination);
      this.counters.advertsSent++;
    }
  }

  private announce(): void {
    for (let i = 0; i < this.settings.garp.burst; i++) this.ports.garp.announce();
  }

  /** keepalived's garp_master_delay and garp_master_refresh: a second burst later, then periodic ones. */
  private scheduleGarp(): void {
    const { delayMs, refreshMs } = this.settings.garp;
    if (delayMs > 0) this.arm('garpDelay', delayMs, () => this.announce());
    if (refreshMs > 0) {
      const refresh = (): void => {
        this.announce();
        this.arm('garpRefresh', refreshMs, refresh);
      };
      this.arm('garpRefresh', refreshMs, refresh);
    }
  }

  private clearGarpSchedule(): void {
    this.cancel('garpDelay');
    this.cancel('garpRefresh');
  }

  /**
   * A timer re-armed from its own expiry (the advert timer, the GARP refresh) counts from when it was
   * due, not from when its callback ran: otherwise every interval slips by the timer's lateness and
   * the adverts drift. After a stall longer than the interval it counts from now (no burst of
   * catch-up adverts).
   */
  private arm(timer: TimerKey, afterMs: number, callback: () => void): void {
    this.cancel(timer);
    const now = this.ports.clock.now();
    const base = this.firing?.timer === timer ? this.firing.dueAt : now;
    const dueAt = Math.max(now, base + afterMs);
    this.timers.set(
      timer,
      this.ports.clock.setTimeout(() => {
        this.timers.delete(timer);
        this.firing = { timer, dueAt };
        try {
          callback();
        } finally {
          this.firing = null;
        }
      }, dueAt - now),
    );
  }

  private cancel(timer: TimerKey): void {
    const handle = this.timers.get(timer);
    if (handle !== undefined) {
      this.ports.clock.clearTimeout(handle);
      this.timers.delete(timer);
    }
  }
}

function receiveRulesOf(settings: InstanceSettings): ReceiveRules {
  return {
    version: settings.fsm.version,
    vrid: settings.vrid,
    advertIntervalMs: settings.fsm.advertIntervalMs,
    authData: settings.authPass === null ? null : passAuthData(settings.authPass),
    ownAddress: settings.fsm.ownAddress,
    peers: settings.peers,
  };
}
