// Where the running tsvip is: the single executable (`npm run package`'s out/tsvip), whose own path is
// the program to run, or this installation's bin/tsvip, run by the node that runs us.
import { isSea } from 'node:sea';

export const inSingleExecutable: boolean = isSea();

/** The file a manifest or a supervisor runs: the executable itself, or `installed` (bin/tsvip). */
export function ownProgram(installed: string): string {
  return inSingleExecutable ? process.execPath : installed;
}
