// The lab in a vitest suite: built in beforeAll, destroyed in afterAll, also when a test failed.
// A failing preflight fails beforeAll, and vitest then fails every test of the suite, loudly.
import { afterAll, beforeAll } from 'vitest';
import { createLab } from '../../src/lab/lab.js';
import type { Lab, LabOptions } from '../../src/lab/lab.js';
import { LabUsageError } from '../../src/lab/errors.js';

/** Call at suite level; the returned function gives the lab inside tests and hooks. */
export function useLab(options: LabOptions): () => Lab {
  let lab: Lab | undefined;
  beforeAll(async () => {
    lab = await createLab(options);
  });
  afterAll(async () => {
    await lab?.destroy();
  });
  return () => {
    if (lab === undefined) throw new LabUsageError('useLab(): the lab exists from beforeAll on; use it inside tests and hooks');
    return lab;
  };
}
