// The one errno table: numbers to names (EPERM, ECONNREFUSED ...) as the kernel's headers spell them,
// taken from Node's own copy so no number is written out by hand; and the few a caller branches on.
import { constants } from 'node:os';

const names = new Map<number, string>();
for (const [name, value] of Object.entries(constants.errno)) {
  // Aliases share a number (EWOULDBLOCK = EAGAIN); the first listed is the usual name.
  if (!names.has(value)) names.set(value, name);
}

/** 'ECONNREFUSED' for 111; 'errno N' for a number the table lacks. */
export function errnoName(errno: number): string {
  return names.get(errno) ?? `errno ${errno}`;
}

export const EINTR = constants.errno.EINTR;
export const EAGAIN = constants.errno.EAGAIN;
export const EINPROGRESS = constants.errno.EINPROGRESS;
export const ECONNRESET = constants.errno.ECONNRESET;
export const EMFILE = constants.errno.EMFILE;
export const ENFILE = constants.errno.ENFILE;
