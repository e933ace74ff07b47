// haproxy.cfg -> load balancers for vip.yaml. A frontend with its backend (or a listen section) becomes
// one load balancer per bind address. Settings follow haproxy's inheritance: the last `defaults` before
// a proxy. Lines with no tsvip meaning are findings with their file:line.
import { formatDuration } from '../config/duration.js';
import { isIpv4 } from '../net/address.js';
import { safeName, where, type Finding, type SourceLine } from './findings.js';
import { haproxyTimeMs, type HaproxyLine, type HaproxySection } from './haproxy-syntax.js';
import type { Fields, LoadBalancerDraft } from './drafts.js';

interface Located<T> {
  value: T;
  at: SourceLine;
}

/** What a proxy's lines set, defaults included. */
interface Settings {
  mode?: Located<string>;
  balance?: Located<'roundrobin' | 'leastconn'>;
  retries?: Located<number>;
  connectMs?: Located<number> | undefined;
  clientMs?: Located<number> | undefined;
  serverMs?: Located<number> | undefined;
  tunnelMs?: Located<number> | undefined;
  checkMs?: Located<number> | undefined;
  redispatch?: SourceLine;
  httpchk?: Located<string>;
  sslHello?: SourceLine;
  /** `http-check connect ssl`: the check talks TLS even without check-ssl on the servers. */
  checkConnectSsl?: boolean;
  maxconn?: Located<number>;
  defaultServer: { words: string[]; at: SourceLine | undefined };
  servers: HaproxyLine[];
  binds: HaproxyLine[];
  defaultBackend?: Located<string>;
}

const VALUE_OPTIONS = new Set([
  'inter', 'fastinter', 'downinter', 'fall', 'rise', 'weight', 'port', 'addr', 'ca-file', 'verify', 'maxconn', 'maxqueue',
  'minconn', 'slowstart', 'resolvers', 'init-addr', 'check-sni', 'sni', 'crt', 'on-marked-down', 'on-marked-up', 'agent-port',
  'agent-inter', 'agent-addr', 'agent-send', 'observe', 'error-limit', 'cookie', 'id', 'proto', 'source', 'resolve-prefer',
  'namespace', 'pool-max-conn', 'pool-purge-delay', 'max-reuse', 'tcp-ut', 'track', 'redir', 'alpn', 'check-alpn', 'ciphers',
  'ciphersuites', 'ssl-min-ver', 'ssl-max-ver', 'crl-file',
]);

const LOGGING = new Set(['log', 'option tcplog', 'option httplog', 'option dontlognull', 'option logasap', 'log-format']);

export interface HaproxyResult {
  loadBalancers: LoadBalancerDraft[];
  findings: Finding[];
}

function parseServerOptions(words: readonly string[]): Map<string, string | true> {
  const options = new Map<string, string | true>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (VALUE_OPTIONS.has(word)) options.set(word, words[++i] ?? '');
    else options.set(word, true);
  }
  return options;
}

export class HaproxyConverter {
  private readonly findings: Finding[] = [];

  constructor(private readonly vipAddresses: ReadonlySet<string>) {}

  private report(at: SourceLine, message: string): void {
    this.findings.push({ file: at.file, line: at.line, message });
  }

