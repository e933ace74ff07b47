// Socket addresses as the kernel reads and writes them (struct sockaddr_in), built from the one IPv4
// parser so the data path and vip.yaml agree on what an address is. The family is the first field, so
// struct sockaddr_in6 can sit beside it.
import { ipv4ToBytes } from './ipv4-bytes.js';

const AF_INET = 2;
export const SOCKADDR_IN_LENGTH = 16;

/** struct sockaddr_in for an IPv4 address (dotted quad) and port. Throws RangeError on a bad address. */
export function sockaddrIn(host: string, port: number): Buffer {
  const address = Buffer.alloc(SOCKADDR_IN_LENGTH);
  address.writeUInt16LE(AF_INET, 0);
  address.writeUInt16BE(port, 2);
  address.set(ipv4ToBytes(host), 4);
  return address;
}

export function readSockaddrIn(address: Buffer): { host: string; port: number } {
  return { host: [...address.subarray(4, 8)].join('.'), port: address.readUInt16BE(2) };
}
