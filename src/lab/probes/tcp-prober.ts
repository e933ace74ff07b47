// The client of the failover benchmark, run in a lab host: opens a TCP connection to ADDRESS:PORT
// every INTERVAL_MS and reads what the listener (tcp-listener.ts) answers, its host name.
//   node dist/lab/probes/tcp-prober.js ADDRESS PORT [INTERVAL_MS=10] [TIMEOUT_MS=100]
// Prints {"ready":true}, then one JSON line per attempt when it ends:
//   { "t": start (ms since the epoch, fractional), "ok", "server": name or null, "error": code or null, "ms": duration }
// Attempts start on a fixed schedule whatever the previous ones are doing (several may be in flight),
// so a slow or hanging attempt never delays the next one and `t` keeps a 10 ms resolution.
//
// Why a 100 ms timeout: in the lab a connection answers in about a millisecond, so 100 ms is only hit
// when nobody answered the SYN (the VIP's ARP entry points at a host that is gone). It must stay well
// below Linux's initial SYN retransmission timeout (1 s): then every attempt is exactly one SYN and
// says whether the VIP answered at the moment `t`, instead of a retransmitted SYN succeeding after
// the failover and hiding part of the outage. It also bounds the attempts in flight to about 10.
// Plain Node, no imports from the rest of tsvip: it runs alone in a lab host.
import { connect } from 'node:net';
import { now, printAttempt, runEvery } from './attempt-schedule.js';

const [address, portText, intervalText = '10', timeoutText = '100'] = process.argv.slice(2);
const port = Number(portText);
const intervalMs = Number(intervalText);
const timeoutMs = Number(timeoutText);
if (!address || !Number.isInteger(port) || !(intervalMs > 0) || !(timeoutMs > 0)) {
  process.stderr.write('usage: tcp-prober.js ADDRESS PORT [INTERVAL_MS] [TIMEOUT_MS]\n');
  process.exit(2);
}

function attempt(): void {
  const t = now();
  let answer = '';
  let done = false;
  const finish = (error: string | null): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    socket.destroy();
    const server = answer.trim();
    const ok = error === null && server !== '';
    printAttempt({ t, ok, server: ok ? server : null, error: ok ? null : (error ?? 'EMPTY') });
  };
  const socket = connect({ host: address, port });
  const timer = setTimeout(() => finish('TIMEOUT'), timeoutMs);
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (answer += chunk));
  socket.on('end', () => finish(null));
  socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
}

runEvery(intervalMs, attempt);
