// The load balancer benchmark's lab (docs/benchmarks.md, "Load balancer"): h1 and h2 run nginx (a small response and a
// 10 MiB file), h3 is the proxy host where haproxy and tsvip take turns, h4 is the client (wrk and
// bench/lb-client.ts), h5 runs a second tsvip as the VRRP peer for the election-under-load check. All of
// it in the namespaces of one lab (src/lab), files in the benchmark's temporary directory; the lab's
// teardown kills every process in its namespaces, also on Ctrl-C.
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { createLab } from '../src/lab/lab.js';
import type { Lab, LabHost } from '../src/lab/lab.js';
import type { ProcessExit, SpawnedProcess } from '../src/lab/spawned-process.js';
import { repoRoot, tsvipProgram } from './tsvip.js';
import type { TsvipForm } from './tsvip.js';
import { TSVIP_NODE_FLAGS } from '../src/lab/tsvip-daemon.js';

export const BACKEND_PORT = 8080;
export const PROXY_PORT = 8443;
export const SMALL_PATH = '/small';
export const BULK_PATH = '/10m';
export const BULK_BYTES = 10 * 1024 * 1024;
export const VIP = '198.18.0.100/24';
export const VIP_ADDRESS = '198.18.0.100';
/** v3 at 100 ms: the target is no VRRP transition under full proxy load with the election that fast. */
export const ADVERT_INTERVAL_MS = 100;
/**
 * File descriptors: every process gets the hard limit this process has (a process without
 * CAP_SYS_RESOURCE cannot go above it). A TCP proxy holds two per connection, so the hard limit, not
 * memory, decides how many idle connections can be held: 20,000 here gives 9,950.
 */
export const NOFILE = hardFileLimit();
/** maxconn (haproxy) and maxConnections (tsvip): what fits in NOFILE with a margin for listeners, checks and logs. */
export const MAX_PROXY_CONNECTIONS = Math.floor((NOFILE - 100) / 2);
const TICKS_PER_SECOND = 100;

export type ProxyKind = 'haproxy' | 'tsvip';

export interface LbLab {
  readonly lab: Lab;
  readonly backends: readonly LabHost[];
  readonly proxyHost: LabHost;
  readonly client: LabHost;
  readonly peer: LabHost;
  readonly workDir: string;
  destroy(): Promise<void>;
}

export interface CpuTimes {
  readonly user: number;
  readonly system: number;
}

/** A process of the lab measured from /proc (the namespaces are network namespaces only: same pids). */
export interface Measured {
  readonly name: string;
  readonly process: SpawnedProcess;
  /** VmRSS, KiB. */
  rssKiB(): Promise<number>;
  /** utime and stime, seconds: the process's own work and the kernel's on its behalf (syscalls, the TCP stack under them). */
  cpuTimes(): Promise<CpuTimes>;
  /** SIGTERM, then SIGKILL if it has not exited within graceMs. */
  stop(graceMs?: number): Promise<ProcessExit>;
}

export async function createLbLab(workDir: string): Promise<LbLab> {
  const lab = await createLab({ hosts: 5 });
  try {
    const [h1, h2, h3, h4, h5] = [1, 2, 3, 4, 5].map((n) => lab.host(n)) as [LabHost, LabHost, LabHost, LabHost, LabHost];
    // Per-namespace settings. Client: wrk's connection-per-request runs leave a TIME_WAIT per connection
    // on its side, and the hold of 10,000 connections needs ports on top of them. Proxy: the same for its
    // backend side. Everyone: a backlog deep enough for a burst of connects.
    for (const host of [h3, h4]) {
      await sysctl(lab, host, 'net.ipv4.tcp_tw_reuse', '1');
      await sysctl(lab, host, 'net.ipv4.ip_local_port_range', '1024 65000');
    }
    for (const host of [h1, h2, h3]) await sysctl(lab, host, 'net.core.somaxconn', '65535');
    const lbLab: LbLab = { lab, backends: [h1, h2], proxyHost: h3, client: h4, peer: h5, workDir, destroy: () => lab.destroy() };
    await startBackends(lbLab);
    return lbLab;
  } catch (error: unknown) {
    await lab.destroy();
    throw error;
  }
}

async function sysctl(lab: Lab, host: LabHost, key: string, value: string): Promise<void> {
  await lab.runOk(host, ['sysctl', '-q', '-w', `${key}=${value}`]);
}

