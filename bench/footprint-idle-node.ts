// Node alone, idle: the floor under every tsvip daemon's memory. A process that only waits, and one
// that also runs one idle worker thread (as the load balancer's data path is), read from /proc once
// they have settled.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { readResidentByKind, type ResidentByKind } from './memory-map.js';
import { sleep } from './vrrp-group.js';

export interface IdleNodeSample {
  /** e.g. "Node v24.22.3" or "Node v24.22.3 + an idle worker thread". */
  readonly label: string;
  readonly rssKiB: number;
  readonly anonKiB: number;
  readonly byKind: ResidentByKind;
}

const SETTLE_MS = 3000;
const WAIT_FOREVER = 'setInterval(() => {}, 1 << 30);';
const WITH_WORKER = `new (require('node:worker_threads').Worker)(${JSON.stringify(WAIT_FOREVER)}, { eval: true }); ${WAIT_FOREVER}`;

export async function idleNodeSample(node: { readonly path: string; readonly version: string }, options: { readonly withWorker: boolean }): Promise<IdleNodeSample> {
  const child = spawn(node.path, ['-e', options.withWorker ? WITH_WORKER : WAIT_FOREVER], { stdio: 'ignore' });
  try {
    await sleep(SETTLE_MS);
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
    const field = (name: string): number => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
      if (match?.[1] === undefined) throw new Error(`/proc/${child.pid}/status has no ${name}`);
      return Number(match[1]);
    };
    const byKind = await readResidentByKind(child.pid ?? -1);
    return { label: `Node ${node.version}${options.withWorker ? ' + an idle worker thread' : ''}`, rssKiB: field('VmRSS'), anonKiB: field('RssAnon'), byKind };
  } finally {
    child.kill('SIGKILL');
  }
}
