// kube-vip's static pod manifest (`kube-vip manifest pod|daemonset`): its settings are the env vars of
// the kube-vip container. Each var is read into KubeVipSettings or reported with the line of its
// `name:` key; the Pod around it (image, capabilities, volumes) is one finding.
import { isIpv4 } from '../net/address.js';
import { OFF_FEATURE_ENV, envReason } from './kube-vip-terms.js';
import { goBool, vipAddressList, vipPrefixes, wholeNumber, type KubeVipSettings, type Located } from './kube-vip-settings.js';
import { mapValue, scalarText, seqItems, type YamlLines } from './yaml-lines.js';
import { where, type SourceLine } from './findings.js';

type Report = (at: SourceLine, message: string) => void;

const WORKLOAD_KINDS = new Set(['Pod', 'DaemonSet', 'Deployment']);
const COMMANDS = new Set(['manager', 'start', 'service']);

/** The kube-vip container of a Pod, DaemonSet or Deployment, or undefined (reported) when there is none. */
export function readManifest(contents: unknown, lines: YamlLines, at: SourceLine, report: Report): KubeVipSettings | undefined {
  const top = lines.entries(contents, at);
  const kindEntry = top.find((e) => e.key === 'kind');
  const kind = scalarText(kindEntry?.value) ?? '';
  const kindAt = kindEntry?.at ?? at;
  if (!WORKLOAD_KINDS.has(kind)) {
    report(kindAt, `kind ${kind}: not translated: only the Pod or DaemonSet running kube-vip carries its settings`);
    return undefined;
  }
  const spec = mapValue(lines, contents, 'spec');
  const podSpec = kind === 'Pod' ? spec : mapValue(lines, mapValue(lines, spec, 'template'), 'spec');
  const containers = seqItems(mapValue(lines, podSpec, 'containers'));
  const isKubeVip = (c: unknown): boolean => /kube-vip/.test(`${scalarText(mapValue(lines, c, 'image')) ?? ''} ${scalarText(mapValue(lines, c, 'name')) ?? ''}`);
  const container = containers.find(isKubeVip) ?? (containers.length === 1 ? containers[0] : undefined);
  if (container === undefined) {
    report(kindAt, `kind ${kind}: no kube-vip container found: not translated`);
    return undefined;
  }
  report(kindAt, `kind ${kind}: the ${kind} itself (image, capabilities, volumes, hostNetwork) is not translated: tsvip manifest pod -c vip.yaml prints tsvip's own static pod`);
  for (const other of containers) {
    if (other !== container) report(lines.at(other, kindAt), `container ${scalarText(mapValue(lines, other, 'name')) ?? ''}: not kube-vip: not translated`);
  }
  const containerAt = lines.at(container, kindAt);
  const settings: KubeVipSettings = { at: containerAt, format: 'manifest', peers: [], loadBalancers: [], off: [] };
  readArgs(seqItems(mapValue(lines, container, 'args')), lines, containerAt, report);
  const lbSettings: Located<string>[] = [];
  let lbEnable: Located<boolean | undefined> | undefined;
  for (const item of seqItems(mapValue(lines, container, 'env'))) {
    const entries = lines.entries(item, containerAt);
    const nameEntry = entries.find((e) => e.key === 'name');
    const name = scalarText(nameEntry?.value);
    const varAt = nameEntry?.at ?? lines.at(item, containerAt);
    if (name === undefined) {
      report(varAt, 'env entry without a name: skipped');
      continue;
    }
    const valueFrom = entries.find((e) => e.key === 'valueFrom');
    if (valueFrom !== undefined) {
      // The node name is the one var commonly taken from the Pod's fields; tsvip needs none of it.
      if (name === 'vip_nodename') report(varAt, `${name} (valueFrom): ${envReason(name)}`);
      else report(varAt, `${name}: its value comes from valueFrom (a field, ConfigMap or Secret), which tsvip convert cannot read: not translated`);
      continue;
    }
    const valueEntry = entries.find((e) => e.key === 'value');
    const value = scalarText(valueEntry?.value) ?? '';
    // The load balancer's settings mean something only with lb_enable, which may come after them.
    if (name.startsWith('lb_') && name !== 'lb_enable' && value !== '') lbSettings.push({ value: `${name}=${value}`, at: varAt });
    else readEnv(settings, name, value, varAt, report);
    if (name === 'lb_enable') lbEnable = { value: goBool(value), at: varAt };
  }
  for (const setting of lbSettings) {
    if (lbEnable?.value === true) report(setting.at, `${setting.value}: ${envReason('lb_enable')}`);
    else {
      const off = lbEnable === undefined ? 'lb_enable is not set' : `lb_enable is ${lbEnable.value === false ? 'off' : 'not a boolean'} (${where(lbEnable.at)})`;
      report(setting.at, `${setting.value}: ${off}, so kube-vip ran no load balancer and this setting did nothing: nothing to translate`);
    }
  }
  return settings;
}

