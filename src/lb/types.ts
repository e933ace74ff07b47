// The seams of the load balancer: the proxy asks a BackendHealth which backends are up and tells it
// about connect failures (passive health); BackendHealth runs the active checks. Counters are plain
// objects, read by the logs, /metrics and /status.

export interface BackendAddress {
  /** The backend's `name` in vip.yaml. */
  name: string;
  host: string;
  port: number;
  /** haproxy's server weight: 0 takes no new connections. */
  weight: number;
}

export interface BackendHealthChange {
  backend: string;
  up: boolean;
  /** 'HTTP 503', 'connect ECONNREFUSED', 'timed out after 1000 ms', 'passive: connect ETIMEDOUT' ... */
  reason: string;
}

/** What the pool needs of health: who is up, and where to report what a client hit (passive health). */
export interface PoolHealthView {
  isUp(backend: string): boolean;
  /** A connect to `backend` failed or timed out, or it stayed silent past firstByteTimeout. */
  reportFailure(backend: string, detail: string): void;
}

/** Health of one load balancer's backends, active and passive. */
export interface BackendHealthView extends PoolHealthView {
  /** Subscribe to up/down changes; returns an unsubscribe function. */
  onChange(listener: (change: BackendHealthChange) => void): () => void;
}

export interface BackendCounters {
  active: number;
  total: number;
  failedConnects: number;
  /** Connections that went to this backend after another failed (a retry or a first-byte replay). */
  retries: number;
  bytesIn: number;
  bytesOut: number;
}

export interface LoadBalancerCounters {
  active: number;
  total: number;
  failedConnects: number;
  retries: number;
  /** Clients closed because no backend could take them. */
  rejected: number;
  bytesIn: number;
  bytesOut: number;
  backends: Record<string, BackendCounters>;
}
