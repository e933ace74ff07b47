// Rules the schema cannot express because they relate several keys or depend on the VRRP version.
// They run on every field that passed the schema, even in an instance or load balancer where others did
// not, so one run reports all problems: each rule checks only the fields it has.
import { formatDuration } from './duration.js';
import { familyOfAddress } from './instance-family.js';
import { vipAddress } from '../net/address.js';
import { formatHostPort, parseHostPort } from '../net/host-port.js';
import { parseCommandLine } from '../command/command-line.js';
import type { Partly } from './partial-parse.js';
import type { LoadBalancerConfig, VrrpInstanceConfig } from './schema.js';

type Instance = Partly<VrrpInstanceConfig>;
type LoadBalancer = Partly<LoadBalancerConfig>;

export type KeyPath = readonly (string | number)[];

export interface Finding {
  path: KeyPath;
  message: string;
  severity: 'error' | 'warning';
  /** Point at the key itself (a duplicate name) rather than its value. */
  at?: 'key';
}

export interface Indexed<T> {
  index: number;
  value: T;
}

export interface MeaningInput {
  instances: readonly Indexed<Instance>[];
  loadBalancers: readonly Indexed<LoadBalancer>[];
  /** Whether the document has any vrrp entry at all, even one that failed the schema. */
  hasVrrp: boolean;
  hasLoadBalancers: boolean;
  statusListen: string | undefined;
}

const AUTH_PASS_BYTES = 8;
const V3_MAX_ADVERT_MS = 40950;

export function checkMeaning(input: MeaningInput): Finding[] {
  const findings: Finding[] = [];
  if (!input.hasVrrp && !input.hasLoadBalancers) {
    findings.push({ path: [], message: 'nothing to run: define vrrp instances, loadBalancers, or both', severity: 'error' });
  }
  for (const { index, value } of input.instances) findings.push(...checkInstance(index, value));
  findings.push(...checkInstancesTogether(input.instances));
  findings.push(...checkLoadBalancers(input));
  return findings;
}

function checkInstance(index: number, inst: Instance): Finding[] {
  const at = (...rest: (string | number)[]): KeyPath => ['vrrp', index, ...rest];
  const findings: Finding[] = [];
  const error = (path: KeyPath, message: string) => findings.push({ path, message, severity: 'error' });

  const interval = inst.advertInterval;
  if (inst.version === 2 && interval !== undefined) {
    if (interval % 1000 !== 0 || interval < 1000) {
      error(at('advertInterval'), `VRRPv2 carries the interval in whole seconds: must be 1s to 255s (got ${formatDuration(interval)})`);
    }
  }
  if (inst.version === 3) {
    if (interval !== undefined && (interval % 10 !== 0 || interval > V3_MAX_ADVERT_MS)) {
      error(at('advertInterval'), `VRRPv3 carries the interval in centiseconds: must be a multiple of 10ms from 10ms to 40950ms (got ${formatDuration(interval)})`);
    }
    if (inst.authPass !== undefined) {
      error(at('authPass'), 'authentication exists only in VRRPv2 (RFC 5798 removed it): remove authPass or use version: 2');
    }
  }
  if (inst.authPass !== undefined && Buffer.byteLength(inst.authPass) > AUTH_PASS_BYTES) {
    findings.push({
      path: at('authPass'),
      message: `is ${Buffer.byteLength(inst.authPass)} bytes long: only the first ${AUTH_PASS_BYTES} are sent, as keepalived does`,
      severity: 'warning',
    });
  }

  const vipAddresses = (inst.vips ?? []).map((vip) => (vip === undefined ? undefined : vipAddress(vip)));
  findings.push(...checkFamily(at, inst, vipAddresses));
  const source = inst.unicast?.source;
  // Without the VIPs (they failed the schema) ownership cannot be judged.
  if (inst.priority === 255 && inst.vips !== undefined && (source === undefined || !vipAddresses.includes(source))) {
    error(at('priority'), "255 is reserved for the address owner: one of vips must be this host's own address (unicast.source); otherwise use 1 to 254");
  }

  const peers = inst.unicast?.peers ?? [];
  peers.forEach((peer, peerIndex) => {
    if (peer === undefined) return;
    if (peer === source) error(at('unicast', 'peers', peerIndex), `${peer} is this instance's own unicast.source: list only the other routers`);
    const first = peers.indexOf(peer);
    if (first !== peerIndex) error(at('unicast', 'peers', peerIndex), `${peer} is listed twice (first at unicast.peers[${first}])`);
    if (vipAddresses.includes(peer)) error(at('unicast', 'peers', peerIndex), `${peer} is also a VIP of this instance: a peer needs an address of its own`);
  });

  vipAddresses.forEach((address, vipIndex) => {
    if (address === undefined) return;
    const first = vipAddresses.indexOf(address);
    if (first !== vipIndex) error(at('vips', vipIndex), `${address} is listed twice (first at vips[${first}])`);
  });

  // Command lines are split as the daemon will split them (never by a shell): a broken one is
  // reported here, with its line, rather than when the daemon starts.
  (inst.track ?? []).forEach((tracker, trackerIndex) => {
    if (tracker?.type !== 'script' || typeof tracker.command !== 'string') return;
    const parsed = parseCommandLine(tracker.command);
    if (!parsed.ok) error(at('track', trackerIndex, 'command'), `cannot be split into words: ${parsed.reason}`);
    else if (parsed.words.length === 0) error(at('track', trackerIndex, 'command'), 'must name a program to run');
  });
  for (const [state, command] of Object.entries(inst.notify ?? {})) {
    if (command === undefined) continue;
    const parsed = parseCommandLine(command);
    if (!parsed.ok) error(at('notify', state), `cannot be split into words: ${parsed.reason}`);
  }
  return findings;
}

