#!/usr/bin/env node
// Runs one of tsvip's announcers (from dist/) inside a lab host, for e2e tests:
//   announce.mjs garp|na IFACE VIP [router]   sends one gratuitous ARP (garp, IPv4 VIP) or unsolicited
//                                              Neighbour Advertisement (na, IPv6 VIP; the Router flag set
//                                              when `router` is given) for VIP on IFACE, then prints the
//                                              interface as interfaceInfo() sees it, as JSON
//   announce.mjs garp|na #N MAC VIP           the same on raw interface index N with the given MAC (to provoke errors)
// A failure prints `CODE ERRNO: message` on stderr and exits 1.
import { openGarpSender } from '../../../dist/netlink/garp.js';
import { openNeighbourAdvertSender } from '../../../dist/netlink/neighbour-advert-sender.js';
import { interfaceInfo } from '../../../dist/netlink/links.js';

const [kind, ...args] = process.argv.slice(2);
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
  const on = { interfaceName: info.name, ifindex: info.ifindex, mac: info.mac };
  if (kind !== 'garp' && kind !== 'na') throw new Error(`announce.mjs: the first argument must be garp or na (got ${kind})`);
  const sender = kind === 'garp' ? openGarpSender(on) : openNeighbourAdvertSender({ ...on, router });
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
