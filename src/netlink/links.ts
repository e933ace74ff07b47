// One interface's index, MAC and state from sysfs: the daemon's host checks (does the configured
// interface exist, can it carry ARP) and the interface tracker's state before the first netlink
// event. Synchronous: it runs at start-up and on reload, a few small reads.
import { readFileSync } from 'node:fs';

export interface InterfaceInfo {
  readonly name: string;
  readonly ifindex: number;
  /** `aa:bb:cc:dd:ee:ff`, or null for a link without a 6-byte hardware address (tun, ipip). */
  readonly mac: string | null;
  /** Administratively up (IFF_UP). */
  readonly up: boolean;
  /** Up and operational (IFF_RUNNING): what a netlink link event reports as `running`. */
  readonly running: boolean;
}

const IFF_UP = 0x1;

/** Null when no such interface exists (or the name could not be one). */
export function interfaceInfo(name: string): InterfaceInfo | null {
  // The name becomes a path: refuse what the kernel would refuse (dev_valid_name), '..' and '/' above all.
  if (name.length === 0 || name.length > 15 || name === '.' || name === '..' || /[/:\s]/.test(name)) return null;
  const ifindexText = readAttribute(name, 'ifindex');
  const flagsText = readAttribute(name, 'flags');
  const operstate = readAttribute(name, 'operstate');
  const address = readAttribute(name, 'address');
  // Any of them missing: the interface is gone, or went away between two reads.
  if (ifindexText === null || flagsText === null || operstate === null || address === null) return null;
  const up = (Number.parseInt(flagsText, 16) & IFF_UP) !== 0;
  return {
    name,
    ifindex: Number.parseInt(ifindexText, 10),
    mac: /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(address) ? address : null,
    up,
    // sysfs `flags` never holds IFF_RUNNING (the kernel computes it on netlink dumps); the kernel's
    // rule (netif_oper_up) is operstate UP or UNKNOWN, the latter for links that report no state (lo).
    running: up && (operstate === 'up' || operstate === 'unknown'),
  };
}

function readAttribute(name: string, attribute: string): string | null {
  try {
    return readFileSync(`/sys/class/net/${name}/${attribute}`, 'utf8').trim().toLowerCase();
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENODEV') return null;
    throw error;
  }
}
