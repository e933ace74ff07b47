// Gratuitous ARP on a real wire: after a failover, a client on the segment that still points the VIP
// at the old master's MAC moves to the new master's as soon as it hears our announcement, without
// asking (broadcast ARP request, sender = target = VIP, sender MAC = interface MAC).
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { useLab, type Lab, type LabHost } from '../lab/index.js';
import { waitUntil } from '../../src/lab/tsvip-daemon.js';
import type { SpawnedProcess } from '../../src/lab/spawned-process.js';
import { requireTool } from '../lab/system-tools.js';
import { parseCapture, startCapture, type CapturedFrame } from '../lab/tcpdump-frames.js';

const PROBE = fileURLToPath(new URL('./probes/announce.mjs', import.meta.url));
const VIP = '198.18.0.100';

// keepalived 2.2.7's gratuitous ARP for 198.18.0.100 from 02:00:c6:12:00:01 (lab host 1), as
// tcpdump -xx printed it (see test/netlink/garp-packet.test.ts): the whole 42-byte frame.
const KEEPALIVED_FRAME = 'ffffffffffff0200c6120001080600010800060400010200c6120001c6120064ffffffffffffc6120064';

/** Hang bounds: what they wait for takes milliseconds. */
const HANG_MS = 15_000;

/** The lab's poll (waitUntil) with this file's hang bound. */
const waitFor = <T>(read: () => T | undefined | Promise<T | undefined>, what: string, limitMs = HANG_MS): Promise<T> => waitUntil(read, what, limitMs);

async function stopCapture(tcpdump: SpawnedProcess): Promise<CapturedFrame[]> {
  tcpdump.kill('SIGINT');
  await tcpdump.exited;
  return parseCapture(tcpdump.output().stdout);
}

async function neighbourMac(lab: Lab, host: LabHost, ip: string): Promise<string | null | undefined> {
  return (await lab.neighbours(host)).find((n) => n.ip === ip)?.mac;
}

