// What the static pod and the systemd unit share: the capabilities a config needs, how long a stop may
// take, the files a config names, and the header that says how the text was made. Pure: no I/O.
import type { Config } from '../config/schema.js';
import { parseCommandLine } from '../command/command-line.js';

/** Where `tsvip manifest` is told things: the CLI fills it in, tests give their own. */
export interface ManifestSource {
  /** The command line that made the manifest, as the user would type it again (without `tsvip`). */
  command: string;
  /** The tsvip version that made it. */
  version: string;
  /** Absolute path of vip.yaml on the host that runs tsvip. */
  hostConfigPath: string;
}

/** A remark for the person generating the manifest (stderr), never part of the manifest itself. */
export interface ManifestNote {
  keyPath: string;
  message: string;
}

export interface Manifest {
  text: string;
  notes: ManifestNote[];
}

/**
 * Linux capabilities by their kernel names. VRRP needs a raw socket (NET_RAW) and changes addresses
 * (NET_ADMIN); gratuitous ARP is a broadcast (NET_BROADCAST). A listener on a port below 1024 adds
 * NET_BIND_SERVICE. Nothing else: the daemon checks for what it needs at start (daemon/host-checks.ts).
 */
export const BASE_CAPABILITIES = ['NET_ADMIN', 'NET_RAW', 'NET_BROADCAST'] as const;
export type Capability = (typeof BASE_CAPABILITIES)[number] | 'NET_BIND_SERVICE';

const FIRST_UNPRIVILEGED_PORT = 1024;

export function neededCapabilities(config: Config): Capability[] {
  const ports = [...config.loadBalancers.map((lb) => lb.bind), config.status.listen].map(portOf);
  return ports.some((port) => port < FIRST_UNPRIVILEGED_PORT) ? [...BASE_CAPABILITIES, 'NET_BIND_SERVICE'] : [...BASE_CAPABILITIES];
}

/** `HOST:PORT` (already validated by the schema) -> its port. */
export function portOf(hostPort: string): number {
  return Number(hostPort.slice(hostPort.lastIndexOf(':') + 1));
}

/**
 * `tsvip start` gives the VIPs up within 2 s of SIGTERM (README "`tsvip start`"; cli/start.ts allows
 * 1.8 s), then waits up to the longest shutdownDrain for open connections. The supervisor (systemd's
 * TimeoutStopSec, the kubelet's terminationGracePeriodSeconds) must wait for both, plus a margin for
 * a loaded host, before it sends SIGKILL: a killed master leaves its VIP on the interface until the
 * next start and makes the backups wait Master_Down instead of taking over after Skew.
 */
const VRRP_SHUTDOWN_BUDGET_MS = 2000;
const STOP_MARGIN_MS = 5000;

export function stopTimeoutSeconds(config: Config): number {
  const drainMs = Math.max(0, ...config.loadBalancers.map((lb) => lb.shutdownDrain));
  return Math.ceil((VRRP_SHUTDOWN_BUDGET_MS + drainMs + STOP_MARGIN_MS) / 1000);
}

/** A file the config names that the daemon reads at run time, with where it is named. */
export interface NamedFile {
  keyPath: string;
  path: string;
}

/** caFile of https checks and trackers, status.auth.passwordFile: files the daemon must be able to read. */
export function filesNamed(config: Config): NamedFile[] {
  const files: NamedFile[] = [];
  config.vrrp.forEach((instance, i) => {
    instance.track.forEach((tracker, t) => {
      if ((tracker.type === 'http' || tracker.type === 'https') && tracker.caFile !== null) files.push({ keyPath: `vrrp[${i}].track[${t}].caFile`, path: tracker.caFile });
    });
  });
  config.loadBalancers.forEach((lb, l) => {
    if (lb.healthCheck.caFile !== null) files.push({ keyPath: `loadBalancers[${l}].healthCheck.caFile`, path: lb.healthCheck.caFile });
  });
  if (config.status.auth !== undefined) files.push({ keyPath: 'status.auth.passwordFile', path: config.status.auth.passwordFile });
  return files;
}

/** A program the config runs (check scripts and notify commands), with where it is named. */
export interface NamedCommand {
  keyPath: string;
  program: string;
}

export function commandsNamed(config: Config): NamedCommand[] {
  const commands: NamedCommand[] = [];
  config.vrrp.forEach((instance, i) => {
    instance.track.forEach((tracker, t) => {
      if (tracker.type === 'script') commands.push({ keyPath: `vrrp[${i}].track[${t}].command`, program: programOf(tracker.command) });
    });
    for (const [event, command] of Object.entries(instance.notify)) {
      if (command !== undefined) commands.push({ keyPath: `vrrp[${i}].notify.${event}`, program: programOf(command) });
    }
  });
  return commands;
}

/** The program a command runs, split as the daemon splits it (health/command-line.ts). */
function programOf(command: string | readonly string[]): string {
  if (typeof command !== 'string') return command[0] ?? '';
  const parsed = parseCommandLine(command);
  return parsed.ok ? (parsed.words[0] ?? command) : command;
}

/** Relative paths resolve from the daemon's working directory, which neither systemd nor the image promise. */
export function relativeFileNotes(config: Config): ManifestNote[] {
  return filesNamed(config)
    .filter((file) => !file.path.startsWith('/'))
    .map((file) => ({ keyPath: file.keyPath, message: `"${file.path}" is a relative path: the daemon resolves it from its working directory; write it absolute` }));
}

const SHELL_SAFE = /^[\w@%+=:,./-]+$/;

/** A word as a POSIX shell reads it back: bare when safe, else in single quotes. */
export function shellWord(word: string): string {
  return SHELL_SAFE.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** `# ` before every line of `text` (for YAML and unit files alike). */
export function commentLines(lines: readonly string[]): string {
  return lines.map((line) => (line === '' ? '#' : `# ${line}`)).join('\n');
}
