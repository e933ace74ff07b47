// System tools the tests run: a missing one fails the test with the Debian package to install,
// never skips it.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The absolute path of `command` on PATH (or in the sbin directories, or in `alsoIn`: FRR's daemons
 * live in /usr/lib/frr), or an error naming the package.
 */
export function requireTool(command: string, debianPackage: string, options: { readonly alsoIn?: readonly string[] } = {}): string {
  const directories = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', ...(options.alsoIn ?? [])];
  for (const directory of directories.filter((entry) => entry !== '')) {
    const candidate = join(directory, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here: the next directory.
    }
  }
  throw new Error(`this test needs \`${command}\` (Debian package ${debianPackage}): apt-get install ${debianPackage}, or run scripts/install-system-deps.sh`);
}

/**
 * The first dotted version number (2.2.7) that `path versionArgs` prints on stdout or stderr
 * (keepalived prints its banner on stderr), or undefined when it prints none.
 */
export function toolVersion(path: string, versionArgs: readonly string[] = ['--version']): string | undefined {
  const result = spawnSync(path, versionArgs, { encoding: 'utf8', timeout: 10_000 });
  // The first one: keepalived's banner goes on to name the kernel headers' version.
  return /(\d+\.\d+(?:\.\d+)?)/.exec(`${result.stdout ?? ''}\n${result.stderr ?? ''}`)?.[1];
}

/** Runs argv (in this namespace) with `input` on its stdin: promtool reads what to check from there. */
export function runWithInput(argv: readonly string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [file, ...args] = argv;
  if (file === undefined) throw new TypeError('runWithInput: empty argv');
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const output = { stdout: '', stderr: '' };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
    child.on('error', (error) => resolve({ code: 127, stdout: output.stdout, stderr: output.stderr + String(error) }));
    child.on('close', (code) => resolve({ code, ...output }));
    // A checker that exits before reading everything must not fail the test with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}