async function waitForNeighbour(lab: Lab, host: LabHost, ip: string, mac: string, limitMs = HANG_MS): Promise<void> {
  const start = Date.now();
  while ((await neighbourMac(lab, host, ip)) !== mac) {
    if (Date.now() - start > limitMs) {
      throw new Error(`${host.name}'s neighbour entry for ${ip} is not ${mac} after ${limitMs} ms: ${JSON.stringify(await lab.neighbours(host))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('gratuitous ARP from a lab host', () => {
  const lab = useLab({ hosts: 3 });

  test("after a failover from host 3 to host 1, the client's ARP entry for the VIP moves to host 1 without the client asking", async () => {
    const [newMaster, client, oldMaster] = [lab().host(1), lab().host(2), lab().host(3)];
    // The old master holds the VIP and the client has talked to it: its neighbour entry says host 3.
    await lab().runOk(oldMaster, ['ip', 'addr', 'add', `${VIP}/32`, 'dev', 'eth0']);
    await lab().runOk(client, [requireTool('ping', 'iputils-ping'), '-c', '1', '-W', '2', VIP]);
    // Failover: the VIP leaves host 3 and lands on host 1. Linux itself announces nothing on
    // `ip addr add`, so the client still points at the old master (checked, so the test proves the ARP).
    await lab().runOk(oldMaster, ['ip', 'addr', 'del', `${VIP}/32`, 'dev', 'eth0']);
    await lab().runOk(newMaster, ['ip', 'addr', 'add', `${VIP}/32`, 'dev', 'eth0']);
    expect(await neighbourMac(lab(), client, VIP), 'set-up: the client should point the VIP at the old master').toBe(oldMaster.mac);

    const tcpdump = await startCapture(lab(), client, ['arp']);
    const sent = await lab().runOk(newMaster, [process.execPath, PROBE, 'garp', 'eth0', VIP]);
    expect(JSON.parse(sent.stdout)).toMatchObject({ name: 'eth0', mac: newMaster.mac, up: true, running: true });

    await waitForNeighbour(lab(), client, VIP, newMaster.mac);
    // The kernel may update the entry before tcpdump has printed the frame: wait for it too.
    await waitFor(() => (parseCapture(tcpdump.output().stdout).some((f) => f.hex.length >= 84) ? true : undefined), 'the ARP frame in the capture');
    const frames = await stopCapture(tcpdump);

    // One frame on the wire, from host 1, and none from the client: it never asked.
    expect(frames.filter((f) => f.summary.includes(`${client.mac} >`)), 'ARP frames the client sent').toEqual([]);
    expect(frames.map((f) => f.summary)).toHaveLength(1);
  });

  test('on the wire: broadcast, opcode request, sender MAC = host 1, sender IP = target IP = VIP; the same bytes as keepalived', async () => {
    const [sender, listener] = [lab().host(1), lab().host(2)];
    const tcpdump = await startCapture(lab(), listener, ['arp']);
    await lab().runOk(sender, [process.execPath, PROBE, 'garp', 'eth0', VIP]);
    await waitFor(() => (parseCapture(tcpdump.output().stdout).some((f) => f.hex.length >= 84) ? true : undefined), 'the ARP frame at host 2');
    const [frame, ...more] = await stopCapture(tcpdump);

    expect(more, 'one announce() is one frame').toEqual([]);
    expect(frame?.summary).toMatch(new RegExp(`${sender.mac} > ff:ff:ff:ff:ff:ff, ethertype ARP \\(0x0806\\), length 42: Request who-has ${VIP.replaceAll('.', '\\.')} .*tell ${VIP.replaceAll('.', '\\.')}, length 28`));
    const hex = frame?.hex ?? '';
    expect(hex.slice(0, 12), 'Ethernet destination').toBe('ffffffffffff');
    expect(hex.slice(12, 24), 'Ethernet source').toBe(sender.mac.replaceAll(':', ''));
    expect(hex.slice(24, 28), 'ethertype').toBe('0806');
    expect(hex.slice(40, 44), 'ARP opcode').toBe('0001');
    expect(hex.slice(44, 56), 'sender MAC').toBe(sender.mac.replaceAll(':', ''));
    expect(hex.slice(56, 64), 'sender IP').toBe('c6120064');
    expect(hex.slice(76, 84), 'target IP').toBe('c6120064');
    expect(hex).toBe(KEEPALIVED_FRAME);
  });

  test('a sender on a missing interface index fails with ERR_GARP naming the interface and ENODEV', async () => {
    const result = await lab().run(lab().host(1), [process.execPath, PROBE, 'garp', '#9999', '02:00:c6:12:00:01', VIP]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ERR_GARP ENODEV: gratuitous ARP on #9999: bind\(ifindex 9999\) failed: ENODEV/);
  });

  test('without CAP_NET_RAW the sender fails with ERR_GARP and EPERM (what a daemon started without capabilities sees)', async () => {
    const result = await lab().run(lab().host(1), [requireTool('setpriv', 'util-linux'), '--bounding-set=-net_raw', '--inh-caps=-net_raw', process.execPath, PROBE, 'garp', 'eth0', VIP]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ERR_GARP EPERM: gratuitous ARP on eth0: socket\(AF_PACKET\) failed: EPERM/);
  });

  test('on an interface that is down, announce() fails with ENETDOWN instead of dropping the ARP silently', async () => {
    const host = lab().host(3);
    await lab().runOk(host, ['ip', 'link', 'set', 'eth0', 'down']);
    try {
      const result = await lab().run(host, [process.execPath, PROBE, 'garp', 'eth0', VIP]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^ERR_GARP ENETDOWN: gratuitous ARP on eth0: sendto 198\.18\.0\.100 failed: ENETDOWN/);
    } finally {
      await lab().runOk(host, ['ip', 'link', 'set', 'eth0', 'up']);
    }
  });
});
