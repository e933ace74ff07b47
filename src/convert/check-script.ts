// Recognizes keepalived check scripts that only ask "does the local apiserver (or haproxy, or nginx) answer?", so
// that they become tsvip's built-in trackers instead of a forked shell every interval. The shapes seen
// in the field: `curl -sfk https://localhost:6443/healthz`, kubeadm's check_apiserver.sh (curl
// https://localhost:${APISERVER_DEST_PORT}/, then the same on the VIP while holding it), `killall -0
// haproxy`, `pidof haproxy`, `pgrep haproxy`, `ps -C haproxy`, `systemctl is-active haproxy` (or nginx), `nc -z
// 127.0.0.1 6443`, any of them under `/usr/bin/timeout 4.9` or `bash -c '...'`. Anything else in the script
// (another command, a loop, a pipeline into something unknown) means it is not recognized.

import { canonicalAddress } from './listeners.js';

export type LocalCheck =
  | {
      kind: 'url';
      url: string;
      host: string;
      port: number | undefined;
      unresolved: boolean;
      /** curl without --fail exits 0 on any HTTP answer, 403 and 500 included. */
      anyStatus: boolean;
    }
  | { kind: 'process'; name: string }
  | { kind: 'port'; host: string; port: number; unresolved: false };

export interface Recognized {
  checks: LocalCheck[];
  /** One line for the YAML comment: what the script did. */
  summary: string;
  /** The tightest `timeout SECONDS command` wrapper, in seconds. */
  timeoutSeconds?: number;
}

/** `localhost` or a loopback address, in brackets or not, however an IPv6 one is spelled. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return bare === 'localhost' || ['127.0.0.1', '::1'].includes(canonicalAddress(bare) ?? '');
}

function isLocalOrVip(host: string, vipAddresses: ReadonlySet<string>): boolean {
  return isLoopback(host) || vipAddresses.has(canonicalAddress(host.replace(/^\[(.*)\]$/, '$1')) ?? '');
}
const PROCESS_NAMES = new Set(['haproxy', 'nginx', 'kube-apiserver']);
// Words that only report, branch or exit: they do not change what the script checks.
const BOILERPLATE = new Set(['wc', 'echo', 'printf', 'exit', 'return', 'then', 'fi', 'else', 'elif', 'if', '{', '}', 'true', 'false', 'set', 'ip', 'grep', '[', '[[', 'test', 'logger', 'function']);

/** Variables the script sets (`NAME=value`, `export NAME=value`), unquoted. */
function assignments(lines: readonly string[]): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of lines) {
    const match = /^(?:export\s+)?([A-Za-z_]\w*)=(?:"([^"]*)"|'([^']*)'|(\S*))\s*$/.exec(line);
    if (match?.[1] !== undefined) vars.set(match[1], match[2] ?? match[3] ?? match[4] ?? '');
  }
  return vars;
}

function substitute(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const value = vars.get(braced ?? bare ?? '');
    return value ?? whole;
  });
}

function urlCheck(url: string, vipAddresses: ReadonlySet<string>, anyStatus: boolean): LocalCheck | undefined {
  // The bracketed IPv6 host first: `[^/:]+` would stop inside it.
  const match = /^(https?):\/\/(\[[^\]]+\]|[^/:]+|\$\{?\w+\}?)(?::([^/]+))?(\/.*)?$/.exec(url);
  if (!match) return undefined;
  const host = match[2] ?? '';
  const hostIsVariable = host.startsWith('$');
  if (!isLocalOrVip(host, vipAddresses) && !hostIsVariable) return undefined;
  const portText = match[3];
  const port = portText !== undefined && /^\d+$/.test(portText) ? Number(portText) : undefined;
  const unresolved = url.includes('$');
  return { kind: 'url', url, host, port: port ?? (portText === undefined ? (match[1] === 'https' ? 443 : 80) : undefined), unresolved, anyStatus };
}

const PREFIXES = new Set(['if', 'then', 'elif', 'else', '!', '[[', '[', 'test']);

