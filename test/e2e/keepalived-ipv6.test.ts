// keepalived 2.2 as the IPv6 reference in the dual-stack lab (test/lab/keepalived.ts, createLab's
// ipv6 option): two VRRPv3 routers over IPv6 on a bridge whose multicast snooping filters groups (the
// lab's own tests show ff02::12 crossing it). What is asserted is what tsvip's IPv6 instances must
// match beside them: one master, the VIP added nodad (usable at once, and not
// dadfailed on the new master although the killed one still holds it). No timing assertions; the
// timeouts only catch hangs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useLab } from '../lab/index.js';
import type { LabHost } from '../lab/index.js';
import { keepalivedConfig, requireKeepalived, startKeepalived } from '../lab/keepalived.js';
import type { KeepalivedHandle, KeepalivedSpec } from '../lab/keepalived.js';

const VIP = '2001:2::100';

const spec = (priority: number): KeepalivedSpec => ({ name: 'VI_6', interface: 'eth0', vrid: 54, priority, version: 3, advertIntervalMs: 100, vips: [`${VIP}/64`] });

test('keepalivedConfig takes an IPv6 instance only as VRRPv3, with every address of one family', () => {
  expect(keepalivedConfig(spec(150))).toMatch(/vrrp_version 3[\s\S]*2001:2::100\/64/);
  expect(() => keepalivedConfig({ ...spec(150), version: 2, advertIntervalMs: 1000 })).toThrow(/IPv6 VIPs need version 3/);
  expect(() => keepalivedConfig({ ...spec(150), vips: [`${VIP}/64`, '198.18.0.100/24'] })).toThrow(/one family per instance/);
  expect(() => keepalivedConfig({ ...spec(150), unicast: { source: '198.18.0.1', peers: ['2001:2::2'] } })).toThrow(/not IPv6, the VIPs' family/);
});

describe('two keepalived routers over IPv6, multicast snooping on', () => {
  const lab = useLab({ hosts: 2, ipv6: true, multicastSnooping: true });
  let workDir = '';
  const daemons: KeepalivedHandle[] = [];

  /** The VIP as `ip -6 addr` shows it on `host`, once `present` holds, or as it is after 10 s. */
  async function vipOn(host: LabHost, present: boolean) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const vip = (await lab().addresses6(host)).find((address) => address.address === VIP);
      if ((vip !== undefined) === present || Date.now() > deadline) return vip;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    requireKeepalived();
    workDir = await mkdtemp(join(tmpdir(), 'tsvip-keepalived-ipv6-'));
    daemons.push(await startKeepalived(lab(), lab().host(1), spec(150), { workDir }));
    daemons.push(await startKeepalived(lab(), lab().host(2), spec(100), { workDir }));
  });

  afterAll(async () => {
    for (const daemon of daemons) await daemon.stop('SIGKILL').catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  });

  test('the higher priority is the only master; its VIP is nodad, neither tentative nor dadfailed', async () => {
    const [h1, h2] = daemons;
    if (h1 === undefined || h2 === undefined) throw new Error('two daemons expected');
    await h1.waitForState('MASTER', { timeoutMs: 20_000 });
    await h2.waitForState('BACKUP', { timeoutMs: 20_000 });
    expect(await vipOn(h1.host, true)).toMatchObject({ nodad: true, tentative: false, dadFailed: false });
    expect(h2.stateChanges().at(-1)?.state).toBe('BACKUP');
    expect(await vipOn(h2.host, false)).toBeUndefined();
  }, 60_000);

  test('kill -9 of the master: the backup takes the VIP, usable at once beside the copy the killed one left', async () => {
    const [h1, h2] = daemons;
    if (h1 === undefined || h2 === undefined) throw new Error('two daemons expected');
    await h1.stop('SIGKILL');
    await h2.waitForState('MASTER', { timeoutMs: 20_000 });
    expect(await vipOn(h2.host, true)).toMatchObject({ nodad: true, tentative: false, dadFailed: false });
    expect(await vipOn(h1.host, true)).toMatchObject({ nodad: true });
  }, 60_000);
});
