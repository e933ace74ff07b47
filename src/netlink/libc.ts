// The few libc calls tsvip makes through koffi (an AF_PACKET socket for gratuitous ARP: neither Node
// nor raw-socket can open one). The only module that touches koffi. koffi and libc are loaded on the
// first call, not at import, so unit tests that import the ARP code never load a native library.
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import type * as Koffi from 'koffi';

/** Synchronous libc calls; each returns -1 on failure, after which `errno()` names the reason. */
export interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, address: Uint8Array, addressLength: number): number;
  sendto(fd: number, buffer: Uint8Array, length: number, flags: number, address: Uint8Array, addressLength: number): number;
  close(fd: number): number;
  /** errno of the last failed call, as a name: 'EPERM', 'ENODEV' ... */
  errno(): string;
}

// The binding is immutable once made; caching it only saves re-declaring the prototypes.
let bound: Libc | undefined;

export function libc(): Libc {
  bound ??= bindLibc();
  return bound;
}

function bindLibc(): Libc {
  // createRequire keeps the load synchronous (ARP sends are synchronous) and out of import time.
  const koffi = createRequire(import.meta.url)('koffi') as typeof Koffi;
  const lib = koffi.load('libc.so.6');
  const socket = lib.func('int socket(int domain, int type, int protocol)');
  const bind = lib.func('int bind(int fd, const void *addr, uint32_t addrlen)');
  const sendto = lib.func('intptr_t sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)');
  const close = lib.func('int close(int fd)');
  return {
    socket: (domain, type, protocol) => Number(socket(domain, type, protocol)),
    bind: (fd, address, addressLength) => Number(bind(fd, address, addressLength)),
    sendto: (fd, buffer, length, flags, address, addressLength) => Number(sendto(fd, buffer, length, flags, address, addressLength)),
    close: (fd) => Number(close(fd)),
    errno: () => errnoName(koffi.errno()),
  };
}

const errnoNames = new Map<number, string>();
for (const [name, value] of Object.entries(constants.errno)) {
  // Aliases share a number (EWOULDBLOCK = EAGAIN); the first listed is the usual name.
  if (!errnoNames.has(value)) errnoNames.set(value, name);
}

export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `errno ${errno}`;
}
