// The demo's live screen (what a terminal shows; the e2e test reads the --plain story instead): each
// host's row, with the IPv6 instance's address, state and VIP beside the IPv4 ones in a dual-stack demo.
import { describe, expect, test } from 'vitest';
import { renderDemo, type DemoSnapshot, type HostView } from '../../src/demo/view.js';

const client = { vip: '198.18.0.100', okLastSecond: 90, triedLastSecond: 90, lastServer: 'h2', totalOk: 900, totalFailed: 3 };

function snapshot(hosts: HostView[], vip6: string | null): DemoSnapshot {
  return { vip: '198.18.0.100', vip6, hosts, client: { ...client, vip: vip6 ?? client.vip }, story: ['  1.0 s  something happened'], step: 'something happened' };
}

const tableOf = (screen: string): string[] => screen.split('\n').filter((line) => /^ {2}(host|h\d) /.test(line));

describe('the demo screen', () => {
  test('IPv4 only: one state and one VIP column', () => {
    const screen = renderDemo(
      snapshot(
        [
          { name: 'h1', address: '198.18.0.1', state: 'master', priority: 150, holdsVip: true },
          { name: 'h2', address: '198.18.0.2', state: 'backup', priority: 100, holdsVip: false },
        ],
        null,
      ),
      { colour: false },
    );
    expect(screen.split('\n')[0]).toBe('tsvip demo: three control-plane hosts and a client in network namespaces; VIP 198.18.0.100');
    expect(tableOf(screen)).toEqual([
      '  host  address        state       priority  VIP',
      '  h1    198.18.0.1     MASTER      150       holds it',
      '  h2    198.18.0.2     BACKUP      100       ',
    ]);
  });

  test('dual-stack (--ipv6): each host\'s IPv6 address, its IPv6 instance\'s state and who holds the IPv6 VIP, in columns', () => {
    const screen = renderDemo(
      snapshot(
        [
          { name: 'h1', address: '198.18.0.1', state: 'stopped', priority: null, holdsVip: true, ipv6: { address: '2001:2::1', state: 'stopped', holdsVip: true } },
          { name: 'h2', address: '198.18.0.2', state: 'master', priority: 100, holdsVip: true, ipv6: { address: '2001:2::2', state: 'master', holdsVip: true } },
          { name: 'h3', address: '198.18.0.3', state: 'backup', priority: 50, holdsVip: false, ipv6: { address: '2001:2::3', state: 'backup', holdsVip: false } },
        ],
        '2001:2::100',
      ),
      { colour: false },
    );
    expect(screen.split('\n')[0]).toBe('tsvip demo: three control-plane hosts and a client in network namespaces; VIPs 198.18.0.100 and 2001:2::100');
    expect(screen).toContain('  client -> 2001:2::100: ############################## 100% of connections answered in the last second, the last by apiserver h2\n');
    expect(tableOf(screen)).toEqual([
      '  host  address        state       priority  VIP       IPv6 address  IPv6 state  IPv6 VIP',
      '  h1    198.18.0.1     STOPPED     -         holds it  2001:2::1     STOPPED     holds it',
      '  h2    198.18.0.2     MASTER      100       holds it  2001:2::2     MASTER      holds it',
      '  h3    198.18.0.3     BACKUP      50                  2001:2::3     BACKUP      ',
    ]);
  });
});
