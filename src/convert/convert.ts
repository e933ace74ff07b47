// `tsvip convert`: keepalived.conf, haproxy.cfg, nginx.conf and/or kube-vip's manifest or config.yaml ->
// one commented vip.yaml that passes `check`. The output is validated here with the loader `check` uses:
// an invalid config is never printed.
import { ConfigError, formatProblem } from '../errors.js';
import { loadConfigText } from '../config/load.js';
import { emitYaml } from './emit.js';
import { sortFindings, where, type Finding } from './findings.js';
import { parseHaproxy } from './haproxy-syntax.js';
import { HaproxyConverter } from './haproxy.js';
import { isLoopback } from './check-script.js';
import { addressPort } from './listeners.js';
import { KeepalivedConverter, type KeepalivedResult } from './keepalived.js';
import { loadKeepalived } from './keepalived-load.js';
import { KubeVipConverter } from './kube-vip.js';
import { loadKubeVip } from './kube-vip-load.js';
import { NginxConverter } from './nginx.js';
import { loadNginx } from './nginx-load.js';
import { realSourceFiles, type SourceFiles } from './source-files.js';
import { repairDraft, type RepairItem } from './repair.js';
import type { Fields, LoadBalancerDraft, TrackDraft } from './drafts.js';
import type { StatusDraft } from './haproxy-stats.js';

export interface ConvertInputs {
  keepalived?: string;
  haproxy?: string;
  nginx?: string;
  kubeVip?: string;
}

export type ConvertOutcome =
  | { ok: true; yaml: string; findings: Finding[]; warnings: string[]; instances: number; loadBalancers: number }
  | { ok: false; reason: 'unreadable' | 'nothing' | 'invalid'; findings: Finding[]; errors: string[] };

/** The file name the validation errors of a converted config are reported against. */
export const CONVERTED_NAME = 'converted vip.yaml';

/** What each input can yield, for the message when nothing could be converted. */
const YIELDS: Readonly<Record<keyof ConvertInputs, string>> = {
  keepalived: 'vrrp_instance',
  haproxy: 'frontend/listen section',
  nginx: 'nginx stream server',
  kubeVip: 'kube-vip VIP or load balancer',
};

