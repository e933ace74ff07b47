// The status server on `status.listen` (design.md): for now the two probes a supervisor needs.
// /healthz answers while the process runs (a static pod's liveness probe); /readyz answers 200 once
// the config is applied and the sockets are open, 503 before and while stopping. /metrics, /status
// and the status page come with the operations issue; their paths answer 404 until then.
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { TsvipError } from '../errors.js';

export interface StatusServerOptions {
  /** status.listen, already validated; port 0 picks a free one (tests). */
  listen: { host: string; port: number };
  logger: Logger;
  ready: () => boolean;
}

export interface StatusServer {
  readonly address: { host: string; port: number };
  close(): Promise<void>;
}

export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const where = `${options.listen.host}:${options.listen.port}`;
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const send = (status: number, body: string): void => {
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      response.end(`${body}\n`);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') send(405, 'method not allowed');
    else if (path === '/healthz') send(200, 'ok');
    else if (path === '/readyz') send(options.ready() ? 200 : 503, options.ready() ? 'ready' : 'not ready');
    else send(404, 'not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new TsvipError('ERR_STATUS_BIND', `status server: cannot listen on ${where}: ${error.code ?? error.message}`, { cause: error }));
    });
    server.listen(options.listen, () => resolve());
  });
  const bound = server.address();
  const address = typeof bound === 'object' && bound !== null ? { host: bound.address, port: bound.port } : options.listen;
  options.logger.info({ address: `${address.host}:${address.port}` }, 'status server listening');
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
