// `tsvip manifest systemd`: the unit passes `systemd-analyze verify` (Debian package: systemd) and
// has what a supervisor of tsvip needs.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { systemdUnit, unitWord, type SystemdOptions } from '../../src/manifest/systemd.js';
import { TSVIP_BIN } from '../cli/run-cli.js';

const workDir = mkdtempSync(join(tmpdir(), 'tsvip-unit-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const OPTIONS: SystemdOptions = {
  command: 'manifest systemd -c vip.yaml',
  version: '9.9.9',
  hostConfigPath: '/etc/tsvip/vip.yaml',
  // A real program, so that verify does not stop at "is not executable".
  execPath: TSVIP_BIN,
};

const LB_ONLY = ['loadBalancers:', '  - name: apiserver', '    bind: 127.0.0.1:6443', '    backends: [{ name: m1, address: 10.0.0.51:6443 }]', ''].join('\n');
const LOW_PORT_LONG_DRAIN = LB_ONLY.replace('127.0.0.1:6443', '0.0.0.0:443') + '    shutdownDrain: 2m\n';

function unitFor(yamlText: string, options: SystemdOptions = OPTIONS): string {
  return systemdUnit(loadConfigText(yamlText, 'vip.yaml').config, options).text;
}

/** The value of `Key=` in the unit (the last one, as systemd takes it). */
function setting(unit: string, key: string): string | undefined {
  return [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].at(-1)?.[1];
}

interface VerifyResult {
  code: number;
  output: string;
}

let verifyCount = 0;
/** `systemd-analyze verify` on a copy of the unit in a directory of its own. */
function verify(unit: string): Promise<VerifyResult> {
  const dir = join(workDir, String(verifyCount++));
  mkdirSync(dir);
  writeFileSync(join(dir, 'tsvip.service'), unit);
  return new Promise((resolve, reject) => {
    execFile('systemd-analyze', ['verify', '--man=no', './tsvip.service'], { cwd: dir, timeout: 20_000 }, (error, stdout, stderr) => {
      if (error !== null && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('systemd-analyze is missing: install the Debian package `systemd` (scripts/install-system-deps.sh does)'));
        return;
      }
      resolve({ code: error === null ? 0 : Number(error.code), output: `${stdout}${stderr}` });
    });
  });
}

describe('systemd-analyze verify', () => {
  test.each([
    ['a load-balancer-only config', LB_ONLY],
    ['a low port and a long drain', LOW_PORT_LONG_DRAIN],
  ])('passes, with no warnings, for %s', async (_, text) => {
    expect(await verify(unitFor(text))).toEqual({ code: 0, output: '' });
  });

  test('passes with paths that need quoting and escaping (spaces, %, $)', async () => {
    const dir = join(workDir, 'odd dir %i $HOME');
    mkdirSync(dir);
    const unit = unitFor(LB_ONLY, { ...OPTIONS, hostConfigPath: join(dir, 'vip.yaml') });
    expect(setting(unit, 'ExecStart')).toBe(`${TSVIP_BIN} start -c "${workDir}/odd dir %%i $$HOME/vip.yaml"`);
    expect(await verify(unit)).toEqual({ code: 0, output: '' });
  });

  test('passes for deploy/tsvip.service, its ExecStart pointed at a program that exists here', async () => {
    const example = readFileSync(new URL('../../deploy/tsvip.service', import.meta.url), 'utf8');
    expect(example).toContain('\nExecStart=/usr/local/bin/tsvip start -c /etc/tsvip/vip.yaml\n');
    expect(await verify(example.replace('ExecStart=/usr/local/bin/tsvip ', `ExecStart=${TSVIP_BIN} `))).toEqual({ code: 0, output: '' });
  });

  test('is a real check: a unit whose program does not exist fails', async () => {
    const result = await verify(unitFor(LB_ONLY, { ...OPTIONS, execPath: '/nonexistent/tsvip' }));
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('Command /nonexistent/tsvip is not executable');
  });
});

