// Link and address changes as the kernel announces them on rtnetlink's LINK, IPV4_IFADDR and IPV6_IFADDR
// groups: the interface tracker learns of a pulled cable at once instead of on its next poll, the VRRP
// runtime learns that somebody removed a VIP it holds, and an IPv6 address's DAD state changes
// (tentative, then usable or dadfailed) arrive as new-address events with their flags.
//
// netlink 0.3.0's RtNetlinkSocket emits 'message' with parsed bodies but without the netlink message
// type, so NEWADDR and DELADDR (an address added and removed) arrive identical. We use the plain
// NetlinkSocket it would wrap, where every message still has `type`, and parse each ourselves with
// rt.parseMessage (skipping the wrapper also saves parsing every message twice).
import { EventEmitter } from 'node:events';
import { createNetlink, Protocol, rt, type NetlinkMessage, type NetlinkSocket } from 'netlink';
import { TsvipError } from '../errors.js';
import type { Logger } from '../log.js';
import { readAddressMessage, type AddressFlags, type AddressScope } from './address-message.js';

export interface LinkEvent {
  readonly ifindex: number;
  readonly name: string;
  /** Administratively up (IFF_UP). */
  readonly up: boolean;
  /** Up with carrier, operational (IFF_RUNNING); false once the interface is deleted. */
  readonly running: boolean;
}

/** An IPv4 address added or removed: the shape IPv4 events always had (no family field). */
export interface Ipv4AddressEvent {
  readonly kind: 'new' | 'deleted';
  readonly ifindex: number;
  /** Dotted quad, no prefix. */
  readonly address: string;
  readonly prefix: number;
}

/**
 * An IPv6 address added, changed or removed. The kernel sends a 'new' event again when an address's
 * flags change: tentative at first, then without tentative once DAD passed, or with dadfailed.
 */
export interface Ipv6AddressEvent {
  readonly kind: 'new' | 'deleted';
  readonly family: 'ipv6';
  readonly ifindex: number;
  /** Canonical text (RFC 5952), no prefix. */
  readonly address: string;
  readonly prefix: number;
  readonly scope: AddressScope;
  readonly flags: AddressFlags;
}

/** Tell them apart with `'family' in event`. */
export type AddressEvent = Ipv4AddressEvent | Ipv6AddressEvent;

export interface NetlinkWatcherEvents {
  link: [LinkEvent];
  address: [AddressEvent];
  /** Code ERR_NETLINK_EVENTS. ENOBUFS means events were lost: re-read the state you depend on. */
  error: [TsvipError];
}

/** As any EventEmitter: an 'error' with no listener throws, so the daemon must listen for it. */
export interface NetlinkWatcher extends EventEmitter<NetlinkWatcherEvents> {
  /** Closes the socket; idempotent. */
  close(): void;
}

export interface WatchOptions {
  readonly logger: Logger;
}

/** Subscribes at once; the open socket keeps the process alive, as a listening server does, until close(). */
export function watchNetlinkEvents({ logger }: WatchOptions): NetlinkWatcher {
  return new RtnetlinkWatcher(logger);
}

class RtnetlinkWatcher extends EventEmitter<NetlinkWatcherEvents> implements NetlinkWatcher {
  private readonly socket: NetlinkSocket;
  private open = true;

  constructor(logger: Logger) {
    super();
    const socket = createNetlink(Protocol.ROUTE);
    try {
      socket.addMembership(rt.MulticastGroups.LINK);
      socket.addMembership(rt.MulticastGroups.IPV4_IFADDR);
      socket.addMembership(rt.MulticastGroups.IPV6_IFADDR);
      // netlink keeps a socket referenced only while a request waits; a subscription must stay open.
      socket.ref(true);
    } catch (error: unknown) {
      socket.close();
      throw new TsvipError('ERR_NETLINK_EVENTS', `netlink events: subscribing failed: ${describe(error)}`, { cause: error });
    }
    socket.on('message', (messages) => {
      for (const message of messages) {
        const event = decodeEvent(message);
        if (!event.ok) logger.debug({ type: message.type, reason: event.reason }, 'netlink message ignored');
        else if (event.name === 'link') this.emit('link', event.value);
        else this.emit('address', event.value);
      }
    });
    socket.on('invalid', (error: unknown) => logger.debug({ reason: describe(error) }, 'undecodable netlink message ignored'));
    socket.on('truncatedMessage', (_data, info) => logger.warn({ truncated: info.truncated }, 'netlink message truncated: an event was lost'));
    socket.on('error', (cause) => {
      const error = new TsvipError('ERR_NETLINK_EVENTS', `netlink events: socket error: ${describe(cause)}`, { cause });
      logger.error({ code: error.code, err: cause }, error.message);
      this.emit('error', error);
    });
    this.socket = socket;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.socket.close();
  }
}

export type DecodedEvent = { ok: true; name: 'link'; value: LinkEvent } | { ok: true; name: 'address'; value: AddressEvent } | { ok: false; reason: string };

/** Never throws: the kernel's bytes go through netlink's parser, which throws on what it cannot read. */
export function decodeEvent(message: Pick<NetlinkMessage, 'type' | 'data'>): DecodedEvent {
  const type = rt.MessageType[message.type] as string | undefined;
  if (type !== 'NEWLINK' && type !== 'DELLINK' && type !== 'NEWADDR' && type !== 'DELADDR') return { ok: false, reason: `message type ${message.type}` };
  let parsed: rt.Message;
  try {
    parsed = rt.parseMessage(message.type, message.data);
  } catch (error: unknown) {
    return { ok: false, reason: `${type}: ${describe(error)}` };
  }
  if (parsed.kind === 'link') {
    const { index, flags } = parsed.data;
    const name = parsed.attrs.ifname;
    if (index === undefined || name === undefined) return { ok: false, reason: `${type} without index or name` };
    // A deleted interface is neither up nor running, whatever flags it had at the end.
    const present = type === 'NEWLINK';
    return { ok: true, name: 'link', value: { ifindex: index, name, up: present && flags?.up === true, running: present && flags?.running === true } };
  }
  if (parsed.kind === 'address') {
    const read = readAddressMessage(parsed);
    if (!read.ok) return { ok: false, reason: `${type} ${read.reason}` };
    const kind = type === 'NEWADDR' ? 'new' : 'deleted';
    if (read.family === 'ipv4') return { ok: true, name: 'address', value: { kind, ifindex: read.ifindex, address: read.address, prefix: read.prefix } };
    const { family, ifindex, address, prefix, scope, flags } = read;
    return { ok: true, name: 'address', value: { kind, family, ifindex, address, prefix, scope, flags } };
  }
  return { ok: false, reason: `${type} parsed as ${parsed.kind}` };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
