// Changes to valid adverts for the decode property tests (decode-property.test.ts for IPv4,
// packet-ipv6.test.ts for IPv6), with the checksum made right again afterwards: random bytes almost
// never carry a right checksum and stop there, changed adverts reach every later check.
import fc from 'fast-check';
import { finishChecksum, internetChecksum, sumWords } from '../../src/net/checksum.js';

export type Mutation = { kind: 'set'; at: number; value: number } | { kind: 'truncate'; to: number } | { kind: 'append'; bytes: Uint8Array };

export function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let packet = Uint8Array.from(bytes);
  for (const mutation of mutations) {
    if (mutation.kind === 'set' && packet.length > 0) {
      packet[mutation.at % packet.length] = mutation.value;
    } else if (mutation.kind === 'truncate') {
      packet = packet.slice(0, mutation.to % (packet.length + 1));
    } else if (mutation.kind === 'append') {
      packet = Uint8Array.from([...packet, ...mutation.bytes]);
    }
  }
  return packet;
}

export interface MutationShape {
  /** Values a change to the 8 header bytes favours (the versions, types and counts that matter there). */
  readonly headerValues: readonly number[];
  /** How far into the packet other changes reach. */
  readonly anywhereUpTo: number;
  /** The most bytes appended at once. */
  readonly appendUpTo: number;
}

/** Most changes hit the 8 header bytes, where every check reads. */
export function mutationArbitrary({ headerValues, anywhereUpTo, appendUpTo }: MutationShape): fc.Arbitrary<Mutation> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(7), value: fc.oneof(fc.nat(255), fc.constantFrom(...headerValues)) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(anywhereUpTo), value: fc.nat(255) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), to: fc.nat(60) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: appendUpTo }) }) },
  );
}

/**
 * Writes the checksum a sender would have written: over `pseudoHeader(length)` and the message, or over
 * the message alone when it is null. Packets too short to hold one are left alone.
 */
export function withChecksum(bytes: Uint8Array, pseudoHeader: ((length: number) => Uint8Array) | null): Uint8Array {
  const packet = Uint8Array.from(bytes);
  if (packet.length < 8) return packet;
  packet.fill(0, 6, 8);
  const checksum = pseudoHeader === null ? internetChecksum(packet) : finishChecksum(sumWords(packet, sumWords(pseudoHeader(packet.length))));
  packet[6] = checksum >>> 8;
  packet[7] = checksum & 0xff;
  return packet;
}
