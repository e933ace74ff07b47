// Out of file descriptors (a proxy host at its RLIMIT_NOFILE): the load balancer stops accepting for a
// moment instead of spinning, closes a client it cannot open a backend socket for, never blames a
// backend for it (a passive failure would take the backends down one by one and move the VIP), and
// serves again once descriptors are free. The load balancer runs in a child process that uses up its
// own descriptors on command.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { answering, collect, connectClient, receive, request, sleep, useCleanups, waitFor } from './helpers.js';

const { track } = useCleanups();
const dist = fileURLToPath(new URL('../../dist/', import.meta.url));

// The compiled load balancer (npm test builds first), a health view that prints what it is told, and
// the listening port on stdout; the load balancer's own log lines go to stdout too. On stdin,
// `exhaust N` opens /dev/null until EMFILE and closes N of them again; `release` closes them all.
const childScript = `
import { openSync, closeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { LoadBalancer } from '${dist}lb/load-balancer.js';
import { loadBalancerSchema } from '${dist}config/schema.js';
import { createLogger } from '${dist}log.js';
const config = loadBalancerSchema.parse({ name: 'apiserver', bind: '127.0.0.1:6443', backends: [{ name: 'b', address: '127.0.0.1:' + process.argv[1] }] });
const health = { isUp: () => true, reportFailure: (backend, detail) => console.log(JSON.stringify({ passiveFailure: backend, detail })), onChange: () => () => {} };
const lb = new LoadBalancer(config, { health, logger: createLogger({ level: 'info' }) });
await lb.listen({ host: '127.0.0.1', port: 0 });
const held = [];
createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, count] = line.split(' ');
  if (command === 'exhaust') {
    try { for (;;) held.push(openSync('/dev/null', 'r')); } catch {}
    for (let i = 0; i < Number(count); i++) closeSync(held.pop());
  } else {
    for (const fd of held.splice(0)) closeSync(fd);
  }
  console.log(JSON.stringify({ done: line }));
});
console.log(JSON.stringify({ port: lb.listeningAddresses[0].port }));
`;

let child: ChildProcess | null = null;
afterEach(() => {
  child?.kill('SIGKILL');
  child = null;
});

describe('out of file descriptors', () => {
  it('a client waits while no descriptor is left, one that gets no backend socket is closed, no backend is blamed, service comes back', async () => {
    const backend = track(await answering('b'));
    const spawned = spawn(process.execPath, ['--input-type=module', '-e', childScript, String(backend.port)], { stdio: ['pipe', 'pipe', 'inherit'] });
    child = spawned;
    const lines: Record<string, unknown>[] = [];
    createInterface({ input: spawned.stdout! }).on('line', (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
    const command = async (text: string): Promise<void> => {
      spawned.stdin!.write(`${text}\n`);
      await waitFor(() => lines.some((line) => line.done === text), 10_000);
      lines.splice(lines.findIndex((line) => line.done === text), 1);
    };
    await waitFor(() => lines.some((line) => typeof line.port === 'number'), 10_000);
    const port = lines.find((line) => typeof line.port === 'number')?.port as number;

    // None left: the client waits in the listening queue (accept fails, and is tried again every 100 ms).
    await command('exhaust 0');
    const waiting = await connectClient(port);
    waiting.on('error', () => {});
    waiting.write('w');
    let waitingOutcome = 'pending';
    const waitingAnswer = receive(waiting, 'b:w').then(
      () => (waitingOutcome = 'served'),
      () => (waitingOutcome = 'closed'),
    );
    await waitFor(() => lines.some((line) => line.code === 'ERR_LB_DESCRIPTORS'), 5000);
    await sleep(300);
    expect(waitingOutcome).toBe('pending');
    expect(lines.find((line) => line.code === 'ERR_LB_DESCRIPTORS')).toMatchObject({ level: 40, error: 'EMFILE' });
    await command('release');
    await waitingAnswer;
    expect(waitingOutcome).toBe('served');
    waiting.destroy();

    // One left: accept takes it, and there is none for the socket to the backend: closed at once.
    await command('exhaust 1');
    const unlucky = await connectClient(port);
    unlucky.on('error', () => {});
    unlucky.write('u');
    // Closed with nothing: a FIN, or a reset when its byte had arrived unread (collect takes either).
    expect((await collect(unlucky)).data.length).toBe(0);
    await waitFor(() => lines.some((line) => line.msg === 'client closed: cannot open a socket to a backend (EMFILE)'), 5000);
    await command('release');

    await sleep(200); // past the pause of accepting
    expect(await request(port, 'again', 'b:again')).toBe('b:again');
    expect(lines.filter((line) => 'passiveFailure' in line)).toEqual([]);
  });
});
