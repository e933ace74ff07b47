// `tsvip status [--url URL] [--json]`: asks a running daemon's status server for /status and prints
// its instances and backends (or the JSON as it came). With status.auth, the credentials go in the
// URL (http://admin:PASSWORD@127.0.0.1:9901), as curl takes them. Exit 0 when a daemon answered, 1
// when none did or it refused, 2 for a URL that is not one.
import type { StatusSnapshot } from '../status/snapshot.js';
import { formatStatusTable } from './status-table.js';
import type { CliIo } from './io.js';

/** The design's default status.listen. */
export const DEFAULT_STATUS_URL = 'http://127.0.0.1:9901';
const REQUEST_TIMEOUT_MS = 5000;

export interface StatusCommandOptions {
  url: string;
  json: boolean;
}

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
  let url: URL;
  try {
    url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    io.stderr(`tsvip status: --url ${options.url} is not an http:// URL (the status.listen address, e.g. ${DEFAULT_STATUS_URL})\n`);
    return 2;
  }
  // fetch() refuses URLs with credentials in them: they move into the Authorization header.
  const headers: Record<string, string> = { accept: 'application/json' };
  if (url.username !== '' || url.password !== '') {
    headers['authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
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
    io.stderr(`tsvip status: ${where} wants credentials (status.auth)${headers['authorization'] ? ' and refused the ones given' : ''}: put them in the URL, --url http://USER:PASSWORD@${url.host}\n`);
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
