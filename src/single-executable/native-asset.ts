// Inside the single executable (scripts/package.mjs), a native module (koffi's, netlink's) is an asset: its bytes are written
// to a file, loaded with process.dlopen, and the file is removed at once (the library stays mapped), so
// nothing is left behind even after a kill -9. dlopen needs a file system that allows executable
// mappings: where /tmp is mounted noexec, the next directory is tried.
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getRawAsset } from 'node:sea';
import { threadId } from 'node:worker_threads';
import { RUNTIME_DIR } from '../self.js';

/** Where to extract, in order: an operator's choice, systemd's RuntimeDirectory=, root's runtime and state directories, then the temporary directory. */
export function extractionDirectories(env: NodeJS.ProcessEnv = process.env): string[] {
  const candidates = [env.TSVIP_NATIVE_DIR, env.RUNTIME_DIRECTORY?.split(':')[0], RUNTIME_DIR, '/var/lib/tsvip', tmpdir()];
  return [...new Set(candidates.filter((dir): dir is string => dir !== undefined && dir !== ''))];
}

let extracted = 0;

/** The exports of the native module stored as asset `name`; throws naming every directory tried. */
export function loadNativeAsset(name: string): unknown {
  const bytes = new Uint8Array(getRawAsset(name) as ArrayBuffer);
  const failures: string[] = [];
  for (const dir of extractionDirectories()) {
    const path = join(dir, `.tsvip-${process.pid}-${threadId}-${extracted++}-${name}`);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(path, bytes, { mode: 0o500 });
      const module = { exports: {} as unknown };
      process.dlopen(module, path);
      return module.exports;
    } catch (error) {
      failures.push(`${dir}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      try {
        unlinkSync(path);
      } catch {
        // Never written: nothing to remove.
      }
    }
  }
  throw new Error(`cannot load the native module ${name} from the executable; set TSVIP_NATIVE_DIR to a directory that allows executable files. Tried:\n${failures.join('\n')}`);
}
