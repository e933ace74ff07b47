// One configured load balancer on this host: its backends' health (active and passive), the proxy,
// and where it listens. A fixed `bind` listens from start to stop; `vip:PORT` listens on an instance's
// VIPs only while that instance is MASTER (after its VIPs are on the interface) and stops accepting,
// without cutting open connections, when it leaves MASTER.
import type { Logger } from 'pino';
import type { LoadBalancerConfig } from '../config/schema.js';
import { formatHostPort, parseHostPort } from '../net/host-port.js';
import { TsvipError } from '../errors.js';
import { BackendHealth } from '../lb/backend-health.js';
import { LoadBalancer, type ListenAddress } from '../lb/load-balancer.js';
import { backendAddresses } from '../lb/pool.js';
import { newBackendCounters } from '../lb/counters-recorder.js';
import type { Clock } from '../clock.js';
import type { InstanceRuntime } from './instance-runtime.js';
import type { LoadBalancerStatus } from '../status/snapshot.js';

export type Bind = { kind: 'address'; address: ListenAddress } | { kind: 'vip'; port: number };

export function parseBind(config: LoadBalancerConfig): Bind {
  const parsed = parseHostPort(config.bind, { allowHostname: false, keywords: ['vip'] });
  if (!parsed.ok) throw new TsvipError('ERR_LB_BIND', `load balancer ${config.name}: bind ${config.bind}: ${parsed.reason}`);
  return parsed.value.host === 'vip' ? { kind: 'vip', port: parsed.value.port } : { kind: 'address', address: parsed.value };
}

export interface LoadBalancerRuntimeDeps {
  logger: Logger;
  clock: Clock;
}

export class LoadBalancerRuntime {
  readonly health: BackendHealth;
  readonly proxy: LoadBalancer;
  private bind: Bind;
  private readonly unfollow: (() => void)[] = [];
  /** vip: bind changes, one at a time: two quick state changes must not listen twice. */
  private vipBindWork: Promise<void> = Promise.resolve();
  private readonly log: Logger;

  constructor(
    private current: LoadBalancerConfig,
    deps: LoadBalancerRuntimeDeps,
  ) {
    this.log = deps.logger.child({ part: 'lb', loadBalancer: current.name });
    this.bind = parseBind(current);
    this.health = new BackendHealth({ name: current.name, backends: backendAddresses(current), healthCheck: current.healthCheck, logger: this.log, clock: deps.clock });
    this.proxy = new LoadBalancer(current, { health: this.health, logger: deps.logger, clock: deps.clock });
  }

  get config(): LoadBalancerConfig {
    return this.current;
  }

  /** For /status, /metrics and the status page. */
  describe(): LoadBalancerStatus {
    const { backends: perBackend, ...counters } = this.proxy.counters;
    const weights = new Map(this.current.backends.map((backend) => [backend.name, backend.weight]));
    return {
      name: this.current.name,
      bind: this.current.bind,
      balance: this.current.balance,
      listening: this.proxy.listeningAddresses.map((address) => formatHostPort(address.host, address.port)),
      pool: this.health.pool(),
      counters: { ...counters },
      backends: this.health.describe().map((backend) => ({
        name: backend.name,
        address: backend.address,
        weight: weights.get(backend.name) ?? 0,
        state: backend.state,
        up: backend.up,
        reason: backend.reason,
        since: new Date(backend.since).toISOString(),
        lastCheck: backend.lastCheck,
        checks: backend.checks,
        failedChecks: backend.failures,
        passiveFailures: backend.passiveFailures,
        counters: { ...(perBackend[backend.name] ?? newBackendCounters()) },
      })),
    };
  }

  /** Starts the health checks and a fixed bind; `vip:` binds wait for follow(). Throws ERR_LB_BIND. */
  async start(): Promise<void> {
    this.health.start();
    if (this.bind.kind === 'address') await this.proxy.listen(this.bind.address);
  }

  /** For `vip:PORT`: listen on each instance's VIPs while it is MASTER. Replaces an earlier follow(). */
  follow(instances: readonly InstanceRuntime[]): void {
    this.stopFollowing();
    const bind = this.bind;
    if (bind.kind !== 'vip') return;
    for (const instance of instances) {
      const apply = (): void => {
        this.vipBindWork = this.vipBindWork.then(() => this.applyVipBind(instance, bind.port));
      };
      this.unfollow.push(instance.onStateChange(apply));
      apply();
    }
  }

  /** SIGHUP: backends, checks, balance and timeouts; a changed bind re-listens. */
  async update(next: LoadBalancerConfig, instances: readonly InstanceRuntime[]): Promise<void> {
    this.health.update(backendAddresses(next), next.healthCheck);
    this.proxy.update(next);
    const bindChanged = next.bind !== this.current.bind;
    this.current = next;
    if (!bindChanged) return;
    this.stopFollowing();
    await this.proxy.stopAccepting();
    this.bind = parseBind(next);
    if (this.bind.kind === 'address') await this.proxy.listen(this.bind.address);
    else this.follow(instances);
  }

  /** SIGTERM, first step: no new clients. */
  async stopAccepting(): Promise<void> {
    this.stopFollowing();
    await this.proxy.stopAccepting();
  }

  /** SIGTERM, last step: wait for open connections up to shutdownDrain; returns how many were cut. */
  async drain(): Promise<number> {
    const cut = await this.proxy.drain({ timeoutMs: this.current.shutdownDrain });
    this.health.stop();
    return cut;
  }

  private stopFollowing(): void {
    for (const unfollow of this.unfollow.splice(0)) unfollow();
  }

  private async applyVipBind(instance: InstanceRuntime, port: number): Promise<void> {
    const master = instance.state === 'master';
    if (master) await instance.vipsSettled();
    // The state may have moved on while the VIPs were being added.
    const stillMaster = instance.state === 'master';
    for (const host of instance.vipAddresses) {
      const address = { host, port };
      const listening = this.proxy.listeningAddresses.some((bound) => bound.host === host && bound.port === port);
      try {
        if (stillMaster && !listening) await this.proxy.listen(address);
        else if (!stillMaster && listening) await this.proxy.stopListening(address);
      } catch (error) {
        this.log.error({ err: error, code: (error as TsvipError).code ?? 'ERR_LB_BIND', instance: instance.name }, `could not follow ${instance.name} on ${formatHostPort(host, port)}`);
      }
    }
  }
}
