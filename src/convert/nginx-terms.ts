// nginx words: why the directives tsvip has no use for are left out. One place, so that the stream,
// server and upstream readers give the same reason for the same directive.

const LOGGING = new Set(['access_log', 'error_log', 'log_format', 'open_log_file_cache']);

// Directives that choose, filter or rewrite per connection: tsvip forwards every connection the same way.
const RULES = new Set([
  'allow', 'deny', 'limit_conn', 'limit_conn_zone', 'limit_conn_log_level', 'limit_conn_status', 'limit_conn_dry_run', 'map',
  'map_hash_bucket_size', 'map_hash_max_size', 'geo', 'geoip_country', 'geoip_city', 'geoip_org', 'split_clients', 'set',
  'return', 'pass', 'ssl_preread', 'preread_buffer_size', 'preread_timeout', 'js_access', 'js_filter', 'js_preread',
  'js_import', 'js_path', 'js_set', 'realip', 'set_real_ip_from', 'mqtt', 'mqtt_preread',
]);

const MAIN_CONTEXT_BLOCKS: Readonly<Record<string, string>> = {
  events: 'nginx worker settings have no tsvip equivalent (one process, one event loop)',
  mail: 'mail proxying is not supported: tsvip proxies TCP to kube-apiserver-like backends only',
};

/** Why a directive of `stream`, `server` or `upstream` is not translated. */
export function nginxReason(name: string): string {
  if (LOGGING.has(name)) return 'not translated: tsvip logs connections itself (JSON on stdout)';
  if (name.startsWith('ssl_') || name.startsWith('proxy_ssl')) return 'not translated: tsvip passes TCP through and neither terminates nor originates TLS';
  if (RULES.has(name)) return 'not supported: tsvip proxies TCP without per-connection rules or variables';
  if (name === 'resolver' || name === 'resolver_timeout') return 'not translated: tsvip resolves backend host names with the system resolver';
  if (name === 'proxy_protocol') return 'not supported: tsvip does not send a PROXY protocol header to backends';
  if (name === 'proxy_next_upstream_timeout') return 'not translated: tsvip bounds retries by count (retries) and connectTimeout, not by a total time';
  if (name === 'upstream' || name === 'server') return 'not translated: a block is expected here (nginx refuses this file)';
  if (name.startsWith('proxy_') || name === 'tcp_nodelay' || name.startsWith('variables_hash') || name === 'server_traffic_status') {
    return 'not translated: tsvip has no such tuning setting';
  }
  if (name === 'zone' || name === 'state') return 'not needed: tsvip keeps backend state in one process (nginx shares it between workers through a zone)';
  if (name === 'hash' || name === 'random' || name === 'ip_hash') return 'not translated: tsvip balances roundrobin or leastconn (roundrobin used)';
  if (name === 'keepalive' || name.startsWith('keepalive_')) return 'not translated: tsvip opens one backend connection per client connection';
  return 'not translated: tsvip convert does not know this directive';
}

/** Why a directive of nginx's main context (outside `stream`) is not translated. */
export function mainContextReason(name: string, hasBlock: boolean): string {
  const block = MAIN_CONTEXT_BLOCKS[name];
  if (block !== undefined) return block;
  if (hasBlock) return 'not translated: tsvip convert reads only the stream context';
  return 'nginx process settings have no tsvip equivalent';
}
