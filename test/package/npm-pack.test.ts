// The npm install form as a user gets it: the package `npm pack` makes, installed into an empty project
// on a host with no compiler. The install runs with a PATH that holds node, npm and sh and nothing
// else (no make, cc, g++, python3, cmake): a dependency that had to be compiled (a node-gyp addon)
// fails the install. Then the installed command runs, and the libc binding really calls libc.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COMPILERS = ['make', 'cc', 'gcc', 'g++', 'c++', 'python3', 'python', 'cmake', 'node-gyp'];

let work: string;
let bin: string;
let project: string;
let env: NodeJS.ProcessEnv;
let installOutput: string;

/** npm's own command-line script, beside the node that runs this test (a Node install puts it there). */
function npmCli(): string {
  const candidates = [join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')];
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) throw new Error(`npm's npm-cli.js not found beside ${process.execPath} (looked in ${candidates.join(', ')})`);
  return realpathSync(found);
}

beforeAll(async () => {
  work = mkdtempSync('/var/tmp/tsvip-npm-pack-');
  // dist/ is what `npm test` has just built; the package's own prepare script (the same build) is not rerun.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, timeout: 120_000 });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  if (packed === undefined) throw new Error(`npm pack wrote no package: ${stdout}`);
  expect(packed.files.map((file) => file.path)).toEqual(expect.arrayContaining(['bin/tsvip', 'dist/cli/main.js', 'dist/lb/engine/engine-worker.js', 'schema/vip.schema.json']));

  bin = join(work, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync(npmCli(), join(bin, 'npm'));
  symlinkSync('/bin/sh', join(bin, 'sh'));
  project = join(work, 'fresh-host');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{ "name": "fresh-host", "private": true }\n');
  // Nothing from this machine's environment but HOME (npm's cache, which already holds the
  // dependencies `npm ci` fetched; the registry is asked for whatever it lacks).
  env = { HOME: process.env.HOME ?? homedir(), PATH: bin };
  const result = await run(join(bin, 'npm'), ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, packed.filename)], { cwd: project, env, timeout: 300_000 }).catch((error: unknown) => {
    const failure = error as { stdout?: string; stderr?: string; message?: string };
    throw new Error(`npm install of the packed package failed on a host without a compiler:\n${failure.stderr ?? ''}${failure.stdout ?? failure.message ?? ''}`);
  });
  installOutput = `${result.stdout}${result.stderr}`;
}, 400_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('npm install of the packed package, with no compiler on the host', () => {
  test('the host of this test really has no compiler on its PATH (the test can fail)', async () => {
    for (const tool of COMPILERS) {
      const found = await run('sh', ['-c', `command -v ${tool}`], { env }).then(
        () => true,
        () => false,
      );
      expect(found, `${tool} is reachable from the install's PATH`).toBe(false);
    }
  });

  test('nothing was compiled: the native modules installed are the prebuilt ones the packages ship', () => {
    expect(installOutput).not.toMatch(/gyp (info|ERR)|cmake|g\+\+/i);
    const nativeModules = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith('.node'))
        .map((entry) => join(entry.parentPath, entry.name));
    const found = nativeModules(join(project, 'node_modules'));
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((path) => /\/prebuilds\/|\/@koromix\/koffi-linux-x64\//.test(path)), found.join('\n')).toBe(true);
  });

  test('the installed tsvip runs: version, and check of a valid file', async () => {
    const tsvip = join(project, 'node_modules', '.bin', 'tsvip');
    expect((await run(tsvip, ['version'], { env })).stdout).toMatch(/^tsvip \d+\.\d+\.\d+/);
    const config = join(work, 'vip.yaml');
    writeFileSync(config, 'vrrp:\n  - { name: VI_1, interface: eth0, vrid: 51, priority: 100, vips: [198.18.0.100/24] }\n');
    expect((await run(tsvip, ['check', '-c', config], { env })).stdout).toContain('valid (1 VRRP instance(s)');
  });

  test('its libc binding loads koffi and calls libc: a socket opened and closed', async () => {
    const libcModule = pathToFileURL(join(project, 'node_modules', 'tsvip', 'dist', 'sys', 'libc.js')).href;
    const script = `const { libc } = await import(${JSON.stringify(libcModule)}); const c = libc(); const fd = c.socket(2, 2, 0); console.log(fd >= 0 && c.close(fd) === 0 ? 'ok' : 'failed errno ' + c.errno());`;
    const { stdout } = await run(join(bin, 'node'), ['--input-type=module', '-e', script], { env });
    expect(stdout.trim()).toBe('ok');
  });
});
