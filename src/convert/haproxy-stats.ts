// haproxy's stats page (`listen stats` with `stats uri`, `stats auth`, `stats refresh`) -> vip.yaml's
// `status`: the status server on the stats bind, basic auth for the stats user, and the page also at the
// old stats uri (status.pageAlias) so bookmarks keep working. The password stays out of vip.yaml: the
// converted config names a password file, and a finding says which command fills it from haproxy.cfg.
import { where, type Finding, type SourceLine } from './findings.js';
import { readHaproxyAddress } from './haproxy-address.js';
import { addressPort, isVip } from './listeners.js';
import type { HaproxyLine, HaproxySection } from './haproxy-syntax.js';
import type { Commented, Fields } from './drafts.js';

export interface StatusDraft extends Commented {
  source: SourceLine;
  fields: Fields;
  /** The port status.listen uses, 0 when the stats bind could not be used (the default listen stays). */
  port: number;
}

/** Where the converted config expects the stats password; the finding says how it gets there. */
export const STATUS_PASSWORD_FILE = '/etc/tsvip/status-password';

// haproxy's page is at /haproxy?stats unless `stats uri` says otherwise (configuration.txt, "stats uri").
const HAPROXY_STATS_URI = '/haproxy?stats';
const OWN_PATHS = new Set(['/', '/status', '/metrics', '/healthz', '/readyz']);
const PATH_PATTERN = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;
// The status page's own refresh period (src/status/page.ts).
const PAGE_REFRESH = '2s';

/** A section that only serves haproxy's stats page (no servers to proxy to). */
export function isStatsSection(section: HaproxySection): boolean {
  return section.lines.some((l) => l.words[0] === 'stats') && !section.lines.some((l) => l.words[0] === 'server');
}

function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

export class StatsConverter {
  private readonly findings: Finding[] = [];

  constructor(private readonly vipAddresses: ReadonlySet<string>) {}

  private report(at: SourceLine, message: string): void {
    this.findings.push({ file: at.file, line: at.line, message });
  }

  convert(section: HaproxySection): { status: StatusDraft; findings: Finding[] } {
    const label = `${section.kind} ${section.name ?? ''}`.trim();
    const fields: Fields = {};
    const notes: Record<string, string> = {};
    let port = 0;
    let uri: HaproxyLine | undefined;
    let auth: HaproxyLine | undefined;
    for (const l of section.lines) {
      const [keyword = '', a] = l.words;
      const two = `${keyword} ${a ?? ''}`;
      if (keyword === 'bind') {
        if (port !== 0) this.report(l, `${l.words.join(' ')} (${label}): tsvip's status server has one listener: the first bind is used`);
        else {
          const bind = this.bind(l, label);
          if (bind !== undefined) {
            port = bind.port;
            fields['listen'] = bind.listen;
            if (bind.note !== undefined) notes['listen'] = bind.note;
          }
        }
      } else if (two === 'stats uri' && l.words.length === 3) uri = l;
      else if (two === 'stats auth' && l.words.length === 3) {
        if (auth === undefined) auth = l;
        else this.report(l, `stats auth ${(l.words[2] ?? '').split(':')[0] ?? ''} (${label}): tsvip's status server has one user (${(auth.words[2] ?? '').split(':')[0] ?? ''}, from ${where(auth)}): this one is not converted`);
      } else if (two === 'stats refresh') {
        this.report(l, `stats refresh ${l.words[2] ?? ''} (${label}): tsvip's status page refreshes itself every ${PAGE_REFRESH}: not kept`);
      } else if (two === 'stats enable' || two === 'mode http') {
        // What makes it a stats page in haproxy; the status server needs neither.
      } else {
        this.report(l, `${l.words.join(' ')} (${label}): ${this.reason(l.words)}`);
      }
    }
    if (port === 0) this.report(section, `${label}: no usable bind: status.listen stays at its default (127.0.0.1:9901)`);
    this.pageAlias(section, uri, fields, notes, label);
    if (auth !== undefined) this.auth(auth, fields, notes, label);
    else this.report(section, `${label}: no stats auth: the status page is open to whoever reaches status.listen, as haproxy's was`);
    const status: StatusDraft = {
      source: section,
      header: `from ${where(section)} ${label}: haproxy's stats page becomes tsvip's status server (the page at /, JSON at /status, /metrics, /healthz, /readyz)`,
      notes,
      fields,
      port,
    };
    return { status, findings: this.findings };
  }