  convert(sections: readonly HaproxySection[], orphans: readonly HaproxyLine[]): HaproxyResult {
    for (const o of orphans) this.report(o, `${o.words.join(' ')}: outside any section, ignored (haproxy rejects it too)`);
    const backends = new Map<string, { section: HaproxySection; settings: Settings; used: boolean }>();
    const proxies: { section: HaproxySection; settings: Settings }[] = [];
    let defaults: Settings = { defaultServer: { words: [], at: undefined }, servers: [], binds: [] };
    for (const section of sections) {
      if (section.kind === 'global') {
        for (const l of section.lines) this.report(l, `${l.words.join(' ')} (global): haproxy process settings have no tsvip equivalent`);
      } else if (section.kind === 'defaults') {
        defaults = this.apply({ defaultServer: { words: [], at: undefined }, servers: [], binds: [] }, section, 'defaults');
      } else if (section.kind === 'frontend' || section.kind === 'backend' || section.kind === 'listen') {
        if (this.isStats(section)) continue;
        const settings = this.apply(structuredClone(defaults), section, section.kind);
        if (section.kind === 'backend') backends.set(section.name ?? '', { section, settings, used: false });
        else proxies.push({ section, settings });
      } else {
        this.report(section, `${section.kind} ${section.name ?? ''} (lines ${section.line}-${section.lastLine}): not translated: tsvip has no ${section.kind} sections`.replace('  ', ' '));
      }
    }
    const loadBalancers: LoadBalancerDraft[] = [];
    for (const { section, settings } of proxies) {
      let backend: { section: HaproxySection; settings: Settings } = { section, settings };
      if (section.kind === 'frontend') {
        const wanted = settings.defaultBackend;
        const found = wanted === undefined ? undefined : backends.get(wanted.value);
        if (wanted === undefined || found === undefined) {
          const why = wanted === undefined ? 'has no default_backend' : `uses backend ${wanted.value}, which is not defined`;
          this.report(section, `frontend ${section.name ?? ''} ${why}: not converted`);
          continue;
        }
        found.used = true;
        backend = found;
      }
      loadBalancers.push(...this.loadBalancers(section, settings, backend.section, backend.settings));
    }
    for (const [name, { section, used }] of backends) {
      if (!used) this.report(section, `backend ${name}: no frontend uses it: not converted`);
    }
    return { loadBalancers, findings: this.findings };
  }

  private isStats(section: HaproxySection): boolean {
    const stats = section.lines.some((l) => l.words[0] === 'stats' || l.words[0] === 'monitor-uri') && !section.lines.some((l) => l.words[0] === 'server');
    if (stats) {
      this.report(section, `${section.kind} ${section.name ?? ''} (lines ${section.line}-${section.lastLine}): a stats/monitor page is not translated: tsvip serves its own at status.listen (/ and /status, /metrics, /healthz)`);
    }
    return stats;
  }

  private apply(settings: Settings, section: HaproxySection, kind: string): Settings {
    for (const l of section.lines) {
      const [keyword = '', a, b] = l.words;
      const time = (value: string | undefined): Located<number> | undefined => {
        const msValue = haproxyTimeMs(value);
        return msValue === undefined ? undefined : { value: msValue, at: l };
      };
      const two = `${keyword} ${a ?? ''}`;
      let ok = true;
      if (keyword === 'mode' && (a === 'tcp' || a === 'http')) settings.mode = { value: a, at: l };
      else if (keyword === 'balance' && (a === 'roundrobin' || a === 'leastconn')) settings.balance = { value: a, at: l };
      else if (keyword === 'retries' && a !== undefined && /^\d+$/.test(a)) settings.retries = { value: Number(a), at: l };
      else if (keyword === 'maxconn' && a !== undefined && /^\d+$/.test(a)) settings.maxconn = { value: Number(a), at: l };
      else if (two === 'timeout connect' && time(b)) settings.connectMs = time(b);
      else if (two === 'timeout client' && time(b)) settings.clientMs = time(b);
      else if (two === 'timeout server' && time(b)) settings.serverMs = time(b);
      else if (two === 'timeout tunnel' && time(b)) settings.tunnelMs = time(b);
      else if (two === 'timeout check' && time(b)) settings.checkMs = time(b);
      else if (two === 'option redispatch') settings.redispatch = l;
      else if (two === 'option ssl-hello-chk') settings.sslHello = l;
      else if (two === 'option httpchk') ok = this.httpchk(settings, l, l.words.slice(2));
      else if (two === 'http-check send') ok = this.httpCheckSend(settings, l);
      else if (two === 'http-check connect' && b === 'ssl' && l.words.length === 3) settings.checkConnectSsl = true;
      else if (two === 'http-check expect') ok = a === 'expect' && b === 'status' && l.words[3] === '200' && l.words.length === 4;
      else if (keyword === 'default-server') settings.defaultServer = { words: l.words.slice(1), at: l };
      else if (keyword === 'server' && kind !== 'frontend' && kind !== 'defaults') settings.servers.push(l);
      else if (keyword === 'bind' && kind !== 'backend' && kind !== 'defaults') settings.binds.push(l);
      else if (keyword === 'default_backend' && a !== undefined) settings.defaultBackend = { value: a, at: l };
      else if (keyword === 'use_backend' && a !== undefined && l.words.length === 2) settings.defaultBackend = { value: a, at: l };
      else ok = false;
      if (!ok) this.report(l, `${l.words.join(' ')} (${kind} ${section.name ?? ''}): ${this.reason(l.words)}`.replace(' )', ')'));
    }
    return settings;
  }

