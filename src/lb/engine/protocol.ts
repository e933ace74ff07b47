// Messages between a LoadBalancer (main thread: config, health checks, logs, /status) and its data path
// (engine-worker.ts, a worker thread blocked in epoll_wait). Main to worker: posted, then the worker is
// woken through an eventfd. Worker to main: posted.
import type { BalanceAlgorithm } from '../balance.js';
import type { LoadBalancerCounters } from '../types.js';

export interface EngineSettings {
  connectTimeoutMs: number;
  retries: number;
  /** 0: off (commit as soon as connected). */
  firstByteTimeoutMs: number;
  /** 0: never. */
  idleTimeoutMs: number;
  maxConnections: number;
}

export interface EngineBackend {
  name: string;
  weight: number;
  /** host:port as configured, for messages. */
  address: string;
  /** The address to connect to, IPv4 or IPv6 (canonical); null when the host name did not resolve. */
  ip: string | null;
  port: number;
  /** Why ip is null ('getaddrinfo ENOTFOUND api.example'): a connect to it fails with this. */
  unresolved?: string;
}

export interface EngineConfig {
  settings: EngineSettings;
  algorithm: BalanceAlgorithm;
  backends: EngineBackend[];
}

export interface EngineInit {
  /** The eventfd main writes to after posting, so the worker leaves epoll_wait to read its messages. */
  wakeFd: number;
  config: EngineConfig;
  up: string[];
  debug: boolean;
}

export type ToEngine =
  | { type: 'listen'; id: number; host: string; port: number; backlog: number }
  | { type: 'unlisten'; id: number; host: string; port: number }
  /** With the backends' health in the same message: a worker woken between two would see new backends as down. */
  | { type: 'config'; config: EngineConfig; up: string[] }
  | { type: 'health'; up: string[] }
  | { type: 'cut'; id: number }
  /** Send the stats now, then reply (drain asks before it counts what is open). */
  | { type: 'flush'; id: number }
  | { type: 'exit' };

export type EngineReply = { id: number; ok: true; host?: string; port?: number; cut?: number } | { id: number; ok: false; errno: string };

export interface EngineStats {
  counters: LoadBalancerCounters;
  /** Clients being served. */
  active: number;
  /** Clients in the listeners' kernel queues while maxConnections is reached. */
  waiting: number;
  /** Bytes held in user space: write remainders and replay buffers. */
  buffered: number;
}

export type FromEngine =
  | { type: 'reply'; reply: EngineReply }
  | { type: 'stats'; stats: EngineStats }
  | { type: 'failure'; backend: string; detail: string }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; fields: Record<string, unknown>; message: string };
