// Every namespace name starts with the run's prefix, `tsvip-<6 hex>`, so a run can find and remove
// what it left (global-setup.ts) without touching another run's namespaces or anybody else's.
// vitest's globalSetup picks the prefix once and hands it to the test workers in the environment,
// which forked workers inherit; a lab used outside vitest picks its own.
import { randomBytes } from 'node:crypto';

export const runPrefixEnvVar = 'TSVIP_LAB_RUN';

const runPrefixPattern = /^tsvip-[0-9a-f]{6}$/;

export function newRunPrefix(): string {
  return `tsvip-${randomBytes(3).toString('hex')}`;
}

/**
 * Checked strictly: teardown deletes every namespace whose name starts with the prefix, and an empty
 * or short value would match namespaces that are not ours.
 */
export function isRunPrefix(value: string): boolean {
  return runPrefixPattern.test(value);
}

/** The prefix from the environment, or a fresh one set there so later labs in this process share it. */
export function currentRunPrefix(): string {
  const fromEnv = process.env[runPrefixEnvVar];
  if (fromEnv !== undefined) {
    if (!isRunPrefix(fromEnv)) throw new Error(`lab: ${runPrefixEnvVar}="${fromEnv}" is not of the form tsvip-<6 hex digits>`);
    return fromEnv;
  }
  const fresh = newRunPrefix();
  process.env[runPrefixEnvVar] = fresh;
  return fresh;
}

/**
 * A lab's own prefix inside the run: test files run in separate workers that share the run prefix,
 * so each lab adds random hex. A collision is not silent: `ip netns add` refuses an existing name.
 */
export function newLabPrefix(runPrefix: string): string {
  return `${runPrefix}-${randomBytes(2).toString('hex')}`;
}

/** Namespace names as `ip netns list` prints them ("name (id: 3)"), keeping those of the run. */
export function namespacesOfRun(ipNetnsList: string, runPrefix: string): string[] {
  return ipNetnsList
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name.startsWith(`${runPrefix}-`));
}
