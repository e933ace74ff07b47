// tcpdump in a lab host, printing every frame whole (-e -xx), for the e2e tests that hold what tsvip
// sends to keepalived's bytes (gratuitous ARP, unsolicited Neighbour Advertisements).
import type { Lab, LabHost } from '../../src/lab/lab.js';
import type { SpawnedProcess } from '../../src/lab/spawned-process.js';
import { waitUntil } from '../../src/lab/tsvip-daemon.js';
import { requireTool } from './system-tools.js';

export interface CapturedFrame {
  /** tcpdump's -e summary line (with -v, the decoding lines after it too). */
  readonly summary: string;
  /** The frame from the destination MAC on, as hex. */
  readonly hex: string;
}

/** Hang bound: tcpdump opens its socket in milliseconds. */
const START_LIMIT_MS = 15_000;

/** tcpdump -e -xx: a summary line per frame (with -v, more lines of decoding), then `\t0x0000:  ...` hex lines. */
export function parseCapture(stdout: string): CapturedFrame[] {
  const frames: { summary: string; hex: string }[] = [];
  for (const line of stdout.split('\n')) {
    const hexLine = /^\s+0x[0-9a-f]{4}:\s+(.*)$/.exec(line);
    const current = frames.at(-1);
    if (hexLine !== null && current !== undefined) current.hex += (hexLine[1] ?? '').replace(/\s+/g, '');
    else if (current !== undefined && current.hex === '' && /^\s/.test(line)) current.summary += `\n${line}`;
    else if (line.trim() !== '') frames.push({ summary: line, hex: '' });
  }
  return frames;
}

/** `tcpdump -i eth0 -l -nn -e -xx ARGS` in `host`, once it says it listens: frames sent before that are missed. */
export async function startCapture(lab: Lab, host: LabHost, args: readonly string[]): Promise<SpawnedProcess> {
  const tcpdump = lab.spawn(host, [requireTool('tcpdump', 'tcpdump'), '-i', 'eth0', '-l', '-nn', '-e', '-xx', ...args]);
  await waitUntil(() => (tcpdump.output().stderr.includes('listening on') ? true : undefined), 'tcpdump to start', START_LIMIT_MS);
  return tcpdump;
}
