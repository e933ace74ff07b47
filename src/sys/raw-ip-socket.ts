// A raw IP socket (one IP protocol, such as VRRP's 112) on the event loop: opened non-blocking and
// close-on-exec through the libc binding, watched by a libuv poll handle on the calling thread's loop,
// and drained with recvmsg() when readable. Nothing blocks a thread and no thread is added: a packet is
// read in the same loop turn that Node would read one of its own sockets.
import { TsvipError } from '../errors.js';
import { EAGAIN, EINTR, errnoName } from './errno.js';
import { libc, type Libc, type ReadableWatch } from './libc.js';
import { MessageReceiver, type ReceivedMessage } from './message-header.js';
import { SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_RAW, intOption } from './socket-constants.js';

/** At most this many datagrams per wake-up, so a flood cannot hold the loop; the poll is level-triggered and wakes again. */
const MAX_READS_PER_WAKE = 64;

/** A socket call the kernel refused: which call, and its errno by name (EPERM without CAP_NET_RAW). */
export class SocketCallError extends TsvipError {
  readonly call: string;
  readonly errno: string;

  constructor(call: string, errno: string) {
    super('ERR_SOCKET_CALL', `${call} failed: ${errno}`);
    this.call = call;
    this.errno = errno;
  }
}

export interface RawIpSocketOptions {
  /** AF_INET or AF_INET6. */
  family: number;
  protocol: number;
  /** The largest datagram kept whole; a longer one arrives with truncated set. */
  receiveBytes: number;
  /** Room for ancillary data (IP_PKTINFO, IPV6_HOPLIMIT ...); 0 when none is asked for. */
  controlBytes: number;
  onMessage: (message: ReceivedMessage) => void;
  /** A failed receive (an ICMP error queued on the socket, for one). The socket stays open. */
  onError: (error: SocketCallError) => void;
}

export class RawIpSocket {
  private readonly watch: ReadableWatch;
  private readonly receiver: MessageReceiver;
  private open = true;

  private constructor(
    private readonly sys: Libc,
    private readonly fd: number,
    private readonly options: RawIpSocketOptions,
  ) {
    this.receiver = new MessageReceiver(sys, { dataBytes: options.receiveBytes, controlBytes: options.controlBytes });
    this.watch = sys.watchReadable(fd, (status) => this.onReadable(status));
  }

  /** Throws SocketCallError when the kernel refuses the socket (EPERM without CAP_NET_RAW). */
  static open(options: RawIpSocketOptions): RawIpSocket {
    const sys = libc();
    const fd = sys.socket(options.family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, options.protocol);
    if (fd < 0) throw new SocketCallError(`socket(SOCK_RAW, protocol ${options.protocol})`, errnoName(sys.errno()));
    try {
      return new RawIpSocket(sys, fd, options);
    } catch (error) {
      sys.close(fd);
      throw error;
    }
  }

  /** setsockopt with an int or with a struct's bytes; `name` says which option, for the error. */
  setOption(level: number, option: number, value: number | Uint8Array, name: string): void {
    const bytes = typeof value === 'number' ? intOption(value) : value;
    if (this.sys.setsockopt(this.fd, level, option, bytes, bytes.length) !== 0) throw new SocketCallError(`setsockopt(${name})`, errnoName(this.sys.errno()));
  }

  /** getsockopt of an int option; `name` says which option, for the error. */
  intOption(level: number, option: number, name: string): number {
    const value = Buffer.alloc(4);
    const length = Buffer.alloc(4);
    length.writeUInt32LE(value.length, 0);
    if (this.sys.getsockopt(this.fd, level, option, value, length) !== 0) throw new SocketCallError(`getsockopt(${name})`, errnoName(this.sys.errno()));
    return value.readInt32LE(0);
  }

  /** bind() to a struct sockaddr: chooses the source address of what is sent. */
  bind(address: Uint8Array): void {
    if (this.sys.bind(this.fd, address, address.length) !== 0) throw new SocketCallError('bind', errnoName(this.sys.errno()));
  }

  /** One datagram to a struct sockaddr. Never blocks: a full send buffer fails with EAGAIN. */
  sendTo(packet: Uint8Array, address: Uint8Array): void {
    if (!this.open) throw new SocketCallError('sendto', 'EBADF');
    const sent = this.sys.sendto(this.fd, packet, packet.length, 0, address, address.length);
    if (sent < 0) throw new SocketCallError('sendto', errnoName(this.sys.errno()));
    if (sent !== packet.length) throw new SocketCallError(`sendto (${sent} of ${packet.length} bytes)`, 'EMSGSIZE');
  }

  /** Idempotent. The poll handle goes first: libuv must stop watching a descriptor before it closes. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.watch.close();
    this.sys.close(this.fd);
  }

  private onReadable(status: number): void {
    if (!this.open) return;
    if (status < 0) {
      this.options.onError(new SocketCallError('poll', errnoName(-status)));
      return;
    }
    for (let read = 0; read < MAX_READS_PER_WAKE && this.open; read++) {
      const result = this.receiver.receive(this.fd);
      if (result.ok) {
        this.options.onMessage(result.message);
        continue;
      }
      if (result.errno === EINTR) continue;
      if (result.errno !== EAGAIN) this.options.onError(new SocketCallError('recvmsg', errnoName(result.errno)));
      return;
    }
  }
}