export function measured(name: string, spawned: SpawnedProcess): Measured {
  return {
    name,
    process: spawned,
    rssKiB: async () => {
      const status = await readFile(`/proc/${spawned.pid}/status`, 'utf8');
      const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
      if (match?.[1] === undefined) throw new Error(`${name}: no VmRSS in /proc/${spawned.pid}/status`);
      return Number(match[1]);
    },
    cpuTimes: async () => {
      const stat = await readFile(`/proc/${spawned.pid}/stat`, 'utf8');
      // "pid (comm) state ...": fields after the comm; utime and stime are fields 14 and 15 of stat(5).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { user: Number(fields[11]) / TICKS_PER_SECOND, system: Number(fields[12]) / TICKS_PER_SECOND };
    },
    stop: async (graceMs = 15_000) => {
      spawned.kill('SIGTERM');
      const timer = setTimeout(() => spawned.kill('SIGKILL'), graceMs);
      const exit = await spawned.exited;
      clearTimeout(timer);
      return exit;
    },
  };
}

/** As many idle connections as asked for, or as many as the file descriptor limit lets a proxy hold. */
export function holdCount(asked: number): number {
  return Math.min(asked, MAX_PROXY_CONNECTIONS - 50);
}

/** argv with file descriptors enough for 10,000 connections each way; prlimit execs in place, so the pid is the program's. */
export function withFiles(argv: readonly string[]): string[] {
  return ['prlimit', `--nofile=${NOFILE}:${NOFILE}`, '--', ...argv];
}

function hardFileLimit(): number {
  // "Max open files            20000                20000                files"
  const match = /^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  const hard = match?.[1] === 'unlimited' ? 1_048_576 : Number(match?.[1]);
  return Number.isInteger(hard) && hard > 0 ? Math.min(hard, 1_048_576) : 1024;
}

// ---------------------------------------------------------------------------------------------------
// nginx backends

async function startBackends(lbLab: LbLab): Promise<void> {
  const www = join(lbLab.workDir, 'www');
  await mkdir(www, { recursive: true });
  await writeFile(join(www, SMALL_PATH.slice(1)), 'ok\n'.repeat(32));
  await writeFile(join(www, BULK_PATH.slice(1)), Buffer.alloc(BULK_BYTES, 0x61));
  for (const host of lbLab.backends) {
    const prefix = join(lbLab.workDir, `nginx-${host.name}`);
    await mkdir(join(prefix, 'temp'), { recursive: true });
    const conf = join(prefix, 'nginx.conf');
    await writeFile(conf, nginxConfig(host, prefix, www));
    // -e stderr: nginx opens its compiled-in error log before reading the config, unless told otherwise.
    lbLab.lab.spawn(host, withFiles(['nginx', '-p', prefix, '-c', conf, '-e', 'stderr']));
    await waitHttp(lbLab, host.address, BACKEND_PORT, SMALL_PATH, 10_000);
  }
}

