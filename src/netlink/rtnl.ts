// The daemon's one port to rtnetlink: the addresses of an interface (IPv4 and, apart, IPv6), adding
// and deleting VIPs, and the kernel's link and address events. The daemon and each instance take an
// Rtnl, so that tests can hand them a scripted one and run the daemon without root.
import type { Logger } from 'pino';
import { addAddress, deleteAddress, listIpv4Addresses, listIpv6Addresses, openRtnl as openRtNetlinkSocket, type InterfaceAddress, type Ipv6InterfaceAddress } from './addresses.js';
import { watchNetlinkEvents, type NetlinkWatcher } from './events.js';

export type { InterfaceAddress, Ipv6InterfaceAddress } from './addresses.js';

export interface Rtnl {
  /** The IPv4 addresses on `ifindex`, in the kernel's order (the primary first). */
  listAddresses(ifindex: number): Promise<InterfaceAddress[]>;
  /**
   * The IPv6 addresses on `ifindex` with scope and DAD flags (tentative, dadfailed, nodad,
   * deprecated); findLinkLocal (addresses.ts) picks the link-local out of them.
   */
  listIpv6Addresses(ifindex: number): Promise<Ipv6InterfaceAddress[]>;
  /** Adds `vip` (a.b.c.d/n, or IPv6 with /n, /128 by default, added with IFA_F_NODAD); already there is success. Throws NetlinkError. */
  addAddress(ifindex: number, vip: string): Promise<void>;
  /** Removes `vip`; already gone is success. Throws NetlinkError. */
  deleteAddress(ifindex: number, vip: string): Promise<void>;
  /** Link and address events; 'error' when events were lost. */
  readonly events: NetlinkWatcher;
  /** Closes both sockets; idempotent. */
  close(): void;
}

/** A request socket and an event subscription; throws TsvipError (ERR_NETLINK_EVENTS) if either fails. */
export function openSystemRtnl({ logger }: { logger: Logger }): Rtnl {
  const socket = openRtNetlinkSocket();
  let events: NetlinkWatcher;
  try {
    events = watchNetlinkEvents({ logger });
  } catch (error) {
    socket.socket.close();
    throw error;
  }
  let open = true;
  return {
    listAddresses: (ifindex) => listIpv4Addresses(socket, ifindex),
    listIpv6Addresses: (ifindex) => listIpv6Addresses(socket, ifindex),
    addAddress: (ifindex, vip) => addAddress(socket, ifindex, vip),
    deleteAddress: (ifindex, vip) => deleteAddress(socket, ifindex, vip),
    events,
    close: () => {
      if (!open) return;
      open = false;
      events.close();
      socket.socket.close();
    },
  };
}
