// kube-vip settings -> a VRRP instance and load balancers for vip.yaml. kube-vip does not speak VRRP: it
// elects a leader through a Kubernetes Lease (or, in its config.yaml era, raft between its peers). The
// instance written here elects the same way keepalived would, with defaults every host can share; the
// comments say what the operator must choose per host (priority, unicast.source, initialState).
import { formatDuration } from '../config/duration.js';
import { addressFamily, parseIpv6, type AddressFamily } from '../net/address.js';
import { parseHostPort } from '../net/host-port.js';
import { safeName, where, type Finding, type SourceLine } from './findings.js';
import type { Fields, InstanceDraft, LoadBalancerDraft } from './drafts.js';
import type { KubeVipLoadBalancer, KubeVipSettings, Located } from './kube-vip-settings.js';

export interface KubeVipResult {
  instances: InstanceDraft[];
  loadBalancers: LoadBalancerDraft[];
  /** The VIP, so that an haproxy `bind` or nginx `listen` on it becomes `vip:PORT`. */
  vipAddresses: Set<string>;
  headerLines: string[];
  findings: Finding[];
}

const INSTANCE_NAME = 'kube-vip';
const SHARED_PRIORITY = 100;
/** Lowers a host whose apiserver fails below the others (at 100), as a kube-vip leader that cannot renew its Lease steps down. */
const APISERVER_TRACK_WEIGHT = -50;
const FALLBACK_VRID = 51;
// kube-vip's defaults (`kube-vip manifest`: --leaseDuration 5, --leaseRenewDuration 3, --leaseRetry 1; port 6443).
const KUBE_VIP_DEFAULTS = { leaseDurationS: 5, renewDeadlineS: 3, retryPeriodS: 1, apiserverPort: 6443 };

export class KubeVipConverter {
  private readonly findings: Finding[] = [];

  /** `otherVips`: VIPs of instances converted from other files (keepalived), which a bindToVip may use. */
  constructor(private readonly otherVips: ReadonlySet<string>) {}

  private report(at: SourceLine, message: string): void {
    this.findings.push({ file: at.file, line: at.line, message });
  }

  convert(settings: KubeVipSettings): KubeVipResult {
    const instances = this.instances(settings);
    const vipAddresses = new Set<string>(instances.length > 0 ? (settings.addresses?.value ?? []) : []);
    const hasVip = vipAddresses.size > 0 || this.otherVips.size > 0;
    const loadBalancers = settings.loadBalancers.flatMap((lb, index) => this.loadBalancer(lb, index, hasVip));
    const headerLines: string[] = [];
    if (settings.off.length > 0) {
      const list = settings.off.map((o) => `${o.value} (${where(o.at)})`).join(', ');
      headerLines.push(`kube-vip settings that were off or empty, which is what tsvip does without them: ${list}`);
    }
    return { instances, loadBalancers, vipAddresses, headerLines, findings: this.findings };
  }

  /** One instance per address family of the VIPs: VRRP runs over one family, and both may share the vrid. */
  private instances(s: KubeVipSettings): InstanceDraft[] {
    if (s.controlPlane?.value === false) {
      this.report(s.controlPlane.at, 'control plane off (cp_enable false): kube-vip served no control-plane VIP, so no VRRP instance is written');
      return [];
    }
    const missing = [s.addresses === undefined && 'VIP address (address / vip_address / vip)', s.interface === undefined && "interface (vip_interface / interface: kube-vip falls back to the default route's, tsvip needs it named)"];
    const absent = missing.filter((m): m is string => typeof m === 'string');
    if (s.addresses === undefined || s.interface === undefined) {
      this.report(s.at, `kube-vip ${s.format}: no ${absent.join(', no ')}: no VRRP instance written`);
      return [];
    }
    if (s.interface.value === 'lo') {
      this.report(s.interface.at, 'interface lo: kube-vip put the VIP on lo for BGP to announce; VRRP needs the LAN interface: no VRRP instance written');
      return [];
    }
    const families: VipFamily[] = [];
    for (const address of s.addresses.value) {
      const family = addressFamily(address) ?? 'ipv4';
      const group = families.find((f) => f.family === family);
      if (group) group.addresses.push(address);
      else families.push({ family, addresses: [address] });
    }
    const vrid = vridOf(s.addresses.value);
    const dual = families.length > 1;
    return families.map((f) => this.instance(s, s.interface as Located<string>, f, { name: dual ? `${INSTANCE_NAME}-${f.family}` : INSTANCE_NAME, vrid, dual }));
  }

