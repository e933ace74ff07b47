// A kube-apiserver stand-in for the load balancer's lab tests and the demo, run in a lab host:
//   node dist/lab/probes/apiserver.js --port 6443 --name h1 [--cert CERT --key KEY] [--san IP:10.0.0.50]
// HTTPS only, as an apiserver:
//   /readyz, /healthz  200 "ok" (503 "[-]stand-in not ready" between SIGUSR1 and SIGUSR2)
//   /name              the host name given on argv (namespaces share the UTS hostname)
//   /watch             200, chunked, one JSON line every 500 ms forever, like a Kubernetes watch
//   anything else      404
// Without --cert/--key it makes a self-signed certificate in memory with openssl, for 127.0.0.1,
// localhost, every address of the host's interfaces and each --san. Listens on every address of both
// families (`::`, which Node binds dual-stack), as kube-apiserver's default bind does; on 0.0.0.0 where
// the kernel has no IPv6. Prints {"listening":PORT} once bound; SIGTERM exits at once. Plain Node, no
// imports from the rest of tsvip.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type ServerOptions } from 'node:https';
import { networkInterfaces } from 'node:os';
import { parseArgs } from 'node:util';

const usage = 'usage: apiserver.js --port PORT --name NAME [--cert FILE --key FILE] [--san IP:ADDR|DNS:NAME ...]\n';
const watchLineMs = 500;

function fail(message: string): never {
  process.stderr.write(`apiserver: ${message}\n${usage}`);
  process.exit(2);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      port: { type: 'string' },
      name: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      san: { type: 'string', multiple: true },
    },
    strict: true,
  }).values;
}
try {
  args = parse();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

const port = Number(args.port);
const name = args.name;
if (!Number.isInteger(port) || port < 1 || port > 65535) fail('--port must be 1..65535');
if (!name) fail('--name is required');
if ((args.cert === undefined) !== (args.key === undefined)) fail('--cert and --key go together');

function selfSigned(): { key: string; cert: string } {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((address) => address !== undefined && !address.address.startsWith('fe80:'))
    .map((address) => `IP:${address?.address ?? ''}`);
  const san = [...new Set(['IP:127.0.0.1', 'DNS:localhost', ...addresses, ...(args.san ?? [])])].join(',');
  // Key and certificate both go to stdout: nothing touches the disk.
  const pem = execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', '-', '-out', '-', '-days', '7', '-subj', `/CN=${name}`, '-addext', `subjectAltName=${san}`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const key = /-----BEGIN PRIVATE KEY-----[^]*?-----END PRIVATE KEY-----/.exec(pem)?.[0];
  const cert = /-----BEGIN CERTIFICATE-----[^]*?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!key || !cert) fail('openssl printed no key or certificate');
  return { key, cert };
}

let tls: ServerOptions;
try {
  tls = args.cert !== undefined && args.key !== undefined ? { cert: readFileSync(args.cert), key: readFileSync(args.key) } : selfSigned();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

let ready = true;
process.on('SIGUSR1', () => (ready = false));
process.on('SIGUSR2', () => (ready = true));

const server = createServer(tls, (request, response) => {
  const path = (request.url ?? '/').split('?')[0];
  switch (path) {
    case '/readyz':
    case '/healthz':
      response.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' });
      response.end(ready ? 'ok' : '[-]stand-in not ready');
      return;
    case '/name':
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(`${name}\n`);
      return;
    case '/watch': {
      response.writeHead(200, { 'content-type': 'application/json' }); // no length: chunked
      let n = 0;
      const line = () => response.write(`${JSON.stringify({ type: 'BOOKMARK', server: name, n: n++ })}\n`);
      line();
      const timer = setInterval(line, watchLineMs);
      response.on('close', () => clearInterval(timer));
      return;
    }
    default:
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('404 page not found\n');
  }
});
// Clients that give up (a prober's timeout, a killed curl) reset their connections: their business.
server.on('clientError', (_error, socket) => socket.destroy());
let host = '::';
server.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EAFNOSUPPORT' && host === '::') {
    host = '0.0.0.0';
    server.listen({ port, host, backlog: 1024 });
    return;
  }
  process.stderr.write(`apiserver: ${error.message}\n`);
  process.exit(1);
});
server.on('listening', () => process.stdout.write(`${JSON.stringify({ listening: port })}\n`));
server.listen({ port, host, backlog: 1024 });
process.on('SIGTERM', () => process.exit(0));