function nginxConfig(host: LabHost, prefix: string, www: string): string {
  const temp = (name: string) => `${join(prefix, 'temp', name)}`;
  return [
    '# Written by bench/lb-lab.ts: one process in the foreground, everything inside the benchmark\'s temporary directory.',
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    `worker_rlimit_nofile ${NOFILE};`,
    `pid ${join(prefix, 'nginx.pid')};`,
    'error_log stderr warn;',
    `events { worker_connections ${NOFILE}; }`,
    'http {',
    '  access_log off;',
    '  default_type application/octet-stream;',
    '  sendfile on;',
    '  tcp_nopush on;',
    '  tcp_nodelay on;',
    // The 10,000 idle connections send nothing: nginx must not close them for want of a request line.
    '  client_header_timeout 600s;',
    '  keepalive_timeout 600s;',
    '  keepalive_requests 10000000;',
    `  client_body_temp_path ${temp('body')};`,
    `  proxy_temp_path ${temp('proxy')};`,
    `  fastcgi_temp_path ${temp('fastcgi')};`,
    `  uwsgi_temp_path ${temp('uwsgi')};`,
    `  scgi_temp_path ${temp('scgi')};`,
    '  server {',
    `    listen ${host.address}:${BACKEND_PORT} backlog=65535;`,
    `    root ${www};`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** GET until a 200, from the client host (the root namespace has no route into the lab). */
export async function waitHttp(lbLab: LbLab, address: string, port: number, path: string, timeoutMs: number): Promise<void> {
  const result = await lbLab.lab.run(lbLab.client, [process.execPath, clientScript(), 'wait-http', address, String(port), path, String(timeoutMs)], { timeoutMs: timeoutMs + 10_000 });
  if (result.code !== 0) throw new Error(`no 200 from http://${address}:${port}${path} within ${timeoutMs} ms: ${result.stderr.trim()}`);
}

/** bench/lb-client.ts as built beside this file (dist-bench/bench/). */
export function clientScript(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'lb-client.js');
}

// ---------------------------------------------------------------------------------------------------
// The proxies

export interface ProxyOptions {
  /** tsvip only: a VRRP instance at v3/100 ms in the same process (the election-under-load check). */
  readonly vrrpPriority?: number;
  /** tsvip only: options for node itself (`--cpu-prof`, which NODE_OPTIONS does not take). */
  readonly nodeArgs?: readonly string[];
  /** haproxy only: its `nbthread` (1 unless asked: one core, as tsvip's one data-path thread). */
  readonly haproxyThreads?: number;
  /** tsvip only: the npm install (`node bin/tsvip`, the default) or the single executable. */
  readonly form?: TsvipForm;
}

export async function startProxy(lbLab: LbLab, kind: ProxyKind, tag: string, options: ProxyOptions = {}): Promise<Measured> {
  const dir = join(lbLab.workDir, `${kind}-${tag}`);
  await mkdir(dir, { recursive: true });
  let proxy: Measured;
  if (kind === 'haproxy') {
    const conf = join(dir, 'haproxy.cfg');
    await writeFile(conf, haproxyConfig(lbLab, options.haproxyThreads ?? 1));
    // -db: foreground, one process (no master-worker), as the Debian service's worker is.
    proxy = measured('haproxy', lbLab.lab.spawn(lbLab.proxyHost, withFiles(['haproxy', '-db', '-f', conf])));
  } else {
    const conf = join(dir, 'vip.yaml');
    await writeFile(conf, tsvipConfig(lbLab, lbLab.proxyHost, { lb: true, ...(options.vrrpPriority === undefined ? {} : { vrrpPriority: options.vrrpPriority }) }));
    const program = options.form === 'sea' ? tsvipProgram('sea') : [process.execPath, ...TSVIP_NODE_FLAGS, ...(options.nodeArgs ?? []), join(repoRoot(), 'bin', 'tsvip')];
    const argv = withFiles([...program, 'start', '-c', conf, '--log-level', 'info']);
    proxy = measured('tsvip', lbLab.lab.spawn(lbLab.proxyHost, argv));
  }
  try {
    await waitHttp(lbLab, lbLab.proxyHost.address, PROXY_PORT, SMALL_PATH, 15_000);
  } catch (error: unknown) {
    const { stdout, stderr } = proxy.process.output();
    await proxy.stop(2000);
    throw new Error(`${kind} did not serve: ${String(error)}; its output: ${(stderr + stdout).trim().slice(-2000)}`, { cause: error });
  }
  return proxy;
}

/** The VRRP peer on h5 (priority 100, no load balancer): the host that would take over if h3's adverts came late. */
export async function startPeer(lbLab: LbLab): Promise<Measured> {
  const dir = join(lbLab.workDir, 'tsvip-peer');
  await mkdir(dir, { recursive: true });
  const conf = join(dir, 'vip.yaml');
  await writeFile(conf, tsvipConfig(lbLab, lbLab.peer, { lb: false, vrrpPriority: 100 }));
  return measured('tsvip peer', lbLab.lab.spawn(lbLab.peer, [process.execPath, ...TSVIP_NODE_FLAGS, join(repoRoot(), 'bin', 'tsvip'), 'start', '-c', conf, '--log-level', 'info']));
}

function haproxyConfig(lbLab: LbLab, threads: number): string {
  return [
    '# Written by bench/lb-lab.ts: TCP mode, round robin, one thread unless --haproxy-threads says otherwise.',
    'global',
    `  nbthread ${threads}`,
    `  maxconn ${MAX_PROXY_CONNECTIONS}`,
    'defaults',
    '  mode tcp',
    `  maxconn ${MAX_PROXY_CONNECTIONS}`,
    '  timeout connect 1s',
    '  timeout client 1h',
    '  timeout server 1h',
    'frontend bench',
    `  bind ${lbLab.proxyHost.address}:${PROXY_PORT}`,
    '  default_backend nginx',
    'backend nginx',
    '  balance roundrobin',
    ...lbLab.backends.map((host) => `  server ${host.name} ${host.address}:${BACKEND_PORT} check inter 2s fall 3 rise 2`),
    '',
  ].join('\n');
}

function tsvipConfig(lbLab: LbLab, self: LabHost, options: { readonly lb: boolean; readonly vrrpPriority?: number }): string {
  const config: Record<string, unknown> = {};
  if (options.vrrpPriority !== undefined) {
    config['vrrp'] = [
      {
        name: 'VI_1',
        interface: self.iface,
        vrid: 53,
        priority: options.vrrpPriority,
        version: 3,
        advertInterval: `${ADVERT_INTERVAL_MS}ms`,
        vips: [VIP],
      },
    ];
  }
  if (options.lb) {
    config['loadBalancers'] = [
      {
        name: 'bench',
        bind: `${self.address}:${PROXY_PORT}`,
        balance: 'roundrobin',
        backends: lbLab.backends.map((host) => ({ name: host.name, address: `${host.address}:${BACKEND_PORT}` })),
        healthCheck: { type: 'tcp', interval: '2s', timeout: '1s', rise: 2, fall: 3 },
        maxConnections: MAX_PROXY_CONNECTIONS,
        shutdownDrain: '0s',
      },
    ];
  }
  return `# Written by bench/lb-lab.ts\n${stringify(config)}`;
}

// ---------------------------------------------------------------------------------------------------
// 10,000 idle connections

export interface HoldResult {
  /** Connections the client holds through the proxy. */
  readonly held: number;
  readonly failed: number;
  readonly failures: string;
  /** ESTABLISHED TCP sockets in the proxy host when the RSS was read (client side and backend side). */
  readonly proxySockets: number;
  /** From starting the client to both sides of every connection established in the proxy host. */
  readonly settledMs: number;
  /** Connections the proxy's listen queue overflowed on meanwhile. */
  readonly listenOverflows: number;
  readonly rssKiB: number;
}

export async function holdConnections(lbLab: LbLab, proxy: Measured, count: number): Promise<HoldResult> {
  const { lab, client, proxyHost } = lbLab;
  const overflowsBefore = await listenOverflows(lbLab, proxyHost);
  const startedMs = Date.now();
  const holder = lab.spawn(client, withFiles([process.execPath, clientScript(), 'hold', proxyHost.address, String(PROXY_PORT), String(count)]));
  try {
    const line = await waitForLine(holder, /^held (\d+) failed (\d+)(?: (\S+))?$/m, 120_000);
    const held = Number(line[1]);
    // The client's connect completes in the proxy host's kernel; the proxy then accepts and connects to
    // a backend: wait until both sides are there (or stop growing) before reading the RSS.
    const deadline = Date.now() + 30_000;
    let sockets = 0;
    let steadySince = Date.now();
    for (;;) {
      const now = await establishedSockets(lbLab, proxyHost);
      if (now !== sockets) steadySince = Date.now();
      sockets = now;
      if (sockets >= 2 * held || Date.now() > deadline || Date.now() - steadySince > 3000) break;
      await sleep(250);
    }
    const settledMs = Date.now() - startedMs;
    const overflows = (await listenOverflows(lbLab, proxyHost)) - overflowsBefore;
    await sleep(1000);
    return { held, failed: Number(line[2]), failures: line[3] ?? '', proxySockets: await establishedSockets(lbLab, proxyHost), settledMs, listenOverflows: overflows, rssKiB: await proxy.rssKiB() };
  } finally {
    holder.kill('SIGTERM');
    await holder.exited;
  }
}

/** TcpExt ListenOverflows of the host: connections its listen queues had no room for (their SYNs are retried after 1 s). */
export async function listenOverflows(lbLab: LbLab, host: LabHost): Promise<number> {
  const { stdout } = await lbLab.lab.runOk(host, ['cat', '/proc/net/netstat']);
  const [names, values] = stdout.split('\n').filter((line) => line.startsWith('TcpExt:'));
  const index = names?.split(' ').indexOf('ListenOverflows') ?? -1;
  return index === -1 ? 0 : Number(values?.split(' ')[index] ?? 0);
}

async function establishedSockets(lbLab: LbLab, host: LabHost): Promise<number> {
  const { stdout } = await lbLab.lab.runOk(host, ['ss', '-Htn', 'state', 'established']);
  return stdout.split('\n').filter((line) => line.trim() !== '').length;
}

export async function waitForLine(spawned: SpawnedProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(spawned.output().stdout);
    if (match !== null) return match;
    if (spawned.child.exitCode !== null || spawned.child.signalCode !== null) throw new Error(`${spawned.argv.join(' ')} exited: ${spawned.output().stderr.trim()}`);
    if (Date.now() > deadline) throw new Error(`${spawned.argv.join(' ')}: no ${String(pattern)} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
