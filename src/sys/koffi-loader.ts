// koffi, required when the first libc call needs it (never at import). A module of its own so that the
// single executable's build can swap it for one that finds koffi inside the executable
// (scripts/package.mjs).
import { createRequire } from 'node:module';
import type * as Koffi from 'koffi';

export function loadKoffi(): typeof Koffi {
  // createRequire keeps the load synchronous and out of import time.
  return createRequire(import.meta.url)('koffi') as typeof Koffi;
}
