// Runs the built `bin/tsvip` as a user does (a separate process), for CLI tests.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TSVIP_BIN = fileURLToPath(new URL('../../bin/tsvip', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runTsvip(args: readonly string[], options: { cwd?: string } = {}): Promise<CliResult> {
  if (!existsSync(new URL('../../dist/cli/main.js', import.meta.url))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does) before the CLI tests');
  }
  return new Promise((resolve) => {
    execFile(TSVIP_BIN, [...args], { cwd: options.cwd ?? REPO_ROOT, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}
