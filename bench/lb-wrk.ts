// wrk from the client host, with a Lua done() that prints the exact counts as one JSON line: wrk's own
// summary rounds (and its "MB" are 2^20 bytes), this does not.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LbLab, Measured } from './lb-lab.js';
import { BULK_PATH, PROXY_PORT, SMALL_PATH, listenOverflows, withFiles } from './lb-lab.js';

export type WrkMode = 'keepalive' | 'close' | 'bulk';

export const wrkModes: Readonly<Record<WrkMode, { readonly title: string; readonly path: string; readonly connections: number; readonly headers: readonly string[] }>> = {
  keepalive: { title: 'keep-alive', path: SMALL_PATH, connections: 64, headers: [] },
  close: { title: 'new connection per request', path: SMALL_PATH, connections: 64, headers: ['Connection: close'] },
  // Few connections, as a handful of large transfers (an etcd snapshot, a big LIST) would be.
  bulk: { title: 'bulk 10 MiB', path: BULK_PATH, connections: 4, headers: [] },
};

export const WRK_THREADS = 2;

export interface WrkResult {
  readonly mode: WrkMode;
  readonly requests: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly errors: { readonly connect: number; readonly read: number; readonly write: number; readonly status: number; readonly timeout: number };
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** The proxy's CPU time (user + system) during the run, seconds. */
  readonly proxyCpuSeconds: number;
  /** The part of it in the kernel (system time). */
  readonly proxySystemSeconds: number;
  /** Connections the proxy's listen queue overflowed on during the run. */
  readonly listenOverflows: number;
}

const doneScript = `-- Written by bench/lb-wrk.ts
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"bytes":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p99":%d,"max":%d}\\n',
    summary.requests, summary.bytes, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
`;

export async function writeWrkScript(workDir: string): Promise<string> {
  const path = join(workDir, 'done.lua');
  await writeFile(path, doneScript);
  return path;
}

export async function runWrk(lbLab: LbLab, proxy: Measured, script: string, mode: WrkMode, seconds: number): Promise<WrkResult> {
  const spec = wrkModes[mode];
  const url = `http://${lbLab.proxyHost.address}:${PROXY_PORT}${spec.path}`;
  const argv = ['wrk', `-t${WRK_THREADS}`, `-c${spec.connections}`, `-d${seconds}s`, '--latency', '-s', script, ...spec.headers.flatMap((header) => ['-H', header]), url];
  const overflowsBefore = await listenOverflows(lbLab, lbLab.proxyHost);
  const cpuBefore = await proxy.cpuTimes();
  const result = await lbLab.lab.run(lbLab.client, withFiles(argv), { timeoutMs: (seconds + 60) * 1000 });
  const cpuAfter = await proxy.cpuTimes();
  const overflows = (await listenOverflows(lbLab, lbLab.proxyHost)) - overflowsBefore;
  const line = /^WRKJSON (.*)$/m.exec(result.stdout)?.[1];
  if (result.code !== 0 || line === undefined) throw new Error(`${argv.join(' ')}: exit ${result.code}: ${(result.stderr + result.stdout).trim().slice(-1000)}`);
  const raw = JSON.parse(line) as Record<'requests' | 'bytes' | 'durationUs' | 'connect' | 'read' | 'write' | 'status' | 'timeout' | 'p50' | 'p99' | 'max', number>;
  return {
    mode,
    requests: raw.requests,
    bytes: raw.bytes,
    seconds: raw.durationUs / 1e6,
    errors: { connect: raw.connect, read: raw.read, write: raw.write, status: raw.status, timeout: raw.timeout },
    p50Ms: raw.p50 / 1000,
    p99Ms: raw.p99 / 1000,
    maxMs: raw.max / 1000,
    proxyCpuSeconds: cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system,
    proxySystemSeconds: cpuAfter.system - cpuBefore.system,
    listenOverflows: overflows,
  };
}

export function requestsPerSecond(result: WrkResult): number {
  return result.requests / result.seconds;
}

/** Megabytes (10^6 bytes) a second. */
export function megabytesPerSecond(result: WrkResult): number {
  return result.bytes / result.seconds / 1e6;
}

export function errorCount(result: WrkResult): number {
  const e = result.errors;
  return e.connect + e.read + e.write + e.status + e.timeout;
}