const FAMILY_NAME = { ipv4: 'IPv4', ipv6: 'IPv6' } as const;

/** An instance's family is its first VIP's: VRRP runs over one family (RFC 5798 5.1: an IPv4 or an IPv6 router). */
function instanceFamily(inst: Instance): 'ipv4' | 'ipv6' | undefined {
  const first = (inst.vips ?? []).find((vip) => vip !== undefined);
  return first === undefined ? undefined : familyOfAddress(vipAddress(first));
}

function checkFamily(at: (...rest: (string | number)[]) => KeyPath, inst: Instance, vipAddresses: readonly (string | undefined)[]): Finding[] {
  const findings: Finding[] = [];
  const error = (path: KeyPath, message: string) => findings.push({ path, message, severity: 'error' });
  const family = instanceFamily(inst);
  if (family === undefined) return findings;
  const firstIndex = vipAddresses.findIndex((address) => address !== undefined);
  const first = vipAddresses[firstIndex];
  vipAddresses.forEach((address, vipIndex) => {
    if (address === undefined || familyOfAddress(address) === family) return;
    error(
      at('vips', vipIndex),
      `${address} is ${FAMILY_NAME[familyOfAddress(address)]} but vips[${firstIndex}] (${first}) is ${FAMILY_NAME[family]}: one family per instance (a VRRP router runs over one); put the ${FAMILY_NAME[familyOfAddress(address)]} VIPs in an instance of their own`,
    );
  });
  if (family === 'ipv6') {
    if (inst.version === 2) {
      error(at('vips', firstIndex), `${first} is IPv6, which needs version: 3 (VRRPv2 is IPv4 only, RFC 3768; keepalived also switches to VRRPv3 for IPv6)`);
    }
    if (inst.version === 3 && inst.v3Checksum === 'vrrpOnly') {
      error(at('v3Checksum'), 'vrrpOnly exists only over IPv4: over IPv6 the checksum always covers the IPv6 pseudo-header (RFC 5798 5.2.8); remove v3Checksum');
    }
  }
  const source = inst.unicast?.source;
  if (source !== undefined && familyOfAddress(source) !== family) {
    error(at('unicast', 'source'), `${source} is ${FAMILY_NAME[familyOfAddress(source)]} but the VIPs are ${FAMILY_NAME[family]}: unicast adverts travel in the VIPs' family`);
  }
  (inst.unicast?.peers ?? []).forEach((peer, peerIndex) => {
    if (peer === undefined || familyOfAddress(peer) === family) return;
    error(at('unicast', 'peers', peerIndex), `${peer} is ${FAMILY_NAME[familyOfAddress(peer)]} but the VIPs are ${FAMILY_NAME[family]}: unicast adverts travel in the VIPs' family`);
  });
  return findings;
}

function describeInstance(index: number, inst: Instance): string {
  return inst.name === undefined ? `vrrp[${index}]` : `vrrp[${index}] (${inst.name})`;
}

