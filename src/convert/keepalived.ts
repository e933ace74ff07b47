// keepalived.conf -> vrrp instances for vip.yaml. Every statement is either translated (and the YAML
// says where it came from) or reported as a finding with its file:line and the reason.
import { basename, dirname, join } from 'node:path';
import { formatDuration } from '../config/duration.js';
import { parseCommandLine } from '../command/command-line.js';
import { recognizeCheckScript } from './check-script.js';
import { InstanceFamily, type VipLine } from './keepalived-family.js';
import { convertVirtualServer } from './keepalived-virtual-server.js';
import { GLOBAL_REASONS, INSTANCE_REASONS, TOP_LEVEL_REASONS, commandArgv, integer, ms, seconds, shellQuote } from './keepalived-terms.js';
import { safeName, where, type Finding, type SourceLine } from './findings.js';
import type { Fields, InstanceDraft, LoadBalancerDraft, ScriptTiming, TrackDraft } from './drafts.js';
import type { Statement } from './keepalived-syntax.js';
import type { SourceFiles } from './source-files.js';

export interface KeepalivedResult {
  instances: InstanceDraft[];
  /** Every VIP address, so that a haproxy `bind` on one becomes `vip:PORT`. */
  vipAddresses: Set<string>;
  /** Lines for the top of the YAML (router_id and such). */
  headerLines: string[];
  findings: Finding[];
  /** From virtual_server blocks (keepalived's IPVS). */
  loadBalancers: LoadBalancerDraft[];
}

interface Globals {
  version: 2 | 3;
  garp: Fields;
  /** vrrp_startup_delay: keepalived holds every instance back this long after it starts. */
  startupDelay?: { value: string; source: SourceLine };
}

interface VrrpScript {
  source: SourceLine;
  command: string;
  timing: ScriptTiming;
  /** keepalived's timeout (the interval when absent), in seconds. */
  timeoutSeconds: number;
  weight: number;
}

/** `vrrp_track_process NAME { process haproxy; weight -60; delay 3 }`. */
interface TrackedProcess {
  source: SourceLine;
  process: string;
  weight: number;
  /** Seconds keepalived waits after the process goes before it counts it as gone. */
  delay: number;
}

/** What a vrrp_sync_group gives each of its members: keepalived applies the group's trackers to every one. */
interface GroupShare {
  group: string;
  source: SourceLine;
  trackScripts: Statement[];
  trackInterfaces: Statement[];
  notify: Statement[];
}

export class KeepalivedConverter {
  private readonly findings: Finding[] = [];
  private readonly scripts = new Map<string, VrrpScript>();
  private readonly processes = new Map<string, TrackedProcess>();
  private readonly groupShares = new Map<string, GroupShare>();
  private readonly globals: Globals = { version: 2, garp: {} };
  private readonly headerLines: string[] = [];

  constructor(
    private readonly confFile: string,
    private readonly files: SourceFiles,
  ) {}

  private report(at: SourceLine, message: string): void {
    this.findings.push({ file: at.file, line: at.line, message });
  }

  private unknown(statement: Statement, context: string, reasons: Readonly<Record<string, string>>): void {
    const keyword = statement.words[0] ?? '';
    this.report(statement, `${keyword}${context}: ${reasons[keyword] ?? 'not translated: tsvip convert does not know this keyword'}`);
  }

