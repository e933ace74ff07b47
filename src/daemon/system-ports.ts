// The real host behind the daemon's ports: rtnetlink, raw VRRP sockets, AF_PACKET gratuitous ARP,
// capabilities from /proc and interfaces from sysfs.
import { openGarpSender } from '../netlink/garp.js';
import { RawVrrpSocket } from '../vrrp/raw-transport.js';
import type { DaemonPorts } from './ports.js';
import { systemHostPorts } from './system-host-ports.js';

export function systemPorts(): DaemonPorts {
  return {
    ...systemHostPorts(),
    openVrrpSocket: (options) => RawVrrpSocket.open(options),
    openAnnouncer: (iface) => openGarpSender({ interfaceName: iface.name, ifindex: iface.ifindex, mac: iface.mac }),
  };
}
