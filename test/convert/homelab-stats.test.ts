// A home-lab keepalived + haproxy pair whose stats page is bookmarked at http://VIP:8888/stats with a
// password: the page becomes tsvip's status server on that port, also answered at /stats, with basic auth
// for the stats user, and the password stays in haproxy.cfg until the command on stderr copies it.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FIXTURES, convertFixture, findingAt } from './convert-fixture.js';

const dir = `${FIXTURES}/homelab-stats`;
const keepalived = `${dir}/keepalived.conf`;
const haproxy = `${dir}/haproxy.cfg`;

describe('home-lab listen stats', () => {
  const { config, yaml, stderr } = convertFixture({ keepalived, haproxy });

  test('the status server listens on the stats port (0.0.0.0: the VIP is only here while master), the page also at /stats, basic auth for the first stats user', () => {
    expect(config.status).toEqual({ listen: '0.0.0.0:8888', pageAlias: '/stats', auth: { user: 'admin', passwordFile: '/etc/tsvip/status-password' } });
    expect(findingAt(stderr, `${haproxy}:15`)).toBe(
      `${haproxy}:15: bind 192.168.50.10:8888 (listen stats): 192.168.50.10 is the VIP, which is on this host only while it is master: status.listen is written as 0.0.0.0:8888, which answers on the VIP too`,
    );
    expect(yaml).toContain(`pageAlias: /stats # stats uri /stats (${haproxy}:18): the page is also answered there`);
  });

  test('no password in vip.yaml; stderr names the command that copies it from haproxy.cfg, and that command yields it', () => {
    expect(yaml).not.toContain('Hunter2');
    expect(yaml).not.toContain('readonly');
    const line = findingAt(stderr, `${haproxy}:21`);
    expect(line).toContain('basic auth for user admin; the password is not written to vip.yaml: put it in /etc/tsvip/status-password with: ');
    expect(line).not.toContain('Hunter2');
    // The awk part of the command, run as printed, prints exactly the password haproxy checked.
    const awk = /awk '([^']*)' (\S+) >/.exec(line);
    expect(awk?.[2]).toBe(haproxy);
    expect(execFileSync('awk', [awk?.[1] ?? '', awk?.[2] ?? ''], { encoding: 'utf8' })).toBe('Hunter2-lab\n');
  });

  test('what the status server does not have is listed: the second user, refresh, realm, hide-version', () => {
    expect(findingAt(stderr, `${haproxy}:22`)).toBe(`${haproxy}:22: stats auth viewer (listen stats): tsvip's status server has one user (admin, from ${haproxy}:21): this one is not converted`);
    expect(findingAt(stderr, `${haproxy}:19`)).toBe(`${haproxy}:19: stats refresh 10s (listen stats): tsvip's status page refreshes itself every 2s: not kept`);
    expect(findingAt(stderr, `${haproxy}:20`)).toContain('stats realm HAProxy Statistics (listen stats): not translated');
    expect(findingAt(stderr, `${haproxy}:23`)).toContain('stats hide-version (listen stats): not translated');
    // mode http and stats enable are what make a stats page: nothing to list.
    expect(stderr.filter((l) => l.startsWith(`${haproxy}:16:`) || l.startsWith(`${haproxy}:17:`))).toEqual([]);
  });

  test('the load balancer beside it is unchanged by the stats page', () => {
    expect(config.loadBalancers.map((lb) => [lb.name, lb.bind])).toEqual([['k8s-api', '0.0.0.0:8443']]);
  });
});

describe('stats pages that cannot keep everything', () => {
  test('haproxy\'s default stats uri /haproxy?stats is answered at /haproxy; a stats port a load balancer also uses leaves status.listen at its default', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'tsvip-stats-'));
    try {
      const file = join(tmp, 'haproxy.cfg');
      await writeFile(file, 'frontend stats\n  bind :8443\n  stats enable\n  stats auth "ops:pass word"\nlisten api\n  bind :8443\n  server a 10.0.0.1:6443 check\nlisten stats2\n  bind :9000\n  stats enable\n');
      const { config, stderr } = convertFixture({ haproxy: file });
      expect(config.status).toEqual({ listen: '127.0.0.1:9901', pageAlias: '/haproxy', auth: { user: 'ops', passwordFile: '/etc/tsvip/status-password' } });
      expect(findingAt(stderr, `${file}:1`)).toContain(`status.listen 0.0.0.0:8443: port 8443 is also the bind of load balancer "api" (${file}:5): status.listen stays at its default (127.0.0.1:9901)`);
      // A quoted password is not what awk's third field is: the line is pointed at instead.
      expect(findingAt(stderr, `${file}:4`)).toContain('then type the password of that line and Ctrl-D');
      expect(findingAt(stderr, `${file}:8`)).toContain('listen stats2 (lines 8-10): a second stats page: tsvip has one status server');
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
