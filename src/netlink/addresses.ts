// Addresses on an interface through rtnetlink (no shelling out to `ip`): the VIPs are added when an
// instance becomes master and removed when it leaves, and listed at start-up to clear VIPs a killed
// predecessor left behind. Both families: what differs between them (16-byte addresses, IFA_F_NODAD,
// the DAD flags) is in address-message.ts.
import { createRtNetlink, FlagsNew, type RtNetlinkSocket } from 'netlink';
import { parseInterfaceCidr, type InterfaceCidr } from '../net/interface-cidr.js';
import { addressRequest, readAddressMessage, type Ipv6InterfaceAddress } from './address-message.js';
import { NetlinkError } from './errors.js';

export type { Ipv6InterfaceAddress, AddressFlags, AddressScope } from './address-message.js';
export { findLinkLocal } from './address-message.js';

export interface InterfaceAddress {
  address: string;
  prefix: number;
}

export function openRtnl(): RtNetlinkSocket {
  return createRtNetlink();
}

function cidrOf(vip: string): InterfaceCidr {
  const parsed = parseInterfaceCidr(vip);
  if (!parsed.ok) throw new TypeError(`not a CIDR: ${vip} (${parsed.reason})`);
  return parsed.value;
}

async function dump(rtnl: RtNetlinkSocket) {
  try {
    return (await rtnl.getAddresses()).map((message) => readAddressMessage(message));
  } catch (error) {
    throw new NetlinkError('list addresses', error);
  }
}

/** The IPv4 addresses on `ifindex`, in the kernel's order (the primary first). */
export async function listIpv4Addresses(rtnl: RtNetlinkSocket, ifindex: number): Promise<InterfaceAddress[]> {
  return (await dump(rtnl)).flatMap((entry) => (entry.ok && entry.family === 'ipv4' && entry.ifindex === ifindex ? [{ address: entry.address, prefix: entry.prefix }] : []));
}

/** The IPv6 addresses on `ifindex` with their scope and DAD flags, in the kernel's order. */
export async function listIpv6Addresses(rtnl: RtNetlinkSocket, ifindex: number): Promise<Ipv6InterfaceAddress[]> {
  return (await dump(rtnl)).flatMap((entry) => {
    if (!entry.ok || entry.family !== 'ipv6' || entry.ifindex !== ifindex) return [];
    const { family, address, prefix, scope, flags } = entry;
    return [{ family, address, prefix, scope, flags }];
  });
}

/** Adds `vip` (a.b.c.d/n, or an IPv6 address with an optional /n, /128 by default); already there is success. */
export async function addAddress(rtnl: RtNetlinkSocket, ifindex: number, vip: string): Promise<void> {
  const { data, attrs } = addressRequest(ifindex, cidrOf(vip));
  try {
    await rtnl.newAddress(data, attrs, { flags: FlagsNew.CREATE | FlagsNew.EXCL });
  } catch (error) {
    const failure = new NetlinkError(`add ${vip}`, error);
    if (failure.errno !== 'EEXIST') throw failure;
  }
}

/** Removes `vip`; already gone is success. */
export async function deleteAddress(rtnl: RtNetlinkSocket, ifindex: number, vip: string): Promise<void> {
  const { data, attrs } = addressRequest(ifindex, cidrOf(vip));
  try {
    await rtnl.delAddress(data, attrs);
  } catch (error) {
    const failure = new NetlinkError(`delete ${vip}`, error);
    if (failure.errno !== 'EADDRNOTAVAIL') throw failure;
  }
}
