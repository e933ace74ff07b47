// nginx.conf -> load balancers for vip.yaml. Only nginx's `stream` context proxies plain TCP, as tsvip
// does: each `server { listen ...; proxy_pass ...; }` in it becomes one load balancer per listen, with
// the servers of its `upstream` as backends. Proxy settings written in `stream` itself are inherited by
// its servers, as nginx does. The `http` and `events` blocks, process settings and every other line
// with no tsvip meaning are findings with their file:line.
import { MAX_DURATION_MS, formatDuration } from '../config/duration.js';
import { isIpv4 } from '../net/address.js';
import { canonicalIpv6 } from '../net/ipv6-bytes.js';
import { safeName, where, type Finding, type SourceLine } from './findings.js';
import { nginxTimeMs, type NginxDirective } from './nginx-syntax.js';
import { mainContextReason, nginxReason } from './nginx-terms.js';
import { UpstreamReader, backendAddress, type BackendPool } from './nginx-upstream.js';
import { addressPort, isVip, joinDualStack, type ListenerDraft } from './listeners.js';
import type { Fields, LoadBalancerDraft } from './drafts.js';

interface Located<T> {
  value: T;
  at: SourceLine;
}

/** The proxy settings of `stream` and of each `server` in it (a server starts from its stream's). */
interface ProxySettings {
  connectMs?: Located<number>;
  idleMs?: Located<number>;
  nextUpstream?: Located<boolean>;
  tries?: Located<number>;
}

const SECOND = 1000;
const HOUR = 3600 * SECOND;
// nginx's defaults, named in comments when the file leaves them implicit.
const NGINX_CONNECT_DEFAULT = '60s';
const NGINX_PROXY_TIMEOUT_DEFAULT = '10m';

export interface NginxResult {
  loadBalancers: LoadBalancerDraft[];
  findings: Finding[];
}

function lines(d: NginxDirective): string {
  return d.endLine > d.line ? `lines ${d.line}-${d.endLine}` : `line ${d.line}`;
}

export class NginxConverter {
  private readonly findings: Finding[] = [];
  private readonly names = new Set<string>();
  private readonly upstreamReader = new UpstreamReader(this.findings);

  constructor(private readonly vipAddresses: ReadonlySet<string>) {}

  private report(at: SourceLine, message: string): void {
    this.findings.push({ file: at.file, line: at.line, message });
  }

  convert(directives: readonly NginxDirective[]): NginxResult {
    const streams: NginxDirective[] = [];
    for (const d of directives) {
      const [name = ''] = d.words;
      if (name === 'stream' && d.block) streams.push(d);
      else if (name === 'http' && d.block) {
        this.report(d, `http block (${lines(d)}): ignored: tsvip proxies TCP only, as nginx's stream context; HTTP servers, locations and health pages have no tsvip equivalent (tsvip serves /healthz at status.listen)`);
      } else if (d.block) this.report(d, `${d.words.join(' ')} block (${lines(d)}): ${mainContextReason(name, true)}`);
      else this.report(d, `${d.words.join(' ')}: ${mainContextReason(name, false)}`);
    }
    const upstreams = new Map<string, { directive: NginxDirective; pool: BackendPool | undefined; used: boolean }>();
    const servers: { server: NginxDirective; inherited: ProxySettings }[] = [];
    for (const stream of streams) {
      const inherited: ProxySettings = {};
      for (const d of stream.block ?? []) {
        const [name = '', arg] = d.words;
        if (name === 'upstream' && d.block && arg !== undefined && d.words.length === 2) {
          if (upstreams.has(arg)) this.report(d, `upstream ${arg}: defined twice (nginx refuses this file): the first is used`);
          else upstreams.set(arg, { directive: d, pool: undefined, used: false });
        } else if (name === 'server' && d.block && d.words.length === 1) servers.push({ server: d, inherited });
        else if (!this.proxySetting(inherited, d, 'stream')) this.report(d, `${d.words.join(' ')} (stream): ${nginxReason(name)}`);
      }
    }
    const loadBalancers: LoadBalancerDraft[] = [];
    for (const { server, inherited } of servers) {
      loadBalancers.push(...this.server(server, inherited, (name) => {
        const upstream = upstreams.get(name);
        if (upstream === undefined) return undefined;
        upstream.used = true;
        upstream.pool ??= this.upstreamReader.read(upstream.directive);
        return upstream.pool;
      }));
    }
    for (const [name, { directive, used }] of upstreams) {
      if (!used) this.report(directive, `upstream ${name} (${lines(directive)}): no server proxies to it: not converted`);
    }
    return { loadBalancers, findings: this.findings };
  }

