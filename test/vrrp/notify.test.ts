import { existsSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createLogger } from '../../src/log.js';
import { NotifyRunner, type NotifyCommands } from '../../src/vrrp/notify.js';
import { killQuietly, readPids, tempDir, waitGone, type TempDir } from '../health/processes.js';

let dir: TempDir;
const leftovers: number[] = [];

beforeEach(() => {
  dir = tempDir('notify');
});

afterEach(() => {
  killQuietly(leftovers.splice(0));
  dir.remove();
});

function runner(notify: NotifyCommands, timeoutMs?: number): { runner: NotifyRunner; logs: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  return {
    runner: new NotifyRunner({ instance: 'VI_1', notify, logger, ...(timeoutMs === undefined ? {} : { timeoutMs }) }),
    logs: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

function envOf(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => /^TSVIP_(INSTANCE|STATE|PRIORITY)=/.test(line))
      .map((line) => line.split('=', 2) as [string, string]),
  );
}

describe('NotifyRunner', () => {
  test("runs the new state's command with TSVIP_INSTANCE, TSVIP_STATE and TSVIP_PRIORITY in its environment", async () => {
    const { runner: notify } = runner({ master: `sh -c 'env > ${dir.file('master.env')}'`, fault: `sh -c 'env > ${dir.file('fault.env')}'` });
    notify.onState('master', 110);
    notify.onState('fault', 80);
    await notify.idle();
    expect(envOf(dir.file('master.env'))).toEqual({ TSVIP_INSTANCE: 'VI_1', TSVIP_STATE: 'MASTER', TSVIP_PRIORITY: '110' });
    expect(envOf(dir.file('fault.env'))).toEqual({ TSVIP_INSTANCE: 'VI_1', TSVIP_STATE: 'FAULT', TSVIP_PRIORITY: '80' });
    // Added to the daemon's environment, not instead of it.
    expect(readFileSync(dir.file('master.env'), 'utf8').split('\n')).toContain(`PATH=${process.env.PATH ?? ''}`);
  });

  test('runs them one after another in the order of the transitions', async () => {
    const log = dir.file('order');
    // The earlier a state comes, the longer its command takes: run side by side, they would finish backwards.
    const append = (seconds: number): string => `sh -c 'sleep ${seconds}; echo $TSVIP_STATE >> ${log}'`;
    const { runner: notify } = runner({ master: append(0.3), backup: append(0.2), fault: append(0.1), stop: append(0) });
    for (const state of ['master', 'backup', 'fault', 'backup', 'stop'] as const) notify.onState(state, 100);
    await notify.idle();
    expect(readFileSync(log, 'utf8').split('\n')).toEqual(['MASTER', 'BACKUP', 'FAULT', 'BACKUP', 'STOP', '']);
  });

  test("'initialize' and states without a command run nothing", async () => {
    const marker = dir.file('ran');
    const { runner: notify } = runner({ master: `touch ${marker}` });
    notify.onState('initialize', 100);
    notify.onState('backup', 100);
    await notify.idle();
    expect(existsSync(marker)).toBe(false);
  });

  test('a hanging notify is killed with its process group at the timeout, and the next one still runs', async () => {
    const pids = dir.file('pids');
    const after = dir.file('after');
    const { runner: notify, logs } = runner(
      { master: `sh -c 'sleep 1000 & echo "$! $$" > ${pids}; wait'`, backup: `sh -c 'echo $TSVIP_STATE > ${after}'` },
      500,
    );
    notify.onState('master', 100);
    notify.onState('backup', 90);
    expect(existsSync(after)).toBe(false); // onState returned without waiting for anything
    await notify.idle();
    leftovers.push(...readPids(pids));
    expect(readFileSync(after, 'utf8')).toBe('BACKUP\n');
    expect(await waitGone(readPids(pids))).toEqual([]);
    expect(logs()).toEqual([
      expect.objectContaining({ level: 40, code: 'ERR_NOTIFY_TIMEOUT', notify: 'master', detail: 'timed out after 500 ms, killed process group' }),
    ]);
  });

  test('a command that fails or does not exist logs ERR_NOTIFY_FAILED with the reason', async () => {
    const { runner: notify, logs } = runner({ master: "sh -c 'echo not today >&2; exit 4'", backup: '/nonexistent/notify-backup' });
    notify.onState('master', 100);
    notify.onState('backup', 100);
    await notify.idle();
    expect(logs()).toEqual([
      expect.objectContaining({ level: 40, code: 'ERR_NOTIFY_FAILED', notify: 'master', detail: 'exit 4 (stderr: not today)', exitCode: 4 }),
      expect.objectContaining({ level: 40, code: 'ERR_NOTIFY_FAILED', notify: 'backup', detail: expect.stringMatching(/^spawn ENOENT/) }),
    ]);
  });

  test('update() swaps the commands for later transitions', async () => {
    const { runner: notify } = runner({ master: `touch ${dir.file('old')}` });
    notify.update({ master: `touch ${dir.file('new')}` });
    notify.onState('master', 100);
    await notify.idle();
    expect([existsSync(dir.file('old')), existsSync(dir.file('new'))]).toEqual([false, true]);
  });

  test('a command line that cannot be split is refused when the runner is made', () => {
    expect(() => runner({ fault: "/bin/notify 'unterminated" })).toThrow(expect.objectContaining({ code: 'ERR_COMMAND_LINE' }));
  });
});
