// The VRRP adverts that cross a host's interface, each with the kernel's timestamp: `tcpdump` in the
// host's namespace. The partition/heal runs need them twice: to time the heal against the partitioned
// master's own advert rhythm (which a daemon's timers stretch a little every interval, so the moment it
// became master says less and less), and to tell whose advert crossed the healed link first.
import type { Lab, LabHost } from '../src/lab/lab.js';
import type { SpawnedProcess } from '../src/lab/spawned-process.js';

export interface CapturedAdvert {
  /** When it crossed the interface, ms since the epoch (the kernel's clock, the one Date.now() reads). */
  readonly atMs: number;
  readonly source: string;
  readonly destination: string;
  readonly priority: number;
}

export interface AdvertCapture {
  readonly host: LabHost;
  /** Every advert printed so far, in the order it crossed. */
  adverts(): CapturedAdvert[];
  stop(): Promise<void>;
}

/** When a host's adverts go out: the last one and the time between two of them. */
export interface AdvertSchedule {
  readonly lastMs: number;
  readonly periodMs: number;
}

const startTimeoutMs = 10_000;

// "1763900000.123456 IP 198.18.0.1 > 224.0.0.18: VRRPv3, Advertisement, vrid 53, prio 150, intvl 10cs, ..."
// "1763900000.123456 IP6 fe80::c6ff:fe12:1 > ff02::12: VRRPv3, Advertisement, vrid 53, prio 150, intvl 10cs, ..."
const advertLine = /^(\d+\.\d+) IP6? ([\d.]+|[\da-f:]+) > ([\d.]+|[\da-f:]+): VRRPv[23], Advertisement, vrid \d+, prio (\d+)/;

/** `family`: which adverts, VRRP over IPv4 (the default) or over IPv6. */
export async function captureAdverts(lab: Lab, host: LabHost, options: { readonly family?: 'ipv4' | 'ipv6' } = {}): Promise<AdvertCapture> {
  // -p: only frames addressed to the host (a flooded unicast advert for another host is not one it
  // received); --immediate-mode: each packet as it comes, not in blocks up to a second late.
  const filter = options.family === 'ipv6' ? ['ip6', 'proto', '112'] : ['ip', 'proto', '112'];
  const tcpdump = lab.spawn(host, ['tcpdump', '-i', host.iface, '-p', '-l', '-nn', '-tt', '--immediate-mode', ...filter]);
  await waitForListening(tcpdump, host);
  return {
    host,
    adverts: () => parseAdverts(tcpdump.output().stdout),
    stop: async () => {
      tcpdump.kill('SIGINT');
      await tcpdump.exited;
    },
  };
}

export function parseAdverts(stdout: string): CapturedAdvert[] {
  const adverts: CapturedAdvert[] = [];
  for (const line of stdout.split('\n')) {
    const match = advertLine.exec(line);
    if (match === null) continue;
    const [, seconds = '0', source = '', destination = '', priority = '0'] = match;
    adverts.push({ atMs: Number(seconds) * 1000, source, destination, priority: Number(priority) });
  }
  return adverts;
}

/**
 * The rhythm of `source`'s adverts before `beforeMs`, from the adverts it sent. In unicast mode one
 * advert is a packet per peer, sent together: packets closer than a quarter interval are one advert.
 * The period is the median gap between consecutive adverts (gaps near the nominal interval only, so a
 * lost or unsent advert does not count); the nominal interval when there is no such gap.
 */
export function advertSchedule(adverts: readonly CapturedAdvert[], options: { readonly source: string; readonly nominalMs: number; readonly beforeMs: number }): AdvertSchedule | null {
  const starts: number[] = [];
  for (const advert of adverts) {
    if (advert.source !== options.source || advert.atMs >= options.beforeMs || advert.priority === 0) continue;
    const last = starts.at(-1);
    if (last === undefined || advert.atMs - last >= options.nominalMs / 4) starts.push(advert.atMs);
  }
  const lastMs = starts.at(-1);
  if (lastMs === undefined) return null;
  const gaps = starts
    .slice(1)
    .map((start, i) => start - (starts[i] ?? start))
    .filter((gap) => gap > options.nominalMs / 2 && gap < (options.nominalMs * 3) / 2)
    .sort((a, b) => a - b);
  const periodMs = gaps.length === 0 ? options.nominalMs : (gaps[Math.floor(gaps.length / 2)] ?? options.nominalMs);
  return { lastMs, periodMs };
}

/** Where `atMs` falls in the schedule's interval: ms after the advert before it (extrapolated). */
export function phaseOf(schedule: AdvertSchedule, atMs: number): number {
  return (((atMs - schedule.lastMs) % schedule.periodMs) + schedule.periodMs) % schedule.periodMs;
}

async function waitForListening(tcpdump: SpawnedProcess, host: LabHost): Promise<void> {
  // tcpdump says "listening on eth0" once its socket is open; packets before that are missed.
  const deadline = Date.now() + startTimeoutMs;
  while (!tcpdump.output().stderr.includes('listening on')) {
    if (tcpdump.child.exitCode !== null || tcpdump.child.signalCode !== null || Date.now() > deadline) {
      throw new Error(`tcpdump in ${host.name} did not start: ${tcpdump.output().stderr.trim() || 'no output'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