describe('what a supervisor of tsvip needs', () => {
  test('ExecStart runs `start` with the absolute config path', () => {
    expect(setting(unitFor(LB_ONLY), 'ExecStart')).toBe(`${TSVIP_BIN} start -c /etc/tsvip/vip.yaml`);
  });

  test('restarts always, reloads on SIGHUP, stops on SIGTERM', () => {
    const unit = unitFor(LB_ONLY);
    expect(setting(unit, 'Restart')).toBe('always');
    expect(setting(unit, 'RestartSec')).toBe('2s');
    expect(setting(unit, 'StartLimitIntervalSec')).toBe('0');
    expect(setting(unit, 'ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    expect(setting(unit, 'KillSignal')).toBe('SIGTERM');
  });

  test('TimeoutStopSec covers giving the VIP up plus the longest shutdownDrain', () => {
    expect(setting(unitFor(LB_ONLY), 'TimeoutStopSec')).toBe('17s'); // 2 s + 10 s default drain + 5 s margin
    expect(setting(unitFor(LOW_PORT_LONG_DRAIN), 'TimeoutStopSec')).toBe('127s');
  });

  test('capabilities: NET_ADMIN, NET_RAW, NET_BROADCAST, and NET_BIND_SERVICE only for a port below 1024', () => {
    const base = 'CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BROADCAST';
    expect(setting(unitFor(LB_ONLY), 'AmbientCapabilities')).toBe(base);
    expect(setting(unitFor(LB_ONLY), 'CapabilityBoundingSet')).toBe(base);
    expect(setting(unitFor(LOW_PORT_LONG_DRAIN), 'AmbientCapabilities')).toBe(`${base} CAP_NET_BIND_SERVICE`);
    expect(setting(unitFor(LOW_PORT_LONG_DRAIN), 'CapabilityBoundingSet')).toBe(`${base} CAP_NET_BIND_SERVICE`);
    const statusOnLowPort = LB_ONLY + 'status: { listen: 127.0.0.1:99 }\n';
    expect(setting(unitFor(statusOnLowPort), 'CapabilityBoundingSet')).toBe(`${base} CAP_NET_BIND_SERVICE`);
  });

  test('sandboxed: no new privileges, read-only system, no home', () => {
    const unit = unitFor(LB_ONLY);
    expect(setting(unit, 'NoNewPrivileges')).toBe('yes');
    expect(setting(unit, 'ProtectSystem')).toBe('strict');
    expect(setting(unit, 'ProtectHome')).toBe('yes');
    expect(setting(unit, 'RestrictAddressFamilies')).toBe('AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET');
  });

  test('after the network is online, wanted by multi-user.target', () => {
    const unit = unitFor(LB_ONLY);
    expect(setting(unit, 'After')).toBe('network-online.target');
    expect(setting(unit, 'Wants')).toBe('network-online.target');
    expect(setting(unit, 'WantedBy')).toBe('multi-user.target');
  });

  test('open files: two per allowed connection, at least 65536', () => {
    expect(setting(unitFor(LB_ONLY), 'LimitNOFILE')).toBe('65536');
    expect(setting(unitFor(LB_ONLY + '    maxConnections: 100000\n'), 'LimitNOFILE')).toBe('201024');
  });
});

describe('unitWord', () => {
  test.each([
    ['/usr/local/bin/tsvip', '/usr/local/bin/tsvip'],
    ['/etc/tsvip/100%.yaml', '/etc/tsvip/100%%.yaml'],
    ['/etc/$site/vip.yaml', '/etc/$$site/vip.yaml'],
    ['/etc/my site/vip.yaml', '"/etc/my site/vip.yaml"'],
    ['/etc/a"b\\c', '"/etc/a\\"b\\\\c"'],
  ])('%s -> %s', (word, expected) => {
    expect(unitWord(word)).toBe(expected);
  });
});
