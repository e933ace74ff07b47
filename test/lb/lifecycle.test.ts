// maxConnections, stopAccepting, drain and update on loopback.
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../vrrp/fake-clock.js';
import { answering, collect, connectClient, FakeHealth, HOST, lbConfig, receive, request, sleep, startLb, useCleanups, waitFor, waitForLb } from './helpers.js';

const { track, trackLb } = useCleanups();

describe('maxConnections', () => {
  it('with maxConnections 2, five clients are all served in turn and none is dropped', async () => {
    const backend = track(await answering('b'));
    const { lb, port, logs } = await startLb(lbConfig({ backends: [{ name: 'b', port: backend.port }], maxConnections: 2 }));
    trackLb(lb);
    const clients = await Promise.all([0, 1, 2, 3, 4].map(() => connectClient(port)));
    const closedEarly: number[] = [];
    clients.forEach((client, i) => client.on('close', () => closedEarly.push(i)));
    const answers = clients.map((client, i) => {
      client.write(`c${i}`);
      return receive(client, `b:c${i}`).then(() => i);
    });
    await waitForLb(lb, () => lb.activeConnections === 2 && lb.waitingConnections === 3);
    await sleep(100);
    expect(backend.accepted).toBe(2);

    const served: number[] = [];
    for (const answer of answers) void answer.then((i) => served.push(i));
    // Each time a served client leaves, the oldest waiting one gets its slot.
    for (let round = 0; round < 5; round++) {
      await waitFor(() => served.length > round);
      expect(lb.activeConnections).toBeLessThanOrEqual(2);
      clients[served[round] ?? -1]?.destroy();
    }
    expect(served.slice(0, 2).sort()).toEqual([0, 1]);
    expect(served.slice(2)).toEqual([2, 3, 4]);
    expect(closedEarly.every((i) => served.indexOf(i) !== -1)).toBe(true);
    await lb.refreshStats();
    expect(lb.counters).toMatchObject({ total: 5, rejected: 0 });
    expect(logs.lines.some((line) => line.msg === 'maxConnections reached: new clients wait')).toBe(true);
  });

  it('a waiting client that gave up is closed at its turn and the next one is served', async () => {
    // A waiting client is not read (as in the kernel backlog), so its reset is seen at its turn.
    const backend = track(await answering('b'));
    const { lb, port } = await startLb(lbConfig({ backends: [{ name: 'b', port: backend.port }], maxConnections: 1 }));
    trackLb(lb);
    const first = await connectClient(port);
    const gaveUp = await connectClient(port);
    const third = await connectClient(port);
    await waitForLb(lb, () => lb.waitingConnections === 2);
    gaveUp.resetAndDestroy();
    third.write('3');
    const answer = receive(third, 'b:3');
    first.destroy();
    await answer;
    await lb.refreshStats();
    expect(lb.waitingConnections).toBe(0);
    expect(lb.activeConnections).toBe(1);
    third.destroy();
    await waitForLb(lb, () => lb.activeConnections === 0);
    await lb.refreshStats();
    expect(lb.counters).toMatchObject({ total: 3, active: 0, rejected: 0 });
  });
});

describe('stopAccepting', () => {
  it('closes the listener and leaves an open connection working', async () => {
    const backend = track(await answering('b'));
    const { lb, port } = await startLb(lbConfig({ backends: [{ name: 'b', port: backend.port }] }));
    trackLb(lb);
    const client = await connectClient(port);
    client.write('before');
    await receive(client, 'b:before');

    await lb.stopAccepting();
    expect(lb.listeningAddresses).toEqual([]);
    const refused = connect({ host: HOST, port });
    const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');

    client.write('after');
    await receive(client, 'b:after');
    client.destroy();

    // And it can listen again (a `vip:` bind coming back to MASTER).
    await lb.listen({ host: HOST, port });
    expect(await request(port, 'again', 'b:again')).toBe('b:again');
  });
});

describe('stopListening', () => {
  it('closes one listener of several (a `vip:` bind leaving MASTER) and leaves the others', async () => {
    const backend = track(await answering('b'));
    const { lb, port } = await startLb(lbConfig({ backends: [{ name: 'b', port: backend.port }] }));
    trackLb(lb);
    await lb.listen({ host: '127.0.0.2', port: 0 });
    const second = lb.listeningAddresses.find((address) => address.host === '127.0.0.2');
    expect(second).toBeDefined();
    await expect(lb.listen({ host: HOST, port })).rejects.toMatchObject({ code: 'ERR_LB_BIND', message: `load balancer apiserver: already listening on ${HOST}:${port}` });

    await lb.stopListening({ host: HOST, port });
    expect(lb.listeningAddresses).toEqual([second]);
    const refused = connect({ host: HOST, port });
    const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');
    const client = connect({ host: '127.0.0.2', port: second?.port ?? 0 });
    await once(client, 'connect');
    client.write('via second');
    await receive(client, 'b:via second');
    client.destroy();
  });
});

