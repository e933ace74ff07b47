// `tsvip demo` as a user runs it (the README's first command): a killed apiserver costs the client
// nothing (the load balancer), the takeover and the client's outage are shown, the old master takes
// the VIP back, and nothing is left behind, also after Ctrl-C. The Ctrl-C run is the dual-stack demo
// (--ipv6): interrupted once the client starts, after the group has settled, so it costs no extra run.
import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { TSVIP_BIN } from '../../src/lab/tsvip-daemon.js';
import { currentRunPrefix } from '../../src/lab/run-prefix.js';
import { requireTool } from '../lab/system-tools.js';

// The demo inherits this run's lab prefix (TSVIP_LAB_RUN): only this run's namespaces are compared, so
// that labs of other runs on the machine, coming and going meanwhile, do not count.
const namespaces = (): string[] =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(`${currentRunPrefix()}-`))
    .sort();

function runDemo(args: readonly string[], options: { interruptWhen?: RegExp } = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; namespacesWhenInterrupted: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TSVIP_BIN, 'demo', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    let namespacesWhenInterrupted: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!interrupted && options.interruptWhen?.test(stdout)) {
        interrupted = true;
        namespacesWhenInterrupted = namespaces();
        child.kill('SIGINT');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, namespacesWhenInterrupted }));
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

  test('--ipv6, then Ctrl-C in the middle: h1 alone holds both VIPs; the demo stops and leaves no namespace and no tsvip behind', async () => {
    const before = namespaces();
    const result = await runDemo(['--plain', '--hold', '5000', '--ipv6'], { interruptWhen: /opens a new HTTPS connection/ });
    expect(result.signal ?? result.code).not.toBe(0);
    // The demo's lab is seen under this run's prefix while it runs (else the checks below could not fail).
    expect(result.namespacesWhenInterrupted.filter((name) => !before.includes(name)).map((name) => name.split('-').at(-1))).toEqual(['br', 'h1', 'h2', 'h3', 'h4']);
    expect(result.stdout).toMatch(/each also runs VI_6 for 2001:2::100: VRRPv3 over IPv6/);
    expect(result.stdout).toMatch(/each load balancer listens on 198\.18\.0\.100:8443 and \[2001:2::100\]:8443 while its host is master/);
    expect(result.stdout).toMatch(/the client \(h4\) opens a new HTTPS connection to \[2001:2::100\]:8443 every 10 ms/);
    // Printed once h1 is the only host with each VIP on its interface and h2 and h3 are backups of both.
    expect(result.stdout).toMatch(/h1 is master and holds 198\.18\.0\.100 and 2001:2::100\n/);
    expect(namespaces()).toEqual(before);
    const leftovers = execFileSync(requireTool('ps', 'procps'), ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(`${TSVIP_BIN} start`) && /\/tsvip-h\d-[^/]+\/vip\.yaml/.test(line)); // the demo's daemons, by their config files
    expect(leftovers).toEqual([]);
  });
});
