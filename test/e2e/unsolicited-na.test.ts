// Unsolicited Neighbour Advertisements on a real wire (RFC 4861 7.2.6): after a failover, a client that
// still points an IPv6 VIP at the old master's MAC moves to the new master's as soon as it hears our NA,
// without asking. Kernels since 5.19 ignore an NA for an address they have no entry for
// (accept_untracked_na), so the client here already has one, as a client that talked to the VIP has.
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { useLab, type Lab, type LabHost } from '../lab/index.js';
import { parseNeighbours } from '../../src/lab/ip-json.js';
import { requireTool } from '../lab/system-tools.js';
import { waitUntil } from '../../src/lab/tsvip-daemon.js';
import { parseCapture, startCapture, type CapturedFrame } from '../lab/tcpdump-frames.js';

const PROBE = fileURLToPath(new URL('./probes/announce.mjs', import.meta.url));
const VIP = '2001:2::100';
/** The VIP's 16 bytes as tcpdump prints them in hex. */
const VIP_HEX = '20010002000000000000000000000100';
/**
 * keepalived 2.2.7's NA for the VIP from lab host 1's MAC, the whole frame as tcpdump -xx printed it
 * (see test/netlink/neighbour-advert.test.ts).
 */
const KEEPALIVED_FRAME = '3333000000010200c612000186dd6000000000203aff20010002000000000000000000000100ff02000000000000000000000000000188004c86200000002001000200000000000000000000010002010200c6120001';
/** The MAC the client's stale entry points at: the old master's, not in this lab. */
const OLD_MAC = '02:00:c6:12:00:99';

/** Hang bounds: what they wait for takes milliseconds. */
const HANG_MS = 15_000;

/** The lab's poll (waitUntil) with this file's hang bound. */
const waitFor = <T>(read: () => T | undefined | Promise<T | undefined>, what: string, limitMs = HANG_MS): Promise<T> => waitUntil(read, what, limitMs);

/** Neighbour Advertisements only: MLD, DAD and router solicitations of the fresh interfaces stay out. */
const NA_CAPTURE = ['-v', 'icmp6 and ip6[40] == 136'];

/** Frames that are a whole NA for the VIP: 14 + 40 + 32 bytes, ICMPv6 type 136, target = VIP. */
function advertsForVip(frames: CapturedFrame[]): CapturedFrame[] {
  return frames.filter((f) => f.hex.length >= 86 * 2 && f.hex.slice(108, 110) === '88' && f.hex.slice(124, 156) === VIP_HEX);
}


async function ipv6Neighbour(lab: Lab, host: LabHost, address: string) {
  const { stdout } = await lab.runOk(host, [requireTool('ip', 'iproute2'), '-6', '-j', 'neigh', 'show', 'dev', 'eth0']);
  return parseNeighbours(stdout).find((n) => n.ip === address);
}

