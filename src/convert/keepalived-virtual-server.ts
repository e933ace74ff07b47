// keepalived's `virtual_server ADDRESS PORT { lb_algo; real_server ADDRESS PORT { weight; TCP_CHECK |
// HTTP_GET | SSL_GET } }` (IPVS in the kernel, as k0s's control-plane load balancing writes it) -> one
// tsvip load balancer: on `vip:PORT` when the address is a VIP, the real servers as backends, their
// check as its healthCheck. keepalived's defaults (keepalived.conf(5)): delay_loop 60 s, connect_timeout
// 5 s, retry 1.
import { formatDuration } from '../config/duration.js';
import { integer, seconds } from './keepalived-terms.js';
import { safeName, where, type SourceLine } from './findings.js';
import { addressPort, canonicalAddress } from './listeners.js';
import type { Fields, LoadBalancerDraft } from './drafts.js';
import type { Statement } from './keepalived-syntax.js';

type Report = (at: SourceLine, message: string) => void;

const DELAY_LOOP_S = 60;
const CONNECT_TIMEOUT_S = 5;
const RETRY = 1;

const ALGORITHMS: Readonly<Record<string, 'roundrobin' | 'leastconn'>> = { rr: 'roundrobin', wrr: 'roundrobin', lc: 'leastconn', wlc: 'leastconn' };
// Words that only tell IPVS how to forward or schedule: a user-space proxy does neither.
const FORWARDING = new Set(['lb_kind', 'protocol', 'net_mask', 'ha_suspend', 'alpha', 'omega', 'quorum', 'hysteresis', 'virtualhost', 'ops', 'lvs_method']);

interface Check {
  type: 'tcp' | 'http' | 'https';
  path: string | undefined;
  connectTimeout: number | undefined;
  retry: number | undefined;
  delayLoop: number | undefined;
  at: Statement;
}

export function convertVirtualServer(statement: Statement, vipAddresses: ReadonlySet<string>, report: Report): LoadBalancerDraft[] {
  const [, written = '', portText] = statement.words;
  const label = `virtual_server ${statement.words.slice(1).join(' ')}`;
  const port = integer(portText);
  const address = canonicalAddress(written);
  if (address === undefined || port === undefined || port < 1 || port > 65535) {
    report(statement, `${label}: only "virtual_server ADDRESS PORT" is translated (no fwmark or groups): not converted`);
    return [];
  }
  const notes: Record<string, string> = {};
  let balance: 'roundrobin' | 'leastconn' = 'roundrobin';
  let delayLoop: number | undefined;
  const backends: Fields[] = [];
  const checks: Check[] = [];
  for (const s of statement.block ?? []) {
    const [keyword = '', value] = s.words;
    if (keyword === 'lb_algo' || keyword === 'lvs_sched') {
      const mapped = value === undefined ? undefined : ALGORITHMS[value];
      if (mapped !== undefined) balance = mapped;
      else report(s, `${label}: lb_algo ${value ?? ''}: tsvip balances roundrobin or leastconn: roundrobin used`);
      if (value === 'wrr' || value === 'wlc') notes['balance'] = `lb_algo ${value} (${where(s)}): tsvip's ${mapped ?? ''} honours the backends' weights`;
    } else if (keyword === 'delay_loop' && seconds(value) !== undefined) delayLoop = seconds(value);
    else if (keyword === 'real_server') {
      const backend = realServer(s, label, report, checks);
      if (backend) backends.push(backend);
    } else if (keyword === 'persistence_timeout' && (value === '0' || value === undefined)) continue;
    else if (keyword === 'persistence_timeout') report(s, `${label}: persistence_timeout ${value}: tsvip does not pin a client to one backend: left out`);
    else if (FORWARDING.has(keyword)) {
      if (keyword === 'lb_kind') notes['bind'] = `${label} used IPVS (lb_kind ${value ?? ''}, ${where(s)}): tsvip proxies the connections in user space instead`;
    } else report(s, `${label}: ${s.words.join(' ')}: not translated`);
  }
  if (backends.length === 0) {
    report(statement, `${label}: no usable real_server: not converted`);
    return [];
  }
  const isVip = vipAddresses.has(address);
  const bind = isVip ? `vip:${port}` : addressPort(address, port);
  if (isVip) {
    notes['bind'] = `${notes['bind'] ?? label}; ${address} is the VIP: tsvip listens there only while MASTER`;
    report(statement, `${label}: IPVS answered on ${addressPort(address, port)} in the kernel; tsvip listens on vip:${port} in user space, which fails while another process (an apiserver on *:${port}) holds that port on all addresses: move one of them to another port`);
  }
  const healthCheck = healthCheckOf(checks, delayLoop, notes, report, label);
  return [
    {
      source: statement,
      header: `from ${where(statement)} ${label}`,
      notes,
      fields: { name: safeName(`vs-${address}-${port}`), bind, balance, backends, healthCheck },
      bindPort: port,
    },
  ];
}