  private instance(s: KubeVipSettings, iface: Located<string>, vips: VipFamily, how: { name: string; vrid: Vrid; dual: boolean }): InstanceDraft {
    const lease = s.leaderElection?.value === true;
    const raft = s.format === 'config.yaml' || s.peers.length > 0;
    const election = lease ? 'through a Kubernetes Lease' : raft ? 'with raft between its peers' : 'without an election of its own (no vip_leaderelection)';
    const ipv6 = vips.family === 'ipv6';
    const notes: Record<string, string> = {};
    const fields: Fields = { name: how.name, interface: iface.value, vrid: how.vrid.value, priority: SHARED_PRIORITY };
    notes['vrid'] = `kube-vip has none (it ran ${election}): ${how.vrid.from}, so every host converted from this file agrees; it must differ from any other VRRP router's on this LAN${how.dual ? ' (the IPv4 and the IPv6 instance may share it: they are different routers)' : ''}`;
    notes['priority'] = 'the same on every host: equal priorities keep the current MASTER, as kube-vip keeps its leader; raise it (up to 254) on a host that should be preferred';
    if (ipv6) {
      fields['version'] = 3;
      notes['version'] = 'IPv6 VIPs need VRRPv3 (RFC 5798), as keepalived runs them';
    }
    fields['advertInterval'] = this.advertInterval(s, lease, notes, ipv6 ? 3 : 2);
    if (s.startAsLeader?.value === true) {
      fields['initialState'] = 'master';
      notes['initialState'] = `startAsLeader (${where(s.startAsLeader.at)}): write this on the first host only; leave it out (backup) on the others`;
    }
    const peers = s.peers.filter((p) => addressFamily(p.value) === vips.family);
    if (peers.length > 0) {
      const local = s.localAddress !== undefined && addressFamily(s.localAddress.value) === vips.family ? s.localAddress : undefined;
      fields['unicast'] = local ? { source: local.value, peers: peers.map((p) => p.value).filter((p) => p !== local.value) } : { peers: peers.map((p) => p.value) };
      notes['unicast'] = `the raft peers (${where(peers[0]?.at ?? s.at)}) become unicast peers`;
      if (local) notes['unicast.source'] = `localPeer (${where(local.at)}): this host; on each host put its own address here and the others in peers`;
    } else if (s.localAddress && s.peers.length === 0) {
      this.report(s.localAddress.at, 'localPeer without remotePeers: a single host needs no unicast source: left out');
    }
    fields['vips'] = vips.addresses.map((a) => `${a}/${this.prefix(s, vips.family)}`);
    if (s.arpRateMs) {
      fields['garp'] = { refresh: formatDuration(Math.min(86_400_000, Math.max(0, s.arpRateMs.value))) };
      notes['garp'] = `vip_arpRate (${where(s.arpRateMs.at)}): kube-vip's leader re-sends ${ipv6 ? 'its neighbour advertisements' : 'gratuitous ARP'} this often`;
    }
    if (s.arp?.value === false) {
      this.report(s.arp.at, `${s.format === 'manifest' ? 'vip_arp' : 'gratuitousARP'} false: not translated: tsvip always announces the VIP with gratuitous ARP (IPv6: neighbour advertisements) when it becomes MASTER`);
    }
    if (!lease) {
      for (const v of [s.leaseDurationS, s.renewDeadlineS, s.retryPeriodS]) if (v) this.report(v.at, 'a lease setting without Kubernetes leader election: it had no effect in kube-vip: not translated');
      if (s.apiserverPort && s.format === 'manifest') this.report(s.apiserverPort.at, `port ${s.apiserverPort.value}: only used with leader election or kube-vip's own load balancer: not translated`);
    }
    const electedAt = lease ? ` (vip_leaderelection, ${where(s.leaderElection?.at ?? s.at)})` : '';
    const header = [
      `from ${where(s.at)} kube-vip ${s.format === 'manifest' ? 'static pod manifest' : 'config.yaml'}${how.dual ? `: its ${ipv6 ? 'IPv6' : 'IPv4'} VIP` : ''}`,
      `kube-vip ran ${election}${electedAt}; tsvip elects a MASTER with VRRP on ${iface.value} instead.`,
      'Copy this file to every control-plane host: only what the comments below mark may differ per host.',
    ];
    if (how.dual) header.push('kube-vip moved both VIPs with one leader; here each family elects on its own (with the same priorities and trackers they normally agree)');
    if (peers.length === 0) header.push(`VRRP multicasts to ${ipv6 ? 'ff02::12' : '224.0.0.18'} on ${iface.value}; where the network drops multicast (most clouds), add unicast: { peers: [the other control-plane hosts${ipv6 ? "' IPv6 addresses" : ''}] }`);
    if (s.singleNode?.value === true) header.push(`singleNode (${where(s.singleNode.at)}): kube-vip ran alone; so does this instance until other hosts run it too`);
    const tracks = lease ? [this.apiserverTrack(s)] : [];
    return { source: s.at, header: header.join('\n'), notes, fields, tracks };
  }

