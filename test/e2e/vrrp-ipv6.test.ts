// Three dual-stack tsvip hosts and a client in namespaces, an instance per family with the same VRID:
// one holder of each VIP, the IPv6 VIP usable at once (never tentative or dadfailed), a client served
// on [VIP]:6443. A cut link moves the IPv6 VIP and the client's neighbour entry follows the
// unsolicited NA; preempt takes it back. A partition makes two masters; on heal one is left and the
// client that followed the loser is moved back by the winner's NA, whichever side's advert crosses first.
import { afterEach, describe, expect, test } from 'vitest';
import { useLab, type Lab, type LabHost } from '../lab/index.js';
import { startTsvip, waitUntil, type TsvipDaemon } from '../../src/lab/tsvip-daemon.js';
import { parseNeighbours } from '../../src/lab/ip-json.js';
import { requireTool } from '../lab/system-tools.js';

const VIP4 = '198.18.0.100';
const VIP6 = '2001:2::100';
const PORT = 6443;
const HANG_MS = 20_000;

function dualStackConfig(priority: number): Record<string, unknown> {
  const common = { interface: 'eth0', vrid: 51, priority, version: 3, advertInterval: '100ms', garp: { burst: 2, delay: '0s', refresh: '0s' } };
  return {
    vrrp: [
      { name: 'VI_4', ...common, vips: [`${VIP4}/24`] },
      { name: 'VI_6', ...common, vips: [VIP6] },
    ],
  };
}

/** Hosts holding `vip` on eth0 now, with the kernel's flags for an IPv6 one. */
async function holders6(lab: Lab, hosts: readonly LabHost[]): Promise<{ host: LabHost; tentative: boolean; dadfailed: boolean }[]> {
  const found = [];
  for (const host of hosts) {
    const entry = (await lab.addresses6(host)).find((address) => address.address === VIP6);
    if (entry !== undefined) found.push({ host, tentative: entry.tentative, dadfailed: entry.dadFailed });
  }
  return found;
}

async function holders4(lab: Lab, hosts: readonly LabHost[]): Promise<LabHost[]> {
  const found = [];
  for (const host of hosts) if ((await lab.addresses(host)).some((entry) => entry.address === VIP4)) found.push(host);
  return found;
}