function commandCheck(words: readonly string[], vipAddresses: ReadonlySet<string>, functions: ReadonlySet<string>, timeouts: number[]): LocalCheck | 'boilerplate' | undefined {
  let rest = [...words];
  for (;;) {
    const first = rest[0] ?? '';
    if (PREFIXES.has(first)) rest = rest.slice(1);
    else if ((first.split('/').pop() ?? '') === 'timeout' && rest[1] !== undefined && /^\d+(\.\d+)?s?$/.test(rest[1])) {
      // `/usr/bin/timeout 4.9 curl ...`: the check is the command; its bound tightens the tracker's timeout.
      timeouts.push(Number(rest[1].replace(/s$/, '')));
      rest = rest.slice(2);
    } else break;
  }
  const [program = '', ...args] = rest;
  const name = program.split('/').pop() ?? program;
  if (name === '' || BOILERPLATE.has(name) || functions.has(name) || /^\w+\(\)$/.test(name) || /^[A-Za-z_]\w*=/.test(name) || /^\d?>&\d$/.test(name)) {
    return 'boilerplate';
  }
  if (name === 'curl' || name === 'wget') {
    const url = args.find((a) => /^https?:\/\//.test(a));
    // wget fails on 4xx/5xx by itself; curl only with -f/--fail.
    const fails = name === 'wget' || args.some((a) => a === '--fail' || a === '--fail-with-body' || /^-[A-Za-z]*f[A-Za-z]*$/.test(a));
    return url === undefined ? undefined : urlCheck(url, vipAddresses, !fails);
  }
  if (name === 'nc' || name === 'ncat') {
    const flags = args.filter((a) => a.startsWith('-'));
    const operands = args.filter((a) => !a.startsWith('-'));
    const [host = '', portText = ''] = operands;
    if (!flags.some((f) => /^-[A-Za-z]*z/.test(f)) || operands.length !== 2 || !/^\d+$/.test(portText)) return undefined;
    if (!isLocalOrVip(host, vipAddresses)) return undefined;
    return { kind: 'port', host, port: Number(portText), unresolved: false };
  }
  if (name === 'ps') {
    const c = args.indexOf('-C');
    const process = c >= 0 ? args[c + 1] : undefined;
    return process !== undefined && PROCESS_NAMES.has(process) ? { kind: 'process', name: process } : undefined;
  }
  const last = args[args.length - 1];
  if (last === undefined || !PROCESS_NAMES.has(last)) return undefined;
  if (name === 'killall' && args[0] === '-0') return { kind: 'process', name: last };
  if (name === 'pidof' || name === 'pgrep') return { kind: 'process', name: last };
  if (name === 'systemctl' && args[0] === 'is-active') return { kind: 'process', name: last };
  return undefined;
}

/** The local checks a script performs, or undefined when it does anything else. */
export function recognizeCheckScript(text: string, vipAddresses: ReadonlySet<string>): Recognized | undefined {
  // `bash -c '...'` on the script line: the quoted text is the script.
  const wrapped = /^\s*(?:\S*\/)?(?:ba|da)?sh\s+-c\s+(?:'([^']*)'|"([^"]*)")\s*$/.exec(text);
  const lines = (wrapped ? (wrapped[1] ?? wrapped[2] ?? '') : text)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const vars = assignments(lines);
  const functions = new Set<string>();
  for (const line of lines) {
    const match = /^(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\)/.exec(line);
    if (match?.[1] !== undefined) functions.add(match[1]);
  }
  const checks: LocalCheck[] = [];
  const timeouts: number[] = [];
  for (const line of lines) {
    // Split into simple commands at ; && || | (quotes are rare in these scripts and only hold messages);
    // a command substitution `$(ps -C haproxy ...)` is read as the command inside it.
    const commands = substitute(line, vars)
      .replace(/\$\(([^()]*)\)/g, ' $1 ')
      .replace(/"[^"]*"|'[^']*'/g, (quoted) => quoted.replace(/[;&|]/g, ' '))
      .split(/;|&&|\|\||\|/);
    for (const command of commands) {
      const words = command
        .trim()
        .split(/\s+/)
        .filter((w) => w !== '')
        .map((w) => w.replace(/^["']|["']$/g, ''));
      if (words.length === 0) continue;
      const check = commandCheck(words, vipAddresses, functions, timeouts);
      if (check === undefined) return undefined;
      if (check !== 'boilerplate') checks.push(check);
    }
  }
  if (checks.length === 0) return undefined;
  const summary = checks.map((c) => (c.kind === 'url' ? `GET ${c.url}` : c.kind === 'port' ? `does ${c.host}:${c.port} accept a connection` : `is ${c.name} running`)).join(', ');
  return timeouts.length > 0 ? { checks, summary, timeoutSeconds: Math.min(...timeouts) } : { checks, summary };
}
