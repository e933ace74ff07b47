// kube-vip's older config.yaml (`kube-vip start -c /etc/kube-vip/config.yaml`, the raft era): localPeer,
// remotePeers, vip, interface, loadBalancers... Each key is read into KubeVipSettings or reported with
// the line of the key.
import { isIpv4 } from '../net/address.js';
import { OFF_FEATURE_CONFIG, RAFT_REASON, configReason } from './kube-vip-terms.js';
import { goBool, vipAddressList, vipPrefixes, wholeNumber, type KubeVipLoadBalancer, type KubeVipSettings, type Located } from './kube-vip-settings.js';
import { scalarText, seqItems, type YamlEntry, type YamlLines } from './yaml-lines.js';
import type { SourceLine } from './findings.js';

type Report = (at: SourceLine, message: string) => void;

// Go's yaml.v2 lower-cases untagged field names: the lease settings appear as `leaseduration` and so on.
const LEASE_KEYS: Readonly<Record<string, 'leaseDurationS' | 'renewDeadlineS' | 'retryPeriodS'>> = {
  leaseduration: 'leaseDurationS',
  renewdeadline: 'renewDeadlineS',
  retryperiod: 'retryPeriodS',
};

export class KubeVipConfigReader {
  private readonly settings: KubeVipSettings;
  private addPeersAsBackends: Located<boolean> | undefined;
  private enableLoadBalancer: Located<boolean> | undefined;
  private backendPorts = new Map<KubeVipLoadBalancer, number>();

  constructor(
    private readonly lines: YamlLines,
    private readonly report: Report,
    at: SourceLine,
  ) {
    this.settings = { at, format: 'config.yaml', peers: [], loadBalancers: [], off: [] };
  }

  read(contents: unknown): KubeVipSettings {
    for (const entry of this.lines.entries(contents, this.settings.at)) this.key(entry);
    if (this.enableLoadBalancer?.value === false && this.settings.loadBalancers.length > 0) {
      this.report(this.enableLoadBalancer.at, 'enableLoadBalancer false: the loadBalancers listed are off, so they are not converted');
      this.settings.loadBalancers = [];
    }
    if (this.addPeersAsBackends?.value === true) this.peersAsBackends(this.addPeersAsBackends.at);
    return this.settings;
  }

  private key(entry: YamlEntry): void {
    const { key, at, value } = entry;
    const s = this.settings;
    const text = scalarText(value);
    const located = <T>(v: T): Located<T> => ({ value: v, at });
    const bad = (): void => this.report(at, `${key}: ${text ?? '(not a single value)'}: not a value kube-vip accepts here: not translated`);
    const bool = (set: (v: Located<boolean>) => void): void => {
      const parsed = goBool(text);
      if (parsed === undefined) bad();
      else set(located(parsed));
    };
    const lease = LEASE_KEYS[key.toLowerCase()];
    if (lease !== undefined) {
      const parsed = wholeNumber(text);
      if (parsed === undefined) bad();
      else s[lease] = located(parsed);
      return;
    }
    switch (key) {
      case 'vip':
      case 'address':
        if (s.addresses) this.report(at, `${key}: ${text ?? ''}: the VIP is already given at line ${s.addresses.at.line}: not translated`);
        else if (vipAddressList(text) !== undefined) s.addresses = located(vipAddressList(text) ?? []);
        else this.report(at, `${key}: ${text ?? ''}: not an IPv4 or IPv6 address (tsvip needs the address itself): not translated`);
        break;
      case 'vipCidr': {
        const parsed = vipPrefixes(text);
        if (parsed === undefined) bad();
        else s.prefixes = located(parsed);
        break;
      }
      case 'interface':
        if (text === undefined || text === '') bad();
        else s.interface = located(text);
        break;
      case 'port':
        if (wholeNumber(text) === undefined) bad();
        else s.apiserverPort = located(wholeNumber(text) ?? 0);
        break;
      case 'gratuitousARP':
      case 'enableARP':
        bool((v) => (s.arp = v));
        break;
      case 'startAsLeader':
        bool((v) => (s.startAsLeader = v));
        break;
      case 'singleNode':
        bool((v) => (s.singleNode = v));
        break;
      case 'enableControlPane':
      case 'enableControlPlane':
        bool((v) => (s.controlPlane = v));
        break;
      case 'enableLeaderElection':
        bool((v) => (s.leaderElection = v));
        break;
      case 'enableVRRP':
        // kube-vip's own VRRP mode: what tsvip does anyway.
        bool(() => undefined);
        break;
      case 'addPeersAsBackends':
        bool((v) => (this.addPeersAsBackends = v));
        break;
      case 'enableLoadBalancer':
        bool((v) => (this.enableLoadBalancer = v));
        break;
      case 'leaderElection':
      case 'leaderelection':
      case 'LeaderElection':
        for (const inner of this.lines.entries(value, at)) this.key(inner);
        break;
      case 'localPeer':
        this.peer(value, at, 'localPeer', (address) => (s.localAddress = address));
        break;
      case 'remotePeers':
        seqItems(value).forEach((item, index) => this.peer(item, at, `remotePeers[${index}]`, (address) => s.peers.push(address)));
        break;
      case 'loadBalancers':
        seqItems(value).forEach((item, index) => this.loadBalancer(item, at, index));
        break;
      default:
        if (OFF_FEATURE_CONFIG.has(key) && goBool(text) === false) s.off.push(located(`${key}: false`));
        else this.report(at, `${key}${text === undefined ? '' : `: ${text}`}: ${configReason(key)}`);
    }
  }

