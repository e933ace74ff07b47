// An in-memory LAN for VRRP scenario tests (raft's rafttest/network.go in spirit): routers running the
// real VrrpInstance exchange adverts with a delay, links can be cut (partition) and healed, and a
// client's ARP cache follows the gratuitous ARPs it can hear.
import { pino } from 'pino';
import { VrrpInstance, type InstanceSettings, type TransitionRecord } from '../../src/vrrp/instance.js';
import { VRRP_MULTICAST_GROUP } from '../../src/vrrp/packet.js';
import { FakeClock } from './fake-clock.js';

export interface RouterSpec {
  name: string;
  address: string;
  priority: number;
  version?: 2 | 3;
  advertIntervalMs?: number;
  preempt?: boolean;
  preemptDelayMs?: number;
  startupDelayMs?: number;
  initialState?: 'backup' | 'master';
  authPass?: string | null;
  unicast?: boolean;
}

export interface Router {
  spec: RouterSpec;
  instance: VrrpInstance;
  holdsVip: boolean;
  /** Crashed (kill -9): sends and hears nothing until restarted. */
  crashed: boolean;
  /** Partition side; routers hear each other only on the same side. The client is on side 'a'. */
  side: string;
}

export const VIP = '198.18.0.100/32';
const DELIVERY_DELAY_MS = 1;

export class MemoryLan {
  readonly clock = new FakeClock();
  readonly routers = new Map<string, Router>();
  /** The router whose MAC the client's ARP cache holds for the VIP. */
  clientArpOwner: string | null = null;
  readonly garpLog: { atMs: number; router: string }[] = [];
  /** Every state change of every router, with its cause, in fake-clock time. */
  readonly transitionLog: (TransitionRecord & { router: string })[] = [];
  private readonly settings = new Map<string, InstanceSettings>();

  add(spec: RouterSpec, extra: Partial<InstanceSettings> = {}): Router {
    const version = spec.version ?? 2;
    const unicast = spec.unicast ?? false;
    const others = () => [...this.routers.values()].filter((r) => r.spec.name !== spec.name).map((r) => r.spec.address);
    const settings: InstanceSettings = {
      name: spec.name,
      vrid: 51,
      fsm: {
        version,
        priority: spec.priority,
        advertIntervalMs: spec.advertIntervalMs ?? 1000,
        preempt: spec.preempt ?? true,
        preemptDelayMs: spec.preemptDelayMs ?? 0,
        startupDelayMs: spec.startupDelayMs ?? 0,
        initialState: spec.initialState ?? 'backup',
        ownAddress: spec.address,
      },
      vips: [VIP],
      get destinations() {
        return unicast ? others() : [VRRP_MULTICAST_GROUP];
      },
      get peers() {
        return unicast ? others() : null;
      },
      authPass: spec.authPass ?? null,
      garp: { burst: 1, delayMs: 0, refreshMs: 0 },
      v3Checksum: 'pseudoHeader',
      ...extra,
    };
    const router: Router = { spec, holdsVip: false, crashed: false, side: 'a', instance: undefined as unknown as VrrpInstance };
    this.settings.set(spec.name, settings);
    router.instance = this.spawn(router, settings);
    this.routers.set(spec.name, router);
    // An instance reads its peers when built: the routers added before this one learn of it, as a
    // reload with the longer peer list would tell them.
    for (const other of this.routers.values()) {
      const otherSettings = this.settings.get(other.spec.name);
      if (other !== router && otherSettings !== undefined) other.instance.reconfigure(otherSettings);
    }
    return router;
  }

  /**
   * One process of a router. Its ports work only while it is the router's live process: a crashed
   * process reaches nothing, and neither does one a restart replaced.
   */
  private spawn(router: Router, settings: InstanceSettings): VrrpInstance {
    const live = (): boolean => !router.crashed && router.instance === instance;
    const instance: VrrpInstance = new VrrpInstance(settings, {
      clock: this.clock,
      logger: pino({ level: 'silent' }),
      onTransition: (record) => void (live() && this.transitionLog.push({ ...record, router: router.spec.name })),
      transport: { send: (payload, destination) => void (live() && this.deliver(router, payload, destination)) },
      vips: {
        add: async () => void (live() && (router.holdsVip = true)),
        remove: async () => void (live() && (router.holdsVip = false)),
      },
      garp: {
        announce: () => {
          if (!live()) return;
          this.garpLog.push({ atMs: this.clock.now(), router: router.spec.name });
          if (router.side === 'a') this.clientArpOwner = router.spec.name;
        },
      },
    });
    return instance;
  }

  router(name: string): Router {
    const router = this.routers.get(name);
    if (!router) throw new Error(`no router ${name}`);
    return router;
  }

  startAll(): void {
    for (const router of this.routers.values()) router.instance.start();
  }

  masters(): string[] {
    return [...this.routers.values()].filter((r) => !r.crashed && r.instance.stateName === 'master').map((r) => r.spec.name);
  }

  vipHolders(): string[] {
    return [...this.routers.values()].filter((r) => r.holdsVip).map((r) => r.spec.name);
  }

  /** kill -9: the process is gone, and so are its VIPs' answers (the kernel of a dead host answers nothing). */
  crash(name: string): void {
    const router = this.router(name);
    router.crashed = true;
    router.holdsVip = false;
    // Its timers die with it; stopping the dead instance clears them, and its ports send nothing.
    router.instance.stop();
  }

  /** A crashed router's process is started again: a new instance, configured as before. */
  restart(name: string): void {
    const router = this.router(name);
    const settings = this.settings.get(name);
    if (!router.crashed || settings === undefined) throw new Error(`${name} has not crashed`);
    router.crashed = false;
    router.instance = this.spawn(router, settings);
    router.instance.start();
  }

  partition(name: string, side: string): void {
    this.router(name).side = side;
  }

  /** Every router back on the client's side. */
  heal(): void {
    for (const router of this.routers.values()) router.side = 'a';
  }

  /** Runs until `predicate` holds, checking after every clock step of 1 ms; returns the elapsed ms. */
  runUntil(predicate: () => boolean, limitMs: number): number {
    const start = this.clock.now();
    while (!predicate()) {
      if (this.clock.now() - start >= limitMs) throw new Error(`condition not reached within ${limitMs} ms (masters: ${this.masters().join(', ')})`);
      this.clock.advance(1);
    }
    return this.clock.now() - start;
  }

  private deliver(from: Router, payload: Uint8Array, destination: string): void {
    if (from.crashed) return;
    const copy = Uint8Array.from(payload);
    this.clock.setTimeout(() => {
      for (const to of this.routers.values()) {
        if (to === from || to.crashed || to.side !== from.side) continue;
        if (destination !== VRRP_MULTICAST_GROUP && destination !== to.spec.address) continue;
        to.instance.receive({ ttl: 255, tos: 0xc0, protocol: 112, source: from.spec.address, destination, payload: copy });
      }
    }, DELIVERY_DELAY_MS);
  }
}
