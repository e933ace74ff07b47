// Headless Chromium inside a lab host, driven by playwright-core, for the status page test. The lab's
// addresses are reachable only from its namespaces, so the browser has to run in one. playwright
// talks to Chromium over pipes the browser inherits (--remote-debugging-pipe), and `ip netns exec`
// execs its command with those file descriptors intact, so a two-line wrapper given to playwright as
// the executable is all it takes.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { LabHost } from '../lab/index.js';
import { requireTool } from '../lab/system-tools.js';

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
