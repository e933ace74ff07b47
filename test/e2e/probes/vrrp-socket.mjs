#!/usr/bin/env node
// Runs tsvip's real VRRP socket (from dist/) inside a lab host, for e2e tests:
//   vrrp-socket.mjs listen IFACE multicast|unicast      prints each packet received as a JSON line
//   vrrp-socket.mjs send IFACE DEST SOURCE|- HEX COUNT  sends the VRRP payload HEX to DEST COUNT times
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { RawVrrpSocket } from '../../../dist/vrrp/raw-transport.js';

const [command, iface, ...rest] = process.argv.slice(2);
const ifindex = Number(readFileSync(`/sys/class/net/${iface}/ifindex`, 'utf8'));
const logger = pino({ level: 'warn' }, process.stderr);

if (command === 'listen') {
  const socket = RawVrrpSocket.open({ interfaceName: iface, ifindex, multicast: rest[0] === 'multicast', sourceAddress: null, logger });
  socket.onPacket((packet) => {
    process.stdout.write(`${JSON.stringify({ ...packet, payload: Buffer.from(packet.payload).toString('hex') })}\n`);
  });
  process.stdout.write('{"listening":true}\n');
  process.on('SIGTERM', () => process.exit(0));
} else if (command === 'send') {
  const [destination, source, hex, count] = rest;
  const socket = RawVrrpSocket.open({ interfaceName: iface, ifindex, multicast: false, sourceAddress: source === '-' ? null : source, logger });
  const payload = Buffer.from(hex, 'hex');
  let sent = 0;
  const timer = setInterval(() => {
    socket.send(payload, destination);
    if (++sent >= Number(count)) {
      clearInterval(timer);
      setTimeout(() => process.exit(0), 50);
    }
  }, 20);
} else {
  process.stderr.write(`unknown command ${command}\n`);
  process.exit(2);
}
