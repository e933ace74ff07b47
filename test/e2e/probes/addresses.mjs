#!/usr/bin/env node
// Runs tsvip's rtnetlink address code (from dist/) inside a lab host, for e2e tests:
//   addresses.mjs add|delete IFACE CIDR...   then prints the interface's IPv4 addresses as JSON
//   addresses.mjs list IFACE
// IFACE may be #N for a raw interface index (to provoke the kernel's errors).
import { readFileSync } from 'node:fs';
import { addAddress, deleteAddress, listIpv4Addresses, openRtnl } from '../../../dist/netlink/addresses.js';

const [command, iface, ...cidrs] = process.argv.slice(2);
const ifindex = iface.startsWith('#') ? Number(iface.slice(1)) : Number(readFileSync(`/sys/class/net/${iface}/ifindex`, 'utf8'));
const rtnl = openRtnl();
try {
  for (const cidr of cidrs) {
    if (command === 'add') await addAddress(rtnl, ifindex, cidr);
    else if (command === 'delete') await deleteAddress(rtnl, ifindex, cidr);
  }
  process.stdout.write(`${JSON.stringify(await listIpv4Addresses(rtnl, ifindex))}\n`);
} catch (error) {
  process.stderr.write(`${error.code} ${error.op} ${error.errno}: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  rtnl.socket.close();
}
