// IPv4 addresses on an interface through rtnetlink (no shelling out to `ip`): the VIPs are added when
// an instance becomes master and removed when it leaves, and listed at start-up to clear VIPs a killed
// predecessor left behind.
import { createRtNetlink, FlagsNew, type RtNetlinkSocket } from 'netlink';
import { parseCidr } from '../net/address.js';
import { bytesToIpv4, ipv4ToBytes } from '../net/ipv4-bytes.js';
import { NetlinkError } from './errors.js';

const AF_INET = 2;
const RT_SCOPE_UNIVERSE = 0;

export interface InterfaceAddress {
  address: string;
  prefix: number;
}

export function openRtnl(): RtNetlinkSocket {
  return createRtNetlink();
}

function cidrOf(vip: string): InterfaceAddress {
  const parsed = parseCidr(vip);
  if (!parsed.ok) throw new TypeError(`not a CIDR: ${vip} (${parsed.reason})`);
  return parsed.value;
}

function addressMessage(ifindex: number, { address, prefix }: InterfaceAddress) {
  const bytes = Buffer.from(ipv4ToBytes(address));
  return [{ family: AF_INET, prefixlen: prefix, index: ifindex, scope: RT_SCOPE_UNIVERSE }, { local: bytes, address: bytes }] as const;
}

export async function listIpv4Addresses(rtnl: RtNetlinkSocket, ifindex: number): Promise<InterfaceAddress[]> {
  try {
    const messages = await rtnl.getAddresses();
    return messages
      .filter((m) => m.data.family === AF_INET && m.data.index === ifindex && (m.attrs.local ?? m.attrs.address) !== undefined)
      .map((m) => ({ address: bytesToIpv4(m.attrs.local ?? m.attrs.address ?? Buffer.alloc(4)), prefix: m.data.prefixlen ?? 32 }));
  } catch (error) {
    throw new NetlinkError('list addresses', error);
  }
}

/** Adds `vip` (a.b.c.d/n); already there is success. */
export async function addAddress(rtnl: RtNetlinkSocket, ifindex: number, vip: string): Promise<void> {
  const [data, attrs] = addressMessage(ifindex, cidrOf(vip));
  try {
    await rtnl.newAddress(data, attrs, { flags: FlagsNew.CREATE | FlagsNew.EXCL });
  } catch (error) {
    const failure = new NetlinkError(`add ${vip}`, error);
    if (failure.errno !== 'EEXIST') throw failure;
  }
}

/** Removes `vip`; already gone is success. */
export async function deleteAddress(rtnl: RtNetlinkSocket, ifindex: number, vip: string): Promise<void> {
  const [data, attrs] = addressMessage(ifindex, cidrOf(vip));
  try {
    await rtnl.delAddress(data, attrs);
  } catch (error) {
    const failure = new NetlinkError(`delete ${vip}`, error);
    if (failure.errno !== 'EADDRNOTAVAIL') throw failure;
  }
}
