// Removal of namespaces, synchronous on purpose: the same code runs from lab.destroy(), from an
// 'exit' handler and from SIGINT/SIGTERM handlers, where nothing asynchronous gets to finish.
// The set of live labs is process-wide state, which the rest of the code avoids (it couples callers
// that never meet); signal handlers are process-wide by nature, so this one set is the exception,
// and nothing else reads it.
import { execFileSync } from 'node:child_process';

export interface LiveLab {
  /** Kill the lab's processes and delete its namespaces; must not throw, must be idempotent. */
  teardownSync(): void;
}

const liveLabs = new Set<LiveLab>();
let handlersInstalled = false;
const handledSignals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

export function trackLab(lab: LiveLab): void {
  installHandlersOnce();
  liveLabs.add(lab);
}

export function untrackLab(lab: LiveLab): void {
  liveLabs.delete(lab);
}

/**
 * Kills every process inside each namespace (`ip netns pids` also finds daemons that forked away
 * from the process we spawned, such as keepalived), then deletes the namespace. A namespace with a
 * process left in it outlives `ip netns del`, with its veths, so the kill comes first.
 * Returns what could not be done; a namespace that is already gone is not a problem.
 */
export function removeNamespacesSync(names: readonly string[]): string[] {
  const problems: string[] = [];
  for (const name of names) {
    for (const pid of pidsInNamespaceSync(name)) killQuietly(pid);
    const deleted = ipSync(['netns', 'del', name]);
    if (!deleted.ok && !deleted.stderr.includes('No such file')) problems.push(`ip netns del ${name}: ${deleted.stderr.trim()}`);
  }
  return problems;
}

export function listNamespacesSync(): string {
  const listed = ipSync(['netns', 'list']);
  if (!listed.ok) throw new Error(`lab: ip netns list failed: ${listed.stderr.trim()}`);
  return listed.stdout;
}

export function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === process.pid) return;
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: it has already exited, which is what we wanted.
  }
}

function pidsInNamespaceSync(name: string): number[] {
  const listed = ipSync(['netns', 'pids', name]);
  if (!listed.ok) return [];
  return listed.stdout.split('\n').filter((line) => /^\d+$/.test(line.trim())).map(Number);
}

function ipSync(args: readonly string[]): { ok: boolean; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    return { ok: true, stdout, stderr: '' };
  } catch (error: unknown) {
    const stderr = (error as { stderr?: unknown }).stderr;
    return { ok: false, stdout: '', stderr: typeof stderr === 'string' ? stderr : String(error) };
  }
}

function teardownAllSync(): void {
  for (const lab of [...liveLabs]) lab.teardownSync();
}

function installHandlersOnce(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // A test that forgot destroy(), or a worker that exits on an uncaught error.
  process.on('exit', teardownAllSync);
  for (const signal of handledSignals) process.on(signal, onSignal);
}

function onSignal(signal: NodeJS.Signals): void {
  teardownAllSync();
  process.off(signal, onSignal);
  // A listener stops Node's default "die on this signal". When no one else listens, die the way
  // the signal asked, so the parent sees a signal death; otherwise the other listeners decide.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}
