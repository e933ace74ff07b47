// Where tsvip's CPU time goes under wrk: a V8 .cpuprofile (node --cpu-prof) reduced to self time per
// function and per kind of code. Self time: the samples whose top frame is that function. "native":
// frames without a script, that is Node's C++ bindings (writeBuffer, whose time is mostly the write(2)
// syscall and the kernel's TCP work under it) and V8's "(program)"; "(garbage collector)" is GC.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export type CodeKind = 'tsvip' | 'node net/stream' | 'node other' | 'dependencies' | 'native' | 'garbage collector';

export interface ProfileSummary {
  /** Sampled time not idle, ms. */
  readonly busyMs: number;
  readonly idleMs: number;
  /** Functions by self time, largest first: share of busy time. */
  readonly top: readonly { readonly name: string; readonly where: string; readonly kind: CodeKind; readonly share: number }[];
  readonly byKind: Readonly<Record<CodeKind, number>>;
}

/** One .cpuprofile per thread: the main thread's and each load balancer data path's (a worker thread). */
export async function findProfiles(dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir} (did tsvip exit cleanly?)`);
  return files.map((name) => join(dir, name));
}

/**
 * The threads' profiles added up. Only the samples from `fromMs` to `toMs` after each profile started
 * (which is about when the process started): the load, without start-up and shutdown.
 */
export async function summarizeProfile(files: readonly string[], window: { readonly fromMs: number; readonly toMs: number }, topCount = 12): Promise<ProfileSummary> {
  let idleUs = 0;
  const byFunction = new Map<string, { name: string; where: string; kind: CodeKind; us: number }>();
  const byKind: Record<CodeKind, number> = { tsvip: 0, 'node net/stream': 0, 'node other': 0, dependencies: 0, 'native': 0, 'garbage collector': 0 };
  for (const file of files) {
    const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
    idleUs += addSelfTimes(profile, window, byFunction, byKind);
  }
  const busyUs = Object.values(byKind).reduce((sum, us) => sum + us, 0);
  const share = (us: number) => (busyUs === 0 ? 0 : us / busyUs);
  return {
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    top: [...byFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, topCount)
      .map((entry) => ({ name: entry.name, where: entry.where, kind: entry.kind, share: share(entry.us) })),
    byKind: Object.fromEntries(Object.entries(byKind).map(([kind, us]) => [kind, share(us)])) as Record<CodeKind, number>,
  };
}

/** Adds one profile's self time in the window to byFunction and byKind; returns its idle time, µs. */
function addSelfTimes(
  profile: CpuProfile,
  window: { readonly fromMs: number; readonly toMs: number },
  byFunction: Map<string, { name: string; where: string; kind: CodeKind; us: number }>,
  byKind: Record<CodeKind, number>,
): number {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  let atUs = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    atUs += delta;
    if (atUs >= window.fromMs * 1000 && atUs <= window.toMs * 1000) self.set(id, (self.get(id) ?? 0) + delta);
  });
  let idleUs = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const kind = kindOf(frame.functionName, frame.url);
    byKind[kind] += us;
    const where = shortUrl(frame.url) + (frame.url === '' ? '' : `:${frame.lineNumber + 1}`);
    const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
    const key = `${name} ${where}`;
    const entry = byFunction.get(key) ?? { name, where, kind, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
  }
  return idleUs;
}

/** Node's sockets: net, the stream machinery and the EventEmitter that delivers their events. */
const netStreamModules = ['node:net', 'node:stream', 'node:events', 'node:internal/net', 'node:internal/stream_base_commons', 'node:internal/streams', 'node:internal/event_target'];

function kindOf(functionName: string, url: string): CodeKind {
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (url === '') return 'native';
  if (url.includes('/node_modules/')) return 'dependencies';
  if (url.startsWith('node:')) return netStreamModules.some((module) => url === module || url.startsWith(`${module}/`)) ? 'node net/stream' : 'node other';
  return 'tsvip';
}

/** "file:///work/main/dist/lb/engine/engine.js" -> "dist/lb/engine/engine.js"; node: URLs as they are. */
function shortUrl(url: string): string {
  const dist = url.lastIndexOf('/dist/');
  if (dist !== -1) return url.slice(dist + 1);
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) return url.slice(modules + 1);
  return url;
}
