// Real FRR vrrpd (Debian 12's package frr, 8.4.4; requireFrr() checks for 8.4) in a lab host: a second
// VRRPv3-over-IPv6 implementation, independent of keepalived, that tsvip must interoperate with.
//
// FRR does not put the VIPs on the interface it runs VRRP on. It wants, beside eth0, a macvlan in bridge
// mode with the virtual router's IPv6 MAC 00:00:5e:00:02:<VRID> (RFC 5798 7.3) that already carries the
// VIPs, and it only toggles that macvlan's `protodown`: off while Master, on (no carrier: the addresses
// stay listed but the link is down) in Backup and Initialize. So on an FRR host "holds the VIP" means the
// VIP is on the macvlan and the macvlan has carrier. vrrpd sends from the macvlan's link-local, which must
// not be the EUI-64 one of the vMAC (addrgenmode random, as FRR's manual says). The VIP answers from the
// macvlan, so a client's neighbour entry for it points to the vMAC, not to the host's MAC.
//
// zebra and vrrpd run from /usr/lib/frr with their config, pid files and sockets in a private directory
// (not the system service; /etc/frr is neither read for the daemons' config nor changed), each in a
// process group of its own. They drop to FRR's own user (frr, which the package creates; root is refused
// for not being in the frrvty group), so that directory is given to it. vrrpd logs at debug level with
// `debug vrrp protocol`, which shows every advert it accepts and its priority. Ended by SIGTERM, vrrpd
// 8.4 sets protodown on but sends no priority-0 advert (test/fixtures/frr/README.md), so its backups
// take over after Master_Down_Interval.
import { chmod, mkdtemp, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabUsageError } from '../../src/lab/errors.js';
import { addressFamily } from '../../src/net/address.js';
import type { Lab, LabHost } from '../../src/lab/lab.js';
import { sysctlArgv } from '../../src/lab/ipv6-settings.js';
import { runCommandOk } from '../../src/lab/command.js';
import type { ProcessExit } from '../../src/lab/spawned-process.js';
import { onLines, Waiters } from '../../src/lab/waiters.js';
import { spawnDaemonGroup, type DaemonGroup } from './keepalived.js';
import { requireTool, toolVersion } from './system-tools.js';

export type FrrStatus = 'Initialize' | 'Backup' | 'Master';

export interface VrrpdSpec {
  /** The interface VRRP runs on; the macvlan is made on it. */
  readonly interface: string;
  readonly vrid: number;
  readonly priority: number;
  /** A multiple of 10 ms from 10 to 40950 (vrrpd's `advertisement-interval` is in milliseconds). */
  readonly advertIntervalMs: number;
  /** IPv6 addresses without prefix; they go on the macvlan as /128. */
  readonly vips: readonly string[];
  /** FRR's default is preempt on. */
  readonly preempt?: boolean;
}

/** The vrrpd.conf for one IPv6 virtual router (VRRPv3); throws LabUsageError for a spec vrrpd would refuse. */
export function vrrpdConfig(spec: VrrpdSpec): string {
  checkSpec(spec);
  const v = `vrrp ${spec.vrid}`;
  return [
    '! Written by test/lab/frr.ts: one IPv6 virtual router, vrrpd defaults for everything else.',
    '! The protocol debug log shows each advert received, priority included (advertsReceived()).',
    'debug vrrp protocol',
    `interface ${spec.interface}`,
    ` ${v} version 3`,
    ` ${v} priority ${spec.priority}`,
    ` ${v} advertisement-interval ${spec.advertIntervalMs}`,
    ...(spec.preempt === false ? [` no ${v} preempt`] : []),
    ...spec.vips.map((vip) => ` ${v} ipv6 ${vip}`),
    '',
  ].join('\n');
}

