#!/usr/bin/env node
// Runs tsvip's unsolicited Neighbour Advertisement sender (from dist/) inside a lab host, for e2e tests:
//   neighbour-advert.mjs IFACE VIP [router]   sends one NA for VIP (IPv6) on IFACE, the Router flag set
//                                             when `router` is given, then prints the interface as
//                                             interfaceInfo() sees it, as JSON
//   neighbour-advert.mjs #N MAC VIP           the same on raw interface index N with the given MAC (to provoke errors)
// A failure prints `CODE ERRNO: message` on stderr and exits 1.
import { openNeighbourAdvertSender } from '../../../dist/netlink/neighbour-advert-sender.js';
import { interfaceInfo } from '../../../dist/netlink/links.js';

const args = process.argv.slice(2);
try {
  let info;
  let vip;
  let router = false;
  if (args[0]?.startsWith('#')) {
    info = { name: args[0], ifindex: Number(args[0].slice(1)), mac: args[1] };
    vip = args[2];
  } else {
    info = interfaceInfo(args[0]);
    if (info === null || info.mac === null) throw new Error(`no Ethernet interface ${args[0]}`);
    vip = args[1];
    router = args[2] === 'router';
  }
  const sender = openNeighbourAdvertSender({ interfaceName: info.name, ifindex: info.ifindex, mac: info.mac, router });
  try {
    sender.announce(vip);
  } finally {
    sender.close();
  }
  process.stdout.write(`${JSON.stringify(info)}\n`);
} catch (error) {
  process.stderr.write(`${error.code} ${error.errno}: ${error.message}\n`);
  process.exitCode = 1;
}