  /** proxy_* settings of `stream` or `server`; false when the directive is not one (or its value is bad). */
  private proxySetting(settings: ProxySettings, d: NginxDirective, context: string): boolean {
    const [name = '', value] = d.words;
    const time = nginxTimeMs(d.words.slice(1).join(' '));
    const known = ['proxy_connect_timeout', 'proxy_timeout', 'proxy_next_upstream', 'proxy_next_upstream_tries'];
    if (!known.includes(name)) return false;
    if (name === 'proxy_connect_timeout' && time !== undefined) settings.connectMs = { value: time, at: d };
    else if (name === 'proxy_timeout' && time !== undefined) settings.idleMs = { value: time, at: d };
    else if (name === 'proxy_next_upstream' && (value === 'on' || value === 'off') && d.words.length === 2) settings.nextUpstream = { value: value === 'on', at: d };
    else if (name === 'proxy_next_upstream_tries' && value !== undefined && /^\d+$/.test(value) && d.words.length === 2) settings.tries = { value: Number(value), at: d };
    else this.report(d, `${d.words.join(' ')} (${context}): not translated: not a value nginx accepts here`);
    return true;
  }

  private server(server: NginxDirective, inherited: ProxySettings, upstream: (name: string) => BackendPool | undefined): LoadBalancerDraft[] {
    const settings: ProxySettings = { ...inherited };
    const context = `stream server at ${where(server)}`;
    const listens: NginxDirective[] = [];
    let pass: NginxDirective | undefined;
    for (const d of server.block ?? []) {
      const [name = ''] = d.words;
      if (name === 'listen') listens.push(d);
      else if (name === 'proxy_pass' && d.words.length === 2 && pass === undefined) pass = d;
      else if (name === 'proxy_pass') this.report(d, `${d.words.join(' ')} (${context}): ${pass ? `a second proxy_pass (the first, at line ${pass.line}, is used; nginx refuses this file)` : 'proxy_pass takes one target'}`);
      else if (!this.proxySetting(settings, d, context)) this.report(d, `${d.words.join(' ')} (${context}): ${nginxReason(name)}`);
    }
    if (pass === undefined) {
      this.report(server, `server (${lines(server)}): no proxy_pass: not converted`);
      return [];
    }
    const pool = this.pool(pass, upstream);
    const ipv6Only = new Set<ListenerDraft>();
    const listeners = listens.flatMap((l) => this.listen(l, ipv6Only));
    // nginx's `listen 6443; listen [::]:6443;` served both families with two sockets; tsvip's [::] is one.
    const binds = joinDualStack(listeners, (ipv4, both) => this.report(ipv4.at, `listen ${ipv4.bind} (${context}): joined into ${both.bind} (${where(both.at)}), tsvip's dual-stack listener, which serves both families as the two listens did`));
    for (const b of binds) {
      if (ipv6Only.has(b)) this.report(b.at, `listen [::]:${b.port} (${context}): nginx listens on IPv6 only there (ipv6only=on, its default); tsvip's [::]:${b.port} is dual-stack and takes IPv4 clients too`);
    }
    if (pool === undefined) return [];
    if (pool.backends.length === 0) {
      this.report(pool.source, `${pool.label}: no usable server: not converted`);
      return [];
    }
    if (binds.length === 0) {
      this.report(server, `server (${lines(server)}): no usable listen: not converted`);
      return [];
    }
    const notes: Record<string, string> = { ...pool.notes };
    const header = [`from ${where(server)} nginx stream server, backends from ${pool.label}`];
    const fields: Fields = { balance: pool.balance, backends: pool.backends, healthCheck: pool.healthCheck };
    if (settings.connectMs) {
      fields['connectTimeout'] = formatDuration(this.clamp(settings.connectMs, 10, HOUR, 'proxy_connect_timeout'));
      notes['connectTimeout'] = `proxy_connect_timeout (${where(settings.connectMs.at)})`;
    } else header.push(`nginx's default proxy_connect_timeout is ${NGINX_CONNECT_DEFAULT}; tsvip's connectTimeout default of 1s is kept, so a dead apiserver is passed over sooner`);
    const retries = this.retries(settings);
    if (retries) {
      fields['retries'] = retries.value;
      notes['retries'] = retries.note;
    }
    if (settings.idleMs) {
      fields['idleTimeout'] = formatDuration(this.clamp(settings.idleMs, 0, MAX_DURATION_MS, 'proxy_timeout'));
      notes['idleTimeout'] = `from nginx's proxy_timeout (${where(settings.idleMs.at)}), the same meaning: no data either way for this long closes the connection; tsvip's default 0s never cuts watches and kubectl logs -f`;
    } else {
      header.push(`nginx closes a connection idle for proxy_timeout (default ${NGINX_PROXY_TIMEOUT_DEFAULT}); tsvip's idleTimeout default of 0s is kept: watches and kubectl logs -f are never cut`);
    }
    const base = safeName(pass.words[1] ?? 'nginx');
    return binds.map((b, index) => ({
      source: server,
      header: header.join('\n'),
      notes: b.note === undefined ? { ...notes } : { ...notes, bind: b.note },
      fields: { name: this.uniqueName(index === 0 ? base : `${base}-${index + 1}`), bind: b.bind, ...fields },
      bindPort: b.port,
    }));
  }