function checkSpec(spec: VrrpdSpec): void {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9_.-]+$/.test(spec.interface)) problems.push(`interface "${spec.interface}" is not an interface name`);
  if (!Number.isInteger(spec.vrid) || spec.vrid < 1 || spec.vrid > 255) problems.push(`vrid ${spec.vrid} must be 1..255`);
  // 255 is the address owner's, which vrrpd refuses to be for addresses it does not own.
  if (!Number.isInteger(spec.priority) || spec.priority < 1 || spec.priority > 254) problems.push(`priority ${spec.priority} must be 1..254`);
  const ms = spec.advertIntervalMs;
  if (!(Number.isInteger(ms / 10) && ms >= 10 && ms <= 40_950)) problems.push(`advertIntervalMs ${ms} must be a multiple of 10 from 10 to 40950`);
  if (spec.vips.length === 0) problems.push('vips must list at least one address');
  for (const vip of spec.vips) if (addressFamily(vip) !== 'ipv6') problems.push(`vip "${vip}" is not an IPv6 address without prefix`);
  if (problems.length > 0) throw new LabUsageError(`vrrpd spec VRID ${spec.vrid}: ${problems.join('; ')}`);
}

/** The virtual router's IPv6 MAC, RFC 5798 7.3: 00:00:5e:00:02 and the VRID. */
export function ipv6VirtualMac(vrid: number): string {
  return `00:00:5e:00:02:${vrid.toString(16).padStart(2, '0')}`;
}

export interface FrrPaths {
  readonly zebra: string;
  readonly vrrpd: string;
  readonly vtysh: string;
}

/** What these helpers and the tests that use them rely on (see the top of this file). */
export const REQUIRED_FRR = '8.4';
const frrDaemonDirectory = '/usr/lib/frr';
const checkedFrr = new Map<string, FrrPaths>();

/**
 * zebra, vrrpd and vtysh, once vrrpd is known to be 8.4 (Debian 12's frr, 8.4.4): the protodown on
 * SIGTERM without a priority-0 advert, the `show vrrp json` fields and the log lines read here are its
 * behaviour. Throws, naming the package and the version, when one is missing or vrrpd is another version.
 */
export function requireFrr(options: { readonly daemonDirectory?: string } = {}): FrrPaths {
  const directory = options.daemonDirectory ?? frrDaemonDirectory;
  const known = checkedFrr.get(directory);
  if (known !== undefined) return known;
  const paths = {
    zebra: requireTool('zebra', 'frr', { alsoIn: [directory] }),
    vrrpd: requireTool('vrrpd', 'frr', { alsoIn: [directory] }),
    vtysh: requireTool('vtysh', 'frr'),
  };
  const version = toolVersion(paths.vrrpd);
  if (version === undefined || !version.startsWith(`${REQUIRED_FRR}.`)) {
    throw new Error(
      `this test relies on FRR vrrpd ${REQUIRED_FRR}'s behaviour (Debian 12's package frr, 8.4.4): \`${paths.vrrpd} --version\` says ${version === undefined ? 'no version' : version}`,
    );
  }
  checkedFrr.set(directory, paths);
  return paths;
}

export interface FrrTransition {
  /** Date.now() when the log line arrived. */
  readonly atMs: number;
  readonly from: FrrStatus;
  readonly to: FrrStatus;
}

export interface FrrAdvertReceived {
  /** Date.now() when the log line arrived. */
  readonly atMs: number;
  /** The sender's address: a link-local in multicast mode. */
  readonly source: string;
  readonly priority: number;
}

export interface FrrHandle {
  readonly host: LabHost;
  readonly spec: VrrpdSpec;
  /** The macvlan that carries the vMAC and the VIPs. */
  readonly macvlan: string;
  readonly virtualMac: string;
  /** The IPv6 router's transitions from vrrpd's log ("[VRID 51] [IPv6] Backup -> Master"), in order. */
  transitions(): readonly FrrTransition[];
  /** Every advert of this VRID that vrrpd accepted as well formed, from its protocol debug log. */
  advertsReceived(): readonly FrrAdvertReceived[];
  /** Resolves at the first transition to `status` (also one already seen); rejects after timeoutMs. */
  waitForStatus(status: FrrStatus, options: { readonly timeoutMs: number }): Promise<FrrTransition>;
  /** The IPv6 router's status as vrrpd itself reports it (`show vrrp json` through vtysh). */
  status(): Promise<FrrStatus>;
  /** The macvlan has every VIP and carrier (protodown off): the host answers for the VIPs. */
  holdsVips(): Promise<boolean>;
  /** Ends vrrpd alone (zebra stays, as on a router whose VRRP daemon died). */
  stopVrrpd(signal: 'SIGTERM' | 'SIGKILL'): Promise<ProcessExit>;
  /** Kills vrrpd and zebra and deletes the macvlan; idempotent. */
  stop(): Promise<void>;
}