  /** The family's prefix from vip_cidr (kube-vip's SelectSubnet), else kube-vip's default: /32 or /128. */
  private prefix(s: KubeVipSettings, family: AddressFamily): number {
    const fallback = family === 'ipv6' ? 128 : 32;
    const given = s.prefixes;
    if (given === undefined) return fallback;
    const prefix = given.value[family];
    if (prefix === undefined) this.report(given.at, `the prefix does not fit an ${family === 'ipv6' ? 'IPv6' : 'IPv4'} VIP (kube-vip would fail to add it): /${fallback} is written`);
    return prefix ?? fallback;
  }

  /** A backup takes over after 3 adverts plus a skew: a third of the lease keeps the takeover within what kube-vip allowed. */
  private advertInterval(s: KubeVipSettings, lease: boolean, notes: Record<string, string>, version: 2 | 3): string {
    if (!lease) return '1s';
    const leaseS = s.leaseDurationS?.value ?? KUBE_VIP_DEFAULTS.leaseDurationS;
    // VRRPv3 carries at most 40.95 s.
    const seconds = Math.min(version === 3 ? 40 : 255, Math.max(1, Math.floor(leaseS / 3)));
    const from = s.leaseDurationS ? `vip_leaseduration ${leaseS}s (${where(s.leaseDurationS.at)})` : `kube-vip's default lease of ${leaseS}s`;
    notes['advertInterval'] = `${from}: a backup takes over after 3 adverts and a skew, about ${Math.round(3 * seconds + ((256 - SHARED_PRIORITY) / 256) * seconds)}s, where kube-vip waited for the lease to run out; lower it for a faster takeover`;
    return `${seconds}s`;
  }

