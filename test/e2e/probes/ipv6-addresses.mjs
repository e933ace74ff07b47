#!/usr/bin/env node
// Runs tsvip's rtnetlink address code for IPv6 (from dist/) inside a lab host, for e2e tests:
//   ipv6-addresses.mjs add|delete IFACE CIDR...   then prints the interface's IPv6 addresses as JSON
//   ipv6-addresses.mjs list IFACE
//   ipv6-addresses.mjs link-local IFACE            prints findLinkLocal() of the list (null when none)
// IFACE may be #N for a raw interface index (to provoke the kernel's errors).
import { readFileSync } from 'node:fs';
import { addAddress, deleteAddress, findLinkLocal, listIpv6Addresses, openRtnl } from '../../../dist/netlink/addresses.js';

const [command, iface, ...cidrs] = process.argv.slice(2);
const ifindex = iface.startsWith('#') ? Number(iface.slice(1)) : Number(readFileSync(`/sys/class/net/${iface}/ifindex`, 'utf8'));
const rtnl = openRtnl();
try {
  for (const cidr of cidrs) {
    if (command === 'add') await addAddress(rtnl, ifindex, cidr);
    else if (command === 'delete') await deleteAddress(rtnl, ifindex, cidr);
  }
  const addresses = await listIpv6Addresses(rtnl, ifindex);
  process.stdout.write(`${JSON.stringify(command === 'link-local' ? findLinkLocal(addresses) : addresses)}\n`);
} catch (error) {
  process.stderr.write(`${error.code} ${error.op} ${error.errno}: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  rtnl.socket.close();
}
