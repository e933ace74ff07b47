// `tsvip status` against a status server (the real one, serving a sample daemon's snapshot) and
// against nothing: the readable table, the JSON, credentials in the URL, and the errors a user meets.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pino } from 'pino';
import { loadStatusCredentials } from '../../src/status/basic-auth.js';
import { startStatusServer, type StatusServer } from '../../src/status/server.js';
import { dualStackSnapshot, sampleSnapshot } from '../status/sample-snapshot.js';
import { runTsvip } from './run-cli.js';
import { freePort } from '../free-port.js';

const logger = pino({ level: 'silent' });


describe('tsvip status', () => {
  let open: StatusServer;
  let guarded: StatusServer;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsvip-status-cli-'));
    await writeFile(join(dir, 'password'), 'hunter2\n');
    const credentials = loadStatusCredentials({ user: 'admin', passwordFile: join(dir, 'password') });
    open = await startStatusServer({ listen: { host: '127.0.0.1', port: 0 }, logger, ready: () => true, snapshot: sampleSnapshot, credentials: () => null });
    guarded = await startStatusServer({ listen: { host: '127.0.0.1', port: 0 }, logger, ready: () => true, snapshot: sampleSnapshot, credentials: () => credentials });
  });
  afterAll(async () => {
    await open.close();
    await guarded.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('prints who is master, the trackers and a backend table', async () => {
    const result = await runTsvip(['status', '--url', `http://127.0.0.1:${open.address.port}`]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('tsvip 0.1.0 on master1 (10.0.0.51), pid 4242, up 1 h 5 min, ready');
    expect(lines).toContainEqual(expect.stringMatching(/^INSTANCE +STATE +PRIORITY +MASTER +VIPS/));
    expect(lines).toContainEqual(expect.stringMatching(/^VI_1 +MASTER +150 +10\.0\.0\.51 +10\.0\.0\.50\/24 +1 h 4 min +3896\/2 +3 +2$/));
    expect(lines).toContainEqual(expect.stringMatching(/^VI_1 +backends:apiserver \(backends\) +up +-60 +2 of 3 backends up$/));
    expect(lines).toContainEqual('load balancer apiserver: UP, bind 0.0.0.0:8443, listening on 0.0.0.0:8443, roundrobin, 2 of 3 backends up');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}master2 +10\.0\.0\.52:6443 +DOWN +1 +0 +0 +1 +0 +0 B +0 B +5 min 0 s +connect ECONNREFUSED$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}master1 +10\.0\.0\.51:6443 +UP +1 +3 +30 +0 +1 +2\.9 KiB +146\.5 KiB/));
    expect(lines).toContainEqual('  1 h 4 min ago  VI_1  BACKUP -> MASTER  (master down timer, priority 150)');
  });

  test('--json prints /status as it came', async () => {
    const result = await runTsvip(['status', '--json', '--url', `http://127.0.0.1:${open.address.port}`]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(sampleSnapshot());
  });

  test('credentials for status.auth go in the URL; none or wrong ones are a clear error', async () => {
    const port = guarded.address.port;
    const right = await runTsvip(['status', '--url', `http://admin:hunter2@127.0.0.1:${port}`]);
    expect(right.code).toBe(0);
    expect(right.stdout).toContain('VI_1');
    const none = await runTsvip(['status', '--url', `http://127.0.0.1:${port}`]);
    expect(none).toEqual({ code: 1, stdout: '', stderr: `tsvip status: http://127.0.0.1:${port} wants credentials (status.auth): put them in the URL, --url http://USER:PASSWORD@127.0.0.1:${port}\n` });
    const wrong = await runTsvip(['status', '--url', `http://admin:nope@127.0.0.1:${port}`]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('and refused the ones given');
  });

  test('no daemon answering is a clear error, exit 1', async () => {
    const port = await freePort();
    const result = await runTsvip(['status', '--url', `http://127.0.0.1:${port}`]);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `tsvip status: no tsvip answers at http://127.0.0.1:${port} (ECONNREFUSED). Is it running, and is status.listen this address? Give it with --url.\n`,
    });
  });

  test('a URL that is not one is a usage error', async () => {
    const result = await runTsvip(['status', '--url', '127.0.0.1:9901']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('tsvip status: --url 127.0.0.1:9901 is not an http:// URL (the status.listen address, e.g. http://127.0.0.1:9901)\n');
  });

  test('-c reads status.listen and status.auth from the daemon\'s vip.yaml (a wildcard listen is asked on loopback)', async () => {
    const config = (listen: string, passwordFile?: string): string =>
      `loadBalancers:\n  - name: api\n    bind: 127.0.0.1:18443\n    backends: [{ name: a, address: 127.0.0.1:6443 }]\nstatus:\n  listen: ${listen}\n` +
      (passwordFile === undefined ? '' : `  auth: { user: admin, passwordFile: ${passwordFile} }\n`);
    await writeFile(join(dir, 'guarded.yaml'), config(`0.0.0.0:${guarded.address.port}`, join(dir, 'password')));
    const right = await runTsvip(['status', '-c', join(dir, 'guarded.yaml')]);
    expect(right).toMatchObject({ code: 0, stderr: '' });
    expect(right.stdout).toContain('VI_1');
    await writeFile(join(dir, 'other-password'), 'not it\n');
    await writeFile(join(dir, 'stale.yaml'), config(`127.0.0.1:${guarded.address.port}`, join(dir, 'other-password')));
    const stale = await runTsvip(['status', '-c', join(dir, 'stale.yaml')]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`and refused the ones given: status.auth in ${join(dir, 'stale.yaml')} does not match the daemon's`);
  });

  test('-c with an invalid config prints check\'s errors; --url with -c is a usage error', async () => {
    await writeFile(join(dir, 'broken.yaml'), 'status:\n  listen: nowhere\n');
    const broken = await runTsvip(['status', '-c', join(dir, 'broken.yaml')]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/broken\.yaml:2:\d+ status\.listen: /);
    const both = await runTsvip(['status', '-c', join(dir, 'broken.yaml'), '--url', 'http://127.0.0.1:9901']);
    expect(both).toMatchObject({ code: 2, stderr: 'tsvip status: give --url or -c, not both\n' });
  });
});

