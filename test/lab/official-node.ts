// The official Node binaries of other release lines, for tests that run tsvip on them. The Node
// project's builds are published on the npm registry as `node-linux-<arch>` (the binary is its
// bin/node), so npm installs a release line once into a cache directory and later runs reuse it.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface OfficialNode {
  /** The binary's absolute path. */
  readonly path: string;
  /** `v24.22.3` */
  readonly version: string;
}

/** Where release lines are kept: $XDG_CACHE_HOME/tsvip/node/<major>, ~/.cache by default. */
export function officialNodeCache(major: number): string {
  return join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'tsvip', 'node', String(major));
}

/** The newest release of line `major` (22, 24), installed from the npm registry on first use. */
export async function officialNode(major: number): Promise<OfficialNode> {
  const dir = officialNodeCache(major);
  const pkg = `node-linux-${process.arch}`;
  const path = join(dir, 'node_modules', pkg, 'bin', 'node');
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    try {
      await run('npm', ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts', `${pkg}@${major}`], { timeout: 240_000 });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`this test needs Node ${major}: \`npm install ${pkg}@${major}\` into ${dir} failed (is the npm registry reachable?)\n${stderr.slice(-2000)}`, { cause: error });
    }
  }
  const { stdout } = await run(path, ['--version']);
  const version = stdout.trim();
  if (!version.startsWith(`v${major}.`)) throw new Error(`${path} is ${version}, not Node ${major}: remove ${dir} to install it again`);
  return { path, version };
}
