// Hung backends: a backend that accepts but stays silent past firstByteTimeout after the
// client's first bytes is left for the next one, the bytes replayed there, and reported.
import { describe, expect, it } from 'vitest';
import { REPLAY_LIMIT_BYTES } from '../../src/lb/engine/proxied-connection.js';
import { answering, connectClient, hung, lbConfig, receive, request, sleep, startBackend, startLb, useCleanups, waitFor } from './helpers.js';

const { track, trackLb } = useCleanups();

describe('firstByteTimeout', () => {
  it('replays the client bytes on the next backend when the chosen one never answers, and reports it', async () => {
    const frozen = track(await hung());
    let frozenClosed = false;
    frozen.server.on('connection', (socket) => socket.on('close', () => (frozenClosed = true)));
    const live = track(await answering('live'));
    const { lb, port, health, logs } = await startLb(
      lbConfig({ backends: [{ name: 'frozen', port: frozen.port }, { name: 'live', port: live.port }], firstByteTimeout: 200 }),
    );
    trackLb(lb);

    // The move to the next backend is the first-byte timer's doing: the failure detail says so.
    expect(await request(port, 'client-hello', 'live:client-hello')).toBe('live:client-hello');
    expect(frozen.received.join('')).toBe('client-hello'); // the frozen one got it too, and never answered
    await lb.refreshStats();
    expect(health.failures).toEqual([{ backend: 'frozen', detail: 'no first byte within 200 ms' }]);
    expect(lb.counters).toMatchObject({ failedConnects: 1, retries: 1, rejected: 0 });
    expect(lb.counters.backends.live).toMatchObject({ retries: 1, total: 1 });
    await waitFor(() => frozenClosed); // the hung connection is not left open
    expect(logs.lines.find((line) => line.msg === 'trying the next backend')).toMatchObject({
      level: 20,
      backend: 'live',
      after: { backend: 'frozen', detail: 'no first byte within 200 ms' },
      replayBytes: 12,
    });
  });

  it('does not replay once the backend has answered: a later silence is the application talking', async () => {
    const once = track(await startBackend((socket) => socket.once('data', (chunk: Buffer) => socket.write(`once:${chunk.toString()}`))));
    const other = track(await answering('other'));
    const { lb, port, health } = await startLb(
      lbConfig({ backends: [{ name: 'once', port: once.port }, { name: 'other', port: other.port }], firstByteTimeout: 100 }),
    );
    trackLb(lb);
    const client = await connectClient(port);
    client.write('one');
    await receive(client, 'once:one');
    client.write('two');
    await sleep(400);
    client.write('three');
    await waitFor(() => once.received.join('').includes('three'));
    expect(once.received.join('')).toBe('onetwothree');
    expect(other.accepted).toBe(0);
    await lb.refreshStats();
    expect(health.failures).toEqual([]);
    expect(client.destroyed).toBe(false);
    client.destroy();
  });

  it(`does not replay once the client has sent more than ${REPLAY_LIMIT_BYTES} bytes (the connection is committed)`, async () => {
    const frozen = track(await hung());
    const other = track(await answering('other'));
    const { lb, port, health } = await startLb(
      lbConfig({ backends: [{ name: 'frozen', port: frozen.port }, { name: 'other', port: other.port }], firstByteTimeout: 100 }),
    );
    trackLb(lb);
    const client = await connectClient(port);
    client.write(Buffer.alloc(REPLAY_LIMIT_BYTES + 1, 'a'));
    await waitFor(() => frozen.received.join('').length === REPLAY_LIMIT_BYTES + 1);
    await sleep(300);
    expect(other.accepted).toBe(0);
    await lb.refreshStats();
    expect(health.failures).toEqual([]);
    expect(client.destroyed).toBe(false);
    client.destroy();
  });

  it('replays when the backend closes without answering (an apiserver killed after accepting)', async () => {
    const dying = track(await startBackend((socket) => socket.once('data', () => socket.destroy())));
    const live = track(await answering('live'));
    const { lb, port, health } = await startLb(
      lbConfig({ backends: [{ name: 'dying', port: dying.port }, { name: 'live', port: live.port }], firstByteTimeout: 5000 }),
    );
    trackLb(lb);
    expect(await request(port, 'hello', 'live:hello')).toBe('live:hello');
    await lb.refreshStats();
    expect(health.failures).toEqual([{ backend: 'dying', detail: 'closed the connection without answering' }]);
  });

  it('moves on when the backend closes before the client has sent anything (killed right after its kernel accepted)', async () => {
    const closing = track(await startBackend((socket) => socket.end()));
    const live = track(await answering('live'));
    const { lb, port, health } = await startLb(
      lbConfig({ backends: [{ name: 'closing', port: closing.port }, { name: 'live', port: live.port }], firstByteTimeout: 5000 }),
    );
    trackLb(lb);
    const client = await connectClient(port);
    await sleep(200); // the backend's FIN reaches the proxy before the client's first bytes
    client.write('hello');
    expect(await receive(client, 'live:hello')).toBe('live:hello');
    client.destroy();
    await lb.refreshStats();
    expect(health.failures).toEqual([{ backend: 'closing', detail: 'closed the connection without answering' }]);
  });

  it('keeps waiting, unreported, when no other backend could take the replay', async () => {
    const slow = track(await startBackend((socket) => socket.once('data', (chunk: Buffer) => setTimeout(() => socket.write(`slow:${chunk.toString()}`), 300))));
    const { lb, port, health, logs } = await startLb(lbConfig({ backends: [{ name: 'slow', port: slow.port }], firstByteTimeout: 100 }));
    trackLb(lb);
    expect(await request(port, 'x', 'slow:x')).toBe('slow:x');
    await lb.refreshStats();
    expect(health.failures).toEqual([]);
    expect(logs.lines.some((line) => line.msg === 'backend silent but no other backend to replay on: waiting')).toBe(true);
  });

  it('starts the timer at the client first bytes: a backend that speaks first, or a client that waits, is not hung', async () => {
    const banner = track(
      await startBackend((socket) => {
        socket.write('220 ready\r\n');
        socket.on('data', (chunk: Buffer) => socket.write(`banner:${chunk.toString()}`));
      }),
    );
    const quiet = track(await answering('quiet'));
    const { lb, port, health } = await startLb(
      lbConfig({ backends: [{ name: 'banner', port: banner.port }, { name: 'quiet', port: quiet.port }], firstByteTimeout: 100 }),
    );
    trackLb(lb);
    const first = await connectClient(port);
    await receive(first, '220 ready');
    const second = await connectClient(port); // round robin: quiet
    await sleep(300); // silent client, silent backend: nothing to time
    second.write('late');
    await receive(second, 'quiet:late');
    await lb.refreshStats();
    expect(health.failures).toEqual([]);
    expect(lb.counters.retries).toBe(0);
    first.destroy();
    second.destroy();
  });
});
