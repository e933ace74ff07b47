// Headless Chromium inside a lab host, driven by playwright-core, for the status page test. The lab's
// addresses are reachable only from its namespaces, so the browser has to run in one. playwright
// talks to Chromium over pipes the browser inherits (--remote-debugging-pipe), and `ip netns exec`
// execs its command with those file descriptors intact, so a two-line wrapper given to playwright as
// the executable is all it takes. And the system tools the test needs: missing ones fail the test
// with the Debian package to install, never skip it.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { LabHost } from '../lab/index.js';

/** The absolute path of `command` on PATH (or in the sbin directories), or an error naming the package. */
export function requireTool(command: string, debianPackage: string): string {
  const directories = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin'];
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

export interface LabBrowser {
  readonly browser: Browser;
  /** Closes the browser and removes the wrapper; idempotent. */
  close(): Promise<void>;
}

/** Launches headless Chromium in `host`'s network namespace. */
export async function launchBrowserIn(host: LabHost): Promise<LabBrowser> {
  const chromiumPath = requireTool('chromium', 'chromium');
  const dir = await mkdtemp(join(tmpdir(), `tsvip-browser-${host.name}-`));
  const wrapper = join(dir, 'chromium-in-netns');
  // Namespace names are `tsvip-<hex>-<hex>-hN` (lab.ts): nothing a shell would read as syntax.
  if (!/^[\w.-]+$/.test(host.netns) || !/^[\w./-]+$/.test(chromiumPath)) throw new Error(`unexpected characters in ${host.netns} or ${chromiumPath}`);
  await writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${host.netns} ${chromiumPath} "$@"\n`);
  await chmod(wrapper, 0o755);
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: wrapper, headless: true, timeout: 30_000 });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let closed = false;
  return {
    browser,
    close: async () => {
      if (closed) return;
      closed = true;
      await browser.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
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
