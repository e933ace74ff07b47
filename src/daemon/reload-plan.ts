// What a SIGHUP changes, decided before anything is touched: which instances and load balancers stop,
// restart, change in place or start. Pure: the daemon carries the plan out.
import type { Config } from '../config/schema.js';
import { recreateReasons } from './instance-settings.js';

export interface InstanceRestart {
  readonly name: string;
  /** The keys whose change needs a new socket or a new election. */
  readonly changed: readonly string[];
}

export interface LoadBalancerUpdate {
  readonly name: string;
  /** It stops listening where it did and listens on the new bind. */
  readonly bindChanged: boolean;
}

export interface ReloadPlan {
  readonly instances: {
    /** Gone from the new config: priority 0, VIPs removed. */
    readonly remove: readonly string[];
    /** Stopped and started again with the new config. */
    readonly restart: readonly InstanceRestart[];
    /** Priority, preempt, peers, auth, trackers, notify, GARP schedule: no state change. */
    readonly inPlace: readonly string[];
    readonly add: readonly string[];
  };
  readonly loadBalancers: {
    /** Stop accepting, then drain for their shutdownDrain. */
    readonly remove: readonly string[];
    readonly update: readonly LoadBalancerUpdate[];
    readonly add: readonly string[];
  };
  /** status.listen is read at start only: a change waits for the next restart. */
  readonly statusListenChanged: boolean;
}

/** Names in `next`'s order, so that instances start in the order the file lists them. */
export function planReload(current: Config, next: Config): ReloadPlan {
  const currentInstances = new Map(current.vrrp.map((instance) => [instance.name, instance]));
  const nextInstanceNames = new Set(next.vrrp.map((instance) => instance.name));
  const restart: InstanceRestart[] = [];
  const inPlace: string[] = [];
  const addInstances: string[] = [];
  for (const wanted of next.vrrp) {
    const running = currentInstances.get(wanted.name);
    if (running === undefined) {
      addInstances.push(wanted.name);
      continue;
    }
    const changed = recreateReasons(running, wanted);
    if (changed.length > 0) restart.push({ name: wanted.name, changed });
    else inPlace.push(wanted.name);
  }

  const currentBalancers = new Map(current.loadBalancers.map((lb) => [lb.name, lb]));
  const nextBalancerNames = new Set(next.loadBalancers.map((lb) => lb.name));
  const update: LoadBalancerUpdate[] = [];
  const addBalancers: string[] = [];
  for (const wanted of next.loadBalancers) {
    const running = currentBalancers.get(wanted.name);
    if (running === undefined) addBalancers.push(wanted.name);
    else update.push({ name: wanted.name, bindChanged: running.bind !== wanted.bind });
  }

  return {
    instances: {
      remove: current.vrrp.map((instance) => instance.name).filter((name) => !nextInstanceNames.has(name)),
      restart,
      inPlace,
      add: addInstances,
    },
    loadBalancers: {
      remove: current.loadBalancers.map((lb) => lb.name).filter((name) => !nextBalancerNames.has(name)),
      update,
      add: addBalancers,
    },
    statusListenChanged: current.status.listen !== next.status.listen,
  };
}
