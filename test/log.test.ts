import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { createLogger, partLogger } from '../src/log.js';
import { ConfigError, TsvipError } from '../src/errors.js';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('logs', () => {
  test('are JSON lines, one child logger per part carrying its fields', () => {
    const out = capture();
    const root = createLogger({ level: 'info', destination: out.stream });
    partLogger(root, 'vrrp', { instance: 'VI_1' }).info({ from: 'backup', to: 'master' }, 'backup -> master');
    partLogger(root, 'lb').debug('not at info level');
    expect(out.lines()).toEqual([expect.objectContaining({ level: 30, part: 'vrrp', instance: 'VI_1', from: 'backup', to: 'master', msg: 'backup -> master' })]);
  });

  test('errors carry a stable code and their cause', () => {
    const cause = new Error('EACCES');
    const error = new TsvipError('ERR_CA_FILE', 'something failed', { cause });
    expect(error).toMatchObject({ code: 'ERR_CA_FILE', cause, name: 'TsvipError' });
    const configError = new ConfigError([{ file: 'vip.yaml', line: 3, col: 9, keyPath: 'vrrp[0].vrid', message: 'is required' }]);
    expect(configError).toMatchObject({ code: 'ERR_CONFIG_INVALID', name: 'ConfigError', message: 'vip.yaml:3:9 vrrp[0].vrid: is required' });
  });
});
