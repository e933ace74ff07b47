// Real keepalived (the Debian package, 2.2.7; requireKeepalived() checks for 2.2) in a lab host: the
// reference that tsvip is measured against and must interoperate with. keepalivedConfig()
// writes a minimal keepalived.conf for one vrrp_instance; startKeepalived() runs it with private pid
// files, so it cannot collide with a system keepalived or with the keepalived of another lab host.
//
// keepalived is two processes: the parent (-n keeps it in the foreground) and its VRRP child (-P).
// The child dies with a SIGTERM from the kernel when its parent dies (PR_SET_PDEATHSIG), and on that
// SIGTERM it advertises priority 0 and removes its VIPs: `kill -9` of the parent alone is a clean
// shutdown in disguise (seen in this lab). A crash has to kill both at the same instant, so keepalived
// runs in a session and process group of its own (setsid) and SIGKILL goes to the whole group in one
// kill(2) call: both die before either can react, and the VIP stays on the interface.
import { readdir, readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { LabUsageError } from '../../src/lab/errors.js';
import { addressFamily } from '../../src/net/address.js';
import type { Lab, LabHost } from '../../src/lab/lab.js';
import type { ProcessExit, SpawnedProcess } from '../../src/lab/spawned-process.js';
import { onLines, Waiters } from '../../src/lab/waiters.js';
import { requireTool, toolVersion } from './system-tools.js';

export type VrrpRole = 'MASTER' | 'BACKUP';

export interface KeepalivedSpec {
  /** vrrp_instance name, e.g. VI_1. */
  readonly name: string;
  readonly interface: string;
  readonly vrid: number;
  readonly priority: number;
  readonly version: 2 | 3;
  /** v2: whole seconds (1000, 2000 ...); v3: a multiple of 10 ms. */
  readonly advertIntervalMs: number;
  /** keepalived's `state`, a start-up hint; BACKUP when absent. */
  readonly state?: VrrpRole;
  readonly nopreempt?: boolean;
  /** v2 PASS authentication; keepalived uses the first 8 bytes. */
  readonly authPass?: string;
  /** Absent: multicast to 224.0.0.18. */
  readonly unicast?: { readonly source: string; readonly peers: readonly string[] };
  /** CIDR, e.g. 198.18.0.100/24. */
  readonly vips: readonly string[];
  /** global_defs vrrp_startup_delay, in ms (keepalived reads seconds with fractions); none when absent. */
  readonly startupDelayMs?: number;
}

const ipv4Pattern = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** Words pasted into keepalived.conf: nothing that its parser would read as syntax. */
const wordPattern = /^[A-Za-z0-9_.:-]+$/;

/** A keepalived.conf for one vrrp_instance; throws LabUsageError for a spec keepalived would reject or reinterpret. */
export function keepalivedConfig(spec: KeepalivedSpec): string {
  checkSpec(spec);
  const lines = [
    '# Written by test/lab/keepalived.ts: one vrrp_instance, keepalived defaults for everything else',
    '# (vrrp_strict off, gratuitous ARP timing as keepalived ships it, no scripts).',
    'global_defs {',
    `  router_id tsvip-lab-${spec.name}`,
    ...(spec.version === 3 ? ['  vrrp_version 3'] : []),
    ...(spec.startupDelayMs === undefined ? [] : [`  vrrp_startup_delay ${String(spec.startupDelayMs / 1000)}`]),
    '}',
    '',
    `vrrp_instance ${spec.name} {`,
    `  state ${spec.state ?? 'BACKUP'}`,
    `  interface ${spec.interface}`,
    `  virtual_router_id ${spec.vrid}`,
    `  priority ${spec.priority}`,
    // keepalived reads seconds, with fractions for v3: 100 ms is `0.1`.
    `  advert_int ${String(spec.advertIntervalMs / 1000)}`,
    ...(spec.nopreempt === true ? ['  nopreempt'] : []),
    ...unicastLines(spec),
    ...(spec.authPass === undefined ? [] : ['  authentication {', '    auth_type PASS', `    auth_pass ${spec.authPass}`, '  }']),
    '  virtual_ipaddress {',
    ...spec.vips.map((vip) => `    ${vip}`),
    '  }',
    '}',
    '',
  ];
  return lines.join('\n');
}

function unicastLines(spec: KeepalivedSpec): string[] {
  if (spec.unicast === undefined) return [];
  return [`  unicast_src_ip ${spec.unicast.source}`, '  unicast_peer {', ...spec.unicast.peers.map((peer) => `    ${peer}`), '  }'];
}

function checkSpec(spec: KeepalivedSpec): void {
  const problems: string[] = [];
  if (!wordPattern.test(spec.name)) problems.push(`name "${spec.name}" must be letters, digits, _ . : -`);
  if (!wordPattern.test(spec.interface)) problems.push(`interface "${spec.interface}" is not an interface name`);
  if (!Number.isInteger(spec.vrid) || spec.vrid < 1 || spec.vrid > 255) problems.push(`vrid ${spec.vrid} must be 1..255`);
  if (!Number.isInteger(spec.priority) || spec.priority < 1 || spec.priority > 255) problems.push(`priority ${spec.priority} must be 1..255`);
  const ms = spec.advertIntervalMs;
  if (spec.version === 2 && !(Number.isInteger(ms / 1000) && ms >= 1000 && ms <= 255_000)) {
    problems.push(`VRRPv2 advertIntervalMs ${ms} must be whole seconds from 1000 to 255000`);
  }
  if (spec.version === 3 && !(Number.isInteger(ms / 10) && ms >= 10 && ms <= 40_950)) {
    problems.push(`VRRPv3 advertIntervalMs ${ms} must be a multiple of 10 from 10 to 40950`);
  }
  if (spec.authPass !== undefined && (spec.version !== 2 || !wordPattern.test(spec.authPass) || spec.authPass.length > 8)) {
    problems.push('authPass needs version 2 and at most 8 characters of letters, digits, _ . : -');
  }
  // keepalived ignores nopreempt unless the instance starts as BACKUP, with only a log line.
  if (spec.nopreempt === true && spec.state === 'MASTER') problems.push('nopreempt needs state BACKUP');
  if (spec.vips.length === 0) problems.push('vips must list at least one address');
  // keepalived takes an instance's family from its VIPs: IPv6 ones make it a VRRPv3 router over IPv6.
  const family = addressFamily(spec.vips[0]?.split('/')[0] ?? '');
  for (const vip of spec.vips) {
    const [address = '', prefix, ...rest] = vip.split('/');
    const maxPrefix = family === 'ipv6' ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= maxPrefix);
    const addressOk = family === 'ipv6' ? addressFamily(address) === 'ipv6' : ipv4Pattern.test(address);
    if (!addressOk || rest.length > 0 || !prefixOk) problems.push(`vip "${vip}" is not ${family === 'ipv6' ? 'IPv6' : 'IPv4'} CIDR (one family per instance)`);
  }
  if (family === 'ipv6' && spec.version !== 3) problems.push('IPv6 VIPs need version 3');
  for (const address of spec.unicast === undefined ? [] : [spec.unicast.source, ...spec.unicast.peers]) {
    if (family === 'ipv6' ? addressFamily(address) !== 'ipv6' : !ipv4Pattern.test(address)) problems.push(`unicast address "${address}" is not ${family === 'ipv6' ? 'IPv6' : 'IPv4'}, the VIPs' family`);
  }
  if (problems.length > 0) throw new LabUsageError(`keepalived spec ${spec.name}: ${problems.join('; ')}`);
}

