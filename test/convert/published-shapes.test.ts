// Fixtures in the shapes that control-plane HA projects publish (written for these tests): kubeasz's
// track_process on its balancer, an OpenShift-style dual-stack pair moved by a sync group behind
// `bind :::9445 v4v6`, k0s-style keepalived virtual_server blocks, and a template before rendering.
// Each asserts what convert writes and what it says on stderr; haproxy -c accepts every haproxy.cfg.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { convertFiles } from '../../src/convert/convert.js';
import { formatFinding } from '../../src/convert/findings.js';
import { requireTool } from '../lab/system-tools.js';
import { FIXTURES, convertFixture, findingAt } from './convert-fixture.js';

describe('kubeasz: vrrp_track_process on the balancer, weight -60', () => {
  const keepalived = `${FIXTURES}/kubeasz/keepalived.conf`;
  const haproxy = `${FIXTURES}/kubeasz/haproxy.cfg`;
  const { config, stderr } = convertFixture({ keepalived, haproxy });

  test('the process tracker on haproxy becomes the backends tracker of the converted balancer with its weight', () => {
    expect(config.vrrp[0]).toMatchObject({ name: 'VI-kube_master', vrid: 111, advertInterval: 3000, initialState: 'master', unicast: { source: '10.10.1.1', peers: ['10.10.1.2'] } });
    expect(config.vrrp[0]?.track).toEqual([{ type: 'backends', loadBalancer: 'kube_master', weight: -60 }]);
    expect(findingAt(stderr, `${keepalived}:9`)).toContain('becomes a backends tracker on "kube_master", which has no interval, timeout, rise or fall of its own');
  });

  test("haproxy's defaults are carried over: retries 3, the check timeout bounded by inter", () => {
    expect(config.loadBalancers[0]).toMatchObject({ bind: '0.0.0.0:8443', retries: 3, healthCheck: { type: 'tcp', interval: 5000, timeout: 5000, rise: 2, fall: 2 } });
    expect(findingAt(stderr, `${haproxy}:20`)).toContain('option dontlog-normal');
  });
});

describe('OpenShift-style dual-stack: a sync group holds the health checks, haproxy binds :::9445 v4v6', () => {
  const keepalived = `${FIXTURES}/openshift-dualstack/keepalived.conf`;
  const haproxy = `${FIXTURES}/openshift-dualstack/haproxy.cfg`;
  const { config, yaml, stderr } = convertFixture({ keepalived, haproxy });

  test("every member carries the group's trackers and notify", () => {
    expect(config.vrrp.map((v) => v.name)).toEqual(['ostest_API_0', 'ostest_API_1']);
    for (const member of config.vrrp) {
      expect(member.track).toEqual([
        { type: 'script', command: ['/usr/bin/timeout', '1.9', '/etc/keepalived/chk_ocp_script.sh'], interval: 2000, timeout: 2000, rise: 3, fall: 2, weight: 20 },
        { type: 'backends', loadBalancer: 'main', weight: 5 },
      ]);
      expect(member.notify).toEqual({ master: '/etc/keepalived/notify.sh API master' });
    }
    expect(findingAt(stderr, `${keepalived}:57`)).toContain('vrrp_sync_group ostest_API (ostest_API_0, ostest_API_1): its track_script, notify are applied to each member');
    // The script both members share is reported once.
    expect(findingAt(stderr, `${keepalived}:19`)).toContain('becomes a backends tracker on "main"');
  });

  test('the v4v6 listener is the dual-stack [::] listener, with a comment; check-ssl verify none is an https check', () => {
    expect(config.loadBalancers[0]).toMatchObject({ name: 'main', bind: '[::]:9445', retries: 3, idleTimeout: 86_400_000, healthCheck: { type: 'https', path: '/readyz', insecureSkipVerify: true, interval: 1000, rise: 3, fall: 2 } });
    expect(stderr.some((line) => line.startsWith(`${haproxy}:19:`))).toBe(false);
    expect(yaml).toContain(`bind: "[::]:9445" # bind :::9445 v4v6 (${haproxy}:19): both families, as tsvip's [::]`);
    expect(findingAt(stderr, `${haproxy}:22`)).toContain('listen health_check_http_url (lines 22-26): a monitor page is not translated');
  });
});

describe('k0s-style keepalived virtual_server with real_server and TCP_CHECK', () => {
  const keepalived = `${FIXTURES}/k0s-ipvs/keepalived.conf`;
  const { config, stderr } = convertFixture({ keepalived });

  test('a load balancer on vip:PORT, the real servers as weighted backends, TCP_CHECK as a tcp health check', () => {
    expect(config.loadBalancers).toHaveLength(1);
    expect(config.loadBalancers[0]).toMatchObject({
      bind: 'vip:6443',
      balance: 'roundrobin',
      backends: [
        { address: '172.17.0.11:6443', weight: 1 },
        { address: '172.17.0.12:6443', weight: 1 },
        { address: '172.17.0.13:6443', weight: 1 },
      ],
      healthCheck: { type: 'tcp', interval: 1000, timeout: 3000 },
    });
    expect(findingAt(stderr, `${keepalived}:26`)).toContain('persistence_timeout 360: tsvip does not pin a client to one backend');
    expect(findingAt(stderr, `${keepalived}:22`)).toContain('tsvip listens on vip:6443 in user space');
  });
});

describe('a keepalived.conf template before rendering', () => {
  test('each placeholder (${STATE}, {{ .Priority }}, <AUTH_PASS>) is named with its line and what it stands for; nothing half-filled is printed', () => {
    const file = `${FIXTURES}/templates/keepalived.conf.tmpl`;
    const outcome = convertFiles({ keepalived: file });
    expect(outcome.ok).toBe(false);
    const stderr = outcome.findings.map(formatFinding);
    expect(findingAt(stderr, `${file}:12`)).toBe(`${file}:12: \${STATE}: an unrendered template value (the state value in vrrp_instance VI_1): render the template for this host and convert the result`);
    expect(findingAt(stderr, `${file}:13`)).toContain('{{ .Interface }}: an unrendered template value (the interface value in vrrp_instance VI_1)');
    expect(findingAt(stderr, `${file}:15`)).toContain('{{ .Priority }}: an unrendered template value (the priority value in vrrp_instance VI_1)');
    expect(findingAt(stderr, `${file}:19`)).toContain('<AUTH_PASS>: an unrendered template value (the auth_pass value in authentication)');
    expect(findingAt(stderr, `${file}:22`)).toContain('<VIP>: an unrendered template value (an entry of virtual_ipaddress)');
    expect(stderr.some((l) => l.includes('state $ '))).toBe(false);
  });
});

describe('the fixtures are real configs', () => {
  // Templates are excluded: they are not configs until rendered (their placeholders are the point).
  const haproxyFiles = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('haproxy.cfg'))
    .map((f) => `${FIXTURES}/${f}`);

  test.each(haproxyFiles)('haproxy -c accepts %s', (file) => {
    const haproxy = requireTool('haproxy', 'haproxy');
    expect(execFileSync(haproxy, ['-c', '-f', file], { encoding: 'utf8' })).toContain('Configuration file is valid');
  });
});
