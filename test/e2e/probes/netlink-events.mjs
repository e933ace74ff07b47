#!/usr/bin/env node
// Runs tsvip's rtnetlink event watcher (from dist/) inside a lab host, for e2e tests:
//   netlink-events.mjs watch IFACE   prints {"ready":<interfaceInfo(IFACE)>}, then each event as one JSON
//                                    line {"event":"link"|"address"|"error",...}; on SIGTERM closes the
//                                    watcher, prints {"closed":true} and exits once nothing holds it open
//   netlink-events.mjs info IFACE    prints interfaceInfo(IFACE) as JSON
// Logs (debug level) go to stderr.
import { watchNetlinkEvents } from '../../../dist/netlink/events.js';
import { interfaceInfo } from '../../../dist/netlink/links.js';
import { createLogger } from '../../../dist/log.js';

const [command, iface] = process.argv.slice(2);
const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

if (command === 'info') {
  print(interfaceInfo(iface));
} else if (command === 'watch') {
  const watcher = watchNetlinkEvents({ logger: createLogger({ level: 'debug', destination: process.stderr }) });
  watcher.on('link', (event) => print({ event: 'link', ...event }));
  watcher.on('address', (event) => print({ event: 'address', ...event }));
  watcher.on('error', (error) => print({ event: 'error', code: error.code, message: error.message }));
  // No process.exit(): the process ends only if close() really released the socket.
  process.once('SIGTERM', () => {
    watcher.close();
    print({ closed: true });
  });
  print({ ready: interfaceInfo(iface) });
} else {
  process.stderr.write(`usage: netlink-events.mjs watch|info IFACE\n`);
  process.exitCode = 2;
}
