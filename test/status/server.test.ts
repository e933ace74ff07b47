// /healthz and /readyz on status.listen: what a static pod's liveness probe and an operator ask.
import { describe, expect, test } from 'vitest';
import { pino } from 'pino';
import { startStatusServer } from '../../src/status/server.js';

const logger = pino({ level: 'silent' });

describe('status server probes', () => {
  test('/healthz is 200 while running; /readyz follows readiness; other paths are 404', async () => {
    let ready = false;
    const server = await startStatusServer({ listen: { host: '127.0.0.1', port: 0 }, logger, ready: () => ready });
    const url = (path: string): string => `http://127.0.0.1:${server.address.port}${path}`;
    try {
      expect((await fetch(url('/healthz'))).status).toBe(200);
      expect((await fetch(url('/readyz'))).status).toBe(503);
      ready = true;
      const readyz = await fetch(url('/readyz'));
      expect(readyz.status).toBe(200);
      expect(await readyz.text()).toBe('ready\n');
      expect((await fetch(url('/status'))).status).toBe(404);
      expect((await fetch(url('/healthz'), { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });

  test('a port in use is a clear error naming the address', async () => {
    const first = await startStatusServer({ listen: { host: '127.0.0.1', port: 0 }, logger, ready: () => true });
    try {
      await expect(startStatusServer({ listen: { host: '127.0.0.1', port: first.address.port }, logger, ready: () => true })).rejects.toMatchObject({
        code: 'ERR_STATUS_BIND',
        message: `status server: cannot listen on 127.0.0.1:${first.address.port}: EADDRINUSE`,
      });
    } finally {
      await first.close();
    }
  });
});