  private peer(node: unknown, fallback: SourceLine, label: string, use: (address: Located<string>) => void): void {
    for (const { key, at, value } of this.lines.entries(node, fallback)) {
      const text = scalarText(value);
      if (key === 'address' && text !== undefined && isIpv4(text)) use({ value: text, at });
      else if (key === 'address') this.report(at, `${label}.address: ${text ?? ''}: not an IPv4 address: skipped`);
      else if (key === 'id' || key === 'port') this.report(at, `${label}.${key}: ${text ?? ''}: ${RAFT_REASON}`);
      else this.report(at, `${label}.${key}: not translated: tsvip convert does not know this kube-vip key`);
    }
  }

  private loadBalancer(node: unknown, fallback: SourceLine, index: number): void {
    const entryAt = this.lines.at(node, fallback);
    const lb: KubeVipLoadBalancer = { at: entryAt, name: `kube-vip-lb-${index + 1}`, port: 0, bindToVip: false, backends: [] };
    const label = `loadBalancers[${index}]`;
    for (const { key, at, value } of this.lines.entries(node, entryAt)) {
      const text = scalarText(value);
      if (key === 'name' && text !== undefined) lb.name = text;
      else if (key === 'port' && wholeNumber(text) !== undefined) lb.port = wholeNumber(text) ?? 0;
      else if (key === 'bindToVip' && goBool(text) !== undefined) lb.bindToVip = goBool(text) ?? false;
      else if (key === 'backendPort' && wholeNumber(text) !== undefined) this.backendPorts.set(lb, wholeNumber(text) ?? 0);
      else if (key === 'type' && text === 'tcp') continue;
      else if (key === 'type') {
        this.report(at, `${label}.type: ${text ?? ''}: tsvip proxies TCP only: converted as plain TCP pass-through (no HTTP parsing)`);
      } else if (key === 'backends') seqItems(value).forEach((b, i) => this.backend(lb, b, at, `${label}.backends[${i}]`));
      else this.report(at, `${label}.${key}${text === undefined ? '' : `: ${text}`}: not translated: tsvip convert does not know this key (or its value)`);
    }
    // Backends without their own port use backendPort: read after the loop, as keys may come in any order.
    const backendPort = this.backendPorts.get(lb);
    lb.backends = lb.backends.map((b) => (b.address.endsWith(':') && backendPort !== undefined ? { ...b, address: `${b.address}${backendPort}` } : b));
    for (const b of lb.backends.filter((x) => x.address.endsWith(':'))) this.report(b.at, `${label}: backend ${b.address.slice(0, -1)} has no port and there is no backendPort: skipped`);
    lb.backends = lb.backends.filter((b) => !b.address.endsWith(':'));
    if (lb.port === 0) this.report(entryAt, `${label} ${lb.name}: no port: not converted`);
    else this.settings.loadBalancers.push(lb);
  }

  private backend(lb: KubeVipLoadBalancer, node: unknown, fallback: SourceLine, label: string): void {
    const entryAt = this.lines.at(node, fallback);
    let address: string | undefined;
    let port: number | undefined;
    for (const { key, at, value } of this.lines.entries(node, entryAt)) {
      const text = scalarText(value);
      if (key === 'address' && text !== undefined) address = text;
      else if (key === 'port' && wholeNumber(text) !== undefined) port = wholeNumber(text);
      else this.report(at, `${label}.${key}${text === undefined ? '' : `: ${text}`}: not translated: tsvip backends are ADDRESS:PORT only`);
    }
    if (address === undefined) this.report(entryAt, `${label}: no address: skipped`);
    else lb.backends.push({ address: `${address}:${port ?? ''}`, at: entryAt });
  }

  /** addPeersAsBackends: every raft peer (this host included) is a backend on the load balancer's backendPort. */
  private peersAsBackends(at: SourceLine): void {
    const addresses = [this.settings.localAddress, ...this.settings.peers].filter((a): a is Located<string> => a !== undefined);
    for (const lb of this.settings.loadBalancers) {
      const port = this.backendPorts.get(lb);
      if (port === undefined) {
        this.report(at, `addPeersAsBackends: loadBalancers ${lb.name} has no backendPort: the peers are not added`);
        continue;
      }
      for (const a of addresses) {
        const address = `${a.value}:${port}`;
        if (!lb.backends.some((b) => b.address === address)) lb.backends.push({ address, at: a.at });
      }
    }
  }
}