function readError(file: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot be read (${code ?? String(error)})`;
  return `${file}: ${reason}`;
}

export function convertFiles(inputs: ConvertInputs, files: SourceFiles = realSourceFiles): ConvertOutcome {
  const findings: Finding[] = [];
  const unreadable: string[] = [];
  let keepalived: KeepalivedResult = { instances: [], vipAddresses: new Set(), headerLines: [], findings: [], loadBalancers: [] };
  // Ports where a converted haproxy answered its monitor-uri: a probe of one asks whether the balancer runs.
  const monitorPorts = new Set<number>();
  const loadBalancers: LoadBalancerDraft[] = [];
  const extraHeaderLines: string[] = [];
  let status: StatusDraft | undefined;

  // Only reading may fail here: a read error is the user's to fix (exit 1); anything else is a bug.
  const read = <T>(file: string, load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      unreadable.push(readError(file, error));
      return undefined;
    }
  };
  if (inputs.keepalived !== undefined) {
    const file = inputs.keepalived;
    const loaded = read(file, () => loadKeepalived(file, files));
    if (loaded) {
      findings.push(...loaded.findings);
      keepalived = new KeepalivedConverter(file, files).convert(loaded.statements);
      findings.push(...keepalived.findings);
      loadBalancers.push(...keepalived.loadBalancers);
    }
  }
  // kube-vip's VIP joins keepalived's before the load balancers are read: a bind or listen on it becomes vip:PORT.
  const instances = [...keepalived.instances];
  const vipAddresses = new Set(keepalived.vipAddresses);
  if (inputs.kubeVip !== undefined) {
    const file = inputs.kubeVip;
    const text = read(file, () => files.read(file));
    if (text !== undefined) {
      const loaded = loadKubeVip(file, text);
      findings.push(...loaded.findings);
      if (loaded.settings) {
        const result = new KubeVipConverter(vipAddresses).convert(loaded.settings);
        instances.push(...result.instances);
        loadBalancers.push(...result.loadBalancers);
        for (const vip of result.vipAddresses) vipAddresses.add(vip);
        extraHeaderLines.push(...result.headerLines);
        findings.push(...result.findings);
      }
    }
  }
  if (inputs.haproxy !== undefined) {
    const file = inputs.haproxy;
    const text = read(file, () => files.read(file));
    if (text !== undefined) {
      const { sections, orphans } = parseHaproxy(text, file);
      const result = new HaproxyConverter(vipAddresses).convert(sections, orphans);
      loadBalancers.push(...result.loadBalancers);
      findings.push(...result.findings);
      for (const port of result.monitorPorts) monitorPorts.add(port);
      status = result.status;
    }
  }
  if (inputs.nginx !== undefined) {
    const file = inputs.nginx;
    const loaded = read(file, () => loadNginx(file, files));
    if (loaded) {
      findings.push(...loaded.findings);
      const result = new NginxConverter(vipAddresses).convert(loaded.directives);
      loadBalancers.push(...result.loadBalancers);
      findings.push(...result.findings);
    }
  }
  renameDuplicates(loadBalancers);
  if (unreadable.length > 0) return { ok: false, reason: 'unreadable', findings: sortFindings(findings), errors: unreadable };
  if (instances.length === 0 && loadBalancers.length === 0) return nothingConverted(inputs, findings);

  const vrrp: RepairItem[] = instances.map((instance) => {
    const resolved = instance.tracks.map((t) => resolveTrack(t, loadBalancers, monitorPorts, findings));
    const fields: Fields = { ...instance.fields };
    const entryComments: Record<string, string[]> = {};
    if (resolved.length > 0) {
      // `track` goes before notify, as in the design's example.
      const { notify, ...rest } = fields;
      for (const key of Object.keys(fields)) delete fields[key];
      Object.assign(fields, rest, { track: resolved.map((r) => r.tracker) }, notify === undefined ? {} : { notify });
      entryComments['track'] = resolved.map((r) => r.comment);
    }
    return { source: instance.source, header: instance.header, notes: instance.notes, fields, entryComments };
  });
  const sources = [inputs.keepalived, inputs.kubeVip, inputs.haproxy, inputs.nginx].filter((f): f is string => f !== undefined);
  const headerLines = [
    `Converted by tsvip convert from ${sources.join(' and ')}.`,
    'Lines that could not be translated were listed on stderr as FILE:LINE. Review, then: tsvip check -c vip.yaml',
    ...keepalived.headerLines,
    ...extraHeaderLines,
  ];
  if (status) keepStatusApart(status, loadBalancers, findings);
  const draft = { vrrp, loadBalancers, status };
  // A value the sources hold that check refuses: leave out the part that carries it, then check again.
  // Each round leaves out at least one part, so the rounds end.
  for (;;) {
    const yaml = emitYaml({ headerLines, ...draft });
    try {
      const warnings = loadConfigText(yaml, CONVERTED_NAME).warnings.map((w) => `warning: ${formatProblem(w)}`);
      return { ok: true, yaml, findings: sortFindings(findings), warnings, instances: draft.vrrp.length, loadBalancers: draft.loadBalancers.length };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      if (!repairDraft(draft, error.problems, findings)) {
        return { ok: false, reason: 'invalid', findings: sortFindings(findings), errors: error.message.split('\n') };
      }
      if (draft.vrrp.length === 0 && draft.loadBalancers.length === 0) return nothingConverted(inputs, findings);
    }
  }
}

function nothingConverted(inputs: ConvertInputs, findings: readonly Finding[]): ConvertOutcome {
  const given = (Object.keys(YIELDS) as (keyof ConvertInputs)[]).filter((k) => inputs[k] !== undefined).map((k) => YIELDS[k]);
  return { ok: false, reason: 'nothing', findings: sortFindings(findings), errors: [`nothing could be converted: no usable ${given.join(' or ')}`] };
}

function resolveTrack(draft: TrackDraft, loadBalancers: readonly LoadBalancerDraft[], monitorPorts: ReadonlySet<number>, findings: Finding[]): { tracker: Fields; comment: string } {
  if (draft.kind === 'ready') return { tracker: draft.tracker, comment: draft.comment };
  const { recognized, timing, weight, label } = draft;
  const checked = `${label} only checks ${recognized.summary}`;
  const urls = recognized.checks.flatMap((c) => (c.kind === 'url' || c.kind === 'port' ? [c] : []));
  const local = urls.find((u) => isLoopback(u.host)) ?? urls[0];
  const backends = (lb: LoadBalancerDraft, why: string) => {
    // The backends tracker follows the load balancer's own health checks: the script's timing has no place.
    const hc = (lb.fields['healthCheck'] ?? {}) as Fields;
    const lbTiming = `interval ${String(hc['interval'] ?? '2s')} x fall ${String(hc['fall'] ?? 3)}`;
    findings.push({
      file: draft.source.file,
      line: draft.source.line,
      message: `${label}: becomes a backends tracker on "${String(lb.fields['name'])}", which has no interval, timeout, rise or fall of its own: the script's interval ${timing.interval}, timeout ${timing.timeout}, rise ${timing.rise}, fall ${timing.fall} are not kept; it fails when the last backend is marked down (its healthCheck: ${lbTiming}) and recovers with the first one up`,
    });
    return {
      tracker: { type: 'backends', loadBalancer: lb.fields['name'], weight },
      comment: `${checked}: ${why}, so it becomes a backends tracker on "${String(lb.fields['name'])}" (fails when no backend is up; the script's interval ${timing.interval} x fall ${timing.fall} gives way to the load balancer's ${lbTiming})`,
    };
  };
  const lbOnPort = local?.port === undefined ? undefined : loadBalancers.find((lb) => lb.bindPort === local.port);
  if (lbOnPort) return backends(lbOnPort, `port ${lbOnPort.bindPort} is the converted load balancer (${where(lbOnPort.source)})`);
  const firstLb = loadBalancers[0];
  if (local?.port !== undefined && monitorPorts.has(local.port) && firstLb) return backends(firstLb, `port ${local.port} was haproxy's monitor-uri, which answers while haproxy runs`);
  if (local?.kind === 'port' && local.port !== undefined) {
    const address = addressPort(local.host.replace(/^\[(.*)\]$/, '$1'), local.port);
    return { tracker: { type: 'tcp', address, ...timing, weight }, comment: `${checked}: a built-in tcp tracker on ${address} does the same without a shell` };
  }
  if (local?.kind === 'url' && !local.unresolved && local.anyStatus && local.port !== undefined) {
    const address = addressPort(local.host.replace(/^\[(.*)\]$/, '$1'), local.port);
    return {
      tracker: { type: 'tcp', address, ...timing, weight },
      comment: `${checked}: curl without --fail accepts any HTTP answer (403 and 500 too), so a built-in tcp tracker on ${address} checks the same: that the port answers`,
    };
  }
  if (local?.kind === 'url' && !local.unresolved) {
    const type = local.url.startsWith('https:') ? 'https' : 'http';
    const tracker: Fields = { type, url: local.url };
    if (type === 'https') tracker['insecureSkipVerify'] = true;
    Object.assign(tracker, timing, { weight });
    return { tracker, comment: `${checked}: a built-in ${type} tracker does the same without a shell${type === 'https' ? ' (insecureSkipVerify, as curl -k)' : ''}` };
  }
  if (firstLb) return backends(firstLb, 'tsvip is the load balancer now');
  const why = local?.kind === 'url' ? `${local.url} names a variable this script does not set` : `${recognized.summary} asks about the load balancer, which tsvip replaces: convert its haproxy.cfg or nginx.conf in the same run (--haproxy, --nginx) to get a backends tracker`;
  return { tracker: draft.fallback, comment: `${draft.fallbackComment}. Kept as a script: ${why}` };
}

