// A benchmark's temporary directory: removed when the benchmark ends, fails, or is stopped with
// Ctrl-C (run.ts turns the signal into process.exit(), which runs 'exit' handlers, the lab's too).
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function withWorkDir<T>(prefix: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  process.on('exit', remove);
  try {
    return await work(dir);
  } finally {
    process.off('exit', remove);
    remove();
  }
}