  convert(statements: readonly Statement[]): KeepalivedResult {
    for (const statement of statements) if (statement.words[0] === 'global_defs') this.globalDefs(statement);
    for (const statement of statements) if (statement.words[0] === 'vrrp_script') this.vrrpScript(statement);
    for (const statement of statements) if (statement.words[0] === 'vrrp_track_process') this.vrrpTrackProcess(statement);
    for (const statement of statements) if (statement.words[0] === 'vrrp_sync_group') this.syncGroup(statement);
    const drafts: InstanceDraft[] = [];
    const vipAddresses = new Set<string>();
    const virtualServers: Statement[] = [];
    const converted = new Set<string>();
    for (const statement of statements) {
      const keyword = statement.words[0] ?? '';
      if (keyword === 'global_defs' || keyword === 'vrrp_script' || keyword === 'vrrp_track_process' || keyword === 'vrrp_sync_group') continue;
      if (keyword === 'virtual_server' && statement.block !== undefined) {
        virtualServers.push(statement);
        continue;
      }
      if (keyword !== 'vrrp_instance') {
        this.unknown(statement, '', TOP_LEVEL_REASONS);
        continue;
      }
      const draft = this.instance(statement);
      if (draft === undefined) continue;
      converted.add(statement.words[1] ?? 'VI_1');
      for (const vip of draft.fields['vips'] as string[]) vipAddresses.add(vip.split('/')[0] ?? vip);
      drafts.push(draft);
    }
    for (const [member, share] of this.groupShares) {
      if (!converted.has(member)) {
        this.report(share.source, `vrrp_sync_group ${share.group}: member ${member} is not a converted vrrp_instance`);
      }
    }
    const loadBalancers = virtualServers.flatMap((v) => convertVirtualServer(v, vipAddresses, (at, message) => this.report(at, message)));
    return { instances: drafts, vipAddresses, headerLines: this.headerLines, findings: this.findings, loadBalancers };
  }

  private vrrpTrackProcess(statement: Statement): void {
    const name = statement.words[1];
    if (name === undefined) {
      this.report(statement, 'vrrp_track_process without a name: skipped');
      return;
    }
    let process: string | undefined;
    let weight = 0;
    let delay = 0;
    for (const s of statement.block ?? []) {
      const [keyword = '', value] = s.words;
      if (keyword === 'process' && value !== undefined) {
        process = value;
        if (s.words.length > 2) this.report(s, `vrrp_track_process ${name}: the process's parameters (${s.words.slice(2).join(' ')}) are not matched: only its name is`);
      } else if (keyword === 'weight' && integer(value) !== undefined) {
        weight = integer(value) ?? 0;
        if (s.words.includes('reverse')) this.report(s, `vrrp_track_process ${name}: weight ... reverse is not supported: the weight applies as written`);
      } else if ((keyword === 'delay' || keyword === 'terminate_delay') && seconds(value) !== undefined) delay = Math.max(delay, seconds(value) ?? 0);
      else if (keyword === 'quorum' && value === '1') continue;
      else this.report(s, `vrrp_track_process ${name}: ${s.words.join(' ')}: not translated (only process, weight, delay and quorum 1 are)`);
    }
    if (process === undefined) {
      this.report(statement, `vrrp_track_process ${name} has no process: skipped`);
      return;
    }
    this.processes.set(name, { source: statement, process, weight, delay });
  }

  private syncGroup(statement: Statement): void {
    const group = statement.words[1] ?? '';
    const members: string[] = [];
    const share: Omit<GroupShare, 'group' | 'source'> = { trackScripts: [], trackInterfaces: [], notify: [] };
    for (const s of statement.block ?? []) {
      const [keyword = ''] = s.words;
      if (keyword === 'group') members.push(...(s.block ?? []).flatMap((m) => m.words));
      else if (keyword === 'track_script') share.trackScripts.push(...(s.block ?? []));
      else if (keyword === 'track_interface') share.trackInterfaces.push(...(s.block ?? []));
      else if (keyword === 'notify_master' || keyword === 'notify_backup' || keyword === 'notify_fault' || keyword === 'notify_stop') share.notify.push(s);
      else if (keyword === 'global_tracking') continue;
      else this.report(s, `${s.words.join(' ')} (vrrp_sync_group ${group}): not translated`);
    }
    for (const member of members) this.groupShares.set(member, { group, source: statement, ...share });
    const shared = [share.trackScripts.length > 0 && 'track_script', share.trackInterfaces.length > 0 && 'track_interface', share.notify.length > 0 && 'notify'].filter((x): x is string => typeof x === 'string');
    const applied = shared.length > 0 ? `its ${shared.join(', ')} ${shared.length > 1 ? 'are' : 'is'} applied to each member, as keepalived applies them; ` : '';
    this.report(
      statement,
      `vrrp_sync_group ${group} (${members.join(', ')}): ${applied}tsvip elects each instance on its own, so the members no longer move as one: one that goes FAULT does not take the others with it (give them the same trackers and priorities, which the conversion does, to keep them together)`,
    );
  }