  private reason(words: readonly string[]): string {
    const [keyword = '', a] = words;
    if (LOGGING.has(keyword) || LOGGING.has(`${keyword} ${a ?? ''}`)) return 'not translated: tsvip logs connections itself (JSON on stdout)';
    if (keyword === 'balance') return 'not translated: tsvip balances roundrobin or leastconn (roundrobin used)';
    if (keyword === 'use_backend') return 'conditional backend choice is not supported: tsvip proxies TCP without rules';
    if (keyword === 'http-check') return 'not translated: tsvip sends GET PATH and expects status 200';
    if (keyword === 'timeout') return 'not translated: tsvip has connectTimeout, firstByteTimeout and idleTimeout only';
    if (keyword === 'acl' || keyword.startsWith('tcp-request') || keyword.startsWith('http-request') || keyword.startsWith('tcp-check')) return 'not supported: tsvip proxies TCP without rules';
    if (keyword === 'mode') return 'not translated: tsvip proxies TCP only (mode tcp)';
    return 'not translated: tsvip convert does not know this keyword';
  }

  private httpchk(settings: Settings, l: HaproxyLine, args: readonly string[]): boolean {
    // `option httpchk`, `option httpchk URI`, `option httpchk METHOD URI [VERSION]`.
    const [first, second] = args;
    const method = second === undefined ? 'GET' : first;
    const uri = second ?? first ?? '/';
    settings.httpchk = { value: uri, at: l };
    return method === 'GET' && uri.startsWith('/') && args.length <= 3;
  }

  private httpCheckSend(settings: Settings, l: HaproxyLine): boolean {
    const words = l.words.slice(2);
    const meth = words.indexOf('meth');
    const uri = words.indexOf('uri');
    if (uri >= 0 && words[uri + 1] !== undefined) settings.httpchk = { value: words[uri + 1] ?? '/', at: l };
    return (meth < 0 || words[meth + 1] === 'GET') && uri >= 0 && words.every((w, i) => ['meth', 'uri', 'ver'].includes(w) || ['meth', 'uri', 'ver'].includes(words[i - 1] ?? ''));
  }

  private bindAddresses(l: HaproxyLine): { bind: string; port: number; note: string | undefined }[] {
    const [, spec = '', ...options] = l.words;
    if (options.length > 0) this.report(l, `bind ${spec} ${options.join(' ')}: bind options are not supported (${options.join(' ')} left out)`);
    const out: { bind: string; port: number; note: string | undefined }[] = [];
    for (const part of spec.split(',')) {
      const address = part.replace(/^ipv4@/, '');
      const colon = address.lastIndexOf(':');
      const host = address.slice(0, colon);
      const portText = address.slice(colon + 1);
      if (colon < 0 || !/^\d+$/.test(portText) || (host !== '' && host !== '*' && !isIpv4(host))) {
        this.report(l, `bind ${part}: only IPv4 ADDRESS:PORT, *:PORT or :PORT is supported (no IPv6, port ranges or sockets): skipped`);
        continue;
      }
      const port = Number(portText);
      if (this.vipAddresses.has(host)) out.push({ bind: `vip:${port}`, port, note: `bind ${part} (${where(l)}) is the keepalived VIP: tsvip listens there only while MASTER` });
      else out.push({ bind: `${host === '' || host === '*' ? '0.0.0.0' : host}:${port}`, port, note: undefined });
    }
    return out;
  }

