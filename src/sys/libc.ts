// The one binding of the libc calls tsvip makes through koffi: the load balancer's data path (an epoll
// loop on raw non-blocking sockets), gratuitous ARP (AF_PACKET, which Node cannot open) and VRRP's raw
// IP sockets (raw-ip-socket.ts). koffi and libc are loaded on the first call of libc(), never at
// import, so a command or a unit test that imports a module using them loads no native library unless
// it makes a call.
//
// Calls are synchronous. Each returns -1 on failure, after which errno() is the reason (errno.ts
// names it). The binding is per thread: the data path's worker makes its own on first use.
import { loadKoffi } from './koffi-loader.js';

export interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array, length: number): number;
  getsockopt(fd: number, level: number, name: number, value: Uint8Array, length: Uint8Array): number;
  bind(fd: number, address: Uint8Array, length: number): number;
  listen(fd: number, backlog: number): number;
  getsockname(fd: number, address: Uint8Array, length: Uint8Array): number;
  accept4(fd: number, address: Uint8Array | null, length: Uint8Array | null, flags: number): number;
  connect(fd: number, address: Uint8Array, length: number): number;
  read(fd: number, buffer: Uint8Array, count: number): number;
  write(fd: number, buffer: Uint8Array, count: number): number;
  sendto(fd: number, buffer: Uint8Array, length: number, flags: number, address: Uint8Array, addressLength: number): number;
  /** `message` is a struct msghdr (message-header.ts builds it). */
  recvmsg(fd: number, message: Uint8Array, flags: number): number;
  shutdown(fd: number, how: number): number;
  close(fd: number): number;
  eventfd(initial: number, flags: number): number;
  epollCreate(flags: number): number;
  epollCtl(epollFd: number, op: number, fd: number, event: Uint8Array | null): number;
  epollWait(epollFd: number, events: Uint8Array, max: number, timeoutMs: number): number;
  /** The errno of the last failed call on this thread, as a number (errnoName() says it). */
  errno(): number;
  /**
   * Where a buffer's bytes are, for a pointer inside a struct (struct msghdr's iovec and control).
   * Only for a buffer whose memory never moves: one of its own ArrayBuffer larger than V8's on-heap
   * limit (64 bytes), as Buffer.allocUnsafeSlow makes; V8 moves smaller typed arrays when it collects.
   */
  addressOf(buffer: Uint8Array): bigint;
  /**
   * Calls onReadable from this thread's event loop whenever fd is readable (or has an error), as
   * Node's own sockets are watched: a libuv poll handle, which keeps the loop alive until closed.
   * status is 0, or a negative libuv error code. Close it before closing fd.
   */
  watchReadable(fd: number, onReadable: (status: number) => void): ReadableWatch;
}

export interface ReadableWatch {
  close(): void;
}

// koffi's uv.cc calls a poll callback with (status, events); its index.d.ts declares only (events).
type PollCallback = (status: number, events: { readable: boolean }) => void;
type Poll = (fd: number, options: { readable: boolean }, callback: PollCallback) => { close(): void } | null;

// The binding never changes once made; keeping it only saves declaring the prototypes again.
let bound: Libc | undefined;

export function libc(): Libc {
  bound ??= bindLibc();
  return bound;
}

function bindLibc(): Libc {
  const koffi = loadKoffi();
  const lib = koffi.load('libc.so.6');
  // koffi returns the C int as a JavaScript number; the casts give each function its signature.
  type Call<A extends unknown[]> = (...args: A) => number;
  return {
    socket: lib.func('int socket(int domain, int type, int protocol)') as Call<[number, number, number]>,
    setsockopt: lib.func('int setsockopt(int fd, int level, int name, void *value, uint32_t length)') as Call<[number, number, number, Uint8Array, number]>,
    getsockopt: lib.func('int getsockopt(int fd, int level, int name, void *value, void *length)') as Call<[number, number, number, Uint8Array, Uint8Array]>,
    bind: lib.func('int bind(int fd, void *address, uint32_t length)') as Call<[number, Uint8Array, number]>,
    listen: lib.func('int listen(int fd, int backlog)') as Call<[number, number]>,
    getsockname: lib.func('int getsockname(int fd, void *address, void *length)') as Call<[number, Uint8Array, Uint8Array]>,
    accept4: lib.func('int accept4(int fd, void *address, void *length, int flags)') as Call<[number, Uint8Array | null, Uint8Array | null, number]>,
    connect: lib.func('int connect(int fd, void *address, uint32_t length)') as Call<[number, Uint8Array, number]>,
    read: lib.func('intptr_t read(int fd, void *buffer, size_t count)') as Call<[number, Uint8Array, number]>,
    write: lib.func('intptr_t write(int fd, void *buffer, size_t count)') as Call<[number, Uint8Array, number]>,
    sendto: lib.func('intptr_t sendto(int fd, const void *buffer, size_t length, int flags, const void *address, uint32_t addressLength)') as Call<
      [number, Uint8Array, number, number, Uint8Array, number]
    >,
    recvmsg: lib.func('intptr_t recvmsg(int fd, void *message, int flags)') as Call<[number, Uint8Array, number]>,
    shutdown: lib.func('int shutdown(int fd, int how)') as Call<[number, number]>,
    close: lib.func('int close(int fd)') as Call<[number]>,
    eventfd: lib.func('int eventfd(unsigned int initval, int flags)') as Call<[number, number]>,
    epollCreate: lib.func('int epoll_create1(int flags)') as Call<[number]>,
    epollCtl: lib.func('int epoll_ctl(int epfd, int op, int fd, void *event)') as Call<[number, number, number, Uint8Array | null]>,
    epollWait: lib.func('int epoll_wait(int epfd, void *events, int max, int timeout)') as Call<[number, Uint8Array, number, number]>,
    errno: () => koffi.errno(),
    addressOf: (buffer) => koffi.address(buffer),
    watchReadable: (fd, onReadable) => {
      // koffi.node.poll is a libuv uv_poll_t on the calling thread's loop (koffi 2.15 and later).
      const handle = (koffi.node.poll as unknown as Poll)(fd, { readable: true }, (status) => onReadable(status));
      if (handle === null) throw new Error(`cannot watch descriptor ${fd} on the event loop`);
      return { close: () => handle.close() };
    },
  };
}
