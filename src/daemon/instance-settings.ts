// From a validated instance config to the runtime's settings, and what a reload may change in place.
// Pure: the daemon passes in the host facts (the interface's primary address).
import type { VrrpInstanceConfig } from '../config/schema.js';
import type { InstanceSettings } from '../vrrp/instance.js';
import { instanceFamily } from '../config/instance-family.js';
import { VRRP_IPV6_MULTICAST_GROUP, VRRP_MULTICAST_GROUP } from '../vrrp/packet.js';

/**
 * Our IPv4 address on the wire: the unicast source if configured, else the interface's primary IPv4
 * address (keepalived's default), which is also the tie-breaker at equal priority. IPv6 instances
 * find theirs with ipv6-source.ts.
 */
export function ownAddressOf(config: VrrpInstanceConfig, primaryAddress: string | null): string | null {
  return config.unicast?.source ?? primaryAddress;
}

/** `startupHoldMs`: what is left of startupDelay when the instance starts (only its start reads it). */
export function instanceSettings(config: VrrpInstanceConfig, ownAddress: string, startupHoldMs = 0): InstanceSettings {
  return {
    name: config.name,
    vrid: config.vrid,
    fsm: {
      version: config.version,
      priority: config.priority,
      advertIntervalMs: config.advertInterval,
      preempt: config.preempt,
      preemptDelayMs: config.preemptDelay,
      startupDelayMs: startupHoldMs,
      initialState: config.initialState,
      ownAddress,
    },
    vips: config.vips,
    destinations: config.unicast === undefined ? [instanceFamily(config) === 'ipv6' ? VRRP_IPV6_MULTICAST_GROUP : VRRP_MULTICAST_GROUP] : config.unicast.peers,
    peers: config.unicast === undefined ? null : config.unicast.peers,
    authPass: config.version === 2 ? (config.authPass ?? null) : null,
    garp: { burst: config.garp.burst, delayMs: config.garp.delay, refreshMs: config.garp.refresh },
    v3Checksum: config.v3Checksum,
  };
}

/**
 * Keys whose change needs a new socket or changes what the group agrees on: the instance is stopped
 * (priority 0, VIPs removed) and started again. Everything else (priority, preempt, peers, auth,
 * trackers, notify, GARP schedule) is applied in place without a state change.
 */
export function recreateReasons(before: VrrpInstanceConfig, after: VrrpInstanceConfig): string[] {
  const reasons: string[] = [];
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  if (before.interface !== after.interface) reasons.push('interface');
  if (before.vrid !== after.vrid) reasons.push('vrid');
  if (before.version !== after.version) reasons.push('version');
  if (before.advertInterval !== after.advertInterval) reasons.push('advertInterval');
  if (before.v3Checksum !== after.v3Checksum) reasons.push('v3Checksum');
  if (!same(before.vips, after.vips)) reasons.push('vips');
  if ((before.unicast === undefined) !== (after.unicast === undefined)) reasons.push('unicast');
  else if (before.unicast?.source !== after.unicast?.source) reasons.push('unicast.source');
  return reasons;
}