export interface StartFrrOptions {
  /**
   * A directory the caller owns and removes; each start gets its own subdirectory in it, owned by user
   * frr, and this one is opened for traversal (0711).
   */
  readonly workDir: string;
}

const zebraSocketTimeoutMs = 10_000;

export async function startFrr(lab: Lab, host: LabHost, spec: VrrpdSpec, options: StartFrrOptions): Promise<FrrHandle> {
  const frr = requireFrr();
  const config = vrrpdConfig(spec);
  const dir = await mkdtemp(join(options.workDir, `frr-${host.name}-`));
  await writeFile(join(dir, 'zebra.conf'), '', { mode: 0o644 });
  await writeFile(join(dir, 'vrrpd.conf'), config, { mode: 0o644 });
  // The daemons, as user frr, write their pid files and sockets there and must reach it.
  await chmod(options.workDir, 0o711);
  await runCommandOk(['chown', '-R', 'frr:frr', dir]);
  const macvlan = `vrrp6-${spec.vrid}`;
  const virtualMac = ipv6VirtualMac(spec.vrid);
  await addMacvlan(lab, host, { parent: spec.interface, macvlan, mac: virtualMac, vips: spec.vips });

  const zserv = join(dir, 'zserv.api');
  const common = ['-z', zserv, '--vty_socket', dir, '--log', 'stdout', '--log-level', 'debug'];
  const groups: DaemonGroup[] = [];
  const zebra = spawnDaemonGroup(lab, host, [frr.zebra, '-f', join(dir, 'zebra.conf'), '-i', join(dir, 'zebra.pid'), ...common]);
  groups.push(zebra);
  // vrrpd gives up on a zebra that is not listening yet: wait for zebra's socket.
  await waitForSocket(zserv, zebraSocketTimeoutMs, () => `zebra in ${host.name} did not open ${zserv}; its log:\n${logOf(zebra)}`);
  const vrrpd = spawnDaemonGroup(lab, host, [frr.vrrpd, '-f', join(dir, 'vrrpd.conf'), '-i', join(dir, 'vrrpd.pid'), ...common]);
  groups.push(vrrpd);

  const transitions: FrrTransition[] = [];
  const waiters = new Waiters();
  const received: FrrAdvertReceived[] = [];
  onLines(vrrpd.process.child.stdout, (line) => {
    const event = parseVrrpdLine(line, spec.vrid);
    if (event?.kind === 'advert') received.push({ atMs: Date.now(), source: event.source, priority: event.priority });
    if (event?.kind !== 'transition') return;
    transitions.push({ atMs: Date.now(), from: event.from, to: event.to });
    waiters.wake();
  });

  let stopped = false;
  return {
    host,
    spec,
    macvlan,
    virtualMac,
    transitions: () => [...transitions],
    advertsReceived: () => [...received],
    waitForStatus: (status, { timeoutMs }) =>
      waiters.waitFor(() => transitions.find((t) => t.to === status), {
        timeoutMs,
        timeoutError: () => new Error(`FRR vrrpd in ${host.name} did not enter ${status} within ${timeoutMs} ms; its log:\n${logOf(vrrpd)}`),
      }),
    status: async () => {
      const command = `show vrrp interface ${spec.interface} ${spec.vrid} json`;
      // vtysh prints its complaints on stdout.
      const { code, stdout, stderr } = await lab.run(host, [frr.vtysh, '--vty_socket', dir, '-d', 'vrrpd', '-c', command]);
      if (code !== 0) throw new Error(`vtysh -c '${command}' in ${host.name} exited ${String(code)}: ${stdout}${stderr}`);
      return ipv6Status(stdout, spec.vrid);
    },
    holdsVips: async () => {
      const link = await lab.linkState(host, { iface: macvlan });
      const addresses = (await lab.addresses6(host, { iface: macvlan })).map((entry) => entry.address);
      return link.carrier && spec.vips.every((vip) => addresses.includes(vip));
    },
    stopVrrpd: (signal) => vrrpd.stop(signal),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      for (const group of groups.reverse()) await group.stop('SIGKILL');
      await lab.run(host, ['ip', 'link', 'del', macvlan]);
    },
  };
}

