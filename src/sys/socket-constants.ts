// Linux's numbers for the socket calls in libc.ts (x86-64 and arm64 share them), and the small option
// buffers setsockopt takes. The IPv4 ones are as <linux/in.h> defines them, the IPv6 ones as <linux/in6.h>
// and glibc's <bits/in.h> do.
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_PACKET = 17;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const SO_ERROR = 4;
export const SO_KEEPALIVE = 9;
export const SO_LINGER = 13;
export const SO_BINDTODEVICE = 25;
export const IPPROTO_IP = 0;
export const IP_TOS = 1;
export const IP_TTL = 2;
/** The sender writes the IPv4 header itself (to send from a source that is not the primary address). */
export const IP_HDRINCL = 3;
export const IP_MULTICAST_IF = 32;
export const IP_MULTICAST_TTL = 33;
export const IP_MULTICAST_LOOP = 34;
export const IP_ADD_MEMBERSHIP = 35;
export const IPPROTO_TCP = 6;
export const TCP_NODELAY = 1;
export const TCP_KEEPIDLE = 4;
export const TCP_INFO = 11;
export const IPPROTO_IPV6 = 41;
/** Where the kernel writes a checksum on send and checks it on receive; -1 (off) unless set. */
export const IPV6_CHECKSUM = 7;
export const IPV6_UNICAST_HOPS = 16;
export const IPV6_MULTICAST_IF = 17;
export const IPV6_MULTICAST_HOPS = 18;
export const IPV6_MULTICAST_LOOP = 19;
/** glibc's IPV6_JOIN_GROUP; takes a struct ipv6_mreq. */
export const IPV6_ADD_MEMBERSHIP = 20;
export const IPV6_RECVPKTINFO = 49;
/** The control message type IPV6_RECVPKTINFO asks for: a struct in6_pktinfo. */
export const IPV6_PKTINFO = 50;
export const IPV6_RECVHOPLIMIT = 51;
/** The control message type IPV6_RECVHOPLIMIT asks for: an int. */
export const IPV6_HOPLIMIT = 52;
/** 1: an AF_INET6 socket takes IPv6 only; 0: IPv4 too, as ::ffff:a.b.c.d (net.ipv6.bindv6only is the default). */
export const IPV6_V6ONLY = 26;
/** The traffic class of what is sent (an int, 0..255). */
export const IPV6_TCLASS = 67;
export const SHUT_WR = 1;
export const EFD_NONBLOCK = 0o4000;
export const EFD_CLOEXEC = 0o2000000;

/** An int option value, as setsockopt reads it. */
export function intOption(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32LE(value, 0);
  return buffer;
}
