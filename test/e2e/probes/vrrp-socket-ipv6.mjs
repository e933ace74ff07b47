#!/usr/bin/env node
// Runs tsvip's IPv6 VRRP socket (from dist/) inside a lab host, for e2e tests:
//   vrrp-socket-ipv6.mjs vrrp IFACE multicast|unicast SOURCE|-
//       opens RawVrrpIpv6Socket, prints {"listening":true} then each packet received as a JSON line
//       (or {"error": ...} and exits 1 when it cannot be opened);
//       each stdin line `DEST HEX COUNT` sends the payload HEX to DEST COUNT times, then prints {"sent":DEST}
//   vrrp-socket-ipv6.mjs plain IFACE HOPLIMIT DEST HEX COUNT
//       sends HEX to DEST from a plain RawIpv6Socket with that hop limit (not VRRP's 255), then exits
//   vrrp-socket-ipv6.mjs defaults
//       prints the kernel's defaults on a fresh AF_INET6 raw protocol-112 socket as JSON
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { RawVrrpIpv6Socket } from '../../../dist/vrrp/raw-transport-ipv6.js';
import { RawIpv6Socket } from '../../../dist/sys/raw-ipv6-socket.js';
import { RawIpSocket } from '../../../dist/sys/raw-ip-socket.js';
import { AF_INET6, IPPROTO_IPV6, IPV6_CHECKSUM, IPV6_MULTICAST_HOPS, IPV6_MULTICAST_LOOP, IPV6_UNICAST_HOPS } from '../../../dist/sys/socket-constants.js';

const [command, ...rest] = process.argv.slice(2);
const logger = pino({ level: 'warn' }, process.stderr);
const ifindexOf = (iface) => Number(readFileSync(`/sys/class/net/${iface}/ifindex`, 'utf8'));
const print = (record) => process.stdout.write(`${JSON.stringify(record)}\n`);

async function sendRepeatedly(send, count) {
  for (let sent = 0; sent < count; sent++) {
    send();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

if (command === 'vrrp') {
  const [iface, mode, source] = rest;
  let socket;
  try {
    socket = RawVrrpIpv6Socket.open({ interfaceName: iface, ifindex: ifindexOf(iface), multicast: mode === 'multicast', sourceAddress: source === '-' ? null : source, logger });
  } catch (error) {
    print({ error: { code: error.code, message: error.message, cause: { code: error.cause?.code, call: error.cause?.call, errno: error.cause?.errno } } });
    process.exit(1);
  }
  socket.onPacket((packet) => print({ ...packet, payload: Buffer.from(packet.payload).toString('hex') }));
  createInterface({ input: process.stdin }).on('line', (line) => {
    const [destination, hex, count] = line.trim().split(' ');
    void sendRepeatedly(() => socket.send(Buffer.from(hex, 'hex'), destination), Number(count)).then(() => print({ sent: destination }));
  });
  print({ listening: true });
  process.on('SIGTERM', () => {
    socket.close();
    process.exit(0);
  });
} else if (command === 'plain') {
  const [iface, hopLimit, destination, hex, count] = rest;
  const socket = RawIpv6Socket.open({
    protocol: 112,
    interfaceName: iface,
    ifindex: ifindexOf(iface),
    hopLimit: Number(hopLimit),
    trafficClass: 0,
    groups: [],
    sourceAddress: null,
    receiveBytes: 2048,
    onDatagram: () => undefined,
    onUnreadable: () => undefined,
    onError: (error) => logger.error({ err: error }, 'socket error'),
  });
  await sendRepeatedly(() => socket.sendTo(Buffer.from(hex, 'hex'), destination), Number(count));
  socket.close();
} else if (command === 'defaults') {
  const socket = RawIpSocket.open({ family: AF_INET6, protocol: 112, receiveBytes: 2048, controlBytes: 0, onMessage: () => undefined, onError: () => undefined });
  const option = (number, name) => socket.intOption(IPPROTO_IPV6, number, name);
  print({
    checksum: option(IPV6_CHECKSUM, 'IPV6_CHECKSUM'),
    multicastLoop: option(IPV6_MULTICAST_LOOP, 'IPV6_MULTICAST_LOOP'),
    multicastHops: option(IPV6_MULTICAST_HOPS, 'IPV6_MULTICAST_HOPS'),
    unicastHops: option(IPV6_UNICAST_HOPS, 'IPV6_UNICAST_HOPS'),
  });
  socket.close();
} else {
  process.stderr.write(`unknown command ${command}\n`);
  process.exit(2);
}
