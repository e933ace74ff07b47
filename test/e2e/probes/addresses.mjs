#!/usr/bin/env node
// Runs tsvip's rtnetlink address code (from dist/) inside a lab host, for e2e tests:
//   addresses.mjs [-6] add|delete IFACE CIDR...   then prints the interface's IPv4 (or with -6, IPv6) addresses as JSON
//   addresses.mjs [-6] list IFACE
//   addresses.mjs -6 link-local IFACE             prints findLinkLocal() of the IPv6 list (null when none)
// IFACE may be #N for a raw interface index (to provoke the kernel's errors).
import { readFileSync } from 'node:fs';
import { addAddress, deleteAddress, findLinkLocal, listIpv4Addresses, listIpv6Addresses, openRtnl } from '../../../dist/netlink/addresses.js';

const argv = process.argv.slice(2);
const ipv6 = argv[0] === '-6';
const [command, iface, ...cidrs] = ipv6 ? argv.slice(1) : argv;
const ifindex = iface.startsWith('#') ? Number(iface.slice(1)) : Number(readFileSync(`/sys/class/net/${iface}/ifindex`, 'utf8'));
const rtnl = openRtnl();
try {
  for (const cidr of cidrs) {
    if (command === 'add') await addAddress(rtnl, ifindex, cidr);
    else if (command === 'delete') await deleteAddress(rtnl, ifindex, cidr);
  }
  const addresses = ipv6 ? await listIpv6Addresses(rtnl, ifindex) : await listIpv4Addresses(rtnl, ifindex);
  process.stdout.write(`${JSON.stringify(command === 'link-local' ? findLinkLocal(addresses) : addresses)}\n`);
} catch (error) {
  process.stderr.write(`${error.code} ${error.op} ${error.errno}: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  rtnl.socket.close();
}