describe('tsvip status over IPv6 (status.listen "[::1]:9901")', () => {
  let server: StatusServer;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsvip-status-cli6-'));
    server = await startStatusServer({ listen: { host: '::1', port: 0 }, logger, ready: () => true, snapshot: dualStackSnapshot, credentials: () => null });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('--url http://[::1]:PORT: the IPv6 instance with its link-local own and master addresses, IPv6 VIPs and [address]:port', async () => {
    const result = await runTsvip(['status', '--url', `http://[::1]:${server.address.port}`]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('tsvip 0.1.0 on master1 (10.0.0.51, fe80::c6ff:fe12:1), pid 4242, up 1 h 5 min, ready');
    expect(lines).toContainEqual(expect.stringMatching(/^VI_1 +MASTER +150 +10\.0\.0\.51 +10\.0\.0\.50\/24 +1 h 4 min/));
    expect(lines).toContainEqual(expect.stringMatching(/^VI_6 +BACKUP +100 +fe80::c6ff:fe12:2 +2001:db8::50\/128 +1 h 4 min +0\/2950 +0 +1$/));
    expect(lines).toContainEqual('load balancer apiserver6: UP, bind [::]:8443, listening on [::]:8443, roundrobin, 2 of 3 backends up');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}master2 +\[2001:db8::52\]:6443 +DOWN /));
  });

  test('-c with a "[::]:PORT" listen asks [::1], and says so when nothing answers', async () => {
    const config = (listen: string): string => `loadBalancers:\n  - name: api\n    bind: 127.0.0.1:18443\n    backends: [{ name: a, address: 127.0.0.1:6443 }]\nstatus:\n  listen: "${listen}"\n`;
    await writeFile(join(dir, 'wildcard.yaml'), config(`[::]:${server.address.port}`));
    const answered = await runTsvip(['status', '-c', join(dir, 'wildcard.yaml')]);
    expect(answered).toMatchObject({ code: 0, stderr: '' });
    expect(answered.stdout).toContain('VI_6');
    const port = await freePort();
    await writeFile(join(dir, 'nobody.yaml'), config(`[0:0::0]:${port}`));
    const nobody = await runTsvip(['status', '-c', join(dir, 'nobody.yaml')]);
    expect(nobody).toMatchObject({ code: 1, stderr: `tsvip status: no tsvip answers at http://[::1]:${port} (ECONNREFUSED). Is it running, and is status.listen this address? Give it with --url.\n` });
  });
});
