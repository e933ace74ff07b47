// The service behind the VIP, run in a lab host: accepts on HOST:PORT (0.0.0.0 unless told; `::` for
// an IPv6 VIP, which also takes IPv4) and answers each connection with NAME (the lab host's name;
// namespaces share the UTS hostname, so it is given on argv), then closes. A client that reads the name
// knows which host holds the VIP right now.
//   node dist/lab/probes/tcp-listener.js PORT NAME [HOST=0.0.0.0]
// Prints {"listening":PORT} once bound. Plain Node, no imports from the rest of tsvip.
import { createServer } from 'node:net';

const [portText, name, host = '0.0.0.0'] = process.argv.slice(2);
const port = Number(portText);
if (!Number.isInteger(port) || port < 1 || port > 65535 || !name) {
  process.stderr.write('usage: tcp-listener.js PORT NAME [HOST]\n');
  process.exit(2);
}

const server = createServer((socket) => {
  // A prober that gave up (its timeout) resets the connection; that is its business, not an error here.
  socket.on('error', () => {});
  socket.end(`${name}\n`);
});
server.on('error', (error) => {
  process.stderr.write(`tcp-listener: ${error.message}\n`);
  process.exit(1);
});
// A deep backlog: the prober opens 100 connections a second and must never see a refusal we caused.
server.listen({ port, host, backlog: 1024 }, () => {
  process.stdout.write(`${JSON.stringify({ listening: port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
