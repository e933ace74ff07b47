// `tsvip status [--url URL | -c vip.yaml] [--json]`: asks a running daemon's status server for /status
// and prints its instances and backends (or the JSON as it came). With status.auth, the credentials go
// in the URL (http://admin:PASSWORD@127.0.0.1:9901), as curl takes them; or `-c` reads status.listen
// and status.auth from the daemon's own vip.yaml, as an operator on the host would. Exit 0 when a
// daemon answered, 1 when none did, it refused or the config is invalid, 2 for a URL that is not one.
import type { Config } from '../config/schema.js';
import { formatHostPort, parseHostPort } from '../net/host-port.js';
import { connectableHost } from '../net/wildcard-loopback.js';
import { readStatusPassword } from '../status/basic-auth.js';
import type { StatusSnapshot } from '../status/snapshot.js';
import { loadForCommand } from './load-for-command.js';
import { formatStatusTable } from './status-table.js';
import type { CliIo } from './io.js';

/** The URL of the default status.listen (config/schema.ts). */
import { DEFAULT_STATUS_URL } from './options.js';

export { DEFAULT_STATUS_URL };
const REQUEST_TIMEOUT_MS = 5000;

export interface StatusCommandOptions {
  /** Absent: from `config`, else DEFAULT_STATUS_URL. */
  url?: string;
  /** vip.yaml: status.listen and status.auth say where to ask and with what. */
  config?: string;
  json: boolean;
}

/** The URL of a config's status server (an IPv6 host in brackets): a wildcard listen address is asked on loopback. */
export function statusUrlOf(listen: string): string {
  const parsed = parseHostPort(listen, { allowHostname: false, keywords: [] });
  // A config that loaded has a valid status.listen; the text as it is makes the best message otherwise.
  if (!parsed.ok) return `http://${listen}`;
  const { host, port } = parsed.value;
  return `http://${formatHostPort(connectableHost(host), port)}`;
}

function urlFromConfig(config: Config): { url: string; authorization: string | null; problem: string | null } {
  const url = statusUrlOf(config.status.listen);
  const auth = config.status.auth;
  if (auth === undefined) return { url, authorization: null, problem: null };
  try {
    return { url, authorization: basicAuthorization(auth.user, readStatusPassword(auth)), problem: null };
  } catch (error) {
    return { url, authorization: null, problem: (error as Error).message };
  }
}

const basicAuthorization = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function looksLikeSnapshot(value: unknown): value is StatusSnapshot {
  const v = value as Partial<StatusSnapshot> | null;
  return typeof v === 'object' && v !== null && typeof v.version === 'string' && Array.isArray(v.instances) && Array.isArray(v.loadBalancers) && Array.isArray(v.transitions);
}

function failure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if ((error as Error).name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

export async function runStatus(options: StatusCommandOptions, io: CliIo): Promise<number> {
  if (options.url !== undefined && options.config !== undefined) {
    io.stderr('tsvip status: give --url or -c, not both\n');
    return 2;
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  let target = options.url ?? DEFAULT_STATUS_URL;
  if (options.config !== undefined) {
    const config = await loadForCommand(options.config, io);
    if (config === null) return 1;
    const fromConfig = urlFromConfig(config);
    if (fromConfig.problem !== null) io.stderr(`tsvip status: ${fromConfig.problem}; asking without credentials\n`);
    if (fromConfig.authorization !== null) headers['authorization'] = fromConfig.authorization;
    target = fromConfig.url;
  }
  let url: URL;
  try {
    url = new URL(target);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    io.stderr(`tsvip status: --url ${target} is not an http:// URL (the status.listen address, e.g. ${DEFAULT_STATUS_URL})\n`);
    return 2;
  }
  // fetch() refuses URLs with credentials in them: they move into the Authorization header.
  if (url.username !== '' || url.password !== '') {
    headers['authorization'] = basicAuthorization(decodeURIComponent(url.username), decodeURIComponent(url.password));
    url.username = '';
    url.password = '';
  }
  const where = url.origin;
  const statusUrl = new URL('/status', url);

  let response: Response;
  try {
    response = await fetch(statusUrl, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    io.stderr(`tsvip status: no tsvip answers at ${where} (${failure(error)}). Is it running, and is status.listen this address? Give it with --url.\n`);
    return 1;
  }
  if (response.status === 401) {
    const given = headers['authorization'] !== undefined;
    const advice = options.config !== undefined ? `status.auth in ${options.config} does not match the daemon's (was it started with another password file?)` : `put them in the URL, --url http://USER:PASSWORD@${url.host}`;
    io.stderr(`tsvip status: ${where} wants credentials (status.auth)${given ? ' and refused the ones given' : ''}: ${advice}\n`);
    return 1;
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok || !looksLikeSnapshot(body)) {
    io.stderr(`tsvip status: ${statusUrl.href} answered ${response.status} with no tsvip status: is this tsvip's status.listen?\n`);
    return 1;
  }
  io.stdout(options.json ? `${JSON.stringify(body, null, 2)}\n` : formatStatusTable(body));
  return 0;
}
