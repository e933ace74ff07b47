// A helping hand for an unknown key: the key tsvip uses for a keepalived or haproxy word, or the known
// key it most likely misspells.

const FOREIGN_NAMES: Readonly<Record<string, string>> = {
  virtual_router_id: 'vrid',
  advert_int: 'advertInterval',
  virtual_ipaddress: 'vips',
  unicast_peer: 'unicast.peers',
  unicast_src_ip: 'unicast.source',
  nopreempt: 'preempt: false',
  preempt_delay: 'preemptDelay',
  vrrp_startup_delay: 'startupDelay',
  auth_pass: 'authPass',
  authentication: 'authPass',
  state: 'initialState',
  track_script: 'track',
  track_interface: 'track',
  vrrp_instance: 'vrrp',
  server: 'backends',
  servers: 'backends',
  balance_mode: 'balance',
};

function normalize(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** ` (did you mean "vrid"?)` or an empty string when nothing is close. */
export function unknownKeyHint(key: string, knownKeys: readonly string[]): string {
  const foreign = FOREIGN_NAMES[key];
  if (foreign !== undefined) return ` (keepalived/haproxy name; tsvip uses "${foreign}")`;
  const wanted = normalize(key);
  let best: { key: string; distance: number } | undefined;
  for (const known of knownKeys) {
    const distance = editDistance(wanted, normalize(known));
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { key: known, distance };
  }
  return best ? ` (did you mean "${best.key}"?)` : '';
}
