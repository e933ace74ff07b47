// How the lab runs its helper programs (the apiserver stand-in, listeners, probers): node with the
// compiled script, or, inside the single executable, the executable itself with PROBE_FLAG and the
// probe's name, which src/single-executable/entry.ts turns into that probe (there is no node and no
// script file on such a host).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inSingleExecutable } from '../self.js';
import { LabUsageError } from './errors.js';

export const PROBE_FLAG = '--tsvip-lab-probe';
export const PROBE_NAMES = ['apiserver', 'tcp-listener', 'tcp-prober', 'https-prober'] as const;
export type ProbeName = (typeof PROBE_NAMES)[number];

export function probeArgv(name: ProbeName): string[] {
  return inSingleExecutable ? [process.execPath, PROBE_FLAG, name] : [process.execPath, probePath(`${name}.js`)];
}

/**
 * The probes are compiled with the rest (dist/lab/probes/*.js next to dist/lab/probe-program.js). Tests
 * run this module from src/ through vitest, where only the .ts exists: they use the built copy in
 * dist/, which `npm test` builds first.
 */
export function probePath(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, 'probes', name), join(here, '..', '..', 'dist', 'lab', 'probes', name)]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new LabUsageError(`probe ${name} not found next to ${here} nor in dist/ (run npm run build)`);
}