function readArgs(args: readonly unknown[], lines: YamlLines, at: SourceLine, report: Report): void {
  args.forEach((arg, index) => {
    const text = scalarText(arg) ?? '';
    const argAt = lines.at(arg, at);
    const previous = index > 0 ? scalarText(args[index - 1]) : undefined;
    if (COMMANDS.has(text) && index === 0) return;
    if (previous === '-c' || previous === '--config') return;
    if (text === '-c' || text === '--config') {
      const file = scalarText(args[index + 1]) ?? '';
      report(argAt, `args ${text} ${file}: kube-vip reads its settings from ${file}: convert that file too (--kube-vip ${file})`);
    } else report(argAt, `args ${text}: kube-vip command-line flag: not translated`);
  });
}

/** One env var: read into settings, or reported with why it is left out. */
function readEnv(settings: KubeVipSettings, name: string, value: string, at: SourceLine, report: Report): void {
  const located = <T>(v: T): Located<T> => ({ value: v, at });
  const bad = (): void => report(at, `${name}=${value}: not a value kube-vip accepts here: not translated`);
  const bool = (set: (v: Located<boolean>) => void): void => {
    const parsed = goBool(value);
    if (parsed === undefined) bad();
    else set(located(parsed));
  };
  const count = (set: (v: Located<number>) => void): void => {
    const parsed = wholeNumber(value);
    if (parsed === undefined) bad();
    else set(located(parsed));
  };
  if (value === '' && name !== 'vip_interface') {
    settings.off.push(located(`${name} (empty)`));
    return;
  }
  switch (name) {
    case 'address':
    case 'vip_address':
      if (settings.addresses) report(at, `${name}=${value}: the VIP is already given at line ${settings.addresses.at.line}: not translated`);
      else if (vipAddressList(value) !== undefined) settings.addresses = located(vipAddressList(value) ?? []);
      else report(at, `${name}=${value}: not an IPv4 or IPv6 address, nor both comma-separated (kube-vip resolves a DNS name at start-up; tsvip needs the address itself): not translated`);
      break;
    case 'vip_interface':
      if (value === '') report(at, `${name} is empty: kube-vip picks the interface of the default route; tsvip needs it named`);
      else settings.interface = located(value);
      break;
    case 'vip_cidr':
    case 'vip_subnet': {
      const parsed = vipPrefixes(value);
      if (parsed === undefined) bad();
      else settings.prefixes = located(parsed);
      break;
    }
    case 'port':
      count((v) => (settings.apiserverPort = v));
      break;
    case 'vip_arp':
      bool((v) => (settings.arp = v));
      break;
    case 'vip_arpRate':
      count((v) => (settings.arpRateMs = v));
      break;
    case 'vip_leaderelection':
      bool((v) => (settings.leaderElection = v));
      break;
    case 'vip_leaseduration':
      count((v) => (settings.leaseDurationS = v));
      break;
    case 'vip_renewdeadline':
      count((v) => (settings.renewDeadlineS = v));
      break;
    case 'vip_retryperiod':
      count((v) => (settings.retryPeriodS = v));
      break;
    case 'cp_enable':
      bool((v) => (settings.controlPlane = v));
      break;
    case 'vip_startleader':
      bool((v) => (settings.startAsLeader = v));
      break;
    case 'vip_singlenode':
      bool((v) => (settings.singleNode = v));
      break;
    case 'vip_localpeer': {
      const peer = raftPeer(value);
      if (peer === undefined) bad();
      else settings.localAddress = located(peer);
      break;
    }
    case 'vip_peers':
    case 'vip_remotepeers': {
      const peers = value.split(',').map(raftPeer);
      if (peers.some((p) => p === undefined)) bad();
      else settings.peers.push(...peers.map((p) => located(p ?? '')));
      break;
    }
    default:
      if (OFF_FEATURE_ENV.has(name) && goBool(value) === false) settings.off.push(located(`${name}=${value}`));
      else report(at, `${name}=${value}: ${envReason(name)}`);
  }
}

/** `id:address:port`, kube-vip's raft peer syntax; only the address matters to VRRP. */
function raftPeer(text: string): string | undefined {
  const parts = text.split(':');
  const address = parts.length === 3 ? parts[1] : undefined;
  return address !== undefined && isIpv4(address) ? address : undefined;
}
