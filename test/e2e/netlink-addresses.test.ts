// VIPs go on and off the interface through rtnetlink, as `ip` then sees them.
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { useLab } from '../lab/index.js';

const PROBE = fileURLToPath(new URL('./probes/addresses.mjs', import.meta.url));

describe('rtnetlink addresses in a lab host', () => {
  const lab = useLab({ hosts: 1 });

  test('add two VIPs (/32 and /24), see them with ip, delete them', async () => {
    const host = lab().host(1);
    const added = await lab().runOk(host, [process.execPath, PROBE, 'add', 'eth0', '198.18.0.100/32', '198.18.0.101/24']);
    const expected = [
      { address: host.address, prefix: 24 },
      { address: '198.18.0.100', prefix: 32 },
      { address: '198.18.0.101', prefix: 24 },
    ];
    expect(JSON.parse(added.stdout)).toEqual(expected);
    expect(await lab().addresses(host)).toEqual(expected.map(({ address, prefix }) => ({ address, prefixLength: prefix })));

    await lab().runOk(host, [process.execPath, PROBE, 'delete', 'eth0', '198.18.0.100/32', '198.18.0.101/24']);
    expect(await lab().addresses(host)).toEqual([{ address: host.address, prefixLength: 24 }]);
  });

  test('adding a VIP that is there and deleting one that is gone both succeed (idempotent)', async () => {
    const host = lab().host(1);
    await lab().runOk(host, [process.execPath, PROBE, 'add', 'eth0', '198.18.0.100/32', '198.18.0.100/32']);
    const result = await lab().runOk(host, [process.execPath, PROBE, 'delete', 'eth0', '198.18.0.100/32', '198.18.0.100/32']);
    expect(JSON.parse(result.stdout)).toEqual([{ address: host.address, prefix: 24 }]);
  });

  test('a kernel refusal is a NetlinkError naming the operation and errno', async () => {
    const result = await lab().run(lab().host(1), [process.execPath, PROBE, 'add', '#9999', '198.18.0.100/32']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ERR_NETLINK add 198\.18\.0\.100\/32 ENODEV: netlink add 198\.18\.0\.100\/32 failed: .*ENODEV/);
  });
});
