// Where the data path connects for each backend: an address of either family, never a name. A literal
// goes as it is; a host name is resolved on the main thread, once per start and reload (as haproxy
// without a resolvers section), and the engine is told the answer or why there is none.
//
// A name with both A and AAAA records: the system resolver's first answer is taken, in getaddrinfo's
// order (RFC 6724's rules, tuned in /etc/gai.conf), which puts IPv6 first on a host with IPv6 routes, as
// haproxy's default `resolve-prefer ipv6` does. AI_ADDRCONFIG leaves out a family this host has no
// address of (loopback aside), as node:net's connect does for the health checks, so an IPv4-only host
// is not sent to an AAAA record it cannot reach. The checks resolve the name themselves and may fall
// back to the next address (node:net's autoSelectFamily) where the data path keeps to the first.
import { ADDRCONFIG } from 'node:dns';
import { lookup as systemLookup } from 'node:dns/promises';
import { addressFamily } from '../net/address.js';
import { canonicalIpv6 } from '../net/ipv6-bytes.js';
import { formatHostPort } from '../net/host-port.js';
import { errorDetail } from '../health/checker.js';
import type { EngineBackend } from './engine/protocol.js';
import type { BackendAddress } from './types.js';

/** dns.lookup's shape for one answer; tests pass a scripted one. */
export type Lookup = (host: string, options: { family: 0; hints: number }) => Promise<{ address: string; family: number }>;

/** Whether the backend's host is an address (no resolution needed). */
export function isLiteral(backend: BackendAddress): boolean {
  return addressFamily(backend.host) !== null;
}

/** A backend given by address; a host name waits for resolveBackend(). */
export function literalBackend(backend: BackendAddress): EngineBackend {
  const base = { name: backend.name, weight: backend.weight, address: formatHostPort(backend.host, backend.port), port: backend.port };
  return isLiteral(backend) ? { ...base, ip: backend.host } : { ...base, ip: null, unresolved: `not resolved yet: ${backend.host}` };
}

/** The backend with the address its host name resolves to (either family), or with why it did not. */
export async function resolveBackend(backend: BackendAddress, lookup: Lookup = systemLookup): Promise<EngineBackend> {
  const literal = literalBackend(backend);
  if (literal.ip !== null) return literal;
  try {
    const { address, family } = await lookup(backend.host, { family: 0, hints: ADDRCONFIG });
    const ip = family === 6 ? canonicalIpv6(address) : address;
    // A link-local answer comes with a zone (fe80::1%eth0), which a sockaddr carries as an interface
    // index: not supported for backends, said so rather than connecting somewhere else.
    if (ip === null || addressFamily(ip) === null) return { ...literal, unresolved: `${backend.host} resolved to ${address}, which tsvip cannot connect to (a link-local address with a zone?)` };
    return { ...literal, ip };
  } catch (error) {
    return { ...literal, unresolved: errorDetail(error) };
  }
}