// ---------------------------------------------------------------------------------------------------
// A daemon in a process group of its own: the part that keepalived and tsvip runners share.

export interface DaemonGroup {
  /** The process we spawned, which setsid turned into the leader of its own session and group. */
  readonly process: SpawnedProcess;
  /** Equal to process.pid. */
  readonly pgid: number;
  /** Live (not zombie) processes of the group: the daemon and whatever it forked. */
  pids(): Promise<number[]>;
  /** Resident set of the whole group, KiB (VmRSS summed over pids()). */
  rssKiB(): Promise<number>;
  /**
   * SIGKILL: the whole group in one kill(2), then waits until none of it is alive. SIGTERM: only the
   * leader, which shuts the rest down its own way; SIGKILL to the group if it is not gone within
   * `graceMs` (10 s unless told).
   */
  stop(signal: 'SIGTERM' | 'SIGKILL', options?: { readonly graceMs?: number }): Promise<ProcessExit>;
}

const defaultGraceMs = 10_000;
const groupGoneTimeoutMs = 5_000;

/**
 * Spawns argv in the host under `setsid`. Node spawns its children in its own process group, so the
 * child is never a group leader and setsid execs in place (no fork): the pid we hold is the daemon's.
 */
export function spawnDaemonGroup(lab: Lab, host: LabHost, argv: readonly string[]): DaemonGroup {
  const spawned = lab.spawn(host, ['setsid', ...argv]);
  const pgid = spawned.pid;
  const pids = () => livePidsOfGroup(pgid);
  return {
    process: spawned,
    pgid,
    pids,
    rssKiB: async () => (await Promise.all((await pids()).map(rssOfPid))).reduce((sum, kib) => sum + kib, 0),
    stop: async (signal, options = {}) => {
      if (signal === 'SIGKILL') {
        killGroup(pgid);
      } else {
        spawned.kill('SIGTERM');
        const gone = await waitUntilGroupGone(pgid, options.graceMs ?? defaultGraceMs);
        if (!gone) killGroup(pgid);
      }
      if (!(await waitUntilGroupGone(pgid, groupGoneTimeoutMs))) {
        throw new LabUsageError(`process group ${pgid} (${argv.join(' ')}) still has live processes after SIGKILL`);
      }
      return spawned.exited;
    },
  };
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // ESRCH: nothing left in the group.
  }
}

