import { TsvipError } from '../errors.js';

/** A failed rtnetlink request, with the operation and the kernel's errno name (EEXIST, EPERM ...). */
export class NetlinkError extends TsvipError {
  readonly op: string;
  readonly errno: string | null;

  constructor(op: string, cause: unknown) {
    const message = cause instanceof Error ? cause.message : String(cause);
    // The netlink package throws plain Errors whose message holds the errno name.
    const errno = /\bE[A-Z]{2,}\b/.exec(message)?.[0] ?? null;
    super('ERR_NETLINK', `netlink ${op} failed: ${message}`, { cause });
    this.op = op;
    this.errno = errno;
  }
}