  private globalDefs(statement: Statement): void {
    for (const s of statement.block ?? []) {
      const [keyword = '', value] = s.words;
      if (keyword === 'router_id' && value !== undefined) {
        this.headerLines.push(`keepalived router_id ${value} (${where(s)}): tsvip needs no router id; logs and /status name the host`);
      } else if (keyword === 'vrrp_version' && (value === '2' || value === '3')) {
        this.globals.version = value === '3' ? 3 : 2;
      } else if (keyword === 'vrrp_startup_delay' && seconds(value) !== undefined) {
        this.globals.startupDelay = { value: ms(seconds(value) ?? 0), source: s };
      } else if (keyword === 'vrrp_garp_master_delay' && seconds(value) !== undefined) {
        this.globals.garp['delay'] = ms(seconds(value) ?? 0);
      } else if (keyword === 'vrrp_garp_master_repeat' && integer(value) !== undefined) {
        this.globals.garp['burst'] = integer(value);
      } else if (keyword === 'vrrp_garp_master_refresh' && seconds(value) !== undefined) {
        this.globals.garp['refresh'] = ms(seconds(value) ?? 0);
      } else {
        this.unknown(s, ' (global_defs)', GLOBAL_REASONS);
      }
    }
  }

  private vrrpScript(statement: Statement): void {
    const name = statement.words[1];
    if (name === undefined) {
      this.report(statement, 'vrrp_script without a name: skipped');
      return;
    }
    let command: string | undefined;
    let interval = 1;
    let timeout: number | undefined;
    let rise = 1;
    let fall = 1;
    let weight = 0;
    for (const s of statement.block ?? []) {
      const [keyword = '', value] = s.words;
      const rest = s.words.slice(1);
      if (keyword === 'script' && rest.length > 0) command = rest.join(' ');
      else if (keyword === 'interval' && seconds(value) !== undefined) interval = seconds(value) ?? interval;
      else if (keyword === 'timeout' && seconds(value) !== undefined) timeout = seconds(value);
      else if (keyword === 'rise' && integer(value) !== undefined) rise = integer(value) ?? rise;
      else if (keyword === 'fall' && integer(value) !== undefined) fall = integer(value) ?? fall;
      else if (keyword === 'weight' && integer(value) !== undefined) {
        weight = integer(value) ?? 0;
        if (s.words.includes('reverse')) this.report(s, `vrrp_script ${name}: weight ... reverse is not supported: the weight applies as written`);
      } else if (keyword === 'user') this.report(s, `vrrp_script ${name}: user is not translated: tsvip runs the command as its own user`);
      else if (keyword === 'init_fail') this.report(s, `vrrp_script ${name}: init_fail is not translated: a tracker starts unknown until its first results`);
      else this.report(s, `vrrp_script ${name}: ${keyword}${value === undefined ? '' : ` ${value}`}: not translated (unknown keyword or bad value)`);
    }
    if (command === undefined) {
      this.report(statement, `vrrp_script ${name} has no script: skipped`);
      return;
    }
    // keepalived: rise and fall at least 1; timeout defaults to the interval.
    this.scripts.set(name, {
      source: statement,
      command,
      weight,
      timeoutSeconds: timeout ?? interval,
      timing: { interval: ms(interval), timeout: ms(timeout ?? interval), rise: Math.max(rise, 1), fall: Math.max(fall, 1) },
    });
  }

  /** The text of a check script: the file it names (as written, or next to keepalived.conf), else the line itself. */
  private scriptText(command: string): { text: string; readFrom: string | undefined } {
    const words = parseCommandLine(command);
    const argv = words.ok ? words.words : [];
    const path = argv[0] !== undefined && /^(ba|da)?sh$/.test(basename(argv[0])) ? argv[1] : argv[0];
    if (path !== undefined && path.startsWith('/')) {
      for (const candidate of [path, join(dirname(this.confFile), basename(path))]) {
        try {
          const text = this.files.read(candidate);
          // A program (curl itself, say) is not a script to read: look at the command line instead.
          if (text.includes('\0')) break;
          return { text, readFrom: candidate };
        } catch {
          // try the next place
        }
      }
    }
    return { text: command, readFrom: undefined };
  }

