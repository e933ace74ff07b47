import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { describeRun, runCommand, runSucceeded } from '../../src/command/run-command.js';
import { alive, killQuietly, readPids, tempDir, waitGone, type TempDir } from '../health/processes.js';

let dir: TempDir;
const leftovers: number[] = [];

beforeEach(() => {
  dir = tempDir('run');
});

afterEach(() => {
  killQuietly(leftovers.splice(0));
  dir.remove();
});

/** sh that starts a `sleep 1000` grandchild, writes "grandchild-pid own-pid" to `file`, then waits. */
function treeScript(file: string): string[] {
  return ['sh', '-c', `sleep 1000 & echo "$! $$" > ${file}.tmp && mv ${file}.tmp ${file}; wait`];
}

async function untilExists(file: string): Promise<void> {
  for (let i = 0; i < 250 && !existsSync(file); i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('runCommand', () => {
  test('exit codes come back; 0 is success', async () => {
    const ok = await runCommand({ argv: ['true'], timeoutMs: 10_000 });
    const three = await runCommand({ argv: ['sh', '-c', 'exit 3'], timeoutMs: 10_000 });
    expect(runSucceeded(ok)).toBe(true);
    expect(ok).toMatchObject({ exitCode: 0, timedOut: false, aborted: false, spawnError: null });
    expect(runSucceeded(three)).toBe(false);
    expect(describeRun(three, { timeoutMs: 10_000 })).toBe('exit 3');
  });

  test('a program that does not exist is a failed result with the spawn error, not an exception', async () => {
    const result = await runCommand({ argv: ['/nonexistent/tsvip-check'], timeoutMs: 10_000 });
    expect(result.spawnError?.code).toBe('ENOENT');
    expect(runSucceeded(result)).toBe(false);
    expect(describeRun(result, { timeoutMs: 10_000 })).toMatch(/^spawn ENOENT: /);
  });

  test('extra env is added to the environment; stderr tail is kept and named in the detail', async () => {
    const result = await runCommand({ argv: ['sh', '-c', 'printf "%s %s\\n" "$TSVIP_X" "$HOME" >&2; exit 1'], env: { TSVIP_X: 'hello' }, timeoutMs: 10_000 });
    expect(result.stderrTail).toBe(`hello ${process.env.HOME ?? ''}\n`);
    expect(describeRun(result, { timeoutMs: 10_000 })).toBe(`exit 1 (stderr: hello ${process.env.HOME ?? ''})`);
  });

  test('a chatty program is drained (5 MB on stdout and 1 MB on stderr) and only the tail of stderr is kept', async () => {
    const result = await runCommand({
      argv: ['sh', '-c', 'head -c 5000000 /dev/zero; head -c 1000000 /dev/zero | tr "\\0" x >&2; echo END >&2'],
      timeoutMs: 20_000,
    });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    expect(result.stderrTail).toBe(`${'x'.repeat(4092)}END\n`);
  });

  test('on timeout the whole process group is killed: the program and the grandchild it started', async () => {
    const file = dir.file('pids');
    const run = runCommand({ argv: treeScript(file), timeoutMs: 1500 });
    await untilExists(file);
    const pids = readPids(file);
    leftovers.push(...pids);
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);
    const result = await run;
    expect(result).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    expect(describeRun(result, { timeoutMs: 1500 })).toBe('timed out after 1500 ms, killed process group');
    expect(await waitGone(pids)).toEqual([]);
  });

  test('aborting the signal kills the whole process group too', async () => {
    const file = dir.file('pids');
    const controller = new AbortController();
    const run = runCommand({ argv: treeScript(file), timeoutMs: 60_000, signal: controller.signal });
    await untilExists(file);
    const pids = readPids(file);
    leftovers.push(...pids);
    controller.abort();
    const result = await run;
    expect(result).toMatchObject({ aborted: true, timedOut: false });
    expect(await waitGone(pids)).toEqual([]);
  });

  test('a program that exits leaving a child holding its stderr open still comes back (no timeout)', async () => {
    const file = dir.file('pid');
    const result = await runCommand({ argv: ['sh', '-c', `sleep 1000 & echo $! > ${file}; exit 0`], timeoutMs: 60_000 });
    leftovers.push(...readPids(file));
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, aborted: false });
    // Only a timeout kills the group; a program that finished keeps what it started in the background.
    expect(readPids(file).every(alive)).toBe(true);
  });

  test('an already aborted signal starts nothing', async () => {
    const file = dir.file('ran');
    const result = await runCommand({ argv: ['touch', file], timeoutMs: 10_000, signal: AbortSignal.abort() });
    expect(result.aborted).toBe(true);
    expect(existsSync(file)).toBe(false);
  });
});
