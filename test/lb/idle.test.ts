// Long-lived connections: idleTimeout 0 never cuts a silent connection (watches, `kubectl
// logs -f`), a non-zero one does, and both proxy sockets carry TCP keepalive.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { KEEPALIVE_INITIAL_DELAY_MS } from '../../src/lb/engine/proxied-connection.js';
import { answering, collect, connectClient, lbConfig, receive, sleep, startLb, useCleanups, waitFor, waitForLb } from './helpers.js';
import { requireTool } from '../lab/system-tools.js';

const { track, trackLb } = useCleanups();

describe('idleTimeout', () => {
  it('0 (the default) keeps a silent connection open for 30 s', { timeout: 45_000 }, async () => {
    const backend = track(await answering('b'));
    const config = lbConfig({ backends: [{ name: 'b', port: backend.port }] });
    expect(config.idleTimeout).toBe(0);
    const { lb, port } = await startLb(config);
    trackLb(lb);
    const client = await connectClient(port);
    client.write('before');
    await receive(client, 'b:before');
    let closed = false;
    client.on('close', () => (closed = true));
    await sleep(30_000);
    expect(closed).toBe(false);
    client.write('after');
    await receive(client, 'b:after');
    client.destroy();
  });

  it('closes both sides of a connection silent for idleTimeout', async () => {
    let backendClosed = false;
    const backend = track(await answering('b'));
    backend.server.on('connection', (socket) => socket.on('close', () => (backendClosed = true)));
    const { lb, port, logs } = await startLb(lbConfig({ backends: [{ name: 'b', port: backend.port }], idleTimeout: 200 }));
    trackLb(lb);
    const client = await connectClient(port);
    client.write('x');
    await receive(client, 'b:x');
    const { data } = await collect(client);
    expect(data.length).toBe(0);
    // Closed by the idle timer, not by anything else: its log line says so, and the backend side went too.
    // (The log line travels from the data path's thread as a message: it may follow the FIN.)
    await waitFor(() => backendClosed && logs.lines.some((line) => line.msg === 'idle timeout: closing both sides'));
    expect(logs.lines.find((line) => line.msg === 'idle timeout: closing both sides')).toMatchObject({ level: 20, idleTimeoutMs: 200 });
    await waitForLb(lb, () => lb.activeConnections === 0);
    client.destroy();
  });
});

describe('TCP keepalive', () => {
  it('is on for the client side and the backend side of the proxy', async () => {
    const backend = track(await answering('b'));
    const { lb, port } = await startLb(lbConfig({ backends: [{ name: 'b', port: backend.port }] }));
    trackLb(lb);
    const client = await connectClient(port);
    client.write('x');
    await receive(client, 'b:x');
    const sockets = (filter: string): string => execFileSync(requireTool('ss', 'iproute2'), ['-tnoH', 'state', 'established', filter], { encoding: 'utf8' });
    const seconds = KEEPALIVE_INITIAL_DELAY_MS / 1000;
    // The proxy's accepted socket (local port = the listener) and its socket to the backend.
    const clientSide = sockets(`( sport = :${port} )`);
    const backendSide = sockets(`( dport = :${backend.port} )`);
    expect(clientSide).toMatch(new RegExp(`timer:\\(keepalive,(${seconds}|${seconds - 1})sec`));
    expect(backendSide).toMatch(new RegExp(`timer:\\(keepalive,(${seconds}|${seconds - 1})sec`));
    client.destroy();
  });
});