  private trackScript(s: Statement, vipAddresses: ReadonlySet<string>): TrackDraft | undefined {
    const [name = '', ...options] = s.words;
    const script = this.scripts.get(name);
    if (script === undefined) {
      this.report(s, `track_script ${name}: no vrrp_script of that name was converted`);
      return undefined;
    }
    let weight = script.weight;
    if (options[0] === 'weight' && integer(options[1]) !== undefined) {
      weight = integer(options[1]) ?? weight;
      if (options.includes('reverse')) this.report(s, `track_script ${name}: weight ... reverse is not supported: the weight applies as written`);
    } else if (options.length > 0) this.report(s, `track_script ${name}: ${options.join(' ')}: not translated`);

    const { argv, viaShell } = commandArgv(script.command);
    const fallback: Fields = { type: 'script', command: argv, ...script.timing, weight };
    const label = `vrrp_script ${name} (${where(script.source)})`;
    const fallbackComment = viaShell
      ? `${label}: the script line uses shell syntax and tsvip runs no shell itself, so it runs under /bin/sh -c`
      : `${label}: run as argv, without a shell`;
    const { text, readFrom } = this.scriptText(script.command);
    const recognized = recognizeCheckScript(text, vipAddresses);
    if (recognized === undefined) return { kind: 'ready', tracker: fallback, comment: fallbackComment };
    const read = readFrom === undefined ? '' : ` (read ${readFrom})`;
    const bound = recognized.timeoutSeconds;
    const timing = bound !== undefined && bound < script.timeoutSeconds ? { ...script.timing, timeout: ms(bound) } : script.timing;
    return { kind: 'local', recognized, timing, weight, fallback, fallbackComment, label: `${label}${read}`, source: script.source };
  }

  private trackProcess(s: Statement, context: string): TrackDraft | undefined {
    const [name = '', ...options] = s.words;
    const tracked = this.processes.get(name);
    if (tracked === undefined) {
      this.report(s, `track_process ${name}${context}: no vrrp_track_process of that name was converted`);
      return undefined;
    }
    let weight = tracked.weight;
    if (options[0] === 'weight' && integer(options[1]) !== undefined) weight = integer(options[1]) ?? weight;
    else if (options.length > 0) this.report(s, `track_process ${name}: ${options.join(' ')}: not translated`);
    // keepalived watches process events; tsvip polls: once a second, and `delay` seconds of grace as fall.
    const fall = Math.min(100, Math.max(1, Math.ceil(tracked.delay)));
    const timing: ScriptTiming = { interval: '1s', timeout: '1s', rise: 1, fall };
    const label = `vrrp_track_process ${name} (${where(tracked.source)})`;
    const fallback: Fields = { type: 'script', command: ['pidof', tracked.process], ...timing, weight };
    const fallbackComment = `${label}: keepalived watches that a process named ${tracked.process} runs; pidof asks the same once a second${tracked.delay > 0 ? ` (delay ${tracked.delay}s as fall ${fall})` : ''}`;
    const recognized = recognizeCheckScript(`pidof ${tracked.process}`, new Set());
    if (recognized === undefined) return { kind: 'ready', tracker: fallback, comment: fallbackComment };
    return { kind: 'local', recognized, timing, weight, fallback, fallbackComment, label, source: tracked.source };
  }