function checkInstancesTogether(instances: readonly Indexed<Instance>[]): Finding[] {
  const findings: Finding[] = [];
  instances.forEach(({ index, value }, position) => {
    for (const earlier of instances.slice(0, position)) {
      const other = describeInstance(earlier.index, earlier.value);
      if (value.name !== undefined && earlier.value.name === value.name) {
        findings.push({ path: ['vrrp', index, 'name'], message: `instance name "${value.name}" is already used by ${other}`, severity: 'error' });
      }
      // An IPv4 and an IPv6 router with one VRID are different routers (RFC 5798 5.2.3): they may share it.
      const sameFamily = instanceFamily(value) === instanceFamily(earlier.value);
      if (value.interface !== undefined && value.vrid !== undefined && earlier.value.interface === value.interface && earlier.value.vrid === value.vrid && sameFamily) {
        findings.push({ path: ['vrrp', index, 'vrid'], message: `VRID ${value.vrid} is already used on ${value.interface} by ${other}`, severity: 'error' });
      }
      (value.vips ?? []).forEach((vip, vipIndex) => {
        if (vip === undefined) return;
        const address = vipAddress(vip);
        if ((earlier.value.vips ?? []).some((theirs) => theirs !== undefined && vipAddress(theirs) === address)) {
          findings.push({ path: ['vrrp', index, 'vips', vipIndex], message: `${address} is already a VIP of ${other}`, severity: 'error' });
        }
      });
    }
  });
  return findings;
}

function checkLoadBalancers(input: MeaningInput): Finding[] {
  const findings: Finding[] = [];
  const error = (path: KeyPath, message: string) => findings.push({ path, message, severity: 'error' });
  const names = input.loadBalancers.flatMap(({ value }) => (value.name === undefined ? [] : [value.name]));
  // A load balancer whose name failed the schema may be the one a tracker means: say nothing then.
  const allNamed = input.loadBalancers.every(({ value }) => value.name !== undefined);

  input.instances.forEach(({ index, value }) => {
    (value.track ?? []).forEach((tracker, trackIndex) => {
      if (tracker?.type === 'backends' && tracker.loadBalancer !== undefined && allNamed && !names.includes(tracker.loadBalancer)) {
        const known = names.length > 0 ? `; defined: ${names.join(', ')}` : '; no loadBalancers are defined';
        error(['vrrp', index, 'track', trackIndex, 'loadBalancer'], `no load balancer is named "${tracker.loadBalancer}"${known}`);
      }
    });
  });

  // Listeners that would collide at bind time: the same port on the same address or on 0.0.0.0.
  const listeners: { path: KeyPath; host: string; port: number; owner: string }[] = [];
  if (input.statusListen !== undefined) {
    const parsed = parseHostPort(input.statusListen, { allowHostname: false, keywords: [] });
    if (parsed.ok) listeners.push({ path: ['status', 'listen'], ...parsed.value, owner: 'status.listen' });
  }

  input.loadBalancers.forEach(({ index, value: lb }, position) => {
    const earlierSameName = lb.name === undefined ? undefined : input.loadBalancers.slice(0, position).find(({ value }) => value.name === lb.name);
    if (earlierSameName) error(['loadBalancers', index, 'name'], `load balancer name "${lb.name}" is already used by loadBalancers[${earlierSameName.index}]`);

    const bind = lb.bind === undefined ? undefined : parseHostPort(lb.bind, { allowHostname: false, keywords: ['vip'] });
    if (bind?.ok === true) {
      if (bind.value.host === 'vip' && !input.hasVrrp) {
        error(['loadBalancers', index, 'bind'], `${lb.bind} listens on a VRRP instance's VIP, but no vrrp instance is defined`);
      }
      const clash = listeners.find((l) => l.port === bind.value.port && overlaps(l.host, bind.value.host));
      if (clash) error(['loadBalancers', index, 'bind'], `${lb.bind} collides with ${clash.owner} (${formatHostPort(clash.host, clash.port)})`);
      listeners.push({ path: ['loadBalancers', index, 'bind'], ...bind.value, owner: lb.name === undefined ? `loadBalancers[${index}]` : `loadBalancers[${index}] (${lb.name})` });
    }

    const backends = lb.backends ?? [];
    backends.forEach((backend, backendIndex) => {
      if (backend?.name === undefined) return;
      const first = backends.findIndex((b) => b?.name === backend.name);
      if (first !== backendIndex) {
        error(['loadBalancers', index, 'backends', backendIndex, 'name'], `backend name "${backend.name}" is already used by backends[${first}]`);
      }
    });
  });
  return findings;
}

/**
 * Two listeners on one port collide when they share an address or one takes all of the other's: 0.0.0.0
 * takes every IPv4 address (and `vip`), `::` takes every address of both families, as tsvip binds it
 * dual-stack (IPV6_V6ONLY off, haproxy's `v4v6`).
 */
function overlaps(a: string, b: string): boolean {
  if (a === b || a === '::' || b === '::') return true;
  const takesAllIpv4 = (wildcard: string, other: string) => wildcard === '0.0.0.0' && !other.includes(':');
  return takesAllIpv4(a, b) || takesAllIpv4(b, a);
}