  /** The backends proxy_pass names: an upstream, or one ADDRESS:PORT. */
  private pool(pass: NginxDirective, upstream: (name: string) => BackendPool | undefined): BackendPool | undefined {
    const target = pass.words[1] ?? '';
    if (target.includes('$')) {
      this.report(pass, `proxy_pass ${target}: a target chosen by a variable is not supported (tsvip proxies to a fixed list): not converted`);
      return undefined;
    }
    const named = upstream(target);
    if (named) return named;
    const address = backendAddress(target);
    if (!address.ok) {
      this.report(pass, `proxy_pass ${target}: no upstream of that name, and not an address: ${address.reason}: not converted`);
      return undefined;
    }
    return {
      source: pass,
      label: `proxy_pass ${target} (${where(pass)})`,
      balance: 'roundrobin',
      backends: [{ name: safeName(address.host), address: address.address }],
      healthCheck: { type: 'tcp' },
      notes: { healthCheck: 'nginx does not check a proxy_pass address; tsvip checks every backend, a tcp connect is the closest' },
    };
  }

  /** One `listen`: nginx's `PORT` and `*:PORT` are every IPv4 address; `[::]:PORT` is IPv6 only unless ipv6only=off. */
  private listen(l: NginxDirective, ipv6Only: Set<ListenerDraft>): ListenerDraft[] {
    const [, spec = '', ...params] = l.words;
    const skipping = params.find((p) => p === 'udp' || p === 'ssl' || p === 'proxy_protocol');
    if (skipping !== undefined) {
      const why: Record<string, string> = {
        udp: 'UDP is not supported: tsvip proxies TCP',
        ssl: 'TLS termination is not supported: tsvip would pass TLS through to backends that expect what nginx decrypted',
        proxy_protocol: 'clients send a PROXY protocol header here, which tsvip does not read',
      };
      this.report(l, `listen ${l.words.slice(1).join(' ')}: ${why[skipping] ?? ''}: skipped`);
      return [];
    }
    const ipv6onlyParam = params.find((p) => p.startsWith('ipv6only='));
    const others = params.filter((p) => p !== ipv6onlyParam);
    if (others.length > 0) this.report(l, `listen ${spec} ${params.join(' ')}: listen options are not supported (${others.join(' ')} left out)`);
    const portOnly = /^\d+$/.test(spec);
    const colon = spec.lastIndexOf(':');
    const hostText = portOnly ? '*' : spec.slice(0, colon);
    const portText = portOnly ? spec : spec.slice(colon + 1);
    const bracketed = /^\[(.*)\]$/.exec(hostText)?.[1];
    const host = hostText === '*' ? '0.0.0.0' : bracketed !== undefined ? canonicalIpv6(bracketed) : isIpv4(hostText) ? hostText : null;
    if ((!portOnly && colon < 0) || !/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535 || host === null) {
      this.report(l, `listen ${spec}: only PORT, *:PORT, IPv4ADDRESS:PORT or [IPv6ADDRESS]:PORT is supported (no host names, port ranges or unix sockets): skipped`);
      return [];
    }
    const port = Number(portText);
    if (isVip(this.vipAddresses, host)) return [{ bind: `vip:${port}`, port, note: `listen ${spec} (${where(l)}) is the VIP: tsvip listens there only while MASTER`, at: l }];
    if (host !== '::') return [{ bind: addressPort(host, port), port, note: undefined, at: l }];
    const dual = ipv6onlyParam === 'ipv6only=off';
    const listener: ListenerDraft = { bind: `[::]:${port}`, port, note: dual ? undefined : `listen ${spec} (${where(l)}) took IPv6 clients only (nginx's ipv6only=on); tsvip's [::] takes both families`, at: l };
    if (!dual) ipv6Only.add(listener);
    return [listener];
  }

  /** nginx retries the next upstream server on a failed connect (proxy_next_upstream on, the default). */
  private retries(settings: ProxySettings): { value: number; note: string } | undefined {
    if (settings.nextUpstream?.value === false) return { value: 0, note: `proxy_next_upstream off (${where(settings.nextUpstream.at)}): no other backend is tried` };
    const tries = settings.tries;
    if (tries === undefined || tries.value === 0) return undefined;
    const value = this.clamp({ value: tries.value - 1, at: tries.at }, 0, 10, 'retries (proxy_next_upstream_tries minus the first try)', String);
    return { value, note: `proxy_next_upstream_tries ${tries.value} (${where(tries.at)}): the first try and ${value} other backend(s)` };
  }

  private clamp(v: Located<number>, min: number, max: number, what: string, format: (n: number) => string = formatDuration): number {
    const value = Math.min(max, Math.max(min, v.value));
    if (value !== v.value) this.report(v.at, `${what} ${format(v.value)}: tsvip allows ${format(min)} to ${format(max)}: written as ${format(value)}`);
    return value;
  }

  private uniqueName(base: string): string {
    let name = safeName(base);
    for (let n = 2; this.names.has(name); n++) name = safeName(`${base}-${n}`);
    this.names.add(name);
    return name;
  }
}
