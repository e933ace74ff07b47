// The convert round trip: a keepalived.conf converted by `tsvip convert` runs against the
// original keepalived on another host, and they agree on one master; when keepalived's master dies,
// the converted tsvip takes over.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { useLab, type LabHost } from '../lab/index.js';
import { keepalivedConfig, startKeepalived, type KeepalivedSpec } from '../lab/keepalived.js';
import { runCommandOk } from '../../src/lab/command.js';
import { startTsvip, TSVIP_BIN } from '../../src/lab/tsvip-daemon.js';
import { VIP_CIDR, VRID, waitForSoleHolder } from './vrrp-group.js';
import { waitForAdverts } from './instance-counters.js';

function spec(host: LabHost, peer: LabHost, priority: number): KeepalivedSpec {
  return {
    name: 'VI_1',
    interface: 'eth0',
    vrid: VRID,
    priority,
    version: 2,
    advertIntervalMs: 1000,
    state: priority > 100 ? 'MASTER' : 'BACKUP',
    authPass: 'k8s-vip',
    unicast: { source: host.address, peers: [peer.address] },
    vips: [VIP_CIDR],
  };
}

describe('a converted keepalived.conf runs beside the original keepalived', { timeout: 90_000 }, () => {
  const lab = useLab({ hosts: 2 });
  const dir = mkdtempSync(join(tmpdir(), 'tsvip-convert-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('they agree on one master, and the converted tsvip takes over when keepalived dies', async () => {
    const [h1, h2] = [lab().host(1), lab().host(2)];
    // h2's keepalived.conf, as an operator has it today, converted for tsvip.
    const original = join(dir, 'keepalived-h2.conf');
    writeFileSync(original, keepalivedConfig(spec(h2, h1, 100)));
    const converted = await runCommandOk([process.execPath, TSVIP_BIN, 'convert', '--keepalived', original]);
    expect(converted.stdout).toContain('vrid: 51');

    const keepalived = await startKeepalived(lab(), h1, spec(h1, h2, 150), { workDir: dir });
    await keepalived.waitForState('MASTER', { timeoutMs: 20_000 });
    const tsvip = startTsvip(lab(), h2, converted.stdout);
    await tsvip.waitForState('backup');
    // It accepts keepalived's adverts, more than Master_Down spans, and stays backup.
    await waitForAdverts(lab(), h2, 'advertsReceived', 5);
    expect(tsvip.state()).toBe('backup');
    await waitForSoleHolder(lab(), [h1, h2], h1);

    await keepalived.stop('SIGKILL');
    await tsvip.waitForState('master');
    tsvip.kill('SIGTERM');
    expect(await tsvip.exited).toEqual({ code: 0, signal: null });
  });
});
