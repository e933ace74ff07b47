// epoll's numbers and struct epoll_event, for the data path's loop (libc.ts makes the calls).
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
