// A server listening on a wildcard address (0.0.0.0, or [::], which is dual-stack) is asked by a client
// on the same host at loopback: `tsvip status -c` and a static pod's liveness probe cannot connect to
// "any address". IPv6 stays IPv6, so that the question goes to the family the operator configured.

const LOOPBACK_OF_WILDCARD: Readonly<Record<string, string>> = { '0.0.0.0': '127.0.0.1', '::': '::1' };

/** The host to connect to for a server listening on `host` (an address as parseHostPort returns it). */
export function connectableHost(host: string): string {
  return LOOPBACK_OF_WILDCARD[host] ?? host;
}
