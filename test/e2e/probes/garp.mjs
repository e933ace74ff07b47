#!/usr/bin/env node
// Runs tsvip's gratuitous ARP sender (from dist/) inside a lab host, for e2e tests:
//   garp.mjs IFACE VIP [COUNT]   sends COUNT (default 1) gratuitous ARPs for VIP on IFACE, then prints
//                                the interface as interfaceInfo() sees it, as JSON
//   garp.mjs #N MAC VIP          the same on raw interface index N with the given MAC (to provoke errors)
// A failure prints `CODE ERRNO: message` on stderr and exits 1.
import { openGarpSender } from '../../../dist/netlink/garp.js';
import { interfaceInfo } from '../../../dist/netlink/links.js';

const args = process.argv.slice(2);
try {
  let info;
  let vip;
  let count = 1;
  if (args[0]?.startsWith('#')) {
    info = { name: args[0], ifindex: Number(args[0].slice(1)), mac: args[1] };
    vip = args[2];
  } else {
    info = interfaceInfo(args[0]);
    if (info === null || info.mac === null) throw new Error(`no Ethernet interface ${args[0]}`);
    vip = args[1];
    count = Number(args[2] ?? 1);
  }
  const sender = openGarpSender({ interfaceName: info.name, ifindex: info.ifindex, mac: info.mac });
  try {
    for (let i = 0; i < count; i++) sender.announce(vip);
  } finally {
    sender.close();
  }
  process.stdout.write(`${JSON.stringify(info)}\n`);
} catch (error) {
  process.stderr.write(`${error.code} ${error.errno}: ${error.message}\n`);
  process.exitCode = 1;
}
