#!/usr/bin/env node
// Runs tsvip's raw IP socket (from dist/) inside a lab host, for e2e tests:
//   raw-ip-socket.mjs listen IFACE   opens protocol 112 with IP_PKTINFO on, prints each datagram
//                                    (hex) with its control messages as a JSON line
import { pino } from 'pino';
import { RawIpSocket } from '../../../dist/sys/raw-ip-socket.js';
import { AF_INET, SOL_SOCKET } from '../../../dist/sys/socket-constants.js';

const [command, iface] = process.argv.slice(2);
const logger = pino({ level: 'warn' }, process.stderr);
const IPPROTO_IP = 0;
const IP_PKTINFO = 8;
const SO_BINDTODEVICE = 25;

if (command === 'listen') {
  const socket = RawIpSocket.open({
    family: AF_INET,
    protocol: 112,
    receiveBytes: 4096,
    controlBytes: 64,
    onMessage: (message) => {
      const controlMessages = message.controlMessages.map(({ level, type, data }) => ({ level, type, data: data.toString('hex') }));
      process.stdout.write(`${JSON.stringify({ data: message.data.toString('hex'), truncated: message.truncated, source: message.source.toString('hex'), controlMessages })}\n`);
    },
    onError: (error) => logger.error({ err: error }, 'socket error'),
  });
  socket.setOption(SOL_SOCKET, SO_BINDTODEVICE, Buffer.from(`${iface}\0`), 'SO_BINDTODEVICE');
  socket.setOption(IPPROTO_IP, IP_PKTINFO, 1, 'IP_PKTINFO');
  process.stdout.write('{"listening":true}\n');
  process.on('SIGTERM', () => {
    socket.close();
    process.exit(0);
  });
} else {
  process.stderr.write(`unknown command ${command}\n`);
  process.exit(2);
}