  private apiserverTrack(s: KubeVipSettings): { kind: 'ready'; tracker: Fields; comment: string } {
    const retry = s.retryPeriodS?.value || KUBE_VIP_DEFAULTS.retryPeriodS;
    const renew = s.renewDeadlineS?.value || KUBE_VIP_DEFAULTS.renewDeadlineS;
    const port = s.apiserverPort?.value ?? KUBE_VIP_DEFAULTS.apiserverPort;
    const fall = Math.min(100, Math.max(1, Math.ceil(renew / retry)));
    const url = `https://127.0.0.1:${port}/readyz`;
    const portFrom = s.apiserverPort ? `port at ${where(s.apiserverPort.at)}` : "kube-vip's default port";
    return {
      kind: 'ready',
      tracker: { type: 'https', url, insecureSkipVerify: true, interval: `${retry}s`, timeout: `${retry}s`, fall, weight: APISERVER_TRACK_WEIGHT },
      comment:
        `kube-vip renews its Lease through the apiserver every vip_retryperiod (${retry}s); a leader that cannot for vip_renewdeadline (${renew}s) steps down. ` +
        `This checks this host's apiserver (${portFrom}) on the same timing; weight ${APISERVER_TRACK_WEIGHT} puts the host below the others while it fails`,
    };
  }

  private loadBalancer(lb: KubeVipLoadBalancer, index: number, hasVip: boolean): LoadBalancerDraft[] {
    const backends: Fields[] = [];
    for (const b of lb.backends) {
      const parsed = parseHostPort(b.address, { allowHostname: true, keywords: [] });
      if (!parsed.ok) {
        this.report(b.at, `backend ${b.address} (loadBalancers[${index}]): ${parsed.reason}: skipped`);
        continue;
      }
      let name = safeName(parsed.value.host);
      for (let n = 2; backends.some((x) => x['name'] === name); n++) name = safeName(`${parsed.value.host}-${n}`);
      backends.push({ name, address: b.address });
    }
    if (backends.length === 0) {
      this.report(lb.at, `loadBalancers[${index}] ${lb.name}: no usable backend: not converted`);
      return [];
    }
    const notes: Record<string, string> = {
      backends: "kube-vip 0.1.x proxied these connections in user space (in the kube-vip process, on the raft leader) to the backends listed in its config.yaml (with addPeersAsBackends, its raft peers), as tsvip's load balancer does",
      healthCheck: "kube-vip's load balancer names no health check; tsvip checks every backend, and a tcp connect is the closest (type: https with path: /readyz is stricter for kube-apiserver)",
    };
    let bind = `0.0.0.0:${lb.port}`;
    if (lb.bindToVip && hasVip) {
      bind = `vip:${lb.port}`;
      notes['bind'] = 'bindToVip: tsvip listens on the VIP only while MASTER';
    } else if (lb.bindToVip) this.report(lb.at, `loadBalancers[${index}] ${lb.name}: bindToVip, but no VRRP instance was converted: it binds 0.0.0.0:${lb.port}`);
    const name = safeName(lb.name);
    if (name !== lb.name) notes['name'] = `"${lb.name}" renamed to fit tsvip's names`;
    return [
      {
        source: lb.at,
        header: `from ${where(lb.at)} kube-vip loadBalancers[${index}] "${lb.name}"`,
        notes,
        fields: { name, bind, balance: 'roundrobin', backends, healthCheck: { type: 'tcp' } },
        bindPort: lb.port,
      },
    ];
  }
}

interface VipFamily {
  family: AddressFamily;
  addresses: string[];
}

interface Vrid {
  value: number;
  /** Where it came from, for the comment. */
  from: string;
}

/** kube-vip has no VRID: one every host derives alike, from the IPv4 VIP's last octet, else the IPv6 VIP's last byte. */
function vridOf(addresses: readonly string[]): Vrid {
  const ipv4 = addresses.find((a) => addressFamily(a) === 'ipv4');
  if (ipv4 !== undefined) {
    const lastOctet = Number(ipv4.split('.')[3]);
    if (lastOctet >= 1) return { value: lastOctet, from: "the VIP's last octet" };
  }
  const ipv6 = addresses.find((a) => addressFamily(a) === 'ipv6');
  const lastByte = ipv6 === undefined ? 0 : (parseIpv6(ipv6)?.[15] ?? 0);
  if (lastByte >= 1) return { value: lastByte, from: "the IPv6 VIP's last byte" };
  return { value: FALLBACK_VRID, from: 'a common default' };
}
