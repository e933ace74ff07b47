// `tsvip manifest pod|systemd` through the built binary: exit codes (0 ok, 1 invalid
// config, 2 usage), the checked config, and the generated examples in deploy/ kept current.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, test } from 'vitest';
import { REPO_ROOT, TSVIP_BIN, runTsvip } from '../cli/run-cli.js';

const workDir = mkdtempSync(join(tmpdir(), 'tsvip-manifest-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** How deploy/'s examples are made; their first line repeats it. Run from the repository root. */
const EXAMPLES = [
  { file: 'deploy/tsvip.pod.yaml', args: ['manifest', 'pod', '-c', 'deploy/vip.yaml', '--host-config', '/etc/tsvip/vip.yaml'] },
  { file: 'deploy/tsvip.service', args: ['manifest', 'systemd', '-c', 'deploy/vip.yaml', '--host-config', '/etc/tsvip/vip.yaml', '--exec', '/usr/local/bin/tsvip'] },
] as const;

describe('deploy/ examples', () => {
  test.each(EXAMPLES)('$file is what `tsvip manifest` prints for deploy/vip.yaml today', async ({ file, args }) => {
    const result = await runTsvip(args);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const committed = readFileSync(join(REPO_ROOT, file), 'utf8');
    // When this fails, regenerate from the repository root: node bin/tsvip <args> > <file>
    expect(committed, `regenerate: node bin/tsvip ${args.join(' ')} > ${file}`).toBe(result.stdout);
    expect(committed.split('\n')[0]).toContain(`\`tsvip ${args.join(' ')}\``);
  });
});

describe('tsvip manifest pod', () => {
  test('defaults: the absolute path of -c as the host path, the image of this version', async () => {
    const result = await runTsvip(['manifest', 'pod', '-c', 'deploy/vip.yaml']);
    expect(result.code).toBe(0);
    const pod = parse(result.stdout) as { spec: { containers: { image: string }[]; volumes: { hostPath: { path: string } }[] } };
    expect(pod.spec.containers[0]?.image).toBe(`ghcr.io/tsvip/tsvip:${packageVersion}`);
    expect(pod.spec.volumes[0]?.hostPath.path).toBe(resolve(REPO_ROOT, 'deploy/vip.yaml'));
  });

  test('--image', async () => {
    const result = await runTsvip(['manifest', 'pod', '-c', 'deploy/vip.yaml', '--image', 'registry.example/tsvip@sha256:0123']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('      image: registry.example/tsvip@sha256:0123\n');
  });
});

describe('tsvip manifest systemd', () => {
  test("defaults: ExecStart runs this installation's bin/tsvip with the absolute config path", async () => {
    const result = await runTsvip(['manifest', 'systemd', '-c', 'deploy/vip.yaml']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`\nExecStart=${TSVIP_BIN} start -c ${resolve(REPO_ROOT, 'deploy/vip.yaml')}\n`);
  });
});

describe('a config that does not pass `check`', () => {
  test.each(['pod', 'systemd'])('%s: exit 1, nothing on stdout, the same errors as `check`', async (kind) => {
    const example = readFileSync(join(REPO_ROOT, 'deploy/vip.yaml'), 'utf8');
    const file = join(workDir, 'broken.yaml');
    writeFileSync(file, example.replace('priority: 150', 'priority: 300').replace('vrid: 51', 'vrid: 0'));
    const check = await runTsvip(['check', '-c', file]);
    const result = await runTsvip(['manifest', kind, '-c', file]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: check.stderr });
    expect(result.stderr).toContain(`${file}:12:11 vrrp[0].vrid: must be an integer from 1 to 255 (got 0)`);
  });

  test('a missing file: exit 1 and says so', async () => {
    const result = await runTsvip(['manifest', 'pod', '-c', join(workDir, 'absent.yaml')]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `${join(workDir, 'absent.yaml')}: no such file\n` });
  });
});

describe('usage errors: exit 2', () => {
  test.each([
    ['an unknown kind', ['manifest', 'deployment', '-c', 'deploy/vip.yaml'], /value 'deployment' is invalid for argument 'kind'. Allowed choices are pod, systemd/],
    ['no kind', ['manifest', '-c', 'deploy/vip.yaml'], /missing required argument 'kind'/],
    ['no config', ['manifest', 'pod'], /required option '-c, --config <file>' not specified/],
    ['--image for a unit', ['manifest', 'systemd', '-c', 'deploy/vip.yaml', '--image', 'x'], /--image is for `manifest pod`/],
    ['--exec for a pod', ['manifest', 'pod', '-c', 'deploy/vip.yaml', '--exec', '/usr/bin/tsvip'], /--exec is for `manifest systemd`/],
    ['a relative --exec', ['manifest', 'systemd', '-c', 'deploy/vip.yaml', '--exec', 'bin/tsvip'], /--exec must be an absolute path/],
    ['a relative --host-config', ['manifest', 'pod', '-c', 'deploy/vip.yaml', '--host-config', 'vip.yaml'], /--host-config must be an absolute path/],
  ])('%s', async (_, args, message) => {
    const result = await runTsvip(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });
});

describe('remarks go to stderr, the manifest to stdout', () => {
  test('a check script in a pod: named with its key path', async () => {
    const file = join(workDir, 'script.yaml');
    writeFileSync(file, 'vrrp:\n  - { name: VI_1, interface: eth0, vrid: 7, vips: [198.18.0.100], track: [{ type: script, command: /etc/tsvip/check.sh }] }\n');
    const result = await runTsvip(['manifest', 'pod', '-c', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`${file}: vrrp[0].track[0].command: runs "/etc/tsvip/check.sh" inside the container: it and whatever it calls must be in the image (or mount them)\n`);
    expect(result.stdout).toMatch(/^# tsvip static pod/);
  });
});
