// The keepalived + haproxy pair as sealos-style installers and many HA guides write it: unicast, nopreempt,
// a haproxy liveness script, an include, a VIP bind, a stats page.
import { describe, expect, test } from 'vitest';
import { FIXTURES, convertFixture, findingAt } from './convert-fixture.js';

const dir = `${FIXTURES}/sealos`;
const keepalived = `${dir}/keepalived.conf`;
const included = `${dir}/conf.d/ingress.conf`;
const haproxy = `${dir}/haproxy.cfg`;

describe('sealos-style keepalived + haproxy', () => {
  const { config, yaml, stderr } = convertFixture({ keepalived, haproxy });
  const [vi1, ingress] = config.vrrp;

  test('VI_1: unicast, nopreempt (its preempt_delay dropped, as keepalived does), a quoted password with # cut to the 8 bytes keepalived sends, VIP with its prefix', () => {
    expect(vi1).toMatchObject({
      name: 'VI_1',
      interface: 'eth0',
      vrid: 80,
      priority: 150,
      advertInterval: 1000,
      initialState: 'backup',
      preempt: false,
      preemptDelay: 0,
      authPass: 'sealos#k',
      unicast: { source: '10.10.0.11', peers: ['10.10.0.12', '10.10.0.13'] },
      vips: ['10.10.0.100/24'],
    });
    expect(yaml).toContain(`preempt: false # nopreempt (${keepalived}:28)`);
    expect(findingAt(stderr, `${keepalived}:29`)).toContain('preempt_delay is incompatible with nopreempt mode - resetting');
  });

  test('trackers: killall -0 haproxy -> backends on the converted LB, another script stays a script, another interface (its own is always tracked)', () => {
    expect(vi1?.track).toEqual([
      { type: 'backends', loadBalancer: 'kube-apiserver', weight: -20 },
      { type: 'script', command: ['/usr/local/bin/check_disk.sh', '/var/lib/etcd'], interval: 10_000, timeout: 5000, rise: 1, fall: 1, weight: -10 },
      { type: 'interface', name: 'eth1', weight: -5 },
    ]);
  });

  test('notify commands: a plain one as written, one with a redirection under /bin/sh -c', () => {
    expect(vi1?.notify).toEqual({ master: '/etc/keepalived/notify.sh master', backup: "/bin/sh -c '/bin/echo backup > /tmp/keepalived.state'" });
  });

  test('the included VRRPv3 instance with a fractional advert_int', () => {
    expect(ingress).toMatchObject({ name: 'VI_INGRESS', vrid: 81, version: 3, advertInterval: 500, vips: ['10.10.0.110/32'] });
    expect(yaml).toContain(`# from ${included}:2 vrrp_instance VI_INGRESS`);
  });

  test('a listen section bound on the VIP becomes vip:PORT; leastconn, weights, retries, connect timeout', () => {
    expect(config.loadBalancers.map((lb) => lb.name)).toEqual(['kube-apiserver', 'ingress-http']);
    expect(config.loadBalancers[0]).toMatchObject({
      bind: 'vip:6443',
      balance: 'leastconn',
      backends: [
        { name: 'master0', address: '10.10.0.11:6443', weight: 1 },
        { name: 'master1', address: '10.10.0.12:6443', weight: 1 },
        { name: 'master2', address: '10.10.0.13:6443', weight: 1 },
      ],
      healthCheck: { type: 'https', path: '/healthz', insecureSkipVerify: true, interval: 2000, rise: 2, fall: 3, timeout: 2000 },
      connectTimeout: 2000,
      retries: 3,
      idleTimeout: 3_600_000,
      maxConnections: 5000,
    });
    expect(config.loadBalancers[1]).toMatchObject({ bind: '0.0.0.0:80', balance: 'roundrobin' });
  });

  test('what cannot be translated is listed with file:line and why', () => {
    expect(findingAt(stderr, `${keepalived}:3`)).toContain('notification_email');
    expect(findingAt(stderr, `${keepalived}:36`)).toContain('is 10 bytes: keepalived sends only the first 8, so the converted authPass is "sealos#k"');
    expect(findingAt(stderr, `${keepalived}:44`)).toContain('label eth0:vip left out');
    expect(findingAt(stderr, `${keepalived}:45`)).toContain('10.10.0.101/24 dev eth1 (vrrp_instance VI_1): a VIP on another interface');
    expect(findingAt(stderr, `${keepalived}:57`)).toContain('smtp_alert');
    expect(findingAt(stderr, `${included}:14`)).toContain('virtual_server 10.10.0.110 80: no usable real_server: not converted');
    expect(findingAt(stderr, `${haproxy}:26`)).toContain('option ssl-hello-chk');
    expect(findingAt(stderr, `${haproxy}:31`)).toContain('server spare backup: backup servers are not supported');
    expect(findingAt(stderr, `${haproxy}:39`)).toContain('balance source');
    expect(findingAt(stderr, `${haproxy}:38`)).toContain('1 server(s) without "check"');
  });

  test('listen stats becomes the status server on its bind, the page also at its stats uri, the password left in haproxy.cfg', () => {
    expect(config.status).toEqual({ listen: '0.0.0.0:9000', pageAlias: '/stats', auth: { user: 'admin', passwordFile: '/etc/tsvip/status-password' } });
    expect(yaml).not.toContain('secret');
    expect(findingAt(stderr, `${haproxy}:21`)).toContain(`put it in /etc/tsvip/status-password with: install -d -m 700 /etc/tsvip && (umask 077 && awk 'NR==21`);
    expect(stderr.filter((line) => line.startsWith(`${haproxy}:1`) && /:(1[6-9]|20):/.test(line))).toEqual([]);
  });
});

describe('sealos-style keepalived alone', () => {
  const { config, yaml } = convertFixture({ keepalived });

  test('killall -0 haproxy stays a script when haproxy is not converted, and the comment says how to do better', () => {
    expect(config.vrrp[0]?.track[0]).toMatchObject({ type: 'script', command: ['killall', '-0', 'haproxy'], interval: 2000, rise: 2, fall: 3, weight: -20 });
    expect(yaml).toContain('convert its haproxy.cfg or nginx.conf in the same run (--haproxy, --nginx)');
  });
});
