// `tsvip check` and friends, through the built binary (exit 0 ok, 1 invalid, 2 usage).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runTsvip } from './run-cli.js';
import { invalidCases } from '../config/invalid-cases.js';

const workDir = mkdtempSync(join(tmpdir(), 'tsvip-cli-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function writeConfig(name: string, text: string): string {
  const file = join(workDir, name);
  writeFileSync(file, text);
  return file;
}

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('tsvip version and help', () => {
  test('`tsvip version` prints the package version', async () => {
    const result = await runTsvip(['version']);
    expect(result).toEqual({ code: 0, stdout: `tsvip ${packageVersion}\n`, stderr: '' });
  });

  test('`--help` lists only the commands that work', async () => {
    const result = await runTsvip(['--help']);
    expect(result.code).toBe(0);
    const commands = [...result.stdout.matchAll(/^ {2}(\w+)/gm)].map((m) => m[1]);
    expect(commands).toEqual(['version', 'check', 'start', 'status', 'manifest', 'convert', 'demo', 'help']);
  });
});

describe('tsvip check', () => {
  test('a valid config: exit 0 and a summary with the effective settings', async () => {
    const result = await runTsvip(['check', '-c', 'deploy/vip.yaml']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('deploy/vip.yaml: valid (1 VRRP instance(s), 1 load balancer(s))');
    expect(result.stdout).toContain('vrrp VI_1: eth0 vrid 51 priority 150, VRRPv2 every 1s, preempt, starts backup');
    expect(result.stdout).toContain('  backend master2 10.0.0.52:6443 weight 1');
  });

  test('--json prints the normalized config with defaults', async () => {
    const file = writeConfig('minimal.yaml', 'vrrp:\n  - { name: VI_1, interface: eth0, vrid: 7, vips: [198.18.0.100] }\n');
    const result = await runTsvip(['check', '-c', file, '--json']);
    expect(result.code).toBe(0);
    const config = JSON.parse(result.stdout) as { vrrp: Record<string, unknown>[]; status: unknown };
    expect(config.vrrp[0]).toMatchObject({ priority: 100, version: 2, advertInterval: 1000, preempt: true, vips: ['198.18.0.100/32'] });
    expect(config.status).toEqual({ listen: '127.0.0.1:9901' });
  });

  test('a broken copy of the example: exit 1 and every error as FILE:LINE:COL key.path: message', async () => {
    const example = readFileSync(new URL('../../deploy/vip.yaml', import.meta.url), 'utf8');
    const broken = example.replace('priority: 150', 'priority: 300').replace('vrid: 51', 'vrid: 0').replace('roundrobin', 'random');
    const file = writeConfig('broken.yaml', broken);
    const result = await runTsvip(['check', '-c', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `${file}:12:11 vrrp[0].vrid: must be an integer from 1 to 255 (got 0)`,
      `${file}:13:15 vrrp[0].priority: must be an integer from 1 to 255 (got 300)`,
      `${file}:32:14 loadBalancers[0].balance: must be roundrobin or leastconn (got "random")`,
    ]);
  });

  test('--json on an invalid file: exit 1 and every error as {file, line, column, path, message} on stdout', async () => {
    const file = writeConfig(
      'broken-json.yaml',
      [
        'vrrp:',
        '  - name: VI_1',
        '    interface: eth0',
        '    vrid: 300',
        '    advertInterval: 1500ms',
        '    vips: [198.18.0.100]',
        '    track:',
        '      - { type: backends, loadBalancer: apiserver }',
        '',
      ].join('\n'),
    );
    const result = await runTsvip(['check', '-c', file, '--json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      errors: [
        { file, line: 4, column: 11, path: 'vrrp[0].vrid', message: 'must be an integer from 1 to 255 (got 300)' },
        { file, line: 5, column: 21, path: 'vrrp[0].advertInterval', message: 'VRRPv2 carries the interval in whole seconds: must be 1s to 255s (got 1500ms)' },
        { file, line: 8, column: 41, path: 'vrrp[0].track[0].loadBalancer', message: 'no load balancer is named "apiserver"; no loadBalancers are defined' },
      ],
    });
  });

  // The table's files with several problems, schema and meaning mixed: the text and the JSON say the same.
  const severalProblems = invalidCases.filter((c) => c.errors.length >= 3).map((c, i) => ({ ...c, file: `several-${i}.yaml` }));
  test('the table holds several files with three or more problems', () => {
    expect(severalProblems.length).toBeGreaterThanOrEqual(4);
  });
  test.each(severalProblems)('check and check --json report every problem of: $name', async ({ yaml, errors, file: name }) => {
    const file = writeConfig(name, yaml);
    const text = await runTsvip(['check', '-c', file]);
    expect(text.code).toBe(1);
    expect(text.stderr.trimEnd().split('\n')).toEqual(errors.map((line) => `${file}:${line}`));
    const json = await runTsvip(['check', '-c', file, '--json']);
    expect(json.code).toBe(1);
    const expected = errors.map((line) => {
      const [, at = '', path = '', message = ''] = /^(\d+:\d+) (\S+): (.*)$/s.exec(line) ?? [];
      const [row, column] = at.split(':').map(Number);
      return { file, line: row, column, path, message };
    });
    expect(JSON.parse(json.stdout)).toEqual({ ok: false, errors: expected });
  });

  test('--json on a YAML syntax error and on a missing file: exit 1 and the reason as JSON', async () => {
    const syntax = writeConfig('syntax-json.yaml', 'vrrp:\n  - name: "VI_1\n');
    const bad = await runTsvip(['check', '-c', syntax, '--json']);
    expect(bad.code).toBe(1);
    const parsed = JSON.parse(bad.stdout) as { ok: boolean; errors: { file: string; line: number; column: number; path: string; message: string }[] };
    expect(parsed.ok).toBe(false);
    expect(parsed.errors[0]).toMatchObject({ file: syntax, line: 3, column: 1, path: 'yaml' });
    expect(parsed.errors[0]?.message).toMatch(/^syntax error: Missing closing "quote/);

    const missing = join(workDir, 'absent.yaml');
    const absent = await runTsvip(['check', '-c', missing, '--json']);
    expect(absent.code).toBe(1);
    expect(JSON.parse(absent.stdout)).toEqual({ ok: false, errors: [{ file: missing, line: null, column: null, path: null, message: 'no such file' }] });
  });

  test('a warning goes to stderr and the check passes', async () => {
    const file = writeConfig('long-pass.yaml', 'vrrp:\n  - { name: VI_1, interface: eth0, vrid: 7, vips: [198.18.0.100], authPass: longer-than-8 }\n');
    const result = await runTsvip(['check', '-c', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`${file}:2:77 vrrp[0].authPass: warning: is 13 bytes long: only the first 8 are sent, as keepalived does\n`);
  });

  test('a YAML syntax error: exit 1 with its position', async () => {
    const file = writeConfig('syntax.yaml', 'vrrp:\n  - name: "VI_1\n');
    const result = await runTsvip(['check', '-c', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^${file}:3:1 yaml: syntax error: Missing closing "quote`));
  });

  test('a missing file: exit 1 and says so', async () => {
    const result = await runTsvip(['check', '-c', join(workDir, 'nope.yaml')]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `${join(workDir, 'nope.yaml')}: no such file\n` });
  });

  test('a directory instead of a file: exit 1 and says so', async () => {
    const result = await runTsvip(['check', '-c', workDir]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `${workDir}: is a directory, not a file\n` });
  });
});

describe('usage errors exit 2', () => {
  test.each([
    [['check'], "error: required option '-c, --config <file>' not specified"],
    [['check', '-c'], "error: option '-c, --config <file>' argument missing"],
    [['check', '-c', 'deploy/vip.yaml', '--bogus'], "error: unknown option '--bogus'"],
    [['frobnicate'], "error: unknown command 'frobnicate'"],
  ])('tsvip %j', async (args, message) => {
    const result = await runTsvip(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  test('no command at all prints the usage and exits 2', async () => {
    const result = await runTsvip([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: tsvip');
  });
});