describe('unsolicited Neighbour Advertisement from a lab host', () => {
  const lab = useLab({ hosts: 2 });

  /** Host 1 holds the VIP (nodad, as tsvip adds it); host 2, the client, points it at OLD_MAC. */
  async function failedOver(): Promise<[LabHost, LabHost]> {
    const [master, client] = [lab().host(1), lab().host(2)];
    const ip = requireTool('ip', 'iproute2');
    await lab().runOk(master, [ip, '-6', 'addr', 'replace', `${VIP}/64`, 'dev', 'eth0', 'nodad']);
    await lab().runOk(client, [ip, '-6', 'addr', 'replace', '2001:2::2/64', 'dev', 'eth0', 'nodad']);
    await lab().runOk(client, [ip, '-6', 'neigh', 'replace', VIP, 'lladdr', OLD_MAC, 'dev', 'eth0', 'nud', 'stale']);
    expect(await ipv6Neighbour(lab(), client, VIP), 'set-up: the client points the VIP at the old master').toMatchObject({ mac: OLD_MAC, states: ['STALE'] });
    return [master, client];
  }

  test("after a failover, the client's neighbour entry for the VIP moves to the new master's MAC (Override) without the client asking", async () => {
    const [master, client] = await failedOver();
    const tcpdump = await startCapture(lab(), client, NA_CAPTURE);
    const sent = await lab().runOk(master, [process.execPath, PROBE, 'na', 'eth0', VIP]);
    expect(JSON.parse(sent.stdout)).toMatchObject({ name: 'eth0', mac: master.mac });

    const entry = await waitFor(async () => {
      const found = await ipv6Neighbour(lab(), client, VIP);
      return found?.mac === master.mac ? found : undefined;
    }, `the client's entry for ${VIP} to point at ${master.mac}`);
    // An unsolicited NA makes the entry STALE with the new address (RFC 4861 7.2.5), not REACHABLE.
    expect(entry.states).toEqual(['STALE']);

    await waitFor(() => (advertsForVip(parseCapture(tcpdump.output().stdout)).length > 0 ? true : undefined), 'the NA in the capture');
    tcpdump.kill('SIGINT');
    await tcpdump.exited;
    const [frame, ...more] = advertsForVip(parseCapture(tcpdump.output().stdout));
    expect(more, 'one announce() is one frame').toEqual([]);
    const hex = frame?.hex ?? '';
    expect(hex.slice(0, 12), 'Ethernet destination').toBe('333300000001');
    expect(hex.slice(12, 24), 'Ethernet source').toBe(master.mac.replaceAll(':', ''));
    expect(hex.slice(24, 28), 'ethertype').toBe('86dd');
    expect(hex.slice(40, 42), 'next header').toBe('3a');
    expect(hex.slice(42, 44), 'hop limit').toBe('ff');
    expect(hex.slice(44, 76), 'IPv6 source: the VIP').toBe(VIP_HEX);
    expect(hex.slice(76, 108), 'IPv6 destination').toBe('ff020000000000000000000000000001');
    expect(hex.slice(110, 112), 'ICMPv6 code').toBe('00');
    expect(hex.slice(116, 118), 'flags: Override only').toBe('20');
    expect(hex.slice(156, 160), 'option: target link-layer address, 1 unit').toBe('0201');
    expect(hex.slice(160, 172), 'option: the MAC').toBe(master.mac.replaceAll(':', ''));
    // tcpdump's own reading: hop limit, destination, flags, and a checksum it verified.
    expect(frame?.summary).toMatch(/hlim 255/);
    expect(frame?.summary).toMatch(new RegExp(`${VIP} > ff02::1: \\[icmp6 sum ok\\] ICMP6, neighbor advertisement`));
    expect(frame?.summary).toMatch(/Flags \[override\]/);
    expect(frame?.summary).toContain(`tgt is ${VIP}`);
    expect(hex, 'the same frame as keepalived sends').toBe(KEEPALIVED_FRAME);
  });

  test('with router asked for, the Router flag is set too', async () => {
    const [master, client] = await failedOver();
    const tcpdump = await startCapture(lab(), client, NA_CAPTURE);
    await lab().runOk(master, [process.execPath, PROBE, 'na', 'eth0', VIP, 'router']);
    await waitFor(() => (advertsForVip(parseCapture(tcpdump.output().stdout)).length > 0 ? true : undefined), 'the NA in the capture');
    tcpdump.kill('SIGINT');
    await tcpdump.exited;
    const [frame] = advertsForVip(parseCapture(tcpdump.output().stdout));
    expect(frame?.hex.slice(116, 118), 'flags: Router and Override').toBe('a0');
    expect(frame?.summary).toMatch(/Flags \[router, override\]/);
  });

  test('a client with no entry for the VIP makes none from the NA (accept_untracked_na off, the default): only clients that knew the VIP move', async () => {
    const [master, client] = [lab().host(1), lab().host(2)];
    const ip = requireTool('ip', 'iproute2');
    const untracked = '2001:2::105';
    await lab().runOk(master, [ip, '-6', 'addr', 'replace', `${untracked}/64`, 'dev', 'eth0', 'nodad']);
    const tcpdump = await startCapture(lab(), client, NA_CAPTURE);
    await lab().runOk(master, [process.execPath, PROBE, 'na', 'eth0', untracked]);
    // The NA did arrive (so the missing entry is the kernel's choice, not a lost frame).
    await waitFor(() => (parseCapture(tcpdump.output().stdout).some((f) => f.summary.includes(`tgt is ${untracked}`)) ? true : undefined), 'the NA in the capture');
    tcpdump.kill('SIGINT');
    await tcpdump.exited;
    expect(await ipv6Neighbour(lab(), client, untracked)).toBeUndefined();
  });

  test('a sender on a missing interface index fails with ERR_UNSOLICITED_NA naming the interface and ENODEV', async () => {
    const result = await lab().run(lab().host(1), [process.execPath, PROBE, 'na', '#9999', '02:00:c6:12:00:01', VIP]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ERR_UNSOLICITED_NA ENODEV: unsolicited neighbour advertisement on #9999: bind\(ifindex 9999\) failed: ENODEV/);
  });

  test('on an interface that is down, announce() fails with ENETDOWN instead of dropping the NA silently', async () => {
    const host = lab().host(1);
    await lab().runOk(host, ['ip', 'link', 'set', 'eth0', 'down']);
    try {
      const result = await lab().run(host, [process.execPath, PROBE, 'na', 'eth0', VIP]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^ERR_UNSOLICITED_NA ENETDOWN: unsolicited neighbour advertisement on eth0: sendto 2001:2::100 failed: ENETDOWN/);
    } finally {
      await lab().runOk(host, ['ip', 'link', 'set', 'eth0', 'up']);
    }
  });
});