async function waitForSoleHolders(lab: Lab, hosts: readonly LabHost[], expected: LabHost): Promise<void> {
  let seen = '';
  await waitUntil(
    async () => {
      const four = await holders4(lab, hosts);
      const six = await holders6(lab, hosts);
      seen = `IPv4 [${four.map((h) => h.name).join()}] IPv6 [${six.map((h) => h.host.name).join()}]`;
      return four.length === 1 && four[0] === expected && six.length === 1 && six[0]?.host === expected ? true : undefined;
    },
    `${expected.name} to be the only holder of both VIPs`,
    HANG_MS,
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; holders: ${seen}`, { cause: error });
  });
}

/** The client's IPv6 neighbour entry for the VIP, as `ip -6 neigh` shows it (null: none or no answer yet). */
async function clientNeighbourMac6(lab: Lab, client: LabHost): Promise<string | null> {
  const { stdout } = await lab.runOk(client, [requireTool('ip', 'iproute2'), '-6', '-j', 'neigh', 'show', 'dev', 'eth0']);
  return parseNeighbours(stdout).find((entry) => entry.ip === VIP6)?.mac ?? null;
}

/** A dual-stack listener on [::]:PORT that answers with the host's name. */
function startNameServer(lab: Lab, host: LabHost): void {
  const script = `require('node:net').createServer((s) => s.end(${JSON.stringify(host.name)})).listen(${PORT}, '::', () => console.log('listening'))`;
  lab.spawn(host, [process.execPath, '-e', script]);
}

/** Connects from the client to [VIP6]:PORT; the name of the host that answered, or null. */
async function whoAnswers6(lab: Lab, client: LabHost): Promise<string | null> {
  const script = `const s=require('node:net').connect({host:${JSON.stringify(VIP6)},port:${PORT},timeout:1000});let d='';s.on('data',(c)=>d+=c);s.on('end',()=>{console.log(d);process.exit(0)});s.on('timeout',()=>process.exit(1));s.on('error',()=>process.exit(1));`;
  const result = await lab.run(client, [process.execPath, '-e', script]);
  return result.code === 0 ? result.stdout.trim() : null;
}

for (const snooping of [false, true]) {
  describe(`three dual-stack tsvip hosts${snooping ? ', multicast snooping on the bridge' : ''}`, { timeout: 120_000 }, () => {
    const lab = useLab({ hosts: 4, ipv6: true, multicastSnooping: snooping });
    const daemons = new Map<LabHost, TsvipDaemon>();
    afterEach(async () => {
      for (const daemon of daemons.values()) daemon.kill('SIGKILL');
      await Promise.all([...daemons.values()].map((daemon) => daemon.exited));
      daemons.clear();
      for (const host of [1, 2, 3].map((n) => lab().host(n))) {
        await lab().heal(host);
        await lab().setLinkUp(host);
        await lab().run(host, ['ip', 'addr', 'del', `${VIP4}/24`, 'dev', 'eth0']);
        await lab().run(host, ['ip', '-6', 'addr', 'del', `${VIP6}/128`, 'dev', 'eth0']);
      }
    });

    const startGroup = (): [LabHost, LabHost, LabHost, LabHost] => {
      const [h1, h2, h3, client] = [lab().host(1), lab().host(2), lab().host(3), lab().host(4)];
      [150, 100, 50].forEach((priority, i) => {
        const host = [h1, h2, h3][i] as LabHost;
        daemons.set(host, startTsvip(lab(), host, dualStackConfig(priority)));
        startNameServer(lab(), host);
      });
      return [h1, h2, h3, client];
    };
    const daemon = (host: LabHost): TsvipDaemon => daemons.get(host) as TsvipDaemon;

    test('one holder of each VIP, the IPv6 one never tentative or dadfailed; a client is served on [VIP]:6443; a cut link moves it and the client follows the NA; preempt takes it back', async () => {
      const [h1, h2, h3, client] = startGroup();
      const routers = [h1, h2, h3];
      await daemon(h1).waitForState('master', { instance: 'VI_6' });
      await waitForSoleHolders(lab(), routers, h1);
      expect((await holders6(lab(), routers)).map(({ host, tentative, dadfailed }) => [host.name, tentative, dadfailed])).toEqual([['h1', false, false]]);
      await daemon(h2).waitForState('backup', { instance: 'VI_6' });
      await daemon(h3).waitForState('backup', { instance: 'VI_6' });
      expect(await waitUntil(async () => (await whoAnswers6(lab(), client)) ?? undefined, 'the client to be served on the VIP', HANG_MS)).toBe('h1');
      expect(await clientNeighbourMac6(lab(), client)).toBe(h1.mac);

      await lab().setLinkDown(h1);
      await daemon(h2).waitForState('master', { instance: 'VI_6' });
      await waitUntil(async () => ((await holders6(lab(), [h2, h3])).map((entry) => entry.host.name).join() === 'h2' ? true : undefined), 'h2 alone of h2 and h3 to hold the IPv6 VIP', HANG_MS);
      // Without asking: the client's entry moves on h2's unsolicited NA.
      await waitUntil(async () => ((await clientNeighbourMac6(lab(), client)) === h2.mac ? true : undefined), "the client's neighbour entry for the VIP to point to h2", HANG_MS);
      expect(await whoAnswers6(lab(), client)).toBe('h2');

      await lab().setLinkUp(h1);
      await daemon(h1).waitForState('master', { instance: 'VI_6' });
      await waitForSoleHolders(lab(), routers, h1);
      await waitUntil(async () => ((await clientNeighbourMac6(lab(), client)) === h1.mac ? true : undefined), "the client's neighbour entry to point back to h1", HANG_MS);
      expect(await whoAnswers6(lab(), client)).toBe('h1');
      expect((await holders6(lab(), routers)).every((entry) => !entry.tentative && !entry.dadfailed)).toBe(true);
    });

    test('partition then heal: two masters, then one; the client that followed the loser is moved back by the winner', async () => {
      const [h1, h2, , client] = startGroup();
      await daemon(h1).waitForState('master', { instance: 'VI_6' });
      await daemon(h2).waitForState('backup', { instance: 'VI_6' });
      await lab().partition(h1);
      await daemon(h2).waitForState('master', { instance: 'VI_6' });
      // h1, cut off without losing carrier, is still master: the split brain.
      expect(daemon(h1).state('VI_6')).toBe('master');
      await waitUntil(async () => ((await clientNeighbourMac6(lab(), client)) === h2.mac ? true : undefined), 'the client to follow h2', HANG_MS);
      expect(await whoAnswers6(lab(), client)).toBe('h2');

      await lab().heal(h1);
      await daemon(h2).waitForState('backup', { instance: 'VI_6' });
      expect(daemon(h1).state('VI_6')).toBe('master');
      await waitUntil(async () => ((await clientNeighbourMac6(lab(), client)) === h1.mac ? true : undefined), "the client's neighbour entry to move back to h1", HANG_MS);
      expect(await whoAnswers6(lab(), client)).toBe('h1');
      // One master again because h2 heard h1's higher priority; h1 stayed master throughout.
      expect(daemon(h2).transitions().filter((t) => t.instance === 'VI_6').at(-1)).toMatchObject({ from: 'master', to: 'backup', reason: 'higher priority advert' });
      expect(daemon(h1).transitions().filter((t) => t.instance === 'VI_6').map((t) => t.to)).toEqual(['backup', 'master']);
    });
  });
}
