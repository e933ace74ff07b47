// `tsvip manifest systemd`: a unit for hosts that run tsvip outside Kubernetes' static pods
// (README "Running it on the control-plane hosts"). Pure: a validated config in, unit text out.
//
// Who it runs as: root, with the capability bounding set cut to what tsvip needs. Without
// CAP_DAC_OVERRIDE, CAP_SYS_ADMIN and the rest, root keeps only file ownership: it reads the
// root-owned 0600 files operators keep secrets in (status.auth.passwordFile, the kubeconfig a check
// script uses) and cannot write anything outside /tmp (ProtectSystem=strict). A DynamicUser (or
// User=) with the same AmbientCapabilities works for VRRP and ARP too, but could read none of those
// files without extra setup, and check scripts written for keepalived expect root; the static pod
// makes the same choice, so both ways of running tsvip behave alike. AmbientCapabilities is written
// anyway: a drop-in that adds User= or DynamicUser=yes gets a working service.
import type { Config } from '../config/schema.js';
import {
  commentLines,
  neededCapabilities,
  relativeFileNotes,
  stopTimeoutSeconds,
  type Manifest,
  type ManifestSource,
} from './common.js';

export interface SystemdOptions extends ManifestSource {
  /** Absolute path of the tsvip program ExecStart runs. */
  execPath: string;
}

/** Each proxied connection holds two descriptors (client and backend); sockets, files and checks need a few more. */
function openFilesLimit(config: Config): number {
  const connections = config.loadBalancers.reduce((sum, lb) => sum + lb.maxConnections, 0);
  return Math.max(65536, 2 * connections + 1024);
}

export function systemdUnit(config: Config, options: SystemdOptions): Manifest {
  const capabilities = neededCapabilities(config)
    .map((name) => `CAP_${name}`)
    .join(' ');
  const lines = [
    commentLines([
      `tsvip systemd unit, made by \`tsvip ${options.command}\` (tsvip ${options.version}):`,
      'run that again after changing where tsvip or vip.yaml lives, the load balancers\' shutdownDrain or',
      'listen ports, or after upgrading tsvip, rather than editing this file.',
      'Install: save it as /etc/systemd/system/tsvip.service, then',
      '  systemctl daemon-reload && systemctl enable --now tsvip',
      'A changed vip.yaml is applied with `systemctl reload tsvip` (checked first; a bad one is refused',
      'and the running config stays). Logs: journalctl -u tsvip.',
    ]),
    '',
    '[Unit]',
    'Description=tsvip: VRRP virtual IP and TCP load balancer for the Kubernetes control plane',
    'Wants=network-online.target',
    'After=network-online.target',
    '# Never give up restarting: the VIP must come back after any number of crashes.',
    'StartLimitIntervalSec=0',
    '',
    '[Service]',
    'Type=simple',
    '# tsvip is a Node.js script (#!/usr/bin/env node): node must be on the PATH systemd gives services.',
    `ExecStart=${[options.execPath, 'start', '-c', options.hostConfigPath].map(unitWord).join(' ')}`,
    'ExecReload=/bin/kill -HUP $MAINPID',
    'Restart=always',
    'RestartSec=2s',
    '# SIGTERM: the VIP is given up within 2 s (priority 0, so a backup takes over at once), then open',
    "# connections get the longest shutdownDrain; systemd waits for both, with a margin, before SIGKILL.",
    'KillSignal=SIGTERM',
    'KillMode=mixed',
    `TimeoutStopSec=${stopTimeoutSeconds(config)}s`,
    `LimitNOFILE=${openFilesLimit(config)}`,
    '# Root, but with only these capabilities: it reads root-owned secrets (status.auth.passwordFile, a',
    "# check script's kubeconfig) and writes nothing outside its private /tmp. A drop-in with User= or",
    '# DynamicUser=yes works too (AmbientCapabilities), if that user can read those files; one with',
    '# ReadWritePaths= lets a check or notify script write where it must.',
    `AmbientCapabilities=${capabilities}`,
    `CapabilityBoundingSet=${capabilities}`,
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectControlGroups=yes',
    '# IPv4 and raw IP (VRRP), netlink (addresses, links), packet (gratuitous ARP), unix (logging).',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET',
    'RestrictNamespaces=yes',
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'LockPersonality=yes',
    'SystemCallArchitectures=native',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ];
  return { text: lines.join('\n'), notes: relativeFileNotes(config) };
}

/**
 * One ExecStart word as systemd reads it back: `%` starts a specifier and `$` a variable, so both are
 * doubled; a word with spaces, quotes or backslashes goes in double quotes with C escapes.
 */
export function unitWord(word: string): string {
  const escaped = word.replaceAll('%', '%%').replaceAll('$', () => '$$');
  return /^[^\s"'\\]+$/.test(escaped) ? escaped : `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}
