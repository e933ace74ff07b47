// recvmsg() with ancillary data: one struct msghdr, its iovec, a buffer for the sender's address and
// one for control messages, laid out as glibc does on 64-bit Linux (x86-64 and arm64 agree):
//
//   struct msghdr  { void *name; u32 namelen; (4) iovec *iov; size_t iovlen; void *control;
//                    size_t controllen; int flags; (4) }                              56 bytes
//   struct iovec   { void *base; size_t len; }                                        16 bytes
//   struct cmsghdr { size_t len; int level; int type; data, padded to 8 bytes }       16 + data
//
// The kernel follows the pointers inside msghdr, so the buffers they point at must stay where they
// are between calls: all live in one slab from Buffer.allocUnsafeSlow, whose memory V8 never moves.
import type { Libc } from './libc.js';

const MSGHDR_BYTES = 56;
const IOVEC_BYTES = 16;
/** sockaddr_in6 is the largest address a raw IP socket reports. */
const NAME_BYTES = 28;
const CMSGHDR_BYTES = 16;
const CMSG_ALIGN = 8;
export const MSG_CTRUNC = 0x8;
export const MSG_TRUNC = 0x20;

const OFFSET = { name: 0, namelen: 8, iov: 16, iovlen: 24, control: 32, controllen: 40, flags: 48 } as const;

export interface ControlMessage {
  /** cmsg_level: IPPROTO_IP, IPPROTO_IPV6, SOL_SOCKET ... */
  level: number;
  /** cmsg_type: IP_PKTINFO, IPV6_HOPLIMIT ... */
  type: number;
  data: Buffer;
}

export interface ReceivedMessage {
  /** The datagram: for an IPv4 raw socket, the IP header and what follows. A copy the caller keeps. */
  data: Buffer;
  /** The datagram was longer than the buffer: data holds its first bytes only. */
  truncated: boolean;
  /** The sender's struct sockaddr as the kernel wrote it (sockaddr_in or sockaddr_in6). */
  source: Buffer;
  controlMessages: ControlMessage[];
  /** Control messages did not all fit: controlMessages holds those that did. */
  controlTruncated: boolean;
}

export type ReceiveResult = { ok: true; message: ReceivedMessage } | { ok: false; errno: number };

export interface MessageReceiverSize {
  dataBytes: number;
  controlBytes: number;
}

/** Receives one datagram at a time from a descriptor into buffers of its own, reused call after call. */
export class MessageReceiver {
  private readonly header: Buffer;
  private readonly data: Buffer;
  private readonly name: Buffer;
  private readonly control: Buffer;

  constructor(
    private readonly sys: Libc,
    private readonly size: MessageReceiverSize,
  ) {
    if (process.arch !== 'x64' && process.arch !== 'arm64') throw new Error(`struct msghdr is laid out for x64 and arm64, not ${process.arch}`);
    const slab = Buffer.allocUnsafeSlow(MSGHDR_BYTES + IOVEC_BYTES + NAME_BYTES + size.controlBytes + size.dataBytes).fill(0);
    let at = 0;
    const take = (bytes: number): Buffer => slab.subarray(at, (at += bytes));
    this.header = take(MSGHDR_BYTES);
    const iov = take(IOVEC_BYTES);
    this.name = take(NAME_BYTES);
    this.control = take(size.controlBytes);
    this.data = take(size.dataBytes);
    iov.writeBigUInt64LE(sys.addressOf(this.data), 0);
    iov.writeBigUInt64LE(BigInt(size.dataBytes), 8);
    this.header.writeBigUInt64LE(sys.addressOf(this.name), OFFSET.name);
    this.header.writeBigUInt64LE(sys.addressOf(iov), OFFSET.iov);
    this.header.writeBigUInt64LE(1n, OFFSET.iovlen);
    this.header.writeBigUInt64LE(sys.addressOf(this.control), OFFSET.control);
  }

  /** One recvmsg(); on a non-blocking descriptor with nothing queued, errno is EAGAIN. */
  receive(fd: number, flags = 0): ReceiveResult {
    // The kernel rewrites these three on every call.
    this.header.writeUInt32LE(NAME_BYTES, OFFSET.namelen);
    this.header.writeBigUInt64LE(BigInt(this.size.controlBytes), OFFSET.controllen);
    this.header.writeInt32LE(0, OFFSET.flags);
    const length = this.sys.recvmsg(fd, this.header, flags);
    if (length < 0) return { ok: false, errno: this.sys.errno() };
    const messageFlags = this.header.readInt32LE(OFFSET.flags);
    const nameLength = Math.min(this.header.readUInt32LE(OFFSET.namelen), NAME_BYTES);
    const controlLength = Math.min(Number(this.header.readBigUInt64LE(OFFSET.controllen)), this.size.controlBytes);
    return {
      ok: true,
      message: {
        data: Buffer.from(this.data.subarray(0, Math.min(length, this.size.dataBytes))),
        truncated: (messageFlags & MSG_TRUNC) !== 0,
        source: Buffer.from(this.name.subarray(0, nameLength)),
        controlMessages: parseControlMessages(this.control.subarray(0, controlLength)),
        controlTruncated: (messageFlags & MSG_CTRUNC) !== 0,
      },
    };
  }
}

/**
 * The cmsghdr records in a control buffer, each bounded by the buffer: a record whose length is
 * shorter than its header or runs past the end stops the walk (as the kernel's CMSG_NXTHDR would).
 * Never throws. The data are copies.
 */
export function parseControlMessages(control: Buffer): ControlMessage[] {
  const messages: ControlMessage[] = [];
  let at = 0;
  while (at + CMSGHDR_BYTES <= control.length) {
    const length = Number(control.readBigUInt64LE(at));
    if (length < CMSGHDR_BYTES || at + length > control.length) break;
    messages.push({ level: control.readInt32LE(at + 8), type: control.readInt32LE(at + 12), data: Buffer.from(control.subarray(at + CMSGHDR_BYTES, at + length)) });
    at += Math.ceil(length / CMSG_ALIGN) * CMSG_ALIGN;
  }
  return messages;
}