function realServer(s: Statement, label: string, report: Report, checks: Check[]): Fields | undefined {
  const [, written = '', portText] = s.words;
  const port = integer(portText);
  const address = canonicalAddress(written);
  if (address === undefined || port === undefined || port < 1 || port > 65535) {
    report(s, `${label}: real_server ${s.words.slice(1).join(' ')}: only ADDRESS PORT is translated: skipped`);
    return undefined;
  }
  const backend: Fields = { name: safeName(`${address}-${port}`), address: addressPort(address, port) };
  for (const r of s.block ?? []) {
    const [keyword = '', value] = r.words;
    if (keyword === 'weight' && integer(value) !== undefined) backend['weight'] = Math.min(256, Math.max(0, integer(value) ?? 1));
    else if (keyword === 'TCP_CHECK' || keyword === 'HTTP_GET' || keyword === 'SSL_GET') checks.push(checkOf(r, label, report));
    else report(r, `${label}: real_server ${address} ${portText ?? ''}: ${r.words.join(' ')}: not translated`);
  }
  return backend;
}

function checkOf(r: Statement, label: string, report: Report): Check {
  const keyword = r.words[0];
  const check: Check = { type: keyword === 'TCP_CHECK' ? 'tcp' : keyword === 'SSL_GET' ? 'https' : 'http', path: undefined, connectTimeout: undefined, retry: undefined, delayLoop: undefined, at: r };
  for (const c of r.block ?? []) {
    const [k = '', v] = c.words;
    if (k === 'connect_timeout' && seconds(v) !== undefined) check.connectTimeout = seconds(v);
    else if ((k === 'retry' || k === 'nb_get_retry') && integer(v) !== undefined) check.retry = integer(v);
    else if (k === 'delay_loop' && seconds(v) !== undefined) check.delayLoop = seconds(v);
    else if (k === 'url') {
      for (const u of c.block ?? []) {
        const [uk = '', uv] = u.words;
        if (uk === 'path' && uv?.startsWith('/') === true) check.path = uv;
        else if (uk === 'status_code' && uv === '200') continue;
        else report(u, `${label}: ${keyword ?? ''} url ${u.words.join(' ')}: tsvip expects status 200 and checks no digest: left out`);
      }
    } else if (k === 'connect_port' || k === 'warmup' || k === 'delay_before_retry' || k === 'connect_ip') continue;
    else report(c, `${label}: ${keyword ?? ''} ${c.words.join(' ')}: not translated`);
  }
  return check;
}

function healthCheckOf(checks: readonly Check[], delayLoop: number | undefined, notes: Record<string, string>, report: Report, label: string): Fields {
  const first = checks[0];
  if (first === undefined) {
    notes['healthCheck'] = `${label} had no checker (keepalived then keeps every real server in): tsvip checks each with a tcp connect`;
    return { type: 'tcp' };
  }
  if (checks.some((c) => c.type !== first.type || c.path !== first.path)) {
    report(first.at, `${label}: the real servers use different checks: tsvip has one healthCheck per load balancer (the first one's used)`);
  }
  const interval = first.delayLoop ?? delayLoop ?? DELAY_LOOP_S;
  const timeout = first.connectTimeout ?? CONNECT_TIMEOUT_S;
  // A failed check is retried `retry` times before the server is taken out.
  const fall = Math.min(100, Math.max(1, (first.retry ?? RETRY) + 1));
  const healthCheck: Fields = { type: first.type };
  if (first.type !== 'tcp') healthCheck['path'] = first.path ?? '/';
  // keepalived's SSL_GET does not verify the certificate unless told to.
  if (first.type === 'https') healthCheck['insecureSkipVerify'] = true;
  Object.assign(healthCheck, {
    interval: formatDuration(Math.min(3_600_000, Math.max(100, Math.round(interval * 1000)))),
    timeout: formatDuration(Math.min(3_600_000, Math.max(10, Math.round(timeout * 1000)))),
    rise: 1,
    fall,
  });
  notes['healthCheck'] = `${first.at.words[0] ?? ''} (${where(first.at)}): every delay_loop ${interval}s, connect_timeout ${timeout}s, down after ${fall} failures (retry ${fall - 1}), back after one success, as keepalived`;
  return healthCheck;
}