  private instance(statement: Statement): InstanceDraft | undefined {
    const rawName = statement.words[1] ?? 'VI_1';
    const name = safeName(rawName);
    const notes: Record<string, string> = {};
    const f: Record<string, unknown> = {};
    let version: 2 | 3 = this.globals.version;
    let versionAt: Statement | undefined;
    let advertSeconds: number | undefined;
    let authPass: string | undefined;
    let authSource: SourceLine | undefined;
    let unicastSource: string | undefined;
    const peers: string[] = [];
    const vips: string[] = [];
    const vipLines: VipLine[] = [];
    const trackStatements: Statement[] = [];
    const trackInterfaces: TrackDraft[] = [];
    const notify: Record<string, string> = {};
    const garp: Fields = { ...this.globals.garp };
    const context = ` (vrrp_instance ${rawName})`;
    let nopreemptAt: SourceLine | undefined;
    let preemptDelayAt: SourceLine | undefined;
    /** track_interface lines, kept apart until the instance's own interface is known. */
    const interfaceLines: { ifname: string; weight: number; s: SourceLine; from?: string }[] = [];
    const trackProcesses: Statement[] = [];
    const share = this.groupShares.get(rawName);
    const family = new InstanceFamily((at, message) => this.report(at, message), context);

    for (const s of statement.block ?? []) {
      const [keyword = '', value] = s.words;
      const bad = (): void => this.report(s, `${keyword}${value === undefined ? '' : ` ${value}`}${context}: not translated (missing or bad value)`);
      switch (keyword) {
        case 'state':
          if (value === 'MASTER' || value === 'BACKUP') f['initialState'] = value.toLowerCase();
          else bad();
          break;
        case 'interface':
          if (value !== undefined) f['interface'] = value;
          else bad();
          break;
        case 'virtual_router_id':
          if (integer(value) !== undefined) f['vrid'] = integer(value);
          else bad();
          break;
        case 'priority':
          if (integer(value) !== undefined) f['priority'] = integer(value);
          else bad();
          break;
        case 'version':
          if (value === '2' || value === '3') {
            version = value === '3' ? 3 : 2;
            versionAt = s;
          } else bad();
          break;
        case 'advert_int':
          if (seconds(value) !== undefined) advertSeconds = seconds(value);
          else bad();
          break;
        case 'nopreempt':
          f['preempt'] = false;
          notes['preempt'] = `nopreempt (${where(s)})`;
          nopreemptAt = s;
          break;
        case 'preempt':
          // keepalived: `preempt` after `nopreempt` turns preemption back on.
          delete f['preempt'];
          delete notes['preempt'];
          nopreemptAt = undefined;
          break;
        case 'preempt_delay':
          if (seconds(value) !== undefined) {
            f['preemptDelay'] = ms(seconds(value) ?? 0);
            preemptDelayAt = s;
          } else bad();
          break;
        case 'authentication':
          for (const a of s.block ?? []) {
            const [k = '', v] = a.words;
            if (k === 'auth_type' && v === 'PASS') continue;
            if (k === 'auth_pass' && v !== undefined) {
              authPass = v;
              authSource = a;
            } else this.report(a, `${a.words.join(' ')}${context}: not translated: tsvip supports only auth_type PASS`);
          }
          break;
        case 'unicast_src_ip':
          if (value === undefined) bad();
          else unicastSource = family.unicastAddress(value, s, 'unicast_src_ip') ?? unicastSource;
          break;
        case 'unicast_peer':
          for (const p of s.block ?? []) {
            const [address = '', ...extra] = p.words;
            const peer = family.unicastAddress(address, p, 'unicast peer');
            if (peer !== undefined) peers.push(peer);
            if (extra.length > 0) this.report(p, `unicast peer ${address} ${extra.join(' ')}${context}: per-peer options are not supported`);
          }
          break;
        case 'native_ipv6':
          family.nativeIpv6(s);
          break;
        case 'virtual_ipaddress':
          for (const v of s.block ?? []) {
            const line = family.vipLine(v);
            if (line) vipLines.push(line);
          }
          break;
        case 'track_script':
          trackStatements.push(...(s.block ?? []));
          break;
        case 'track_process':
          trackProcesses.push(...(s.block ?? []));
          break;
        case 'track_interface':
          for (const t of [...(s.block ?? [])]) {
            const [ifname = '', option, w] = t.words;
            const weight = option === 'weight' ? integer(w) : 0;
            if (weight === undefined || (option !== undefined && option !== 'weight')) this.report(t, `track_interface ${t.words.join(' ')}${context}: only "NAME [weight N]" is translated`);
            interfaceLines.push({ ifname, weight: weight ?? 0, s: t });
          }
          break;
        case 'notify_master':
        case 'notify_backup':
        case 'notify_fault':
        case 'notify_stop': {
          const command = s.words.slice(1).join(' ');
          if (command === '') {
            bad();
            break;
          }
          const state = keyword.slice('notify_'.length);
          const { argv, viaShell } = commandArgv(command);
          notify[state] = argv.map(shellQuote).join(' ');
          if (viaShell) notes[`notify.${state}`] = `${keyword} (${where(s)}) uses shell syntax: run under /bin/sh -c`;
          break;
        }
        case 'garp_master_delay':
          if (seconds(value) !== undefined) garp['delay'] = ms(seconds(value) ?? 0);
          else bad();
          break;
        case 'garp_master_repeat':
          if (integer(value) !== undefined) garp['burst'] = integer(value);
          else bad();
          break;
        case 'garp_master_refresh':
          if (seconds(value) !== undefined) garp['refresh'] = ms(seconds(value) ?? 0);
          else bad();
          break;
        default:
          this.unknown(s, context, INSTANCE_REASONS);
      }
    }

    if (share !== undefined) {
      const from = `vrrp_sync_group ${share.group} (${where(share.source)})`;
      trackStatements.push(...share.trackScripts);
      for (const t of share.trackInterfaces) {
        const [ifname = '', option, w] = t.words;
        const weight = option === 'weight' ? integer(w) : 0;
        interfaceLines.push({ ifname, weight: weight ?? 0, s: t, from });
      }
      for (const n of share.notify) {
        const state = (n.words[0] ?? '').slice('notify_'.length);
        if (notify[state] !== undefined) {
          this.report(n, `${n.words[0] ?? ''} of ${from}: ${rawName} has its own, which is kept`);
          continue;
        }
        const { argv, viaShell } = commandArgv(n.words.slice(1).join(' '));
        notify[state] = argv.map(shellQuote).join(' ');
        notes[`notify.${state}`] = `${n.words[0] ?? ''} of ${from}: keepalived runs it once for the group; tsvip runs it for each member (TSVIP_INSTANCE says which)${viaShell ? ', under /bin/sh -c' : ''}`;
      }
    }
    // keepalived 2.2 (`keepalived -t`): "nopreempt will not work with initial state MASTER - clearing".
    if (f['initialState'] === 'master' && f['preempt'] === false && nopreemptAt !== undefined) {
      delete f['preempt'];
      notes['preempt'] = `nopreempt (${where(nopreemptAt)}) with state MASTER: keepalived clears nopreempt there, so this instance preempts (the default), as it did under keepalived`;
      this.report(nopreemptAt, `nopreempt${context}: with state MASTER keepalived clears nopreempt ("nopreempt will not work with initial state MASTER - clearing"), so the converted instance preempts, as keepalived ran it; use state BACKUP to keep nopreempt`);
    }
    // keepalived 2.2 (`keepalived -t`) also drops a preempt_delay that cannot apply.
    if (preemptDelayAt !== undefined && f['preemptDelay'] !== undefined) {
      const cleared =
        f['initialState'] === 'master'
          ? 'with state MASTER keepalived clears preempt_delay ("preempt delay will not work with initial state MASTER - clearing")'
          : f['preempt'] === false
            ? 'with nopreempt keepalived resets preempt_delay ("preempt_delay is incompatible with nopreempt mode - resetting")'
            : undefined;
      if (cleared !== undefined) {
        delete f['preemptDelay'];
        this.report(preemptDelayAt, `preempt_delay${context}: ${cleared}: left out, as keepalived ran it`);
      }
    }
    for (const { ifname, weight, s, from } of interfaceLines) {
      const of = from === undefined ? '' : ` of ${from}`;
      if (ifname === f['interface']) {
        // tsvip, like keepalived, always tracks the instance's own interface with weight 0.
        this.report(s, `track_interface ${ifname}${of}${context}: the instance's own interface: keepalived ignores it ("Ignoring track_interface ${ifname} since own interface") and goes FAULT while it is down, as tsvip always does: left out`);
        continue;
      }
      trackInterfaces.push({ kind: 'ready', tracker: { type: 'interface', name: ifname, weight }, comment: `track_interface ${ifname} (${where(s)})${of}` });
    }

    for (const { vip, dev, s } of vipLines) {
      if (dev !== undefined && f['interface'] !== undefined && dev !== f['interface']) {
        this.report(s, `${vip} dev ${dev}${context}: a VIP on another interface than the instance's (${String(f['interface'])}) is not supported: skipped`);
      } else vips.push(vip);
    }
    const missing = [f['interface'] === undefined && 'interface', f['vrid'] === undefined && 'virtual_router_id', vips.length === 0 && 'virtual_ipaddress'].filter(
      (m): m is string => typeof m === 'string',
    );
    if (missing.length > 0) {
      this.report(statement, `vrrp_instance ${rawName}: no ${missing.join(', ')}: not converted`);
      return undefined;
    }

    const fields: Fields = { name, interface: f['interface'], vrid: f['vrid'] };
    if (f['priority'] !== undefined) fields['priority'] = f['priority'];
    if (family.family === 'ipv6' && version === 2) {
      // keepalived.conf(5): "IPv6 instances will always use version 3"; `keepalived -t` says so of an explicit 2.
      version = 3;
      notes['version'] = 'IPv6: keepalived runs every IPv6 instance with VRRPv3';
      if (versionAt !== undefined) this.report(versionAt, `version 2${context}: the instance is IPv6, which keepalived runs with VRRPv3 ("vrrp_version 2 conflicts with configured or deduced version"): written as version 3`);
    }
    fields['version'] = version;
    fields['advertInterval'] = this.advertInterval(advertSeconds, version, statement, context);
    if (f['initialState'] !== undefined) fields['initialState'] = f['initialState'];
    if (f['preempt'] !== undefined) fields['preempt'] = f['preempt'];
    if (f['preemptDelay'] !== undefined) fields['preemptDelay'] = f['preemptDelay'];
    const startupDelay = this.globals.startupDelay;
    if (startupDelay !== undefined) {
      fields['startupDelay'] = startupDelay.value;
      notes['startupDelay'] = `vrrp_startup_delay (${where(startupDelay.source)}): keepalived holds every instance back this long after it starts`;
    }
    if (authPass !== undefined && authSource !== undefined) {
      if (version === 3) this.report(authSource, `auth_pass${context}: VRRPv3 has no authentication (keepalived ignores it too): left out`);
      else fields['authPass'] = this.authPass(authPass, authSource, context, notes);
    }
    if (peers.length > 0) {
      fields['unicast'] = unicastSource === undefined ? { peers } : { source: unicastSource, peers };
    } else if (unicastSource !== undefined) {
      this.report(statement, `unicast_src_ip ${unicastSource}${context}: without unicast_peer keepalived uses multicast; tsvip has no multicast source option: left out`);
    }
    fields['vips'] = vips;
    if (Object.keys(garp).length > 0) fields['garp'] = garp;
    if (Object.keys(notify).length > 0) fields['notify'] = notify;

    const tracks: TrackDraft[] = [];
    const vipSet = new Set(vips.map((v) => v.split('/')[0] ?? v));
    for (const t of trackStatements) {
      const draft = this.trackScript(t, vipSet);
      if (draft) tracks.push(draft);
    }
    for (const t of trackProcesses) {
      const draft = this.trackProcess(t, context);
      if (draft) tracks.push(draft);
    }
    tracks.push(...trackInterfaces);
    if (name !== rawName) notes['name'] = `vrrp_instance ${rawName}: renamed to fit tsvip's names`;
    return { source: statement, header: `from ${where(statement)} vrrp_instance ${rawName}`, notes, fields, tracks };
  }

