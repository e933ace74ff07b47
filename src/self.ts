// Where the running tsvip is: the single executable (`npm run package`'s out/tsvip), whose own path is
// the program to run, or this installation's bin/tsvip, run by the node that runs us.
import { isSea } from 'node:sea';

export const inSingleExecutable: boolean = isSea();

/** The file a manifest or a supervisor runs: the executable itself, or `installed` (bin/tsvip). */
export function ownProgram(installed: string): string {
  return inSingleExecutable ? process.execPath : installed;
}

/**
 * Root's runtime directory for tsvip: where the single executable extracts its native modules when no
 * other directory is given, and where the static pod mounts a memory-backed emptyDir for them.
 */
export const RUNTIME_DIR = '/run/tsvip';
