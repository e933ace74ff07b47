// recvmsg's ancillary data as the kernel lays it out (struct cmsghdr, padded to 8 bytes): what a
// receiver reads back, and that bytes from the kernel never make the walk throw or read past the end.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseControlMessages } from '../../src/sys/message-header.js';

/** One cmsghdr record: u64 length (header + data), i32 level, i32 type, data, zero padding to 8. */
function record(level: number, type: number, data: number[]): Buffer {
  const length = 16 + data.length;
  const buffer = Buffer.alloc(Math.ceil(length / 8) * 8);
  buffer.writeBigUInt64LE(BigInt(length), 0);
  buffer.writeInt32LE(level, 8);
  buffer.writeInt32LE(type, 12);
  Buffer.from(data).copy(buffer, 16);
  return buffer;
}

describe('control messages from recvmsg', () => {
  test('IP_PKTINFO (12 bytes) then IPV6_HOPLIMIT (4 bytes): both, each with its own data, padding skipped', () => {
    const pktinfo = [2, 0, 0, 0, 198, 18, 0, 2, 224, 0, 0, 18];
    const control = Buffer.concat([record(0, 8, pktinfo), record(41, 52, [255, 0, 0, 0])]);
    expect(parseControlMessages(control)).toEqual([
      { level: 0, type: 8, data: Buffer.from(pktinfo) },
      { level: 41, type: 52, data: Buffer.from([255, 0, 0, 0]) },
    ]);
  });

  test('no control data: no messages', () => {
    expect(parseControlMessages(Buffer.alloc(0))).toEqual([]);
  });

  test('a record whose length runs past the buffer ends the walk; the ones before it are kept', () => {
    const good = record(0, 8, [1, 2, 3, 4]);
    const bad = record(0, 2, [9]);
    bad.writeBigUInt64LE(4096n, 0);
    expect(parseControlMessages(Buffer.concat([good, bad]))).toEqual([{ level: 0, type: 8, data: Buffer.from([1, 2, 3, 4]) }]);
  });

  test('a record shorter than its own header ends the walk (it would never advance)', () => {
    const bad = record(0, 8, []);
    bad.writeBigUInt64LE(8n, 0);
    expect(parseControlMessages(bad)).toEqual([]);
  });

  test('the data are copies: the receiver reuses its control buffer for the next datagram', () => {
    const control = record(0, 2, [64, 0, 0, 0]);
    const [message] = parseControlMessages(control);
    control.fill(0);
    expect(message?.data).toEqual(Buffer.from([64, 0, 0, 0]));
  });

  test('random bytes never throw, and every message lies inside the buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const control = Buffer.from(bytes);
        const messages = parseControlMessages(control);
        expect(messages.reduce((total, message) => total + 16 + message.data.length, 0)).toBeLessThanOrEqual(control.length);
      }),
    );
  });
});
