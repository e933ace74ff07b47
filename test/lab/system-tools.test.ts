// The checks that make a test fail at once, naming the Debian package, when a tool it runs is missing
// or is not the version it relies on (instead of timing out waiting for what the tool would do).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { requireFrr } from './frr.js';
import { requireKeepalived } from './keepalived.js';
import { requireTool, toolVersion } from './system-tools.js';

const dirs: string[] = [];
afterEach(() => {
  vi.unstubAllEnvs();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A directory with an executable `name` that prints `banner` on stderr, as keepalived --version does. */
function fakeTool(name: string, banner: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsvip-tools-'));
  dirs.push(dir);
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' '${banner}' >&2\n`);
  chmodSync(path, 0o755);
  return dir;
}

describe('requireTool', () => {
  test('a missing tool is an error naming the command and its Debian package', () => {
    expect(() => requireTool('tsvip-no-such-tool', 'tsvip-no-such-package')).toThrow(
      'this test needs `tsvip-no-such-tool` (Debian package tsvip-no-such-package): apt-get install tsvip-no-such-package, or run scripts/install-system-deps.sh',
    );
  });

  test("a tool off PATH is found in the directories it is told to look in too (FRR's daemons in /usr/lib/frr)", () => {
    const dir = fakeTool('tsvip-fake-daemon', 'x');
    expect(requireTool('tsvip-fake-daemon', 'fake', { alsoIn: [dir] })).toBe(join(dir, 'tsvip-fake-daemon'));
  });

  test('a tool on PATH is found by its absolute path', () => {
    const dir = fakeTool('tsvip-fake-tool', 'x');
    vi.stubEnv('PATH', `${dir}:${process.env['PATH'] ?? ''}`);
    expect(requireTool('tsvip-fake-tool', 'fake')).toBe(join(dir, 'tsvip-fake-tool'));
  });
});

describe('toolVersion', () => {
  test("reads the first version number, also from stderr (keepalived's banner, which names the kernel headers' version after its own)", () => {
    const dir = fakeTool('keepalived', 'Keepalived v2.2.7 (01/16,2022)\nBuilt with kernel headers for Linux 5.19.11');
    expect(toolVersion(join(dir, 'keepalived'))).toBe('2.2.7');
  });
});

describe('requireKeepalived', () => {
  test('keepalived of another version than 2.2 is an error naming the version the tests rely on and the one found', () => {
    const dir = fakeTool('keepalived', 'Keepalived v2.3.1 (07/13,2024)');
    vi.stubEnv('PATH', `${dir}:${process.env['PATH'] ?? ''}`);
    expect(() => requireKeepalived()).toThrow(`this test relies on keepalived 2.2's behaviour (Debian 12's package keepalived, 2.2.7): \`${join(dir, 'keepalived')} --version\` says 2.3.1`);
  });

  test("this machine's keepalived is 2.2, as the interop tests need", () => {
    expect(requireKeepalived()).toBe(requireTool('keepalived', 'keepalived'));
  });
});

describe('requireFrr', () => {
  test('a missing daemon is an error naming it and the package frr', () => {
    const dir = fakeTool('zebra', 'zebra version 8.4.4');
    expect(() => requireFrr({ daemonDirectory: dir })).toThrow('this test needs `vrrpd` (Debian package frr): apt-get install frr, or run scripts/install-system-deps.sh');
  });

  test('vrrpd of another version than 8.4 is an error naming the version the tests rely on and the one found', () => {
    const dir = fakeTool('zebra', 'zebra version 10.2.1');
    writeFileSync(join(dir, 'vrrpd'), "#!/bin/sh\necho 'vrrpd version 10.2.1'\n");
    chmodSync(join(dir, 'vrrpd'), 0o755);
    expect(() => requireFrr({ daemonDirectory: dir })).toThrow(`this test relies on FRR vrrpd 8.4's behaviour (Debian 12's package frr, 8.4.4): \`${join(dir, 'vrrpd')} --version\` says 10.2.1`);
  });

  test("this machine's FRR is 8.4, as the interop tests need", () => {
    expect(requireFrr().vrrpd).toBe(requireTool('vrrpd', 'frr', { alsoIn: ['/usr/lib/frr'] }));
  });
});
