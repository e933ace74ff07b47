// A client of the load balancer tests, run in a lab host: a new HTTPS connection to ADDRESS:PORT every
// INTERVAL_MS, each a GET PATH whose body (the apiserver stand-in's host name for /name) is read.
//   node dist/lab/probes/https-prober.js ADDRESS PORT [INTERVAL_MS=10] [TIMEOUT_MS=3000] [PATH=/name]
// Prints {"ready":true}, then one JSON line per attempt when it ends, as tcp-prober.ts does:
//   { "t": start (ms since the epoch), "ok", "server": body or null, "error": code or null, "ms": duration }
// TIMEOUT_MS is the client's patience (3 s: a frozen apiserver must cost a client no more than that).
// Certificates are not checked (the stand-ins are self-signed); a fresh connection every time (no agent).
import { request } from 'node:https';
import { now, printAttempt, runEvery } from './attempt-schedule.js';

const [address, portText, intervalText = '10', timeoutText = '3000', path = '/name'] = process.argv.slice(2);
const port = Number(portText);
const intervalMs = Number(intervalText);
const timeoutMs = Number(timeoutText);
if (!address || !Number.isInteger(port) || !(intervalMs > 0) || !(timeoutMs > 0)) {
  process.stderr.write('usage: https-prober.js ADDRESS PORT [INTERVAL_MS] [TIMEOUT_MS] [PATH]\n');
  process.exit(2);
}

function attempt(): void {
  const t = now();
  let done = false;
  const finish = (ok: boolean, server: string | null, error: string | null): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    req.destroy();
    printAttempt({ t, ok, server, error });
  };
  const req = request({ host: address, port, path, method: 'GET', rejectUnauthorized: false, agent: false }, (response) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => (body += chunk));
    response.on('end', () => (response.statusCode === 200 ? finish(true, body.trim(), null) : finish(false, null, `HTTP ${response.statusCode}`)));
    response.on('error', (error: NodeJS.ErrnoException) => finish(false, null, error.code ?? error.message));
  });
  const timer = setTimeout(() => finish(false, null, 'TIMEOUT'), timeoutMs);
  req.on('error', (error: NodeJS.ErrnoException) => finish(false, null, error.code ?? error.message));
  req.end();
}

runEvery(intervalMs, attempt);
