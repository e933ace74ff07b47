// The syscalls benchmark reads strace -c's table; a misread column would put wrong counts in
// docs/benchmarks.md without any error.
import { describe, expect, test } from 'vitest';
import { parseStraceSummary, syscallsMarkdown } from '../../bench/syscalls.js';

const SUMMARY = `strace: Process 4242 attached with 3 threads
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 31.20    0.412001          27     15000      3000 read
 20.01    0.264000          35      7500           write
  9.80    0.129000          17      7500           connect
  0.01    0.000100          10        10         2 futex
------ ----------- ----------- --------- --------- ----------------
100.00    1.320000          44     30010      5002 total
`;

describe('strace -c summary', () => {
  test('calls per system call, with or without an errors column; the total line is not a call', () => {
    expect(parseStraceSummary(SUMMARY)).toEqual({ read: 15000, write: 7500, connect: 7500, futex: 10 });
  });

  test('per connection: the total counts every call, the rows leave out what is under 0.05', () => {
    const text = syscallsMarkdown([{ proxy: 'tsvip', connections: 3750, calls: parseStraceSummary(SUMMARY) }], 'npm run bench -- syscalls', 'abc1234');
    expect(text).toContain('| **all, per connection** | **8.0** |');
    expect(text).toContain('| read | 4.00 |');
    expect(text).not.toContain('futex');
  });
});
