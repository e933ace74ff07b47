// haproxy.cfg -> load balancers for vip.yaml. A frontend with its backend (or a listen section) becomes
// one load balancer per bind address. Settings follow haproxy's inheritance: the last `defaults` before
// a proxy. Lines with no tsvip meaning are findings with their file:line.
import { formatDuration } from '../config/duration.js';
import { safeName, where, type Finding, type SourceLine } from './findings.js';
import { readHaproxyAddress } from './haproxy-address.js';
import { haproxyTimeMs, type HaproxyLine, type HaproxySection } from './haproxy-syntax.js';
import { isStatsSection, StatsConverter, type StatusDraft } from './haproxy-stats.js';
import { addressPort, isVip, joinDualStack, type ListenerDraft } from './listeners.js';
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
  /** The path of `option httpchk` or `http-check send uri`, whichever check option wins. */
  httpchk?: Located<string>;
  /** The last of haproxy's check options: the one haproxy runs (each replaces the ones before). */
  checkKind?: Located<CheckKind>;
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

// haproxy keeps only the last of these in a proxy (and a proxy's own replaces the one from defaults).
const CHECK_OPTIONS = ['httpchk', 'ssl-hello-chk', 'tcp-check', 'ldap-check', 'mysql-check', 'pgsql-check', 'redis-check', 'smtpchk', 'spop-check', 'external-check'] as const;
type CheckKind = (typeof CHECK_OPTIONS)[number];

function isCheckOption(word: string | undefined): word is CheckKind {
  return (CHECK_OPTIONS as readonly (string | undefined)[]).includes(word);
}

// haproxy's defaults where a proxy does not say (configuration.txt: "retries", "inter", "fall", "rise").
const HAPROXY_RETRIES = 3;
const HAPROXY_INTER_MS = 2000;
const HAPROXY_FALL = 3;
const HAPROXY_RISE = 2;

const LOGGING = new Set(['log', 'option tcplog', 'option httplog', 'option dontlognull', 'option logasap', 'log-format']);

