// What the two kube-vip readers (the static pod manifest's env vars, the older config.yaml) hand to the
// converter: the settings tsvip has a meaning for, each with the file:line it came from.
import { canonicalAddress } from './listeners.js';
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
  /** The VIPs, canonical: kube-vip takes `address: 10.0.0.50,2001:db8::50` for a dual-stack control plane. */
  addresses?: Located<string[]>;
  interface?: Located<string>;
  prefixes?: Located<VipPrefixes>;
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

export interface VipPrefixes {
  /** undefined: the value does not fit that family (kube-vip would fail to add a VIP of it). */
  ipv4: number | undefined;
  ipv6: number | undefined;
}

/**
 * vip_cidr / vip_subnet / vipCidr, read as kube-vip's SelectSubnet (pkg/vip/address.go): `32,128` is the
 * IPv4 prefix then the IPv6 one; a single value (`24`, `/24`) serves a VIP of either family.
 */
export function vipPrefixes(text: string | undefined): VipPrefixes | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((p) => wholeNumber(p.trim().replace(/^\//, '')));
  if (parts.length > 2 || parts.some((p) => p === undefined || p < 1)) return undefined;
  const [first = 0, second = first] = parts as number[];
  const ipv4 = first <= 32 ? first : undefined;
  const ipv6 = second <= 128 ? second : undefined;
  return ipv4 === undefined && ipv6 === undefined ? undefined : { ipv4, ipv6 };
}

/** `10.0.0.50`, `2001:db8::50` or both comma-separated (kube-vip's vip.Split), canonical; undefined when one is no address. */
export function vipAddressList(text: string | undefined): string[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const addresses = text.split(',').map((a) => canonicalAddress(a.trim()));
  return addresses.every((a): a is string => a !== undefined) ? addresses : undefined;
}
