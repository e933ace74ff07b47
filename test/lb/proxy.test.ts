// The data path on loopback with real sockets: retries, connect timeout, half-close, backpressure,
// errors, and clients closed when no backend is up.
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { loadBalancerSchema } from '../../src/config/schema.js';
import { answering, closedPort, collect, connectClient, HOST, lbConfig, receive, request, sleep, startBackend, startLb, unansweredPort, useCleanups, waitFor, waitForLb } from './helpers.js';

const { track, trackLb } = useCleanups();

describe('retries (haproxy retries + redispatch)', () => {
  it('skips a dead backend: the client gets the live one answer, the failure counted and reported', async () => {
    const dead = await closedPort();
    const live = track(await answering('live'));
    const { lb, port, health, logs } = await startLb(
      lbConfig({ backends: [{ name: 'dead', port: dead }, { name: 'live', port: live.port }], firstByteTimeout: 0 }),
    );
    trackLb(lb);

    // Round robin starts with the first backend: the dead one.
    expect(await request(port, 'hello', 'live:hello')).toBe('live:hello');
    await lb.refreshStats();

    expect(health.failures).toEqual([{ backend: 'dead', detail: 'connect ECONNREFUSED' }]);
    expect(lb.counters).toMatchObject({ total: 1, failedConnects: 1, retries: 1, rejected: 0, bytesIn: 5, bytesOut: 10 });
    expect(lb.counters.backends.dead).toMatchObject({ failedConnects: 1, total: 0 });
    expect(lb.counters.backends.live).toMatchObject({ total: 1, retries: 1, bytesIn: 5, bytesOut: 10 });
    expect(logs.lines.some((line) => line.level === 20 && line.msg === 'trying the next backend')).toBe(true);
  });

  it('closes the client once `retries` further backends have failed', async () => {
    const ports = [await closedPort(), await closedPort(), await closedPort()];
    const { lb, port, health, logs } = await startLb(
      lbConfig({ backends: ports.map((p, i) => ({ name: `dead${i}`, port: p })), retries: 1 }),
    );
    trackLb(lb);
    const client = await connectClient(port);
    const { data } = await collect(client);
    expect(data.length).toBe(0);
    await lb.refreshStats();
    expect(health.failures.map((f) => f.backend)).toEqual(['dead0', 'dead1']);
    expect(lb.counters).toMatchObject({ failedConnects: 2, retries: 1, rejected: 1 });
    expect(logs.lines.find((line) => line.code === 'ERR_LB_NO_BACKEND')).toMatchObject({ level: 40, reason: 'retries exhausted' });
  });

  it('connectTimeout: a backend whose SYNs go unanswered is given up after the timeout and the next one serves', async () => {
    const blackhole = track(await unansweredPort());
    const live = track(await answering('live'));
    const { lb, port, health } = await startLb(
      lbConfig({ backends: [{ name: 'blackhole', port: blackhole.port }, { name: 'live', port: live.port }], connectTimeout: 300 }),
    );
    trackLb(lb);
    // The connect timer gave the black hole up (not a refusal or a reset): the failure detail says so.
    expect(await request(port, 'hi', 'live:hi')).toBe('live:hi');
    await lb.refreshStats();
    expect(health.failures).toEqual([{ backend: 'blackhole', detail: 'connect timed out after 300 ms' }]);
    expect(lb.counters).toMatchObject({ failedConnects: 1, retries: 1, rejected: 0 });
    expect(lb.counters.backends.blackhole).toMatchObject({ failedConnects: 1, total: 0 });
  });
});

describe('no backend up', () => {
  it('closes the client at once, counted as rejected and logged at warn with ERR_LB_NO_BACKEND', async () => {
    const live = track(await answering('live'));
    // A connect timeout far beyond the test's own: a client left waiting on a connect would hang it.
    const { lb, port, health, logs } = await startLb(lbConfig({ backends: [{ name: 'live', port: live.port }], connectTimeout: 60_000 }));
    trackLb(lb);
    health.setDown('live');
    const client = await connectClient(port);
    const { data } = await collect(client);
    expect(data.length).toBe(0);
    expect(live.accepted).toBe(0);
    await lb.refreshStats();
    expect(lb.counters).toMatchObject({ rejected: 1, failedConnects: 0 });
    expect(logs.lines.find((line) => line.code === 'ERR_LB_NO_BACKEND')).toMatchObject({ level: 40, reason: 'no backend is up' });
    await waitForLb(lb, () => lb.activeConnections === 0);
    expect(lb.counters.active).toBe(0);
  });
});

describe('half-close', () => {
  it('client ends its side: the backend still sends and the client gets all of it', async () => {
    const reply = Buffer.alloc(1024 * 1024, 'r');
    const backend = track(
      await startBackend((socket) => {
        socket.resume();
        socket.on('end', () => socket.end(reply)); // answers only after the client's FIN
      }),
    );
    const { lb, port } = await startLb(lbConfig({ backends: [{ name: 'b', port: backend.port }] }));
    trackLb(lb);
    const client = await connectClient(port);
    const result = collect(client);
    client.end('request');
    const { data, error } = await result;
    expect(error).toBeNull();
    expect(data.equals(reply)).toBe(true);
    await waitForLb(lb, () => lb.activeConnections === 0);
  });

  it('backend ends its side: the client still sends and the backend gets all of it', async () => {
    let backendGot = 0;
    let resolveDone = (): void => {};
    const backendDone = new Promise<void>((resolve) => (resolveDone = resolve));
    const backend = track(
      await startBackend((socket) => {
        socket.end('bye'); // FIN first, then keeps reading
        socket.on('data', (chunk: Buffer) => (backendGot += chunk.length));
        socket.on('end', () => resolveDone());
      }),
    );
    const { lb, port } = await startLb(lbConfig({ backends: [{ name: 'b', port: backend.port }] }));
    trackLb(lb);
    const client = await connectClient(port);
    const result = collect(client);
    await once(client, 'end');
    const payload = Buffer.alloc(512 * 1024, 'c');
    client.end(payload);
    await backendDone;
    expect(backendGot).toBe(payload.length);
    expect((await result).data.toString()).toBe('bye');
  });
});

