// kube-vip settings -> a VRRP instance and load balancers for vip.yaml. kube-vip does not speak VRRP: it
// elects a leader through a Kubernetes Lease (or, in its config.yaml era, raft between its peers). The
// instance written here elects the same way keepalived would, with defaults every host can share; the
// comments say what the operator must choose per host (priority, unicast.source, initialState).
import { formatDuration } from '../config/duration.js';
import { parseHostPort } from '../net/host-port.js';
import { safeName, where, type Finding, type SourceLine } from './findings.js';
import type { Fields, InstanceDraft, LoadBalancerDraft } from './drafts.js';
import type { KubeVipLoadBalancer, KubeVipSettings } from './kube-vip-settings.js';

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
    const instance = this.instance(settings);
    const vipAddresses = new Set<string>(settings.address && instance ? [settings.address.value] : []);
    const hasVip = vipAddresses.size > 0 || this.otherVips.size > 0;
    const loadBalancers = settings.loadBalancers.flatMap((lb, index) => this.loadBalancer(lb, index, hasVip));
    const headerLines: string[] = [];
    if (settings.off.length > 0) {
      const list = settings.off.map((o) => `${o.value} (${where(o.at)})`).join(', ');
      headerLines.push(`kube-vip settings that were off or empty, which is what tsvip does without them: ${list}`);
    }
    return { instances: instance ? [instance] : [], loadBalancers, vipAddresses, headerLines, findings: this.findings };
  }

  private instance(s: KubeVipSettings): InstanceDraft | undefined {
    if (s.controlPlane?.value === false) {
      this.report(s.controlPlane.at, 'control plane off (cp_enable false): kube-vip served no control-plane VIP, so no VRRP instance is written');
      return undefined;
    }
    const missing = [s.address === undefined && 'VIP address (address / vip_address / vip)', s.interface === undefined && "interface (vip_interface / interface: kube-vip falls back to the default route's, tsvip needs it named)"];
    const absent = missing.filter((m): m is string => typeof m === 'string');
    if (s.address === undefined || s.interface === undefined) {
      this.report(s.at, `kube-vip ${s.format}: no ${absent.join(', no ')}: no VRRP instance written`);
      return undefined;
    }
    if (s.interface.value === 'lo') {
      this.report(s.interface.at, 'interface lo: kube-vip put the VIP on lo for BGP to announce; VRRP needs the LAN interface: no VRRP instance written');
      return undefined;
    }
    const address = s.address.value;
    const lease = s.leaderElection?.value === true;
    const raft = s.format === 'config.yaml' || s.peers.length > 0;
    const election = lease ? 'through a Kubernetes Lease' : raft ? 'with raft between its peers' : 'without an election of its own (no vip_leaderelection)';
    const notes: Record<string, string> = {};
    const lastOctet = Number(address.split('.')[3]);
    const vrid = lastOctet >= 1 && lastOctet <= 255 ? lastOctet : FALLBACK_VRID;
    const fields: Fields = { name: INSTANCE_NAME, interface: s.interface.value, vrid, priority: SHARED_PRIORITY };
    notes['vrid'] = `kube-vip has none (it ran ${election}): ${vrid === lastOctet ? "the VIP's last octet" : 'a common default'}, so every host converted from this file agrees; it must differ from any other VRRP router's on this LAN`;
    notes['priority'] = 'the same on every host: equal priorities keep the current MASTER, as kube-vip keeps its leader; raise it (up to 254) on a host that should be preferred';
    fields['advertInterval'] = this.advertInterval(s, lease, notes);
    if (s.startAsLeader?.value === true) {
      fields['initialState'] = 'master';
      notes['initialState'] = `startAsLeader (${where(s.startAsLeader.at)}): write this on the first host only; leave it out (backup) on the others`;
    }
    if (s.peers.length > 0) {
      const peers = s.peers.map((p) => p.value).filter((p) => p !== s.localAddress?.value);
      fields['unicast'] = s.localAddress ? { source: s.localAddress.value, peers } : { peers };
      notes['unicast'] = `the raft peers (${where(s.peers[0]?.at ?? s.at)}) become unicast peers`;
      if (s.localAddress) notes['unicast.source'] = `localPeer (${where(s.localAddress.at)}): this host; on each host put its own address here and the others in peers`;
    } else if (s.localAddress) {
      this.report(s.localAddress.at, 'localPeer without remotePeers: a single host needs no unicast source: left out');
    }
    fields['vips'] = [`${address}/${s.prefix?.value ?? 32}`];
    if (s.arpRateMs) {
      fields['garp'] = { refresh: formatDuration(Math.min(86_400_000, Math.max(0, s.arpRateMs.value))) };
      notes['garp'] = `vip_arpRate (${where(s.arpRateMs.at)}): kube-vip's leader re-sends gratuitous ARP this often`;
    }
    if (s.arp?.value === false) {
      this.report(s.arp.at, `${s.format === 'manifest' ? 'vip_arp' : 'gratuitousARP'} false: not translated: tsvip always announces the VIP with gratuitous ARP when it becomes MASTER`);
    }
    if (!lease) {
      for (const v of [s.leaseDurationS, s.renewDeadlineS, s.retryPeriodS]) if (v) this.report(v.at, 'a lease setting without Kubernetes leader election: it had no effect in kube-vip: not translated');
      if (s.apiserverPort && s.format === 'manifest') this.report(s.apiserverPort.at, `port ${s.apiserverPort.value}: only used with leader election or kube-vip's own load balancer: not translated`);
    }
    const electedAt = lease ? ` (vip_leaderelection, ${where(s.leaderElection?.at ?? s.at)})` : '';
    const header = [
      `from ${where(s.at)} kube-vip ${s.format === 'manifest' ? 'static pod manifest' : 'config.yaml'}`,
      `kube-vip ran ${election}${electedAt}; tsvip elects a MASTER with VRRP on ${s.interface.value} instead.`,
      'Copy this file to every control-plane host: only what the comments below mark may differ per host.',
    ];
    if (s.peers.length === 0) header.push(`VRRP multicasts to 224.0.0.18 on ${s.interface.value}; where the network drops multicast (most clouds), add unicast: { peers: [the other control-plane hosts] }`);
    if (s.singleNode?.value === true) header.push(`singleNode (${where(s.singleNode.at)}): kube-vip ran alone; so does this instance until other hosts run it too`);
    const tracks = lease ? [this.apiserverTrack(s)] : [];
    return { source: s.at, header: header.join('\n'), notes, fields, tracks };
  }

  /** A backup takes over after 3 adverts plus a skew: a third of the lease keeps the takeover within what kube-vip allowed. */
  private advertInterval(s: KubeVipSettings, lease: boolean, notes: Record<string, string>): string {
    if (!lease) return '1s';
    const leaseS = s.leaseDurationS?.value ?? KUBE_VIP_DEFAULTS.leaseDurationS;
    const seconds = Math.min(255, Math.max(1, Math.floor(leaseS / 3)));
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
