// The status server on `status.listen` (docs/status.md): /healthz answers while the process runs (a static
// pod's liveness probe); /readyz answers 200 once the config is applied and the sockets are open, 503
// before and while stopping; /metrics is Prometheus's text format; /status the daemon's state as JSON;
// / the status page. With `status.auth`, / and /status want basic auth (the probes and /metrics stay
// open, as a kubelet and a Prometheus scrape expect on a host-local port).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { TsvipError } from '../errors.js';
import { formatHostPort } from '../net/host-port.js';
import { checkBasicAuth, type StatusCredentials } from './basic-auth.js';
import { createStatusMetrics } from './metrics.js';
import { STATUS_PAGE } from './page.js';
import type { StatusSnapshot } from './snapshot.js';

export interface StatusServerOptions {
  /** status.listen, already validated; port 0 picks a free one (tests). */
  listen: { host: string; port: number };
  logger: Logger;
  ready: () => boolean;
  snapshot: () => StatusSnapshot;
  /** The current basic-auth credentials (they change on reload); null: no auth. */
  credentials: () => StatusCredentials | null;
  /** status.pageAlias as currently configured: a second path for the page; null: none. */
  pageAlias?: () => string | null;
}

export interface StatusServer {
  readonly address: { host: string; port: number };
  close(): Promise<void>;
}

const PROTECTED = new Set(['/', '/status']);

/**
 * What a request for PATH is, with the page also at `alias`. The page asks for its data at the relative
 * URL `status`, so at an alias such as /admin/stats it asks for /admin/status: that answers /status too.
 */
export function statusRoute(path: string, alias: string | null): string {
  if (alias === null) return path;
  if (path === alias) return '/';
  if (path === new URL('status', `http://status${alias}`).pathname) return '/status';
  return path;
}

export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const where = formatHostPort(options.listen.host, options.listen.port);
  const metrics = createStatusMetrics();

  const send = (response: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void => {
    response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...extra });
    response.end(body);
  };

  const authorized = (request: IncomingMessage, response: ServerResponse): boolean => {
    const credentials = options.credentials();
    if (credentials === null) return true;
    const result = checkBasicAuth(request.headers.authorization, credentials);
    if (result === 'ok') return true;
    metrics.countAuthFailure(result);
    if (result === 'wrong') options.logger.warn({ remote: request.socket.remoteAddress, code: 'STATUS_AUTH_FAILED' }, 'status: wrong credentials');
    send(response, 401, 'unauthorized\n', undefined, { 'www-authenticate': 'Basic realm="tsvip", charset="UTF-8"' });
    return false;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = statusRoute((request.url ?? '/').split('?')[0] ?? '/', options.pageAlias?.() ?? null);
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'method not allowed\n', undefined, { allow: 'GET, HEAD' });
    if (PROTECTED.has(path) && !authorized(request, response)) return;
    switch (path) {
      case '/healthz':
        return send(response, 200, 'ok\n');
      case '/readyz':
        return options.ready() ? send(response, 200, 'ready\n') : send(response, 503, 'not ready\n');
      case '/metrics':
        return send(response, 200, await metrics.render(options.snapshot()), metrics.contentType);
      case '/status':
        return send(response, 200, `${JSON.stringify(options.snapshot(), null, 2)}\n`, 'application/json; charset=utf-8');
      case '/':
        return send(response, 200, STATUS_PAGE, 'text/html; charset=utf-8', { 'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:" });
      default:
        return send(response, 404, 'not found\n');
    }
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.logger.error({ err: error, path: request.url, code: 'ERR_STATUS_REQUEST' }, 'status request failed');
      if (!response.headersSent) send(response, 500, 'internal error\n');
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new TsvipError('ERR_STATUS_BIND', `status server: cannot listen on ${where}: ${error.code ?? error.message}`, { cause: error }));
    });
    server.listen(options.listen, () => resolve());
  });
  const bound = server.address();
  const address = typeof bound === 'object' && bound !== null ? { host: bound.address, port: bound.port } : options.listen;
  options.logger.info({ address: formatHostPort(address.host, address.port), auth: options.credentials() !== null }, 'status server listening');
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
