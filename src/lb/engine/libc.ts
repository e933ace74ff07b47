// The socket calls of the load balancer's data path, straight from libc through koffi (already a
// dependency, for gratuitous ARP). Node's net.Socket costs 2.6x haproxy's CPU per proxied connection
// (docs/benchmarks.md: half of it is the JavaScript of a Socket, its stream state and its events); a
// koffi call costs about 25 ns on top of the syscall, so a proxy built on these pays what haproxy pays.
//
// Every call is synchronous and non-blocking (the sockets are O_NONBLOCK) except epoll_wait, which
// only the data path's worker thread makes (engine-worker.ts). Failures return -1 with errno() set.
import koffi from 'koffi';

const libc = koffi.load('libc.so.6');

export const socket = libc.func('int socket(int domain, int type, int protocol)') as (domain: number, type: number, protocol: number) => number;
export const setsockopt = libc.func('int setsockopt(int fd, int level, int name, void *value, uint32_t length)') as (
  fd: number,
  level: number,
  name: number,
  value: Buffer,
  length: number,
) => number;
export const getsockopt = libc.func('int getsockopt(int fd, int level, int name, void *value, void *length)') as (
  fd: number,
  level: number,
  name: number,
  value: Buffer,
  length: Buffer,
) => number;
export const bind = libc.func('int bind(int fd, void *address, uint32_t length)') as (fd: number, address: Buffer, length: number) => number;
export const listen = libc.func('int listen(int fd, int backlog)') as (fd: number, backlog: number) => number;
export const getsockname = libc.func('int getsockname(int fd, void *address, void *length)') as (fd: number, address: Buffer, length: Buffer) => number;
export const accept4 = libc.func('int accept4(int fd, void *address, void *length, int flags)') as (
  fd: number,
  address: Buffer | null,
  length: Buffer | null,
  flags: number,
) => number;
export const connect = libc.func('int connect(int fd, void *address, uint32_t length)') as (fd: number, address: Buffer, length: number) => number;
export const read = libc.func('intptr_t read(int fd, void *buffer, size_t count)') as (fd: number, buffer: Buffer, count: number) => number;
export const write = libc.func('intptr_t write(int fd, void *buffer, size_t count)') as (fd: number, buffer: Buffer, count: number) => number;
export const shutdown = libc.func('int shutdown(int fd, int how)') as (fd: number, how: number) => number;
export const close = libc.func('int close(int fd)') as (fd: number) => number;
export const eventfd = libc.func('int eventfd(unsigned int initval, int flags)') as (initial: number, flags: number) => number;
export const epollCreate = libc.func('int epoll_create1(int flags)') as (flags: number) => number;
export const epollCtl = libc.func('int epoll_ctl(int epfd, int op, int fd, void *event)') as (epfd: number, op: number, fd: number, event: Buffer | null) => number;
export const epollWait = libc.func('int epoll_wait(int epfd, void *events, int max, int timeout)') as (
  epfd: number,
  events: Buffer,
  max: number,
  timeoutMs: number,
) => number;

/** The errno of the last failed call on this thread. */
export function errno(): number {
  return koffi.errno();
}

export const AF_INET = 2;
export const SOCK_STREAM = 1;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const SO_ERROR = 4;
export const SO_KEEPALIVE = 9;
export const SO_LINGER = 13;
export const IPPROTO_TCP = 6;
export const TCP_NODELAY = 1;
export const TCP_KEEPIDLE = 4;
export const TCP_INFO = 11;
export const SHUT_WR = 1;
export const EFD_NONBLOCK = 0o4000;
export const EFD_CLOEXEC = 0o2000000;
export const EPOLL_CLOEXEC = 0o2000000;
export const EPOLL_CTL_ADD = 1;
export const EPOLLIN = 0x1;
export const EPOLLOUT = 0x4;
export const EPOLLERR = 0x8;
export const EPOLLHUP = 0x10;
export const EPOLLRDHUP = 0x2000;
export const EPOLLET = 0x80000000;
/** struct epoll_event on x86-64 and arm64 glibc: u32 events, u64 data, packed on x86-64 (12 bytes). */
export const EPOLL_EVENT_SIZE = process.arch === 'x64' ? 12 : 16;
const EPOLL_DATA_OFFSET = process.arch === 'x64' ? 4 : 8;

export const EAGAIN = 11;
export const EINTR = 4;
export const EINPROGRESS = 115;
export const ECONNRESET = 104;

/** errno numbers as names, for messages; those a proxy meets ('connect ECONNREFUSED', as Node says it). */
const ERRNO_NAMES: Record<number, string> = {
  1: 'EPERM',
  4: 'EINTR',
  9: 'EBADF',
  11: 'EAGAIN',
  12: 'ENOMEM',
  13: 'EACCES',
  22: 'EINVAL',
  23: 'ENFILE',
  24: 'EMFILE',
  32: 'EPIPE',
  97: 'EAFNOSUPPORT',
  98: 'EADDRINUSE',
  99: 'EADDRNOTAVAIL',
  100: 'ENETDOWN',
  101: 'ENETUNREACH',
  103: 'ECONNABORTED',
  104: 'ECONNRESET',
  105: 'ENOBUFS',
  107: 'ENOTCONN',
  110: 'ETIMEDOUT',
  111: 'ECONNREFUSED',
  112: 'EHOSTDOWN',
  113: 'EHOSTUNREACH',
};

export function errnoName(code: number): string {
  return ERRNO_NAMES[code] ?? `errno ${code}`;
}

/** struct sockaddr_in for an IPv4 address (dotted quad) and port. */
export function sockaddrIn(host: string, port: number): Buffer {
  const address = Buffer.alloc(16);
  address.writeUInt16LE(AF_INET, 0);
  address.writeUInt16BE(port, 2);
  const parts = host.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) throw new Error(`not an IPv4 address: ${host}`);
  parts.forEach((part, index) => address.writeUInt8(part, 4 + index));
  return address;
}

export function readSockaddrIn(address: Buffer): { host: string; port: number } {
  return { host: [...address.subarray(4, 8)].join('.'), port: address.readUInt16BE(2) };
}

export function epollEvent(events: number, fd: number): Buffer {
  const event = Buffer.alloc(EPOLL_EVENT_SIZE);
  event.writeUInt32LE(events >>> 0, 0);
  event.writeInt32LE(fd, EPOLL_DATA_OFFSET);
  return event;
}

export function epollEventAt(events: Buffer, index: number): { events: number; fd: number } {
  const offset = index * EPOLL_EVENT_SIZE;
  return { events: events.readUInt32LE(offset), fd: events.readInt32LE(offset + EPOLL_DATA_OFFSET) };
}

export function intOption(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32LE(value, 0);
  return buffer;
}
