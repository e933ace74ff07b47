// What a running daemon reports about itself: the one shape behind /status (as JSON), /metrics, the
// status page and `tsvip status`. Plain data, built fresh for each request; times are ISO strings so
// that the JSON reads the same in a browser, in jq and in a test.
import type { Config } from '../config/schema.js';
import type { TrackerDescription } from '../health/tracker-set.js';
import type { BackendCounters, LoadBalancerCounters } from '../lb/types.js';
import type { PoolHealth } from '../lb/backend-health.js';
import type { InstanceCounters } from '../vrrp/instance.js';
import type { TrackerState } from '../health/tracker.js';

export const REDACTED = '<redacted>';

export interface InstanceStatus {
  name: string;
  interface: string;
  vrid: number;
  version: 2 | 3;
  state: string;
  /** The configured priority with the tracker weights applied. */
  priority: number;
  configuredPriority: number;
  /** This host's address in the group: where its adverts come from. */
  ownAddress: string;
  /** The master's address as this host sees it (its own address when master); null when unknown. */
  masterAddress: string | null;
  /** When the instance entered its current state (or started). */
  since: string;
  vips: string[];
  trackers: TrackerDescription[];
  counters: InstanceStatusCounters;
}

/** The VRRP instance's own counters, with the runtime's: ARP packets sent and IP-header drops. */
export interface InstanceStatusCounters extends Omit<InstanceCounters, 'drops'> {
  /** Gratuitous ARP packets sent (one per VIP per announcement). */
  garpSent: number;
  drops: InstanceCounters['drops'] & { bad_ip_header?: number };
}

export interface BackendStatus {
  name: string;
  address: string;
  weight: number;
  state: TrackerState;
  up: boolean;
  reason: string;
  since: string;
  lastCheck: string;
  checks: number;
  failedChecks: number;
  passiveFailures: number;
  counters: BackendCounters;
}

export interface LoadBalancerStatus {
  name: string;
  bind: string;
  balance: string;
  /** Where it accepts clients now (a `vip:` bind only while its instance is MASTER). */
  listening: string[];
  pool: PoolHealth;
  counters: Omit<LoadBalancerCounters, 'backends'>;
  backends: BackendStatus[];
}

export interface TransitionStatus {
  instance: string;
  from: string;
  to: string;
  reason: string;
  priority: number;
  at: string;
}

export interface StatusSnapshot {
  version: string;
  hostname: string;
  pid: number;
  startedAt: string;
  now: string;
  ready: boolean;
  /** The config as applied (defaults filled in), secrets replaced by REDACTED. */
  config: Config;
  instances: InstanceStatus[];
  loadBalancers: LoadBalancerStatus[];
  /** Event-loop delay over the last EVENT_LOOP_REPORT period: how late a timer (an advert) could run. */
  eventLoop: { periodSeconds: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** The latest state changes of every instance, newest first. */
  transitions: TransitionStatus[];
}

/** A URL without the password it may carry (`https://user:secret@host/` → `https://user:<redacted>@host/`). */
function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.password === '') return url;
  // Not through `parsed.password =`: that would percent-encode the marker.
  return `${parsed.protocol}//${parsed.username}:${REDACTED}@${parsed.host}${parsed.pathname}${parsed.search}${parsed.hash}`;
}

/** The config without what must not leave the host: VRRP PASS passwords, passwords in tracker URLs. */
export function redactConfig(config: Config): Config {
  return {
    ...config,
    vrrp: config.vrrp.map((instance) => ({
      ...instance,
      ...(instance.authPass === undefined ? {} : { authPass: REDACTED }),
      track: instance.track.map((tracker) => (tracker.type === 'http' || tracker.type === 'https' ? { ...tracker, url: redactUrl(tracker.url) } : tracker)),
    })),
  };
}