describe('errors', () => {
  it('a backend reset after answering resets the client', async () => {
    // The reset comes a moment after the data: a RST right behind it can read as a plain EOF.
    const backend = track(await startBackend((socket) => socket.once('data', () => socket.write('partial', () => setTimeout(() => socket.resetAndDestroy(), 20)))));
    const { lb, port } = await startLb(lbConfig({ backends: [{ name: 'b', port: backend.port }] }));
    trackLb(lb);
    const client = await connectClient(port);
    const result = collect(client);
    client.write('go');
    const { data, error } = await result;
    expect(data.toString()).toBe('partial');
    expect((error as NodeJS.ErrnoException | null)?.code).toBe('ECONNRESET');
    await waitForLb(lb, () => lb.activeConnections === 0 && lb.counters.backends.b?.active === 0);
  });

  it('a client reset closes the backend connection', async () => {
    let backendClosed = false;
    const backend = track(
      await startBackend((socket) => {
        socket.on('data', () => socket.write('ok'));
        socket.on('close', () => (backendClosed = true));
      }),
    );
    const { lb, port } = await startLb(lbConfig({ backends: [{ name: 'b', port: backend.port }] }));
    trackLb(lb);
    const client = await connectClient(port);
    client.write('x');
    await receive(client, 'ok');
    client.resetAndDestroy();
    await waitFor(() => backendClosed && lb.activeConnections === 0);
  });
});

describe('backpressure', () => {
  it('a slow reader of 200 MB keeps the proxy buffers bounded', { timeout: 60_000 }, async () => {
    const total = 200 * 1024 * 1024;
    const block = Buffer.alloc(1024 * 1024, 'x');
    let sent = 0;
    const backend = track(
      await startBackend((socket) => {
        const pump = (): void => {
          while (sent < total) {
            sent += block.length;
            if (!socket.write(block)) {
              socket.once('drain', pump);
              return;
            }
          }
          socket.end();
        };
        pump();
      }),
    );
    const { lb, port } = await startLb(lbConfig({ backends: [{ name: 'b', port: backend.port }] }));
    trackLb(lb);
    const client = await connectClient(port);
    let maxBuffered = 0;
    const sample = setInterval(() => (maxBuffered = Math.max(maxBuffered, lb.bufferedBytes)), 5);
    let received = 0;
    // Slow: nothing read for 500 ms, then 5 ms of reading every 25 ms.
    client.pause();
    client.on('data', (chunk: Buffer) => {
      received += chunk.length;
      maxBuffered = Math.max(maxBuffered, lb.bufferedBytes);
    });
    await sleep(500);
    // The backend is held back by the kernel's socket buffers (a few MB each on loopback), not
    // buffered into the proxy.
    const sentWhileStalled = sent;
    await lb.refreshStats();
    const bufferedWhileStalled = lb.bufferedBytes;
    const throttle = setInterval(() => {
      client.resume();
      setTimeout(() => client.pause(), 5);
    }, 25);
    await once(client, 'end');
    clearInterval(throttle);
    clearInterval(sample);
    client.destroy();
    expect(sentWhileStalled).toBeLessThan(64 * 1024 * 1024);
    // Stalled, the proxy holds what it read and could not write on (a write remainder), and no more.
    expect(bufferedWhileStalled).toBeGreaterThan(0);
    expect(bufferedWhileStalled).toBeLessThan(1024 * 1024);
    expect(received).toBe(total);
    await lb.refreshStats();
    expect(lb.counters.bytesOut).toBe(total);
    // Sampled over the whole transfer (128 KiB seen: two socket chunks).
    expect(maxBuffered).toBeLessThan(1024 * 1024);
  });
});

describe('backends given by host name', () => {
  it('are resolved before the load balancer listens: a client reaches localhost:PORT', async () => {
    const backend = track(await answering('named'));
    const config = loadBalancerSchema.parse({ name: 'apiserver', bind: `${HOST}:6443`, backends: [{ name: 'named', address: `localhost:${backend.port}` }] });
    const { lb, port, health } = await startLb(config);
    trackLb(lb);
    expect(await request(port, 'hi', 'named:hi')).toBe('named:hi');
    await lb.refreshStats();
    expect(health.failures).toEqual([]);
    expect(lb.counters.backends.named).toMatchObject({ total: 1, bytesIn: 2, bytesOut: 8 });
  });
});

describe('listen', () => {
  it('a bind that fails is ERR_LB_BIND naming the load balancer and the address', async () => {
    const backend = track(await answering('b'));
    const { lb, port } = await startLb(lbConfig({ backends: [{ name: 'b', port: backend.port }] }));
    trackLb(lb);
    await expect(lb.listen({ host: HOST, port: backend.port })).rejects.toMatchObject({
      code: 'ERR_LB_BIND',
      message: `load balancer apiserver: cannot listen on ${HOST}:${backend.port}: EADDRINUSE (the port is in use)`,
    });
    await expect(lb.listen({ host: '198.18.0.100', port: 6443 })).rejects.toMatchObject({
      code: 'ERR_LB_BIND',
      message: 'load balancer apiserver: cannot listen on 198.18.0.100:6443: EADDRNOTAVAIL (no interface has this address)',
    });
    expect(lb.listeningAddresses).toEqual([{ host: HOST, port }]);
  });
});