/** Load balancers from different files may share a name (each file names its own): later ones get a suffix. */
function renameDuplicates(loadBalancers: readonly LoadBalancerDraft[]): void {
  const taken = new Set<string>();
  for (const lb of loadBalancers) {
    const original = String(lb.fields['name']);
    let name = original;
    for (let n = 2; taken.has(name); n++) name = `${original.slice(0, 60)}-${n}`;
    taken.add(name);
    if (name === original) continue;
    lb.fields['name'] = name;
    lb.notes['name'] = `renamed: "${original}" is also the name of a load balancer converted from another file`;
  }
}

/** haproxy may serve its stats page on a port a converted load balancer listens on too; tsvip cannot. */
function keepStatusApart(status: StatusDraft, loadBalancers: readonly LoadBalancerDraft[], findings: Finding[]): void {
  if (status.port === 0) return;
  const taken = loadBalancers.find((lb) => lb.bindPort === status.port);
  if (taken === undefined) return;
  findings.push({
    file: status.source.file,
    line: status.source.line,
    message: `status.listen ${String(status.fields['listen'])}: port ${status.port} is also the bind of load balancer "${String(taken.fields['name'])}" (${where(taken.source)}): status.listen stays at its default (127.0.0.1:9901)`,
  });
  delete status.fields['listen'];
  delete status.notes['listen'];
}