export interface HaproxyResult {
  loadBalancers: LoadBalancerDraft[];
  findings: Finding[];
  /** Bind ports of sections that answer a monitor-uri (haproxy's "am I up" page). */
  monitorPorts: number[];
  /** The first stats page, as the status server. */
  status: StatusDraft | undefined;
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
  private readonly monitorPorts: number[] = [];
  private status: StatusDraft | undefined;

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
    return { loadBalancers, findings: this.findings, monitorPorts: this.monitorPorts, status: this.status };
  }

  /** A stats or monitor page: the first stats page becomes the status server, the others are listed. */
  private isStats(section: HaproxySection): boolean {
    const monitor = section.lines.some((l) => l.words[0] === 'monitor-uri') && !section.lines.some((l) => l.words[0] === 'server');
    const stats = isStatsSection(section);
    if (monitor) {
      for (const l of section.lines) {
        const port = l.words[0] === 'bind' ? /:(\d+)$/.exec(l.words[1] ?? '')?.[1] : undefined;
        if (port !== undefined) this.monitorPorts.push(Number(port));
      }
    }
    const label = `${section.kind} ${section.name ?? ''}`.trim();
    if (stats && this.status === undefined) {
      const { status, findings } = new StatsConverter(this.vipAddresses).convert(section);
      this.status = status;
      this.findings.push(...findings);
    } else if (stats) {
      this.report(section, `${label} (lines ${section.line}-${section.lastLine}): a second stats page: tsvip has one status server (from ${where(this.status?.source ?? section)}): not translated`);
    } else if (monitor) {
      this.report(section, `${label} (lines ${section.line}-${section.lastLine}): a monitor page is not translated: tsvip answers /healthz and /readyz at status.listen`);
    }
    return stats || monitor;
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
      else if (keyword === 'option' && isCheckOption(a)) {
        settings.checkKind = { value: a, at: l };
        if (a === 'httpchk') ok = this.httpchk(settings, l, l.words.slice(2));
        else ok = a === 'ssl-hello-chk' || (a === 'tcp-check' && l.words.length === 2);
      }
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

  private bindAddresses(l: HaproxyLine): ListenerDraft[] {
    const [, spec = '', ...options] = l.words;
    // v4v6 and v6only only change a bind on :: (configuration.txt: "when it uses the default address").
    const v6only = options.includes('v6only');
    const v4v6 = options.includes('v4v6') && !v6only;
    const unsupported = options.filter((o) => o !== 'v4v6' && o !== 'v6only');
    if (unsupported.length > 0) this.report(l, `bind ${spec} ${options.join(' ')}: bind options are not supported (${unsupported.join(' ')} left out)`);
    const out: ListenerDraft[] = [];
    for (const part of spec.split(',')) {
      const read = readHaproxyAddress(part, 'bind');
      if (!read.ok) {
        this.report(l, `bind ${part}: ${read.reason}: skipped`);
        continue;
      }
      const port = read.port ?? 0;
      if (read.host === '::') {
        const said = `bind ${part}${v4v6 ? ' v4v6' : v6only ? ' v6only' : ''} (${where(l)})`;
        let note: string;
        if (v6only) {
          note = `${said} took IPv6 clients only; tsvip's [::] takes IPv4 clients too (dual-stack)`;
          this.report(l, `bind ${part} v6only: tsvip's [::]:${port} listener is dual-stack: it takes IPv4 clients too, which haproxy's v6only kept out`);
        } else if (v4v6) note = `${said}: both families, as tsvip's [::]`;
        else note = `${said}: without v4v6 or v6only haproxy follows net.ipv6.bindv6only (0 by default: both families); tsvip's [::] takes both`;
        out.push({ bind: `[::]:${port}`, port, note, at: l });
      } else if (isVip(this.vipAddresses, read.host)) {
        out.push({ bind: `vip:${port}`, port, note: `bind ${part} (${where(l)}) is the keepalived VIP: tsvip listens there only while MASTER`, at: l });
      } else out.push({ bind: addressPort(read.host, port), port, note: undefined, at: l });
    }
    return out;
  }

  private loadBalancers(front: HaproxySection, fe: Settings, back: HaproxySection, be: Settings): LoadBalancerDraft[] {
    const written: ListenerDraft[] = [];
    for (const l of fe.binds) {
      for (const b of this.bindAddresses(l)) {
        if (written.some((earlier) => earlier.bind === b.bind)) this.report(l, `bind ${b.bind}: the same listener as an earlier bind of ${front.kind} ${front.name ?? ''}: written once`);
        else written.push(b);
      }
    }
    // `bind *:443` beside `bind :::443 v6only`: tsvip's one dual-stack listener serves what the two did.
    const binds = joinDualStack(written, (ipv4, both) => this.report(ipv4.at, `bind ${ipv4.bind} (${front.kind} ${front.name ?? ''}): joined into ${both.bind} (${where(both.at)}), tsvip's dual-stack listener, which takes IPv4 clients too`));
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
      notes['retries'] = `haproxy retries (${where(be.retries.at)}): tsvip tries this many other backends when a connect fails`;
    } else {
      fields['retries'] = HAPROXY_RETRIES;
      notes['retries'] = `no retries line: haproxy's default ${HAPROXY_RETRIES}`;
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
      const read = readHaproxyAddress(address, 'server');
      if (!read.ok) {
        this.report(l, `server ${rawName} ${address}: ${read.reason}: skipped`);
        continue;
      }
      let port = read.port;
      if (port === undefined) {
        port = bindPort;
        this.report(l, `server ${rawName} ${address}: no port (haproxy uses the client's destination port): written with the bind port ${bindPort}`);
      }
      const backend: Fields = { name: safeName(rawName), address: addressPort(read.host, port) };
      if (read.lastColon) notes[`backends.${backends.length}.address`] = `${address} (${where(l)}): haproxy takes the part after the last colon as the port`;
      const weight = options.get('weight');
      if (typeof weight === 'string' && /^\d+$/.test(weight)) backend['weight'] = Math.min(256, Number(weight));
      backends.push(backend);
      if (options.has('check')) checked++;
      timings.push({ ...this.optionText(options, 'inter'), ...this.optionText(options, 'fall'), ...this.optionText(options, 'rise'), line: l });
      // A server with `ssl` is checked over TLS too, as with check-ssl.
      if (options.has('check-ssl') || options.has('ssl') || be.checkConnectSsl === true) ssl = { insecure: options.get('verify') === 'none', caFile: this.optionText(options, 'ca-file')['ca-file'] };
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
    const healthCheck = this.healthCheck(back, be, ssl, notes);
    this.checkTiming(healthCheck, notes, be, first);
    return { backends, healthCheck, notes };
  }

  /** What haproxy really checks: the last check option wins, and TLS comes from check-ssl, `ssl` or `http-check connect ssl`. */
  private healthCheck(back: HaproxySection, be: Settings, ssl: { insecure: boolean; caFile: string | undefined } | undefined, notes: Record<string, string>): Fields {
    const label = `${back.kind} ${back.name ?? ''}`;
    const kind = be.checkKind;
    const healthCheck: Fields = {};
    const tls = (): void => {
      if (ssl?.insecure === true) healthCheck['insecureSkipVerify'] = true;
      if (ssl?.caFile !== undefined) healthCheck['caFile'] = ssl.caFile;
    };
    if (kind?.value === 'httpchk') {
      healthCheck['type'] = ssl ? 'https' : 'http';
      healthCheck['path'] = be.httpchk?.value ?? '/';
      if (ssl) tls();
    } else if (kind?.value === 'ssl-hello-chk') {
      // haproxy sends a TLS hello and wants a server hello: a TLS apiserver passes, a plain-HTTP check would not.
      const httpchk = be.httpchk;
      const path = httpchk?.value ?? '/healthz';
      healthCheck['type'] = 'https';
      healthCheck['path'] = path;
      healthCheck['insecureSkipVerify'] = true;
      const earlier = httpchk === undefined ? '' : `, which replaces option httpchk (${where(httpchk.at)}) as haproxy keeps the last check option`;
      notes['healthCheck'] = `haproxy ran a TLS hello check: option ssl-hello-chk (${where(kind.at)})${earlier}; tsvip has no hello-only check, so it does the TLS handshake and GET ${path} (a kube-apiserver answers it without credentials)`;
      this.report(kind.at, `option ssl-hello-chk (${label}): haproxy runs a TLS hello check here${earlier}: written as an https check of ${path} with insecureSkipVerify, which a TLS apiserver passes`);
    } else {
      healthCheck['type'] = 'tcp';
      if (kind !== undefined && kind.value !== 'tcp-check') {
        this.report(kind.at, `option ${kind.value} (${label}): tsvip has no ${kind.value}: written as a tcp connect check`);
      } else if (ssl) {
        healthCheck['type'] = 'https';
        healthCheck['path'] = '/healthz';
        tls();
        notes['healthCheck'] = `haproxy checked the TLS handshake only (check-ssl without option httpchk, ${label}); tsvip's https check also GETs /healthz, which a kube-apiserver answers without credentials`;
        const verify = ssl.insecure ? 'insecureSkipVerify (verify none)' : 'the certificate verified, as haproxy verifies it';
        this.report(back, `${label}: check-ssl without option httpchk checks only the TLS handshake: written as an https check of /healthz with ${verify}`);
      }
    }
    return healthCheck;
  }

  /** interval, timeout, rise and fall as haproxy uses them, its own defaults where the config is silent. */
  private checkTiming(healthCheck: Fields, notes: Record<string, string>, be: Settings, first: { inter?: string; fall?: string; rise?: string; line: HaproxyLine } | undefined): void {
    const interText = first?.inter;
    const interMs = haproxyTimeMs(interText) ?? HAPROXY_INTER_MS;
    healthCheck['interval'] = formatDuration(Math.min(3_600_000, Math.max(100, interMs)));
    if (interText === undefined) notes['healthCheck.interval'] = `haproxy's default inter ${formatDuration(HAPROXY_INTER_MS)}`;
    // configuration.txt, "timeout check": with it, min(timeout connect, inter) to connect plus timeout check
    // to read; without it, inter bounds the whole check.
    let timeoutMs: number;
    if (be.checkMs) {
      const connectMs = Math.min(be.connectMs?.value ?? interMs, interMs);
      timeoutMs = connectMs + be.checkMs.value;
      notes['healthCheck.timeout'] = `haproxy: min(timeout connect, inter) ${formatDuration(connectMs)} to connect + timeout check ${formatDuration(be.checkMs.value)} (${where(be.checkMs.at)})`;
    } else {
      timeoutMs = interMs;
      notes['healthCheck.timeout'] = `no timeout check: haproxy bounds the whole check by inter (${formatDuration(interMs)})`;
    }
    healthCheck['timeout'] = formatDuration(Math.min(3_600_000, Math.max(10, timeoutMs)));
    const count = (text: string | undefined, fallback: number, key: 'rise' | 'fall'): void => {
      const given = text !== undefined && /^\d+$/.test(text);
      healthCheck[key] = Math.min(100, Math.max(1, given ? Number(text) : fallback));
      if (!given) notes[`healthCheck.${key}`] = `haproxy's default ${key} ${fallback}`;
    };
    count(first?.rise, HAPROXY_RISE, 'rise');
    count(first?.fall, HAPROXY_FALL, 'fall');
  }

  private optionText(options: ReadonlyMap<string, string | true>, key: string): Record<string, string> {
    const value = options.get(key);
    return typeof value === 'string' ? { [key]: value } : {};
  }
}
