// Parsers for `ip -j` output. Pure (no processes), so they are tested on captured output. `ip` is our
// own tool, not an attacker, so an unexpected shape throws: it means the iproute2 version changed.

export interface Ipv4Address {
  /** Dotted quad without the prefix, e.g. '198.18.0.1'. */
  readonly address: string;
  readonly prefixLength: number;
}

export interface Ipv6Address {
  /** Without the prefix, as `ip` prints it: '2001:2::1', 'fe80::c6ff:fe12:1'. */
  readonly address: string;
  readonly prefixLength: number;
  /** 'global', 'link' (fe80::/64) or 'host' (::1). */
  readonly scope: string;
  /** Still in duplicate address detection: the kernel neither sends from it nor answers for it. */
  readonly tentative: boolean;
  /** DAD found a duplicate: the address stays unusable. */
  readonly dadFailed: boolean;
  /** Added with `nodad`: never tentative. */
  readonly nodad: boolean;
}

export interface Neighbour {
  readonly ip: string;
  /** Null while the kernel has no answer yet (INCOMPLETE, FAILED). */
  readonly mac: string | null;
  /** NUD states as `ip` prints them, e.g. ['REACHABLE'] or ['STALE']. */
  readonly states: readonly string[];
}

export interface LinkState {
  readonly ifname: string;
  readonly mac: string;
  /**
   * RFC 2863 operstate as the kernel reports it: 'UP', 'DOWN', 'LOWERLAYERDOWN', 'UNKNOWN' ... A veth
   * whose peer is down shows DOWN or LOWERLAYERDOWN depending on the kernel: test `carrier` instead.
   */
  readonly operstate: string;
  /** The link has carrier (LOWER_UP): what a daemon in the host would see as "cable plugged". */
  readonly carrier: boolean;
  /** Administratively up (IFF_UP), whatever the carrier. */
  readonly adminUp: boolean;
}

/** `ip -j -4 addr show dev IFACE` */
export function parseIpv4Addresses(json: string): Ipv4Address[] {
  const addresses: Ipv4Address[] = [];
  for (const link of asArray(JSON.parse(json), 'ip addr')) {
    for (const info of asArray(field(link, 'addr_info'), 'ip addr addr_info')) {
      if (field(info, 'family') !== 'inet') continue;
      addresses.push({ address: asString(field(info, 'local'), 'local'), prefixLength: asNumber(field(info, 'prefixlen'), 'prefixlen') });
    }
  }
  return addresses;
}

/** `ip -j -6 addr show dev IFACE`: the flags are keys that `ip` leaves out when they are not set. */
export function parseIpv6Addresses(json: string): Ipv6Address[] {
  const addresses: Ipv6Address[] = [];
  for (const link of asArray(JSON.parse(json), 'ip addr')) {
    for (const info of asArray(field(link, 'addr_info'), 'ip addr addr_info')) {
      if (field(info, 'family') !== 'inet6') continue;
      addresses.push({
        address: asString(field(info, 'local'), 'local'),
        prefixLength: asNumber(field(info, 'prefixlen'), 'prefixlen'),
        scope: asString(field(info, 'scope'), 'scope'),
        tentative: field(info, 'tentative') === true,
        dadFailed: field(info, 'dadfailed') === true,
        nodad: field(info, 'nodad') === true,
      });
    }
  }
  return addresses;
}

/** `ip -j -4 neigh show dev IFACE`, or -6: the same shape */
export function parseNeighbours(json: string): Neighbour[] {
  return asArray(JSON.parse(json), 'ip neigh').map((entry) => {
    const lladdr = field(entry, 'lladdr');
    const state = field(entry, 'state');
    return {
      ip: asString(field(entry, 'dst'), 'dst'),
      mac: lladdr === undefined ? null : asString(lladdr, 'lladdr'),
      states: state === undefined ? [] : asArray(state, 'state').map((s) => asString(s, 'state')),
    };
  });
}

/** `bridge -j mdb show dev BRIDGE`: the groups the bridge has learned on `port` (a host's port, or the bridge itself). */
export function parseBridgeGroups(json: string, port: string): string[] {
  const groups: string[] = [];
  for (const bridge of asArray(JSON.parse(json), 'bridge mdb')) {
    for (const entry of asArray(field(bridge, 'mdb'), 'bridge mdb mdb')) {
      if (field(entry, 'port') === port) groups.push(asString(field(entry, 'grp'), 'grp'));
    }
  }
  return groups;
}

/** `ip -j link show dev IFACE`: exactly one link. */
export function parseLinkState(json: string): LinkState {
  const [link, ...more] = asArray(JSON.parse(json), 'ip link');
  if (link === undefined || more.length > 0) throw new Error(`ip link: expected one link, got ${more.length + (link === undefined ? 0 : 1)}`);
  const flags = asArray(field(link, 'flags'), 'flags').map((f) => asString(f, 'flags'));
  return {
    ifname: asString(field(link, 'ifname'), 'ifname'),
    mac: asString(field(link, 'address'), 'address'),
    operstate: asString(field(link, 'operstate'), 'operstate'),
    carrier: flags.includes('LOWER_UP'),
    adminUp: flags.includes('UP'),
  };
}

function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) throw new Error(`ip -j: expected an object holding "${key}"`);
  return (value as Record<string, unknown>)[key];
}

function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`ip -j: ${what} is not an array`);
  return value as unknown[];
}

function asString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`ip -j: ${what} is not a string`);
  return value;
}

function asNumber(value: unknown, what: string): number {
  if (typeof value !== 'number') throw new Error(`ip -j: ${what} is not a number`);
  return value;
}
