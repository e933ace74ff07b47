// `tsvip convert` through the built binary: exit codes (0 converted, 1 nothing or unreadable, 2 usage)
// and a stdout that `tsvip check` accepts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runTsvip } from '../cli/run-cli.js';

const workDir = mkdtempSync(join(tmpdir(), 'tsvip-convert-cli-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const kubeadm = 'test/fixtures/convert/kubeadm';
const sealos = 'test/fixtures/convert/sealos';
const fixtures = 'test/fixtures/convert';

async function convertThenCheck(args: string[], name: string): Promise<void> {
  const converted = await runTsvip(['convert', ...args]);
  expect(converted.code).toBe(0);
  const file = join(workDir, name);
  writeFileSync(file, converted.stdout);
  const checked = await runTsvip(['check', '-c', file]);
  expect(checked.stderr).toBe('');
  expect(checked.code).toBe(0);
}

describe('tsvip convert', () => {
  test("kubeadm's keepalived + haproxy: exit 0, findings as FILE:LINE on stderr, stdout passes tsvip check", async () => {
    const result = await runTsvip(['convert', '--keepalived', `${kubeadm}/keepalived.conf`, '--haproxy', `${kubeadm}/haproxy.cfg`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^# Converted by tsvip convert from /);
    expect(result.stderr).toContain(`${kubeadm}/haproxy.cfg:36: option tcplog (frontend apiserver): not translated`);
    // The check script becomes a backends tracker, which has no grace of its own: that is said, not dropped.
    expect(result.stderr).toContain(`${kubeadm}/keepalived.conf:6: vrrp_script check_apiserver`);
    expect(result.stderr).toMatch(/interval 3s, timeout 3s, rise 2, fall 10 are not kept/);
    expect(result.stderr).toContain('tsvip convert: 1 VRRP instance(s), 1 load balancer(s); 12 line(s) not translated, listed above');
    await convertThenCheck(['--keepalived', `${kubeadm}/keepalived.conf`, '--haproxy', `${kubeadm}/haproxy.cfg`], 'kubeadm.yaml');
  });

  test('the published IPv6 configs (kubespray with ipv6_stack, OpenShift dual-stack IPv6-primary) pass tsvip check too', async () => {
    await convertThenCheck(['--haproxy', `${fixtures}/kubespray-ipv6/haproxy.cfg`], 'kubespray-ipv6-haproxy.yaml');
    await convertThenCheck(['--nginx', `${fixtures}/kubespray-ipv6/nginx.conf`], 'kubespray-ipv6-nginx.yaml');
    await convertThenCheck(['--keepalived', `${fixtures}/openshift-ipv6-primary/keepalived.conf`, '--haproxy', `${fixtures}/openshift-ipv6-primary/haproxy.cfg`], 'openshift-ipv6.yaml');
  });

  test('sealos-style (with an include) and kubespray outputs pass tsvip check too', async () => {
    await convertThenCheck(['--keepalived', `${sealos}/keepalived.conf`, '--haproxy', `${sealos}/haproxy.cfg`], 'sealos.yaml');
    await convertThenCheck(['--haproxy', 'test/fixtures/convert/kubespray/haproxy.cfg'], 'kubespray.yaml');
  });

  test('kubespray\'s nginx-proxy: exit 0, the http block listed as FILE:LINE, stdout passes tsvip check', async () => {
    const nginx = `${fixtures}/kubespray-nginx/nginx.conf`;
    const result = await runTsvip(['convert', '--nginx', nginx]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('bind: 127.0.0.1:6443');
    expect(result.stderr).toContain(`${nginx}:29: http block (lines 29-52): ignored`);
    expect(result.stderr).toContain('tsvip convert: 0 VRRP instance(s), 1 load balancer(s); 6 line(s) not translated, listed above');
    await convertThenCheck(['--nginx', nginx], 'kubespray-nginx.yaml');
  });

  test('keepalived + nginx (vip: bind) and both kube-vip formats pass tsvip check too', async () => {
    await convertThenCheck(['--keepalived', `${fixtures}/nginx-ha/keepalived.conf`, '--nginx', `${fixtures}/nginx-ha/nginx.conf`], 'nginx-ha.yaml');
    await convertThenCheck(['--kube-vip', `${fixtures}/kube-vip/config.yaml`], 'kube-vip-config.yaml');
  });

  test("kube-vip's static pod manifest: exit 0, env vars listed at their line", async () => {
    const manifest = `${fixtures}/kube-vip/kube-vip.yaml`;
    const result = await runTsvip(['convert', '--kube-vip', manifest]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('vips: [10.0.0.100/32]');
    expect(result.stderr).toContain(`${manifest}:32: vip_leasename=plndr-cp-lock: not needed`);
    expect(result.stderr).toContain('tsvip convert: 1 VRRP instance(s), 0 load balancer(s); 6 line(s) not translated, listed above');
    await convertThenCheck(['--kube-vip', manifest], 'kube-vip.yaml');
  });

  test('no input flag: usage error naming all four inputs, exit 2', async () => {
    const result = await runTsvip(['convert']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'tsvip convert: give at least one input: --keepalived FILE, --haproxy FILE, --nginx FILE and/or --kube-vip FILE\n' });
  });

  test('an unreadable file: exit 1, nothing on stdout', async () => {
    const result = await runTsvip(['convert', '--keepalived', `${kubeadm}/keepalived.conf`, '--haproxy', join(workDir, 'missing.cfg')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`tsvip convert: ${join(workDir, 'missing.cfg')}: no such file`);
  });

  test('nothing convertible: exit 1 with the reasons', async () => {
    const file = join(workDir, 'lvs.conf');
    writeFileSync(file, 'virtual_server 10.0.0.50 6443 {\n  lb_algo rr\n}\n');
    const result = await runTsvip(['convert', '--keepalived', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `${file}:1: virtual_server 10.0.0.50 6443: no usable real_server: not converted\n` +
        'tsvip convert: nothing could be converted: no usable vrrp_instance\n',
    );
  });
});