  private bind(l: HaproxyLine, label: string): { listen: string; port: number; note: string | undefined } | undefined {
    const [, spec = '', ...options] = l.words;
    const unsupported = options.filter((o) => o !== 'v4v6' && o !== 'v6only');
    if (unsupported.includes('ssl')) this.report(l, `bind ${spec} ${options.join(' ')} (${label}): tsvip's status server speaks plain HTTP: the page is served without TLS (${unsupported.join(' ')} left out)`);
    else if (unsupported.length > 0) this.report(l, `bind ${spec} ${options.join(' ')} (${label}): bind options are not supported (${unsupported.join(' ')} left out)`);
    const part = spec.split(',')[0] ?? '';
    if (spec.includes(',')) this.report(l, `bind ${spec} (${label}): tsvip's status server has one listener: ${part} is used`);
    const read = readHaproxyAddress(part, 'bind');
    if (!read.ok) {
      this.report(l, `bind ${part} (${label}): ${read.reason}: skipped`);
      return undefined;
    }
    const port = read.port ?? 0;
    if (read.host === '::') {
      const v6only = options.includes('v6only');
      if (v6only) this.report(l, `bind ${part} v6only (${label}): status.listen is written as [::]:${port}, which is dual-stack: it takes IPv4 clients too, which haproxy's v6only kept out`);
      return { listen: `[::]:${port}`, port, note: v6only ? `bind ${part} v6only (${where(l)}) took IPv6 clients only; tsvip's [::] takes both families` : undefined };
    }
    if (read.host === '0.0.0.0') return { listen: `0.0.0.0:${port}`, port, note: undefined };
    if (isVip(this.vipAddresses, read.host)) {
      const any = read.host.includes(':') ? '[::]' : '0.0.0.0';
      this.report(l, `bind ${part} (${label}): ${read.host} is the VIP, which is on this host only while it is master: status.listen is written as ${any}:${port}, which answers on the VIP too`);
      return { listen: `${any}:${port}`, port, note: `bind ${part} (${where(l)}) is the VIP: ${any} answers there while this host is master, and on the host's own addresses always` };
    }
    return { listen: addressPort(read.host, port), port, note: undefined };
  }

  private pageAlias(section: HaproxySection, uri: HaproxyLine | undefined, fields: Fields, notes: Record<string, string>, label: string): void {
    const written = uri?.words[2] ?? HAPROXY_STATS_URI;
    const from = uri === undefined ? `no stats uri: haproxy's default ${HAPROXY_STATS_URI}` : `stats uri ${written} (${where(uri)})`;
    // haproxy matches the uri as a prefix of the request's path and query; the status server matches the path.
    const path = written.split('?')[0] ?? '';
    const at = uri ?? section;
    if (path === '/') return;
    if (!PATH_PATTERN.test(path)) {
      this.report(at, `${from} (${label}): not a path the status server can answer: the page is at / only`);
    } else if (OWN_PATHS.has(path)) {
      this.report(at, `${from} (${label}): ${path} is one of the status server's own paths: the page is at / only`);
    } else {
      fields['pageAlias'] = path;
      notes['pageAlias'] = `${from}: the page is also answered there${path === written ? '' : ` (the path without haproxy's query ${written.slice(path.length)})`}`;
    }
  }

  private auth(l: HaproxyLine, fields: Fields, notes: Record<string, string>, label: string): void {
    const credentials = l.words[2] ?? '';
    const colon = credentials.indexOf(':');
    const user = colon < 0 ? credentials : credentials.slice(0, colon);
    if (colon <= 0 || colon === credentials.length - 1) {
      this.report(l, `stats auth (${label}): not USER:PASSWORD: no basic auth written`);
      return;
    }
    fields['auth'] = { user, passwordFile: STATUS_PASSWORD_FILE };
    notes['auth'] = `stats auth ${user}:… (${where(l)}): the password is not copied here; it goes in ${STATUS_PASSWORD_FILE}`;
    // awk prints the password from haproxy.cfg itself, so it is not shown on the terminal; when quotes or
    // escapes make the written word differ from the password, only the line can be pointed at.
    const written = l.text.trim().split(/[ \t]+/);
    const plain = written[2] === credentials && !l.text.includes('\r');
    const command = plain
      ? `install -d -m 700 /etc/tsvip && (umask 077 && awk 'NR==${l.line} { sub(/^[^:]*:/, "", $3); print $3 }' ${shellWord(l.file)} > ${STATUS_PASSWORD_FILE})`
      : `install -d -m 700 /etc/tsvip && (umask 077 && cat > ${STATUS_PASSWORD_FILE}), then type the password of that line and Ctrl-D`;
    this.report(l, `stats auth ${user}:… (${label}): basic auth for user ${user}; the password is not written to vip.yaml: put it in ${STATUS_PASSWORD_FILE} with: ${command}`);
  }

  private reason(words: readonly string[]): string {
    const [keyword = '', a] = words;
    if (keyword === 'stats' && a === 'admin') return "not translated: tsvip's status page only shows state (no enabling or disabling servers)";
    if (keyword === 'stats' && (a === 'realm' || a === 'hide-version' || a === 'show-legends' || a === 'show-node' || a === 'show-desc' || a === 'scope' || a === 'http-request')) return `not translated: tsvip's status page has no stats ${a}`;
    if (keyword === 'log' || keyword === 'option') return "not translated: the status server needs no proxy options";
    if (keyword === 'timeout' || keyword === 'maxconn') return 'not translated: the status server has no such setting';
    return 'not translated: tsvip convert does not know this keyword in a stats section';
  }
}
