// No Docker engine runs here, so this test performs the Dockerfile's steps on this machine: the context
// as .dockerignore leaves it, each stage in its own temp directory, every RUN line with bash (apt-get
// lines are skipped when dpkg says their packages are installed here), the runtime stage assembled as
// its COPY --from lines say, and then the image's ENTRYPOINT run with this machine's Node.
// The context is a clean export of HEAD with the working tree's Dockerfile and .dockerignore (set
// TSVIP_DOCKER_CONTEXT=worktree for the working tree as is). It needs the npm registry (`npm ci`) and
// takes about half a minute. TSVIP_DOCKER_NODE_BIN=<dir with node> plays the image's Node with another
// one (the steps use its `node`; npm stays this machine's).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab } from '../../src/lab/lab.js';
import { aptPackages, buildStages, copyContext, dockerignoreMatcher, exportHead, hostPath, imageNode, parseDockerfile, run, type StageResult, type StepLog } from './dockerfile.js';

const repo = join(import.meta.dirname, '..', '..');
const dockerfileText = readFileSync(join(repo, 'Dockerfile'), 'utf8');
interface PackageJson {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

function findFiles(directory: string, wanted: (path: string) => boolean): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .map((name) => join(directory, name))
    .filter((path) => wanted(path) && statSync(path).isFile());
}

describe('the Dockerfile reader', () => {
  it('refuses what it does not understand', () => {
    expect(() => parseDockerfile('FROM x\nHEALTHCHECK CMD true\n')).toThrow(/HEALTHCHECK is not understood/);
    expect(() => parseDockerfile('FROM x\nRUN --mount=type=cache,target=/root/.npm npm ci\n')).toThrow(/shell form/);
    expect(() => parseDockerfile('FROM x\nCOPY --chown=1:1 a b\n')).toThrow(/COPY flag/);
    expect(() => parseDockerfile('FROM x\nENTRYPOINT node x\n')).toThrow(/exec \(JSON array\) form/);
    expect(() => parseDockerfile('RUN true\n')).toThrow(/before the first FROM/);
    expect(() => parseDockerfile('FROM $NOPE\n')).toThrow(/unknown variable/);
    expect(() => aptPackages('apt-get install -y python3 && curl -o x y')).toThrow(/more than install packages/);
  });

  it('joins continuation lines and substitutes ARG in FROM', () => {
    const f = parseDockerfile('ARG I=node:1-slim\nFROM ${I} AS b\nRUN a \\\n  && b\nENV A=1 B="two words"\nFROM $I\nCOPY --from=b /x ./\nCMD ["--help"]\n');
    expect(f.stages.map((s) => [s.name, s.image])).toEqual([['b', 'node:1-slim'], [undefined, 'node:1-slim']]);
    expect(f.stages[0]?.steps).toEqual([
      { kind: 'RUN', line: 3, command: 'a && b' },
      { kind: 'ENV', line: 5, vars: { A: '1', B: 'two words' } },
    ]);
    expect(f.stages[1]?.cmd).toEqual(['--help']);
  });

  it('follows .dockerignore as Docker does: last match wins, a directory excludes what is below', () => {
    const ignored = dockerignoreMatcher('*\n!src\n!package.json\n**/node_modules\n**/*.log\n');
    expect(ignored('src/cli/main.ts')).toBe(false);
    expect(ignored('package.json')).toBe(false);
    expect(ignored('node_modules/typescript/package.json')).toBe(true);
    expect(ignored('src/node_modules/x.js')).toBe(true);
    expect(ignored('src/debug.log')).toBe(true);
    expect(ignored('dist/cli/main.js')).toBe(true);
    expect(ignored('test/docker/dockerfile.ts')).toBe(true);
  });
});

