// The real host behind the daemon's ports: rtnetlink, raw VRRP sockets of both families, AF_PACKET
// gratuitous ARP and unsolicited neighbour advertisements, capabilities from /proc and interfaces from sysfs.
import { readFileSync } from 'node:fs';
import { openGarpSender } from '../netlink/garp.js';
import { openNeighbourAdvertSender } from '../netlink/neighbour-advert-sender.js';
import { RawVrrpSocket } from '../vrrp/raw-transport.js';
import { RawVrrpIpv6Socket } from '../vrrp/raw-transport-ipv6.js';
import type { DaemonPorts } from './ports.js';
import { systemHostPorts } from './system-host-ports.js';

/**
 * RFC 4861 7.2.6: the Router flag says whether the sender is a router. A host that forwards IPv6 on
 * the interface is one; keepalived reads the same sysctl.
 */
function forwardsIpv6(interfaceName: string): boolean {
  try {
    return readFileSync(`/proc/sys/net/ipv6/conf/${interfaceName}/forwarding`, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

export function systemPorts(): DaemonPorts {
  return {
    ...systemHostPorts(),
    openVrrpSocket: (options) => (options.family === 'ipv6' ? RawVrrpIpv6Socket.open(options) : RawVrrpSocket.open(options)),
    openAnnouncer: (iface) => openGarpSender({ interfaceName: iface.name, ifindex: iface.ifindex, mac: iface.mac }),
    openNeighbourAdvertiser: (iface) => openNeighbourAdvertSender({ interfaceName: iface.name, ifindex: iface.ifindex, mac: iface.mac, router: forwardsIpv6(iface.name) }),
  };
}