  /** keepalived sends the first 8 bytes of auth_pass: write exactly what goes on the wire. */
  private authPass(pass: string, at: SourceLine, context: string, notes: Record<string, string>): string {
    const bytes = Buffer.from(pass);
    if (bytes.length <= 8) return pass;
    const cut = bytes.subarray(0, 8).toString();
    if (Buffer.byteLength(cut) !== 8) return pass;
    this.report(at, `auth_pass${context} is ${bytes.length} bytes: keepalived sends only the first 8, so the converted authPass is ${JSON.stringify(cut)}`);
    notes['authPass'] = `auth_pass ${JSON.stringify(pass)} (${where(at)}) cut to the 8 bytes keepalived sends`;
    return cut;
  }

  private advertInterval(advertSeconds: number | undefined, version: 2 | 3, at: Statement, context: string): string {
    const value = advertSeconds ?? 1;
    if (version === 2) {
      const whole = Math.min(255, Math.max(1, Math.round(value)));
      if (whole !== value) this.report(at, `advert_int ${value}${context}: VRRPv2 carries whole seconds from 1 to 255: written as ${whole}s`);
      return `${whole}s`;
    }
    const centis = Math.min(4095, Math.max(1, Math.round(value * 100)));
    if (centis * 10 !== Math.round(value * 1000)) this.report(at, `advert_int ${value}${context}: VRRPv3 carries centiseconds from 10ms to 40950ms: written as ${formatDuration(centis * 10)}`);
    return formatDuration(centis * 10);
  }
}