describe('the Dockerfile, performed on this machine', () => {
  const file = parseDockerfile(dockerfileText);
  const work = mkdtempSync(join(tmpdir(), 'tsvip-docker-'));
  const context = join(work, 'context');
  const log: StepLog[] = [];
  let stages: StageResult[] = [];
  let runtime: StageResult;
  let contextFiles: string[] = [];
  let source = repo; // the tree the context comes from
  let pkg: PackageJson;
  let entrypoint: (args: string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>;
  const started = Date.now();

  beforeAll(async () => {
    // TSVIP_DOCKER_CONTEXT=worktree sends the working tree as `docker build .` here would; by default
    // the context is HEAD plus the working tree's Dockerfile and .dockerignore (see exportHead).
    if (process.env.TSVIP_DOCKER_CONTEXT !== 'worktree') {
      source = join(work, 'head');
      await exportHead(repo, source);
    }
    contextFiles = copyContext(source, context);
    pkg = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as PackageJson;
    stages = await buildStages(file, context, join(work, 'stages'), log);
    runtime = stages[stages.length - 1] as StageResult;
    // The image's ENTRYPOINT + arguments, with `node` this machine's Node and container paths mapped
    // into the runtime stage's directory.
    const ep = runtime.stage.entrypoint ?? [];
    const argv = ep.map((a) => (a.startsWith('/') ? hostPath(runtime.root, runtime.workdir, a) : a));
    // No PATH to a node: the image has none, and the executable must not look for one.
    entrypoint = (args) => run([...argv, ...args], { cwd: join(runtime.root, runtime.workdir), env: { PATH: '/nonexistent', ...runtime.env } });
    for (const s of log) console.log(`[docker] ${s.stage} :${s.line} ${s.skipped === undefined ? `${s.ms} ms` : `skipped (${s.skipped})`}  ${s.what}`);
    console.log(`[docker] Node ${(await run([imageNode(), '--version'], { cwd: work })).stdout.trim()}; build took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 300_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('builds on a pinned, maintained Node LTS slim image and ships on the same Debian release, slim, without Node', () => {
    expect(file.stages.length).toBe(2);
    const [build, shipped] = file.stages.map((s) => s.image) as [string, string];
    const m = /^node:(\d+)\.\d+\.\d+-(bookworm|trixie)-slim$/.exec(build);
    expect(m, `${build} is not node:<full version>-<debian>-slim`).not.toBeNull();
    const major = Number(m?.[1]);
    expect(major % 2, 'an LTS line is even').toBe(0);
    expect(major).toBeGreaterThanOrEqual(22); // 20 is past its end of life
    expect(shipped).toBe(`debian:${m?.[2] ?? ''}-slim`);
  });

  it('sends only what the image needs as context', () => {
    expect(contextFiles).toContain('package.json');
    expect(contextFiles).toContain('package-lock.json');
    expect(contextFiles).toContain('scripts/package.mjs');
    expect(contextFiles.some((f) => f.startsWith('src/'))).toBe(true);
    for (const f of contextFiles) expect(f).not.toMatch(/(^|\/)(node_modules|dist|\.git|test)\//);
  });

  it('skipped only apt-get lines, whose packages this machine has', () => {
    const skipped = log.filter((s) => s.skipped !== undefined);
    for (const s of skipped) expect(s.what).toMatch(/^RUN apt-get/);
    // npm ci and npm run package, at least, were performed here.
    const runLines = file.stages.flatMap((stage) => stage.steps).filter((step) => step.kind === 'RUN').length;
    expect(runLines).toBeGreaterThanOrEqual(2);
    expect(log.filter((s) => s.what.startsWith('RUN') && s.skipped === undefined).length).toBe(runLines - skipped.length);
  });

  it('installs no compiler: the native code comes prebuilt', () => {
    const packages = file.stages.flatMap((s) => s.steps).flatMap((step) => (step.kind === 'RUN' ? (aptPackages(step.command) ?? []) : []));
    expect(packages.filter((p) => /^(g\+\+|gcc|make|python3|build-essential)$/.test(p))).toEqual([]);
  });

  it('adds one file to the base image: the single executable', () => {
    expect(findFiles(runtime.root, () => true).map((path) => path.slice(runtime.root.length))).toEqual(['/usr/local/bin/tsvip']);
    const built = join(stages[0]?.root ?? '', 'app');
    // Built without a compiler: no native module was compiled (node-gyp writes build/Release/*.node).
    expect(findFiles(join(built, 'node_modules'), (path) => path.endsWith('.node') && path.includes('/build/'))).toEqual([]);
    for (const dep of Object.keys(pkg.dependencies)) expect(existsSync(join(built, 'node_modules', dep)), `dependency ${dep}`).toBe(true);
  });

  it('runs as root with tsvip as entrypoint and --help as the default command', async () => {
    expect(runtime.user).toBe('root');
    // The same node flags as bin/tsvip's shebang line (the entrypoint names node itself).
    expect(runtime.stage.entrypoint).toEqual(['/usr/local/bin/tsvip']);
    expect(runtime.stage.cmd).toEqual(['--help']);
    const help = await entrypoint(runtime.stage.cmd ?? []);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/start/);
    expect(help.stdout).toMatch(/check/);
  });

  it('tsvip version prints the package version', async () => {
    const r = await entrypoint(['version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`tsvip ${pkg.version}`);
  });

  it('tsvip check accepts deploy/vip.yaml mounted as the static pod mounts it', async () => {
    const config = join(runtime.root, 'etc', 'tsvip', 'vip.yaml');
    mkdirSync(join(config, '..'), { recursive: true });
    copyFileSync(join(source, 'deploy', 'vip.yaml'), config);
    const r = await entrypoint(['check', '-c', config]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  });

  it('tsvip start runs from the image file alone in a lab host: elected master, VIP added, SIGTERM exits 0, nothing extracted left', async () => {
    const lab = await createLab({ hosts: 1 });
    try {
      const host = lab.host(1);
      const config = join(runtime.root, 'etc', 'tsvip', 'lab.yaml');
      mkdirSync(join(config, '..'), { recursive: true });
      writeFileSync(config, `vrrp:\n  - { name: VI_1, interface: ${host.iface}, vrid: 51, version: 3, advertInterval: 100ms, vips: [198.18.0.100/24] }\nstatus: { listen: "127.0.0.1:9901" }\n`);
      const nativeDir = join(runtime.root, 'run', 'tsvip');
      mkdirSync(nativeDir, { recursive: true });
      const daemon = lab.spawn(host, [hostPath(runtime.root, '/', '/usr/local/bin/tsvip'), 'start', '-c', config], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', TSVIP_NATIVE_DIR: nativeDir } });
      const deadline = Date.now() + 20_000;
      while (!daemon.output().stdout.includes('backup -> master') && Date.now() < deadline && daemon.child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(daemon.output().stdout, daemon.output().stderr).toContain('backup -> master');
      const addresses = await lab.runOk(host, ['ip', '-o', '-4', 'addr', 'show', 'dev', host.iface]);
      expect(addresses.stdout).toContain('198.18.0.100/24');
      daemon.kill('SIGTERM');
      expect(await daemon.exited).toEqual({ code: 0, signal: null });
      expect(readdirSync(nativeDir)).toEqual([]);
    } finally {
      await lab.destroy();
    }
  }, 60_000);
});
