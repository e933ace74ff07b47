// vitest globalSetup, run once per `vitest run` in the main process, before any worker starts.
// It picks the run prefix and puts it in process.env, which vitest copies into every worker's
// environment when it schedules the test files (and `provide`s it too, so a test can check that
// both agree). Teardown removes whatever namespace of the run is left and fails the run if there
// was one: a lab that leaks is a bug even when its tests pass.
import type { TestProject } from 'vitest/node';
import { namespacesOfRun, newRunPrefix, runPrefixEnvVar } from '../../src/lab/run-prefix.js';
import { listNamespacesSync, removeNamespacesSync } from '../../src/lab/teardown.js';

declare module 'vitest' {
  export interface ProvidedContext {
    tsvipLabRun: string;
  }
}

export default function setup(project: TestProject): () => void {
  const runPrefix = newRunPrefix();
  process.env[runPrefixEnvVar] = runPrefix;
  project.provide('tsvipLabRun', runPrefix);

  // vitest ends on SIGINT/SIGTERM with process.exit(), skipping teardown; 'exit' still runs, and the
  // workers' own handlers (teardown.ts) may not have had the chance.
  const removeLeftoversOnExit = (): void => void removeNamespacesSync(leftovers(runPrefix));
  process.on('exit', removeLeftoversOnExit);

  return () => {
    process.off('exit', removeLeftoversOnExit);
    const left = leftovers(runPrefix);
    if (left.length === 0) return;
    const problems = removeNamespacesSync(left);
    // vitest 4.1 logs an error thrown by a globalSetup teardown ("error during close") and still
    // exits 0, so the failure is also put in the exit code.
    process.exitCode = 1;
    throw new Error(
      `lab: ${left.length} network namespace(s) of run ${runPrefix} were left after the tests (now removed): ${left.join(', ')}` +
        (problems.length > 0 ? `\n${problems.join('\n')}` : ''),
    );
  };
}

function leftovers(runPrefix: string): string[] {
  try {
    return namespacesOfRun(listNamespacesSync(), runPrefix);
  } catch {
    // No `ip` at all: no lab could have been built, and createLab() already said why.
    return [];
  }
}
