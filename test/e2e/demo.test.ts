// `tsvip demo` as a user runs it (the README's first command): a killed apiserver costs the client
// nothing (the load balancer), the takeover and the client's outage are shown, the old master takes
// the VIP back, and nothing is left behind, also after Ctrl-C.
import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { TSVIP_BIN } from '../../src/lab/tsvip-daemon.js';
import { requireTool } from '../lab/system-tools.js';

const namespaces = (): string[] =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name !== '')
    .sort();

function runDemo(args: readonly string[], options: { interruptWhen?: RegExp } = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TSVIP_BIN, 'demo', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!interrupted && options.interruptWhen?.test(stdout)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('tsvip demo', { timeout: 120_000 }, () => {
  test('shows the takeover with the outage in ms, then preempt, and removes its namespaces', async () => {
    const before = namespaces();
    const result = await runDemo(['--plain', '--hold', '500']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/h1 is master and holds 198\.18\.0\.100/);
    expect(result.stdout).toMatch(/apiserver h3 is gone; the client saw no failed connection/);
    expect(result.stdout).toMatch(/h1 crashes: kill -9/);
    expect(result.stdout).toMatch(/h2 took over and announced itself with gratuitous ARP; the client was cut off for \d+ ms \(\d+ connections? failed\)/);
    expect(result.stdout).toMatch(/h1 is master again/);
    // The operator's view at the end: h1's own `tsvip status`, with the load balancer and h3's apiserver down.
    expect(result.stdout).toMatch(/^ +VI_1 +MASTER +150 +198\.18\.0\.1 /m);
    expect(result.stdout).toMatch(/^ +load balancer apiserver: UP, bind vip:8443, listening on 198\.18\.0\.100:8443/m);
    expect(result.stdout).toMatch(/^ +h3 +198\.18\.0\.3:6443 +DOWN /m);
    expect(namespaces()).toEqual(before);
  });

  test('Ctrl-C in the middle: the demo stops and leaves no namespace and no tsvip behind', async () => {
    const before = namespaces();
    const result = await runDemo(['--plain', '--hold', '5000'], { interruptWhen: /opens a new HTTPS connection/ });
    expect(result.signal ?? result.code).not.toBe(0);
    expect(namespaces()).toEqual(before);
    const leftovers = execFileSync(requireTool('ps', 'procps'), ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(`${TSVIP_BIN} start`) && /\/tsvip-h\d-[^/]+\/vip\.yaml/.test(line)); // the demo's daemons, by their config files
    expect(leftovers).toEqual([]);
  });
});
