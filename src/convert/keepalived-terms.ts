// keepalived words: why the ones tsvip has no use for are left out, and how values are read. Values
// follow keepalived's parser: seconds may be fractional, integers are decimal.
import { formatDuration } from '../config/duration.js';
import { parseCommandLine } from '../command/command-line.js';

export const TOP_LEVEL_REASONS: Readonly<Record<string, string>> = {
  virtual_server: 'a virtual_server without a block of real servers has nothing to translate',
  virtual_server_group: 'LVS/IPVS is not translated: tsvip proxies TCP instead',
  static_ipaddress: 'static addresses are host configuration, not tsvip’s',
  static_routes: 'static routes are host configuration, not tsvip’s',
  static_rules: 'static rules are host configuration, not tsvip’s',
};

export const GLOBAL_REASONS: Readonly<Record<string, string>> = {
  script_user: 'not needed: tsvip runs commands without a shell, as its own user',
  enable_script_security: 'not needed: tsvip runs commands without a shell, as its own user',
  notification_email: 'e-mail alerts are not supported: use notify commands or /metrics',
  notification_email_from: 'e-mail alerts are not supported: use notify commands or /metrics',
  smtp_server: 'e-mail alerts are not supported: use notify commands or /metrics',
  smtp_connect_timeout: 'e-mail alerts are not supported: use notify commands or /metrics',
  vrrp_skip_check_adv_addr: 'not needed: tsvip checks the address list of every advert against its own',
  vrrp_strict: 'not translated: tsvip always follows the RFC where keepalived’s vrrp_strict would (no unicast with it)',
  vrrp_garp_interval: 'not translated: tsvip sends a gratuitous ARP burst back to back',
  vrrp_gna_interval: 'not translated: tsvip sends its unsolicited neighbour advertisements back to back, as its gratuitous ARP',
};

export const INSTANCE_REASONS: Readonly<Record<string, string>> = {
  dont_track_primary: 'not translated: tsvip always tracks its interface (a down link means FAULT)',
  smtp_alert: 'e-mail alerts are not supported: use notify commands or /metrics',
  mcast_src_ip: 'not translated: tsvip sends from the interface’s primary address in multicast mode',
  use_vmac: 'VRRP virtual MAC interfaces are not supported: tsvip announces the VIP with the interface’s MAC',
  virtual_ipaddress_excluded:
    'excluded addresses are not supported: list those of the instance’s family in vips (at most 255 per advert); one of the other family needs an instance of its own (IPv6 with version: 3), which elects on its own',
  virtual_routes: 'routes are not supported',
  virtual_rules: 'policy rules are not supported',
  track_file: 'file trackers are not supported: use a script tracker that reads the file',
  track_bfd: 'BFD trackers are not supported',
  notify: 'the generic notify script (called with TYPE NAME STATE PRIORITY) is not translated: tsvip runs notify.master/backup/fault/stop with TSVIP_INSTANCE, TSVIP_STATE, TSVIP_PRIORITY in the environment',
  lvs_sync_daemon_interface: 'LVS sync is not supported',
  garp_master_refresh_repeat: 'not translated: each refresh sends one gratuitous ARP',
};

export function seconds(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+(\.\d+)?$/.test(text)) return undefined;
  return Number(text);
}

export function integer(text: string | undefined): number | undefined {
  return text !== undefined && /^-?\d+$/.test(text) ? Number(text) : undefined;
}

export function ms(secondsValue: number): string {
  return formatDuration(Math.round(secondsValue * 1000));
}

/** A command line as keepalived gives it to a shell; tsvip runs argv directly, so shell syntax needs sh -c. */
export function commandArgv(command: string): { argv: string[]; viaShell: boolean } {
  const shellSyntax = /[|&;<>()$`*?~[\]{}]|^\s*\w+=/.test(command);
  const parsed = parseCommandLine(command);
  if (!shellSyntax && parsed.ok && parsed.words.length > 0) return { argv: parsed.words, viaShell: false };
  return { argv: ['/bin/sh', '-c', command], viaShell: true };
}

export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
