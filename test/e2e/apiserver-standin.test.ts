// The kube-apiserver stand-in the load balancer's lab tests and the demo put behind tsvip, checked
// over the lab's bridge with curl: HTTPS with a self-signed certificate, /readyz, /name, a watch
// that streams, and readiness switched off and on.
import { beforeAll, describe, expect, test } from 'vitest';
import { startApiserver, type ApiserverHandle } from '../../src/lab/apiserver.js';
import { useLab } from '../lab/index.js';
import { requireTool } from '../lab/system-tools.js';

describe('the apiserver stand-in in a lab host', () => {
  const lab = useLab({ hosts: 2 });
  const port = 6443;
  let apiserver: ApiserverHandle | undefined;

  beforeAll(async () => {
    apiserver = await startApiserver(lab(), lab().host(1), { port });
  });

  const url = (path: string): string => `https://${lab().host(1).address}:${port}${path}`;
  const curl = (args: readonly string[]) => lab().run(lab().host(2), [requireTool('curl', 'curl'), '--silent', '--show-error', '--insecure', ...args]);

  test('h2 gets "ok" from https://198.18.0.1:6443/readyz and /healthz', async () => {
    expect(lab().host(1).address).toBe('198.18.0.1');
    for (const path of ['/readyz', '/healthz']) {
      expect(await curl(['--write-out', ' %{http_code}', url(path)])).toMatchObject({ code: 0, stdout: 'ok 200' });
    }
  });

  test('/name answers with the host name; other paths are 404', async () => {
    expect((await curl([url('/name')])).stdout).toBe(`${lab().host(1).name}\n`);
    expect((await curl(['--output', '/dev/null', '--write-out', '%{http_code}', url('/api/v1/pods')])).stdout).toBe('404');
  });

  test('the certificate is self-signed: without --insecure curl refuses it', async () => {
    const result = await lab().run(lab().host(2), [requireTool('curl', 'curl'), '--silent', url('/readyz')]);
    expect(result.code).toBe(60); // CURLE_PEER_FAILED_VERIFICATION
  });

  test('/watch streams numbered lines and does not end', async () => {
    const watch = lab().spawn(lab().host(2), [requireTool('curl', 'curl'), '--silent', '--show-error', '--insecure', '--no-buffer', url('/watch')]);
    let exited = false;
    void watch.exited.then(() => (exited = true));
    const lines = (): string[] => watch.output().stdout.split('\n').slice(0, -1); // whole lines only
    try {
      // Three lines come in 1.5 s; 15 s only to catch a hang.
      await expect.poll(() => lines().length, { timeout: 15_000, interval: 50 }).toBeGreaterThanOrEqual(3);
      // Three lines in, the stream is still open: curl is still reading it.
      expect(exited).toBe(false);
      expect(lines().slice(0, 3).map((line) => JSON.parse(line) as unknown)).toEqual([0, 1, 2].map((n) => ({ type: 'BOOKMARK', server: lab().host(1).name, n })));
    } finally {
      watch.kill('SIGTERM');
      await watch.exited;
    }
  });

  test('setReady(false) turns /readyz to 503 until setReady(true)', async () => {
    const status = async () => (await curl(['--output', '/dev/null', '--write-out', '%{http_code}', url('/readyz')])).stdout;
    apiserver?.setReady(false);
    await expect.poll(status, { timeout: 15_000 }).toBe('503');
    apiserver?.setReady(true);
    await expect.poll(status, { timeout: 15_000 }).toBe('200');
  });

  test('stop() ends it; the port then refuses', async () => {
    expect(await apiserver?.stop()).toEqual({ code: 0, signal: null });
    expect((await curl(['--connect-timeout', '1', url('/readyz')])).code).toBe(7); // CURLE_COULDNT_CONNECT
  });
});