  private loadBalancers(front: HaproxySection, fe: Settings, back: HaproxySection, be: Settings): LoadBalancerDraft[] {
    const binds = fe.binds.flatMap((l) => this.bindAddresses(l));
    if (binds.length === 0) {
      this.report(front, `${front.kind} ${front.name ?? ''}: no usable bind: not converted`);
      return [];
    }
    for (const s of [fe, be]) {
      if (s.mode?.value === 'http') this.report(s.mode.at, 'mode http: not translated: tsvip proxies TCP only; this proxy is converted as plain TCP pass-through (no HTTP parsing, routing or headers)');
    }
    const { backends, healthCheck, notes } = this.servers(back, be, binds[0]?.port ?? 0);
    if (backends.length === 0) {
      this.report(back, `${back.kind} ${back.name ?? ''}: no usable server: not converted`);
      return [];
    }
    const fields: Fields = {};
    fields['balance'] = be.balance?.value ?? 'roundrobin';
    fields['backends'] = backends;
    fields['healthCheck'] = healthCheck;
    if (be.connectMs) fields['connectTimeout'] = formatDuration(this.clamp(be.connectMs, 10, 3_600_000, 'timeout connect'));
    if (be.retries) {
      fields['retries'] = this.clamp(be.retries, 0, 10, 'retries');
      notes['retries'] = 'haproxy retries: tsvip tries this many other backends when a connect fails';
    }
    if (be.redispatch) notes['retries'] = `${notes['retries'] ?? 'retries'}; option redispatch (${where(be.redispatch)}) needs no translation: tsvip always retries elsewhere`;
    const idle = be.tunnelMs ?? [fe.clientMs, be.serverMs].filter((t): t is Located<number> => t !== undefined).sort((a, b) => a.value - b.value)[0];
    if (idle) {
      fields['idleTimeout'] = formatDuration(idle.value);
      notes['idleTimeout'] = `from haproxy's timeout ${be.tunnelMs ? 'tunnel' : 'client/server'} (${where(idle.at)}); tsvip's default 0s never cuts watches and kubectl logs -f`;
    }
    if (fe.maxconn) fields['maxConnections'] = this.clamp(fe.maxconn, 1, 1_000_000, 'maxconn');
    const backendNote = back === front ? '' : ` with backend ${back.name ?? ''} (${where(back)})`;
    return binds.map((b, index) => {
      const name = safeName(`${front.name ?? 'lb'}${index === 0 ? '' : `-${index + 1}`}`);
      const bindNotes = b.note === undefined ? {} : { bind: b.note };
      return {
        source: front,
        header: `from ${where(front)} ${front.kind} ${front.name ?? ''}${backendNote}`,
        notes: { ...notes, ...bindNotes },
        fields: { name, bind: b.bind, ...fields },
        bindPort: b.port,
      };
    });
  }

  private clamp(v: Located<number>, min: number, max: number, what: string): number {
    const value = Math.min(max, Math.max(min, v.value));
    if (value !== v.value) this.report(v.at, `${what} ${v.value}: tsvip allows ${min} to ${max}: written as ${value}`);
    return value;
  }

