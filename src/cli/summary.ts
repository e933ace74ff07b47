// The human summary `tsvip check` prints for a valid config: what will run, with the effective settings
// (defaults included), in the words keepalived and haproxy users know.
import { formatDuration } from '../config/duration.js';
import type { Config, LoadBalancerConfig, TrackerConfig, VrrpInstanceConfig } from '../config/schema.js';
import { instanceFamily } from '../config/instance-family.js';

function describeTracker(tracker: TrackerConfig): string {
  const weight = tracker.weight === 0 ? 'fault on failure' : `weight ${tracker.weight > 0 ? '+' : ''}${tracker.weight}`;
  switch (tracker.type) {
    case 'backends':
      return `backends of ${tracker.loadBalancer} (${weight})`;
    case 'http':
    case 'https':
      return `${tracker.type} ${tracker.url} every ${formatDuration(tracker.interval)} (${weight})`;
    case 'script': {
      const command = typeof tracker.command === 'string' ? tracker.command : tracker.command.join(' ');
      return `script ${command} every ${formatDuration(tracker.interval)} (${weight})`;
    }
    case 'tcp':
      return `tcp ${tracker.address} every ${formatDuration(tracker.interval)} (${weight})`;
    case 'interface':
      return `interface ${tracker.name} (${weight})`;
    default: {
      const unreachable: never = tracker;
      return String(unreachable);
    }
  }
}

function describeInstance(inst: VrrpInstanceConfig): string[] {
  const ipv6 = instanceFamily(inst) === 'ipv6';
  const defaultSource = ipv6 ? "the interface's first global IPv6 address" : 'the primary address';
  const transport = inst.unicast
    ? `unicast from ${inst.unicast.source ?? defaultSource} to ${inst.unicast.peers.join(', ')}`
    : ipv6
      ? 'multicast ff02::12 from the link-local address'
      : 'multicast 224.0.0.18';
  const announce = ipv6 ? 'unsolicited neighbour advertisements' : 'gratuitous ARP';
  const preempt = inst.preempt ? (inst.preemptDelay > 0 ? `preempt after ${formatDuration(inst.preemptDelay)}` : 'preempt') : 'nopreempt';
  const lines = [
    `vrrp ${inst.name}: ${inst.interface} vrid ${inst.vrid} priority ${inst.priority}, VRRPv${inst.version} every ${formatDuration(inst.advertInterval)}, ${preempt}, starts ${inst.initialState}`,
    `  vips: ${inst.vips.join(', ')}`,
    `  ${transport}${inst.authPass === undefined ? '' : ', PASS authentication'}`,
    `  ${announce}: ${inst.garp.burst} on becoming master, again after ${formatDuration(inst.garp.delay)}, ${inst.garp.refresh === 0 ? 'no refresh' : `refresh every ${formatDuration(inst.garp.refresh)}`}`,
  ];
  for (const tracker of inst.track) lines.push(`  track: ${describeTracker(tracker)}`);
  return lines;
}

function describeLoadBalancer(lb: LoadBalancerConfig): string[] {
  const check = lb.healthCheck;
  const checkText = check.type === 'tcp' ? 'tcp connect' : `${check.type} GET ${check.path}`;
  const lines = [
    `loadBalancer ${lb.name}: listens on ${lb.bind}, ${lb.balance}, ${lb.retries} retries, connect timeout ${formatDuration(lb.connectTimeout)}, idle timeout ${lb.idleTimeout === 0 ? 'never' : formatDuration(lb.idleTimeout)}`,
    `  health check: ${checkText} every ${formatDuration(check.interval)}, timeout ${formatDuration(check.timeout)}, rise ${check.rise}, fall ${check.fall}`,
  ];
  for (const backend of lb.backends) lines.push(`  backend ${backend.name} ${backend.address} weight ${backend.weight}`);
  return lines;
}

export function configSummary(file: string, config: Config): string {
  const lines = [`${file}: valid (${config.vrrp.length} VRRP instance(s), ${config.loadBalancers.length} load balancer(s))`];
  for (const inst of config.vrrp) lines.push(...describeInstance(inst));
  for (const lb of config.loadBalancers) lines.push(...describeLoadBalancer(lb));
  lines.push(`status: http://${config.status.listen}${config.status.auth ? ` (basic auth as ${config.status.auth.user})` : ''}`);
  return `${lines.join('\n')}\n`;
}
