// `tsvip start` takes the host before it loads the rest of the daemon: host checks and the status
// credentials can still refuse the start with nothing changed; past them, a predecessor's stale VIPs
// are removed, and the daemon given that host does not take it again.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { Daemon } from '../../src/daemon.js';
import { takeHostAtStart } from '../../src/daemon/host-at-start.js';
import { StartupTimeline } from '../../src/daemon/startup-timeline.js';
import { loadConfigText } from '../../src/config/load.js';
import { FakeClock } from '../vrrp/fake-clock.js';
import { FakeHost } from './fake-ports.js';
import { freePort } from '../free-port.js';

const ETH0 = 2;
const VIP = '198.18.0.100/24';

interface LogLine {
  msg: string;
  code?: string;
  [key: string]: unknown;
}

function setUp() {
  const host = new FakeHost({ addresses: { [ETH0]: ['198.18.0.1/24'] } });
  const logs: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  return { host, logs, logger };
}


function configWith(status: string) {
  return loadConfigText(`vrrp:\n  - { name: VI_1, interface: eth0, vrid: 51, priority: 100, version: 3, advertInterval: 1s, vips: [${VIP}] }\nstatus: ${status}\n`, 'vip.yaml').config;
}

let daemon: Daemon | null = null;
afterEach(async () => {
  await daemon?.shutdown('test over');
  daemon = null;
});

describe('the host at start', () => {
  test('a status password file that cannot be read refuses the start with nothing changed: the stale VIP stays', async () => {
    const { host, logger } = setUp();
    await host.rtnl.addAddress(ETH0, VIP);
    const config = configWith(`{ listen: "127.0.0.1:${await freePort()}", auth: { user: ops, passwordFile: /nonexistent/tsvip-password } }`);
    await expect(takeHostAtStart(config, host.ports, logger)).rejects.toMatchObject({ code: 'ERR_STATUS_AUTH', message: expect.stringContaining('no such file') });
    expect(host.rtnl.addressesOn(ETH0)).toContain(VIP);
  });

  test('a missing interface refuses the start with nothing changed', async () => {
    const { host, logger } = setUp();
    await host.rtnl.addAddress(ETH0, VIP);
    const config = loadConfigText(`vrrp:\n  - { name: VI_1, interface: eth9, vrid: 51, priority: 100, version: 3, advertInterval: 1s, vips: [${VIP}] }\n`, 'vip.yaml').config;
    await expect(takeHostAtStart(config, host.ports, logger)).rejects.toThrow(/eth9/);
    expect(host.rtnl.addressesOn(ETH0)).toContain(VIP);
  });

  test('the stale VIP is removed once, before the daemon is started with that host, which then marks its own steps', async () => {
    const { host, logs, logger } = setUp();
    await host.rtnl.addAddress(ETH0, VIP);
    const dir = await mkdtemp(join(tmpdir(), 'tsvip-host-at-start-'));
    await writeFile(join(dir, 'password'), 'secret\n');
    const config = configWith(`{ listen: "127.0.0.1:${await freePort()}", auth: { user: ops, passwordFile: ${join(dir, 'password')} } }`);
    let tick = 0;
    const timeline = new StartupTimeline(() => (tick += 10));
    timeline.mark('configLoaded');
    const taken = await takeHostAtStart(config, host.ports, logger, timeline);
    expect(host.rtnl.addressesOn(ETH0)).not.toContain(VIP);
    expect(taken.credentials?.user).toBe('ops');
    timeline.mark('codeLoaded');

    daemon = await Daemon.start(config, { logger, clock: new FakeClock(), ports: host.ports, timeline, host: taken });
    expect(logs.filter((line) => line.code === 'STALE_VIP_REMOVED')).toHaveLength(1);
    const started = logs.find((line) => line.msg === 'started');
    expect(started?.['startupMs']).toEqual({ configLoaded: 10, staleVipsCleared: 20, codeLoaded: 30, instancesStarted: 40, loadBalancersStarted: 50, statusStarted: 60, started: 70 });
  });
});