describe('drain', () => {
  it('waits for open connections, cuts what is left at the timeout and returns how many', async () => {
    const backend = track(await answering('b'));
    const clock = new FakeClock();
    const { lb, port, logs } = await startLb(lbConfig({ backends: [{ name: 'b', port: backend.port }] }), new FakeHealth(), clock);
    trackLb(lb);
    const leaving = await connectClient(port);
    const staying = await connectClient(port);
    leaving.write('x');
    staying.write('y');
    await receive(leaving, 'b:x');
    await receive(staying, 'b:y');
    const leavingResult = collect(leaving);
    const stayingResult = collect(staying);

    let settled = false;
    const draining = lb.drain({ timeoutMs: 400 }).finally(() => (settled = true));
    // The connection that ends during the drain is waited for: it gets its answer and a clean end.
    await waitFor(() => logs.lines.some((line) => line.msg === 'draining'));
    leaving.write('last');
    await receive(leaving, 'b:last');
    leaving.end();
    expect((await leavingResult).error).toBeNull();
    await waitForLb(lb, () => lb.activeConnections === 1);
    expect(settled).toBe(false);
    // The one still open at the deadline is cut, and the log says it was the deadline.
    clock.advance(400);
    expect(await draining).toBe(1);
    await stayingResult;
    expect(logs.lines.find((line) => line.msg === 'draining')).toMatchObject({ active: 2, timeoutMs: 400 });
    expect(logs.lines.find((line) => line.msg === 'drain timeout: closed the connections left')).toMatchObject({ cut: 1 });
    expect(logs.lines.some((line) => line.msg === 'drained')).toBe(false);
  });

  it('returns 0 as soon as the last connection ends', async () => {
    const backend = track(await answering('b'));
    // A clock that never moves: a drain that waited for its deadline would hang the test.
    const { lb, port, logs } = await startLb(lbConfig({ backends: [{ name: 'b', port: backend.port }] }), new FakeHealth(), new FakeClock());
    trackLb(lb);
    const client = await connectClient(port);
    client.write('x');
    await receive(client, 'b:x');
    const draining = lb.drain({ timeoutMs: 5000 });
    await waitFor(() => logs.lines.some((line) => line.msg === 'draining'));
    client.end();
    expect(await draining).toBe(0);
    expect(logs.lines.some((line) => line.msg === 'drained')).toBe(true);
    expect(logs.lines.some((line) => line.msg === 'drain timeout: closed the connections left')).toBe(false);
  });
});

describe('update (SIGHUP)', () => {
  it('sends new connections to the new backend list; a removed backend keeps its open connections', async () => {
    const a = track(await answering('a'));
    const b = track(await answering('b'));
    const { lb, port } = await startLb(lbConfig({ backends: [{ name: 'a', port: a.port }] }));
    trackLb(lb);
    const old = await connectClient(port);
    old.write('1');
    await receive(old, 'a:1');

    lb.update(lbConfig({ backends: [{ name: 'b', port: b.port }], balance: 'leastconn' }));
    expect(await request(port, '2', 'b:2')).toBe('b:2');
    expect(await request(port, '3', 'b:3')).toBe('b:3');

    old.write('4');
    await receive(old, 'a:4');
    await lb.refreshStats();
    expect(lb.counters.backends.a).toMatchObject({ active: 1, total: 1 });
    old.destroy();
    await waitForLb(lb, () => lb.counters.backends.a === undefined);
    expect(Object.keys(lb.counters.backends)).toEqual(['b']);
  });

  it('leastconn sends a new client to the backend with fewest connections', async () => {
    const a = track(await answering('a'));
    const b = track(await answering('b'));
    const { lb, port } = await startLb(lbConfig({ backends: [{ name: 'a', port: a.port }, { name: 'b', port: b.port }], balance: 'leastconn' }));
    trackLb(lb);
    const first = await connectClient(port);
    first.write('1');
    await receive(first, 'a:1');
    const second = await connectClient(port);
    second.write('2');
    await receive(second, 'b:2');
    await lb.refreshStats(); // counters come from the data path: know that b has it before waiting for b to have none
    second.destroy();
    await waitForLb(lb, () => lb.counters.backends.b?.active === 0);
    // a has one connection, b none: b, though after a, b round robin would say it is a's turn.
    expect(await request(port, '3', 'b:3')).toBe('b:3');
    first.destroy();
  });
});
