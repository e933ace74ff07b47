// tsvip as the benchmark runs it: the way an operator does (`node bin/tsvip start -c vip.yaml`, README
// "`tsvip start`"), from the same instance spec that keepalived gets, in a process group of its own so that
// `kill -9` is the same crash for both (test/lab/keepalived.ts says why that matters for keepalived).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { spawnDaemonGroup } from '../test/lab/keepalived.js';
import type { DaemonGroup, KeepalivedSpec } from '../test/lab/keepalived.js';
import type { Lab, LabHost } from '../src/lab/lab.js';
import { TSVIP_NODE_FLAGS } from '../src/lab/tsvip-daemon.js';

const execFileAsync = promisify(execFile);

/** The repository root: where package.json is, above this file in the source tree or in dist-bench/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'bin', 'tsvip'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('bench: cannot find the repository root (package.json and bin/tsvip)');
    dir = parent;
  }
  return dir;
}

/** The commit a benchmark measured, short, and whether tracked files had uncommitted changes. */
export async function commitLabel(): Promise<string> {
  const git = async (args: readonly string[]) => (await execFileAsync('git', [...args], { cwd: repoRoot(), encoding: 'utf8' })).stdout.trim();
  const dirty = (await git(['status', '--porcelain', '--untracked-files=no'])) !== '';
  return `${await git(['rev-parse', '--short', 'HEAD'])}${dirty ? ' (with uncommitted changes)' : ''}`;
}

export type TsvipAvailability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Whether `tsvip start` exists yet: `tsvip --help` lists it once it is written (main.ts registers no stubs). */
export async function tsvipStartAvailable(): Promise<TsvipAvailability> {
  const bin = join(repoRoot(), 'bin', 'tsvip');
  try {
    const { stdout } = await execFileAsync(process.execPath, [bin, '--help'], { encoding: 'utf8', timeout: 20_000 });
    if (/^\s+start\b/m.test(stdout)) return { ok: true };
    return { ok: false, reason: '`node bin/tsvip --help` does not list `start`' };
  } catch (error: unknown) {
    return { ok: false, reason: `\`node bin/tsvip --help\` failed (is dist/ built?): ${String(error).split('\n')[0] ?? ''}` };
  }
}

/**
 * What tsvip runs beside the VRRP instance, as on a control-plane host: a load balancer on `vip:PORT`
 * to every host's service port (health-checked, with a `backends` tracker) and the status server.
 */
export interface TsvipExtras {
  readonly loadBalancer: { readonly port: number; readonly backends: readonly string[] };
  readonly statusListen: string;
}

/** How tsvip is run: `node bin/tsvip` (the npm install) or the single executable out/tsvip. */
export type TsvipForm = 'npm' | 'sea';

export function tsvipProgram(form: TsvipForm): readonly string[] {
  return form === 'sea' ? [join(repoRoot(), 'out', 'tsvip')] : [process.execPath, ...TSVIP_NODE_FLAGS, join(repoRoot(), 'bin', 'tsvip')];
}

/** tsvip's own keys beyond what keepalived gets from the spec. */
export interface TsvipTuning {
  /** `startupDelay` (keepalived's vrrp_startup_delay), in ms; none when absent. */
  readonly startupDelayMs?: number;
}

/** vip.yaml for the instance keepalived would run from the same spec. */
export function tsvipConfig(spec: KeepalivedSpec, extras?: TsvipExtras, tuning: TsvipTuning = {}): string {
  const instance: Record<string, unknown> = {
    name: spec.name,
    interface: spec.interface,
    vrid: spec.vrid,
    priority: spec.priority,
    version: spec.version,
    advertInterval: `${spec.advertIntervalMs}ms`,
    initialState: spec.state === 'MASTER' ? 'master' : 'backup',
    preempt: spec.nopreempt !== true,
    ...(spec.authPass === undefined ? {} : { authPass: spec.authPass }),
    ...(spec.unicast === undefined ? {} : { unicast: { source: spec.unicast.source, peers: [...spec.unicast.peers] } }),
    vips: [...spec.vips],
    ...(tuning.startupDelayMs === undefined ? {} : { startupDelay: `${tuning.startupDelayMs}ms` }),
    ...(extras === undefined ? {} : { track: [{ type: 'backends', loadBalancer: 'apiserver', weight: -60 }] }),
  };
  if (extras === undefined) return `# Written by bench/tsvip.ts\n${stringify({ vrrp: [instance] })}`;
  const { port, backends } = extras.loadBalancer;
  const loadBalancer = {
    name: 'apiserver',
    bind: `vip:${port}`,
    backends: backends.map((address, i) => ({ name: `b${i + 1}`, address })),
    healthCheck: { type: 'tcp', interval: '1s', timeout: '500ms' },
  };
  return `# Written by bench/tsvip.ts\n${stringify({ vrrp: [instance], loadBalancers: [loadBalancer], status: { listen: extras.statusListen } })}`;
}

export interface TsvipHandle extends DaemonGroup {
  readonly host: LabHost;
  readonly configPath: string;
}

export interface StartTsvipOptions {
  readonly workDir: string;
  readonly form?: TsvipForm;
  readonly extras?: TsvipExtras;
  readonly tuning?: TsvipTuning;
}

export async function startTsvip(lab: Lab, host: LabHost, spec: KeepalivedSpec, options: StartTsvipOptions): Promise<TsvipHandle> {
  const dir = await mkdtemp(join(options.workDir, `tsvip-${host.name}-`));
  const configPath = join(dir, 'vip.yaml');
  await writeFile(configPath, tsvipConfig(spec, options.extras, options.tuning));
  // info, not debug: a log line per packet would be work keepalived is not asked to do.
  const group = spawnDaemonGroup(lab, host, [...tsvipProgram(options.form ?? 'npm'), 'start', '-c', configPath, '--log-level', 'info']);
  return { ...group, host, configPath };
}
