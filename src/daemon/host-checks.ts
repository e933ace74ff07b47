// Host checks, run after the config is valid and before anything is touched (the order README
// "`tsvip start`" gives): the capabilities tsvip needs and the interfaces its instances name. Every
// problem is reported at once.
import { readFileSync } from 'node:fs';
import { TsvipError } from '../errors.js';
import type { Config } from '../config/schema.js';
import { interfaceInfo, type InterfaceInfo } from '../netlink/links.js';

// <linux/capability.h>
const CAPABILITIES = { CAP_NET_ADMIN: 12, CAP_NET_RAW: 13 } as const;

export class HostCheckError extends TsvipError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('ERR_HOST_CHECK', problems.join('\n'));
    this.problems = problems;
  }
}

/** The effective capability set of this process, from /proc/self/status (a bit mask as a bigint). */
export function effectiveCapabilities(statusText: string = readFileSync('/proc/self/status', 'utf8')): bigint {
  const line = /^CapEff:\s*([0-9a-f]+)$/im.exec(statusText);
  return line?.[1] === undefined ? 0n : BigInt(`0x${line[1]}`);
}

export function missingCapabilities(effective: bigint): string[] {
  return Object.entries(CAPABILITIES)
    .filter(([, bit]) => (effective & (1n << BigInt(bit))) === 0n)
    .map(([name]) => name);
}

export interface HostFacts {
  capabilities: bigint;
  interfaceInfo: (name: string) => InterfaceInfo | null;
}

/** This host's capabilities and interfaces, read now. */
export const realHostFacts = (): HostFacts => ({ capabilities: effectiveCapabilities(), interfaceInfo });

/** An interface an instance can run on: one with an Ethernet address. */
export type EthernetInterface = InterfaceInfo & { mac: string };

/** Throws HostCheckError naming everything this host lacks for `config`. */
export function checkHost(config: Config, facts: HostFacts): Map<string, EthernetInterface> {
  const problems: string[] = [];
  const interfaces = new Map<string, EthernetInterface>();
  if (config.vrrp.length > 0) {
    const missing = missingCapabilities(facts.capabilities);
    if (missing.length > 0) {
      problems.push(
        `missing ${missing.join(' and ')}: VRRP needs a raw socket (CAP_NET_RAW) and must change addresses (CAP_NET_ADMIN); run as root or grant them (static pod: securityContext.capabilities.add; systemd: AmbientCapabilities)`,
      );
    }
  }
  config.vrrp.forEach((instance, index) => {
    const info = facts.interfaceInfo(instance.interface);
    if (info === null) problems.push(`vrrp[${index}].interface: interface ${instance.interface} (instance ${instance.name}) does not exist on this host`);
    else if (info.mac === null) problems.push(`vrrp[${index}].interface: ${instance.interface} has no Ethernet address; gratuitous ARP needs one`);
    else interfaces.set(instance.interface, { ...info, mac: info.mac });
    // A tracked interface that does not exist (yet) is not a host error: its tracker fails, as keepalived's.
  });
  if (problems.length > 0) throw new HostCheckError(problems);
  return interfaces;
}
