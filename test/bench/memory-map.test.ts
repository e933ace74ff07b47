// The footprint benchmark says where an idle daemon's memory is: smaps' Rss lines summed by the kind of
// mapping they belong to.
import { describe, expect, test } from 'vitest';
import { residentByKind } from '../../bench/memory-map.js';

const SMAPS = [
  '00400000-0074d000 r--p 00000000 08:01 1234                               /usr/local/bin/tsvip',
  'Size:               3380 kB',
  'Rss:                2100 kB',
  '0074d000-0320d000 r-xp 0034d000 08:01 1234                               /usr/local/bin/tsvip',
  'Rss:               22956 kB',
  '03201000-06b82000 r--p 02e01000 08:01 1234                               /usr/local/bin/tsvip',
  'Rss:               15460 kB',
  '2d748000-2dadd000 rw-p 00000000 00:00 0                                  [heap]',
  'Rss:                3504 kB',
  '7f7fc4000000-7f7fc432f000 rw-p 00000000 00:00 0 ',
  'Rss:                3228 kB',
  '7f801c364000-7f801c4ba000 r-xp 00026000 08:01 777                        /usr/lib/x86_64-linux-gnu/libc.so.6',
  'Rss:                1176 kB',
  '7f7fca448000-7f7fca4ae000 r--p 00000000 00:1a 99                         /run/tsvip/.tsvip-1-0-0-koffi.node (deleted)',
  'Rss:                 344 kB',
  'Pss:                 344 kB',
  '',
].join('\n');

describe('resident memory by kind of mapping', () => {
  test("the program file's code and the rest of it, other files, and anonymous memory are told apart", () => {
    expect(residentByKind(SMAPS, '/usr/local/bin/tsvip')).toEqual({ programCodeKiB: 22956, programDataKiB: 2100 + 15460, otherFilesKiB: 1176 + 344, anonymousKiB: 3504 + 3228 });
  });

  test('a file that is not the program is never counted as the program', () => {
    const other = residentByKind(SMAPS, '/usr/bin/node');
    expect(other.programCodeKiB + other.programDataKiB).toBe(0);
    expect(other.otherFilesKiB).toBe(2100 + 22956 + 15460 + 1176 + 344);
  });
});