export type VrrpdLogEvent =
  | { readonly kind: 'transition'; readonly from: FrrStatus; readonly to: FrrStatus }
  | { readonly kind: 'advert'; readonly source: string; readonly priority: number };

const transitionPattern = /\[VRID (\d+)\] \[IPv6\] (Initialize|Backup|Master) -> (Initialize|Backup|Master)$/;
/** `debug vrrp protocol`'s line for an advert that passed vrrpd's packet checks (8.4: one line, header fields after the source). */
const advertPattern = /\[VRID (\d+)\] \[IPv6\] Received VRRP Advertisement from (\S+): version 3, type 1 \(ADVERTISEMENT\), vrid \d+, priority (\d+),/;

/** What one line of vrrpd 8.4's log says about the IPv6 router of `vrid`, when it is a state change or an advert received. */
export function parseVrrpdLine(line: string, vrid: number): VrrpdLogEvent | undefined {
  const transition = transitionPattern.exec(line);
  if (transition !== null && Number(transition[1]) === vrid) return { kind: 'transition', from: transition[2] as FrrStatus, to: transition[3] as FrrStatus };
  const advert = advertPattern.exec(line);
  if (advert !== null && Number(advert[1]) === vrid) return { kind: 'advert', source: advert[2] ?? '', priority: Number(advert[3]) };
  return undefined;
}

/** The IPv6 router's status in `show vrrp ... json`: an array of virtual routers, each with v4 and v6. */
export function ipv6Status(json: string, vrid: number): FrrStatus {
  const routers = JSON.parse(json) as { vrid?: number; v6?: { status?: string } }[];
  const status = routers.find((router) => router.vrid === vrid)?.v6?.status;
  if (status !== 'Initialize' && status !== 'Backup' && status !== 'Master') throw new Error(`show vrrp json: no IPv6 status for VRID ${vrid} in ${json}`);
  return status;
}

/**
 * The macvlan vrrpd needs, as FRR's manual makes it. DAD is off on it (accept_dad=0, the VIPs nodad),
 * as on the lab's eth0: its random link-local is usable at once and again whenever protodown ends,
 * and nothing the lab assigns twice exists for DAD to find. It takes no router advertisement either.
 */
async function addMacvlan(lab: Lab, host: LabHost, link: { parent: string; macvlan: string; mac: string; vips: readonly string[] }): Promise<void> {
  const { macvlan } = link;
  await lab.runOk(host, ['ip', 'link', 'add', macvlan, 'link', link.parent, 'type', 'macvlan', 'mode', 'bridge']);
  await lab.runOk(host, ['ip', 'link', 'set', macvlan, 'addrgenmode', 'random', 'address', link.mac]);
  await runCommandOk(sysctlArgv(host.netns, [`net.ipv6.conf.${macvlan}.accept_dad=0`, `net.ipv6.conf.${macvlan}.accept_ra=0`, `net.ipv6.conf.${macvlan}.router_solicitations=0`]));
  for (const vip of link.vips) await lab.runOk(host, ['ip', '-6', 'addr', 'add', `${vip}/128`, 'dev', macvlan, 'nodad']);
  await lab.runOk(host, ['ip', 'link', 'set', macvlan, 'up']);
}

/** The socket is a file in this machine's one filesystem: seen from here as from the lab host. */
async function waitForSocket(path: string, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await stat(path).catch(() => undefined))?.isSocket()) {
    if (Date.now() > deadline) throw new Error(describe());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function logOf(group: DaemonGroup): string {
  const { stdout, stderr } = group.process.output();
  return (stdout + stderr).slice(-4000);
}
