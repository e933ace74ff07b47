// The kube-apiserver stand-in the load balancer's lab tests and the demo put behind tsvip, checked
// over the lab's bridge with curl: HTTPS with a self-signed certificate, /readyz, /name, a watch
// that streams, and readiness switched off and on.
import { beforeAll, describe, expect, test } from 'vitest';
import { startApiserver, type ApiserverHandle } from '../../src/lab/apiserver.js';
import { useLab } from '../lab/index.js';

describe('the apiserver stand-in in a lab host', () => {
  const lab = useLab({ hosts: 2 });
  const port = 6443;
  let apiserver: ApiserverHandle | undefined;

  beforeAll(async () => {
    apiserver = await startApiserver(lab(), lab().host(1), { port });
  });

  const url = (path: string): string => `https://${lab().host(1).address}:${port}${path}`;
  const curl = (args: readonly string[]) => lab().run(lab().host(2), ['curl', '--silent', '--show-error', '--insecure', ...args]);

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
    const result = await lab().run(lab().host(2), ['curl', '--silent', url('/readyz')]);
    expect(result.code).toBe(60); // CURLE_PEER_FAILED_VERIFICATION
  });

  test('/watch streams a line every 500 ms and does not end', async () => {
    // curl stops it after 1.8 s (exit 28, timed out): the stream was still open.
    const result = await curl(['--no-buffer', '--max-time', '1.8', url('/watch')]);
    expect(result.code).toBe(28);
    const lines = result.stdout.split('\n').filter((line) => line !== '');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.slice(0, 3).map((line) => JSON.parse(line) as unknown)).toEqual([0, 1, 2].map((n) => ({ type: 'BOOKMARK', server: lab().host(1).name, n })));
  });

  test('setReady(false) turns /readyz to 503 until setReady(true)', async () => {
    const status = async () => (await curl(['--output', '/dev/null', '--write-out', '%{http_code}', url('/readyz')])).stdout;
    apiserver?.setReady(false);
    await expect.poll(status, { timeout: 2000 }).toBe('503');
    apiserver?.setReady(true);
    await expect.poll(status, { timeout: 2000 }).toBe('200');
  });

  test('stop() ends it; the port then refuses', async () => {
    expect(await apiserver?.stop()).toEqual({ code: 0, signal: null });
    expect((await curl(['--connect-timeout', '1', url('/readyz')])).code).toBe(7); // CURLE_COULDNT_CONNECT
  });
});