  private servers(back: HaproxySection, be: Settings, bindPort: number): { backends: Fields[]; healthCheck: Fields; notes: Record<string, string> } {
    const notes: Record<string, string> = {};
    const backends: Fields[] = [];
    const timings: { inter?: string; fall?: string; rise?: string; line: HaproxyLine }[] = [];
    let checked = 0;
    let ssl: { insecure: boolean; caFile: string | undefined } | undefined;
    const handled = new Set(['check', 'inter', 'fall', 'rise', 'weight', 'check-ssl', 'verify', 'ca-file']);
    const defaultOptions = parseServerOptions(be.defaultServer.words);
    const defaultRest = [...defaultOptions.keys()].filter((k) => !handled.has(k));
    if (be.defaultServer.at && defaultRest.length > 0) this.report(be.defaultServer.at, `default-server: ${defaultRest.join(', ')}: not supported by tsvip (left out)`);
    for (const l of be.servers) {
      const [, rawName = '', address = ''] = l.words;
      const own = parseServerOptions(l.words.slice(3));
      const options = new Map([...defaultOptions, ...own]);
      if (options.has('backup')) {
        this.report(l, `server ${rawName} backup: backup servers are not supported (tsvip uses every healthy backend): skipped`);
        continue;
      }
      let host = address.replace(/^ipv4@/, '');
      let port = '';
      const colon = host.lastIndexOf(':');
      if (colon >= 0) {
        port = host.slice(colon + 1);
        host = host.slice(0, colon);
      }
      if (host.includes(':') || host.includes('@') || (port !== '' && !/^\d+$/.test(port))) {
        this.report(l, `server ${rawName} ${address}: only IPv4 or host name ADDRESS:PORT is supported: skipped`);
        continue;
      }
      if (port === '') {
        port = String(bindPort);
        this.report(l, `server ${rawName} ${address}: no port (haproxy uses the client's destination port): written with the bind port ${bindPort}`);
      }
      const backend: Fields = { name: safeName(rawName), address: `${host}:${port}` };
      const weight = options.get('weight');
      if (typeof weight === 'string' && /^\d+$/.test(weight)) backend['weight'] = Math.min(256, Number(weight));
      backends.push(backend);
      if (options.has('check')) checked++;
      timings.push({ ...this.optionText(options, 'inter'), ...this.optionText(options, 'fall'), ...this.optionText(options, 'rise'), line: l });
      if (options.has('check-ssl') || be.checkConnectSsl === true) ssl = { insecure: options.get('verify') === 'none', caFile: this.optionText(options, 'ca-file')['ca-file'] };
      const rest = [...own.keys()].filter((k) => !handled.has(k) && k !== 'backup');
      if (rest.length > 0) this.report(l, `server ${rawName}: ${rest.join(', ')}: not supported by tsvip (left out)`);
    }
    if (checked < backends.length && backends.length > 0) {
      this.report(back, `${back.kind} ${back.name ?? ''}: ${backends.length - checked} server(s) without "check": tsvip health-checks every backend`);
    }
    const first = timings[0];
    if (first && timings.some((t) => t.inter !== first.inter || t.fall !== first.fall || t.rise !== first.rise)) {
      this.report(back, `${back.kind} ${back.name ?? ''}: servers use different inter/fall/rise: tsvip has one healthCheck per load balancer (the first server's used)`);
    }
    const healthCheck: Fields = {};
    if (be.httpchk) {
      healthCheck['type'] = ssl ? 'https' : 'http';
      healthCheck['path'] = be.httpchk.value;
    } else if (ssl) {
      healthCheck['type'] = 'tcp';
      this.report(back, `${back.kind} ${back.name ?? ''}: check-ssl without option httpchk checks only the TLS handshake: tsvip has no TLS-only check, a tcp connect check is used`);
    } else {
      healthCheck['type'] = 'tcp';
      if (be.sslHello) {
        notes['healthCheck'] = `option ssl-hello-chk (${where(be.sslHello)}): tsvip has no TLS-hello check; tcp connect is the closest (type: https with path: /readyz is stricter for kube-apiserver)`;
        this.report(be.sslHello, 'option ssl-hello-chk: tsvip has no TLS-hello check: written as a tcp connect check');
      }
    }
    if (healthCheck['type'] === 'https' && ssl) {
      if (ssl.insecure) healthCheck['insecureSkipVerify'] = true;
      if (ssl.caFile !== undefined) healthCheck['caFile'] = ssl.caFile;
    }
    const inter = haproxyTimeMs(first?.inter);
    if (inter !== undefined) healthCheck['interval'] = formatDuration(Math.min(3_600_000, Math.max(100, inter)));
    if (be.checkMs) healthCheck['timeout'] = formatDuration(Math.min(3_600_000, Math.max(10, be.checkMs.value)));
    if (first?.rise !== undefined && /^\d+$/.test(first.rise)) healthCheck['rise'] = Math.min(100, Math.max(1, Number(first.rise)));
    if (first?.fall !== undefined && /^\d+$/.test(first.fall)) healthCheck['fall'] = Math.min(100, Math.max(1, Number(first.fall)));
    return { backends, healthCheck, notes };
  }

  private optionText(options: ReadonlyMap<string, string | true>, key: string): Record<string, string> {
    const value = options.get(key);
    return typeof value === 'string' ? { [key]: value } : {};
  }
}
