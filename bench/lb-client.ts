// The load balancer benchmark's small clients, run by bench/lb-lab.ts inside the client host's namespace
// (`node dist-bench/bench/lb-client.js ...`), where wrk does not fit:
//   wait-http HOST PORT PATH TIMEOUT_MS   GET until a 200 comes back (exit 0) or the time is up (exit 1)
//   hold HOST PORT COUNT                  opens COUNT idle TCP connections and holds them; prints
//                                         "held N failed M" once every attempt has ended, then waits for
//                                         SIGTERM (the kernel closes the sockets when it exits)
import { connect, type Socket } from 'node:net';
import { request } from 'node:http';

/** Connects in flight at once: enough to be quick, few enough not to overflow a listen backlog. */
const HOLD_CONCURRENCY = 256;

async function waitHttp(host: string, port: number, path: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    last = await new Promise<string>((resolve) => {
      const req = request({ host, port, path, agent: false, timeout: 1000, headers: { connection: 'close' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.statusCode)));
        res.on('error', (error) => resolve(error.message));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error) => resolve(error.message));
      req.end();
    });
    if (last === '200') return 0;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.stderr.write(`wait-http ${host}:${port}${path}: last answer ${last}\n`);
  return 1;
}

async function hold(host: string, port: number, count: number): Promise<void> {
  const sockets: Socket[] = [];
  const errors = new Map<string, number>();
  let next = 0;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        // A reset later (a proxy that gave up on it) must not kill the holder.
        socket.on('error', () => {});
        sockets.push(socket);
        resolve();
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        errors.set(error.code ?? error.message, (errors.get(error.code ?? error.message) ?? 0) + 1);
        resolve();
      });
    });
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      await one();
    }
  };
  await Promise.all(Array.from({ length: Math.min(HOLD_CONCURRENCY, count) }, worker));
  const failed = [...errors.values()].reduce((sum, n) => sum + n, 0);
  const detail = [...errors].map(([code, n]) => `${code}=${n}`).join(',');
  process.stdout.write(`held ${sockets.length} failed ${failed}${detail === '' ? '' : ` ${detail}`}\n`);
  await new Promise<void>((resolve) => process.once('SIGTERM', resolve));
  process.exit(0);
}

const [command, host = '', portText = '', ...rest] = process.argv.slice(2);
const port = Number(portText);
if (command === 'wait-http') {
  process.exitCode = await waitHttp(host, port, rest[0] ?? '/', Number(rest[1] ?? '10000'));
} else if (command === 'hold') {
  await hold(host, port, Number(rest[0] ?? '10000'));
} else {
  process.stderr.write('usage: lb-client wait-http HOST PORT PATH TIMEOUT_MS | hold HOST PORT COUNT\n');
  process.exitCode = 2;
}
