// Where a process's resident memory is, by kind of mapping (/proc/PID/smaps): the program file's code,
// the rest of the program file (read-only data: Node's built-in JavaScript sources, ICU, V8's snapshot,
// and in the single executable the injected blob), other files (shared libraries, extracted native
// modules) and anonymous memory (V8's heaps, stacks, malloc). The file-backed kinds are clean pages the
// kernel can drop and read again; anonymous memory is what the process really owns.
import { readFile, readlink } from 'node:fs/promises';

export interface ResidentByKind {
  readonly programCodeKiB: number;
  readonly programDataKiB: number;
  readonly otherFilesKiB: number;
  readonly anonymousKiB: number;
}

export const RESIDENT_KINDS: readonly [keyof ResidentByKind, string][] = [
  ['programCodeKiB', 'program file, code'],
  ['programDataKiB', "program file, read-only data (Node's built-in sources, ICU, V8's snapshot; the single executable's blob)"],
  ['otherFilesKiB', 'other files (shared libraries, extracted native modules)'],
  ['anonymousKiB', "anonymous (V8's heaps, stacks, malloc)"],
];

/** Sums smaps' Rss lines by kind of mapping; `program` is the executable's path as /proc/PID/exe names it. */
export function residentByKind(smaps: string, program: string): ResidentByKind {
  const totals = { programCodeKiB: 0, programDataKiB: 0, otherFilesKiB: 0, anonymousKiB: 0 };
  let kind: keyof ResidentByKind = 'anonymousKiB';
  for (const line of smaps.split('\n')) {
    // A mapping's header: "start-end perms offset dev inode [path]".
    const header = /^[0-9a-f]+-[0-9a-f]+ ([rwxsp-]{4}) [0-9a-f]+ \S+ \d+\s*(.*)$/.exec(line);
    if (header !== null) {
      const [, perms = '', path = ''] = header;
      const file = path !== '' && !path.startsWith('[');
      if (file && path === program) kind = perms.includes('x') ? 'programCodeKiB' : 'programDataKiB';
      else if (file) kind = 'otherFilesKiB';
      else kind = 'anonymousKiB';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB$/.exec(line);
    if (rss?.[1] !== undefined) totals[kind] += Number(rss[1]);
  }
  return totals;
}

export async function readResidentByKind(pid: number): Promise<ResidentByKind> {
  const [smaps, program] = await Promise.all([readFile(`/proc/${pid}/smaps`, 'utf8'), readlink(`/proc/${pid}/exe`)]);
  return residentByKind(smaps, program);
}

export const ZERO_RESIDENT: ResidentByKind = { programCodeKiB: 0, programDataKiB: 0, otherFilesKiB: 0, anonymousKiB: 0 };

export function addResident(a: ResidentByKind, b: ResidentByKind): ResidentByKind {
  return {
    programCodeKiB: a.programCodeKiB + b.programCodeKiB,
    programDataKiB: a.programDataKiB + b.programDataKiB,
    otherFilesKiB: a.otherFilesKiB + b.otherFilesKiB,
    anonymousKiB: a.anonymousKiB + b.anonymousKiB,
  };
}
