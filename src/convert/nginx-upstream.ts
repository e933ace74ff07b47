// An nginx stream `upstream` block -> the backends, balance and health check of a tsvip load balancer.
// nginx OSS has no active health checks: a server that fails max_fails connections within fail_timeout
// is skipped for fail_timeout. tsvip checks actively, so the closest equivalent is a tcp connect check
// (a failed connect is what nginx stream counts as a failure) whose `fall` is max_fails.
import { formatDuration } from '../config/duration.js';
import { formatHostPort, parseHostPort } from '../net/host-port.js';
import { safeName, where, type Finding, type SourceLine } from './findings.js';
import { nginxTimeMs, type NginxDirective } from './nginx-syntax.js';
import { nginxReason } from './nginx-terms.js';
import type { Fields } from './drafts.js';

export interface BackendPool {
  source: SourceLine;
  /** Shown in the load balancer's header: where the backends came from. */
  label: string;
  balance: 'roundrobin' | 'leastconn';
  backends: Fields[];
  healthCheck: Fields;
  /** Trailing comments by key path (`healthCheck`, `backends.2.weight`). */
  notes: Record<string, string>;
}

/** nginx's defaults for a server without max_fails / fail_timeout. */
const DEFAULT_MAX_FAILS = 1;
const DEFAULT_FAIL_TIMEOUT = '10s';

interface Passive {
  maxFails: number;
  failTimeout: string;
  explicit: boolean;
}

/** `10.0.0.1:6443`, `[2001:db8::11]:6443` or `host:6443` as a backend address (IPv6 canonical), or why it cannot be one. */
export function backendAddress(address: string): { ok: true; host: string; address: string } | { ok: false; reason: string } {
  if (address.startsWith('unix:')) return { ok: false, reason: 'unix sockets are not supported: tsvip proxies to TCP addresses' };
  if (!/:\d+$/.test(address)) return { ok: false, reason: 'no port (nginx stream requires one)' };
  const parsed = parseHostPort(address, { allowHostname: true, keywords: [] });
  if (!parsed.ok) return { ok: false, reason: `not an IPv4 ADDRESS:PORT, [IPv6 ADDRESS]:PORT or HOST:PORT (${parsed.reason})` };
  return { ok: true, host: parsed.value.host, address: formatHostPort(parsed.value.host, parsed.value.port) };
}

export class UpstreamReader {
  constructor(private readonly findings: Finding[]) {}

  private report(at: SourceLine, message: string): void {
    this.findings.push({ file: at.file, line: at.line, message });
  }

  read(upstream: NginxDirective): BackendPool {
    const name = upstream.words[1] ?? '';
    const context = `(upstream ${name})`;
    const notes: Record<string, string> = {};
    const backends: Fields[] = [];
    const passive: (Passive & { at: NginxDirective })[] = [];
    let balance: 'roundrobin' | 'leastconn' = 'roundrobin';
    for (const d of upstream.block ?? []) {
      const [keyword = ''] = d.words;
      if (keyword === 'least_conn' && d.words.length === 1) balance = 'leastconn';
      else if (keyword === 'server' && d.block === undefined) {
        const backend = this.server(d, context, backends, notes);
        if (backend) passive.push({ ...backend, at: d });
      } else this.report(d, `${d.words.join(' ')} ${context}: ${nginxReason(keyword)}`);
    }
    const healthCheck: Fields = { type: 'tcp' };
    const first = passive[0];
    if (first && passive.some((p) => p.maxFails !== first.maxFails || p.failTimeout !== first.failTimeout)) {
      this.report(upstream, `upstream ${name}: servers use different max_fails/fail_timeout: tsvip has one healthCheck per load balancer (the first server's used)`);
    }
    if (first?.explicit && first.maxFails > 0) healthCheck['fall'] = Math.min(100, first.maxFails);
    if (first) notes['healthCheck'] = this.healthCheckNote(first);
    return { source: upstream, label: `upstream ${name} (${where(upstream)})`, balance, backends, healthCheck, notes };
  }

  private healthCheckNote(first: Passive): string {
    const given = first.explicit ? `max_fails=${first.maxFails} fail_timeout=${first.failTimeout}` : `nginx's defaults max_fails=${DEFAULT_MAX_FAILS} fail_timeout=${DEFAULT_FAIL_TIMEOUT}`;
    const fall = first.explicit && first.maxFails > 0 ? `, fall: ${Math.min(100, first.maxFails)} as max_fails` : '';
    return (
      `nginx OSS only checks passively (${given}): a server that fails that many connects within fail_timeout is skipped for fail_timeout. ` +
      `tsvip checks actively; the closest is a tcp connect check${fall}, and a backend returns after rise good checks instead of after fail_timeout. ` +
      'For kube-apiserver, type: https with path: /readyz is stricter'
    );
  }

  /** One `server ADDRESS [params]` line; the backend is appended unless it is skipped. */
  private server(d: NginxDirective, context: string, backends: Fields[], notes: Record<string, string>): Passive | undefined {
    const [, rawAddress = '', ...params] = d.words;
    const address = backendAddress(rawAddress);
    if (!address.ok) {
      this.report(d, `server ${rawAddress} ${context}: ${address.reason}: skipped`);
      return undefined;
    }
    if (params.includes('backup')) {
      this.report(d, `server ${rawAddress} backup ${context}: backup servers are not supported (tsvip uses every healthy backend): skipped`);
      return undefined;
    }
    const used = new Set(backends.map((b) => b['name']));
    let backendName = safeName(address.host);
    if (used.has(backendName)) backendName = safeName(`${address.host}-${rawAddress.slice(rawAddress.lastIndexOf(':') + 1)}`);
    for (let n = 2; used.has(backendName); n++) backendName = safeName(`${address.host}-${n}`);
    const backend: Fields = { name: backendName, address: address.address };
    const passive: Passive = { maxFails: DEFAULT_MAX_FAILS, failTimeout: DEFAULT_FAIL_TIMEOUT, explicit: false };
    const leftOut: string[] = [];
    let down = false;
    for (const param of params) {
      const [key = '', value] = param.split('=', 2);
      if (key === 'weight' && value !== undefined && /^\d+$/.test(value) && Number(value) >= 1) {
        backend['weight'] = Math.min(256, Number(value));
        if (Number(value) > 256) leftOut.push(`weight=${value} (tsvip allows 0 to 256: written as 256)`);
      } else if (key === 'max_fails' && value !== undefined && /^\d+$/.test(value)) {
        passive.maxFails = Number(value);
        passive.explicit = true;
        if (passive.maxFails === 0) leftOut.push("max_fails=0 (it turns nginx's failure accounting off; tsvip always health-checks backends)");
      } else if (key === 'fail_timeout' && nginxTimeMs(value) !== undefined) {
        passive.failTimeout = formatDuration(nginxTimeMs(value) ?? 0);
        passive.explicit = true;
        leftOut.push(`fail_timeout=${value ?? ''} (how long nginx skips a failed server: tsvip takes it back after rise good checks)`);
      } else if (param === 'down') down = true;
      else leftOut.push(param);
    }
    if (down) {
      // A server marked down takes no connections: tsvip's weight 0 does the same and keeps it listed.
      backend['weight'] = 0;
      notes[`backends.${backends.length}.weight`] = `"down" (${where(d)}): weight 0 takes no new connections`;
    }
    if (leftOut.length > 0) this.report(d, `server ${rawAddress} ${context}: ${leftOut.join('; ')}: not translated`);
    backends.push(backend);
    return passive;
  }
}
