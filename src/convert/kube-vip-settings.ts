// What the two kube-vip readers (the static pod manifest's env vars, the older config.yaml) hand to the
// converter: the settings tsvip has a meaning for, each with the file:line it came from.
import type { SourceLine } from './findings.js';

export interface Located<T> {
  value: T;
  at: SourceLine;
}

export interface KubeVipBackend {
  address: string;
  at: SourceLine;
}

export interface KubeVipLoadBalancer {
  at: SourceLine;
  name: string;
  port: number;
  bindToVip: boolean;
  backends: KubeVipBackend[];
}

export interface KubeVipSettings {
  /** Where the settings are: the kube-vip container, or the top of config.yaml. */
  at: SourceLine;
  /** `manifest` (env vars of a Pod or DaemonSet) or `config.yaml`. */
  format: 'manifest' | 'config.yaml';
  address?: Located<string>;
  interface?: Located<string>;
  prefix?: Located<number>;
  /** cp_enable / enableControlPane: false means kube-vip served no control-plane VIP. */
  controlPlane?: Located<boolean>;
  arp?: Located<boolean>;
  arpRateMs?: Located<number>;
  startAsLeader?: Located<boolean>;
  singleNode?: Located<boolean>;
  /** Kubernetes Lease election (vip_leaderelection); otherwise kube-vip used raft between its peers. */
  leaderElection?: Located<boolean>;
  leaseDurationS?: Located<number>;
  renewDeadlineS?: Located<number>;
  retryPeriodS?: Located<number>;
  /** The apiserver port behind the VIP (kube-vip's `port`). */
  apiserverPort?: Located<number>;
  /** This host's address (raft localPeer). */
  localAddress?: Located<string>;
  peers: Located<string>[];
  loadBalancers: KubeVipLoadBalancer[];
  /** Features that were off and that tsvip does not have either: named in a comment, not findings. */
  off: Located<string>[];
}

/** Go's strconv.ParseBool, which kube-vip uses for every boolean. */
export function goBool(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

export function wholeNumber(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/** vip_cidr / vip_subnet / vipCidr: `32`, `/24`, or `32,128` (IPv4 prefix first, then IPv6). */
export function ipv4Prefix(text: string | undefined): { prefix: number; rest: string | undefined } | undefined {
  if (text === undefined) return undefined;
  const [first = '', ...rest] = text.split(',');
  const prefix = wholeNumber(first.replace(/^\//, ''));
  if (prefix === undefined || prefix < 1 || prefix > 32) return undefined;
  return { prefix, rest: rest.length > 0 ? rest.join(',') : undefined };
}