async function waitUntilGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await livePidsOfGroup(pgid)).length === 0) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Scans /proc: the lab runs in this pid namespace, so a host's processes are all visible here. */
async function livePidsOfGroup(pgid: number): Promise<number[]> {
  const entries = await readdir('/proc');
  const found: number[] = [];
  await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry))
      .map(async (entry) => {
        const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
        // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'.
        const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        // A zombie is dead: it only waits to be reaped, and pid 1 of this machine may never do that.
        if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') found.push(Number(entry));
      }),
  );
  return found.sort((a, b) => a - b);
}

async function rssOfPid(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return match?.[1] === undefined ? 0 : Number(match[1]);
}

// ---------------------------------------------------------------------------------------------------

export interface StateChange {
  /** Date.now() when the log line arrived. */
  readonly atMs: number;
  readonly instance: string;
  readonly state: 'MASTER' | 'BACKUP' | 'FAULT';
}

export interface KeepalivedHandle extends DaemonGroup {
  readonly host: LabHost;
  readonly spec: KeepalivedSpec;
  readonly configPath: string;
  /** Every "(VI_1) Entering X STATE" line so far, in order. */
  stateChanges(): readonly StateChange[];
  /** Resolves at the first state change to `state` (also one already seen); rejects after timeoutMs. */
  waitForState(state: StateChange['state'], options: { readonly timeoutMs: number }): Promise<StateChange>;
}

export interface StartKeepalivedOptions {
  /** A directory the caller owns and removes; each start gets its own subdirectory in it. */
  readonly workDir: string;
}

const statePattern = /\((\S+)\) Entering (MASTER|BACKUP|FAULT) STATE/;

/** What these helpers and the tests that use them rely on (see the top of this file). */
export const REQUIRED_KEEPALIVED = '2.2';
let checkedKeepalived: string | undefined;

/**
 * The path of keepalived, once it is known to be 2.2: the process pair and its death signal, the
 * "(VI_1) Entering MASTER STATE" lines and the VIP a SIGKILL leaves behind are 2.2's behaviour
 * (Debian 12's package, 2.2.7). Throws, naming the package and the version, when it is missing or
 * another version.
 */
export function requireKeepalived(): string {
  if (checkedKeepalived !== undefined) return checkedKeepalived;
  const path = requireTool('keepalived', 'keepalived');
  const version = toolVersion(path);
  if (version === undefined || !version.startsWith(`${REQUIRED_KEEPALIVED}.`)) {
    throw new Error(
      `this test relies on keepalived ${REQUIRED_KEEPALIVED}'s behaviour (Debian 12's package keepalived, 2.2.7): \`${path} --version\` says ${version === undefined ? 'no version' : version}`,
    );
  }
  checkedKeepalived = path;
  return path;
}

export async function startKeepalived(lab: Lab, host: LabHost, spec: KeepalivedSpec, options: StartKeepalivedOptions): Promise<KeepalivedHandle> {
  return { ...(await startKeepalivedConfig(lab, host, keepalivedConfig(spec), options)), spec };
}

/** keepalived with a keepalived.conf of the caller's (a published shape rendered for the lab). */
export async function startKeepalivedConfig(lab: Lab, host: LabHost, config: string, options: StartKeepalivedOptions): Promise<Omit<KeepalivedHandle, 'spec'>> {
  const keepalived = requireKeepalived();
  const dir = await mkdtemp(join(options.workDir, `keepalived-${host.name}-`));
  const configPath = join(dir, 'keepalived.conf');
  await writeFile(configPath, config);
  // -n foreground, -l -D -G detailed log to the console only (no syslog), -P VRRP only; a pid file of
  // our own for each process keepalived may start (-p parent, -r VRRP, -c checkers, -b BFD).
  const group = spawnDaemonGroup(lab, host, [
    keepalived, '-n', '-l', '-D', '-G', '-P', '-f', configPath,
    '-p', join(dir, 'keepalived.pid'), '-r', join(dir, 'vrrp.pid'), '-c', join(dir, 'checkers.pid'), '-b', join(dir, 'bfd.pid'),
  ]);

  const changes: StateChange[] = [];
  const waiters = new Waiters();
  const onLine = (line: string): void => {
    const match = statePattern.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) return;
    changes.push({ atMs: Date.now(), instance: match[1], state: match[2] as StateChange['state'] });
    waiters.wake();
  };
  // keepalived logs to stdout with -l; stderr too, in case a build sends it there.
  onLines(group.process.child.stdout, onLine);
  onLines(group.process.child.stderr, onLine);

  const waitForState: KeepalivedHandle['waitForState'] = (state, { timeoutMs }) =>
    waiters.waitFor(() => changes.find((change) => change.state === state), {
      timeoutMs,
      timeoutError: () => {
        const { stdout, stderr } = group.process.output();
        return new Error(`keepalived in ${host.name} did not enter ${state} within ${timeoutMs} ms; its log:\n${(stdout + stderr).slice(-4000)}`);
      },
    });

  return { ...group, host, configPath, stateChanges: () => [...changes], waitForState };
}
