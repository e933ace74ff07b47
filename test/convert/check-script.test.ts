// Which keepalived check scripts are "does the local apiserver, haproxy or nginx answer?" and nothing more.
import { describe, expect, test } from 'vitest';
import { recognizeCheckScript } from '../../src/convert/check-script.js';

const vips = new Set(['10.0.0.50']);

describe('recognized: only local apiserver, haproxy or nginx checks', () => {
  test.each([
    ['curl -sfk https://localhost:6443/healthz', 'https://localhost:6443/healthz', 'localhost', 6443, false],
    ['/usr/bin/curl --silent --fail --insecure --max-time 2 https://127.0.0.1:6443/readyz -o /dev/null', 'https://127.0.0.1:6443/readyz', '127.0.0.1', 6443, false],
    ['curl --silent --insecure https://127.0.0.1:6443/ -o /dev/null', 'https://127.0.0.1:6443/', '127.0.0.1', 6443, true],
    ['wget -q --no-check-certificate -O /dev/null https://localhost:8443/livez', 'https://localhost:8443/livez', 'localhost', 8443, false],
  ])('%s', (script, url, host, port, anyStatus) => {
    expect(recognizeCheckScript(script, vips)?.checks).toEqual([{ kind: 'url', url, host, port, unresolved: false, anyStatus }]);
  });

  test.each(['killall -0 haproxy', 'pidof haproxy', 'pgrep -x haproxy', 'systemctl is-active --quiet haproxy', '/usr/bin/killall -0 haproxy'])('%s', (script) => {
    expect(recognizeCheckScript(script, vips)?.checks).toEqual([{ kind: 'process', name: 'haproxy' }]);
  });

  test.each(['killall -0 nginx', 'pidof nginx', 'systemctl is-active nginx'])('%s (nginx, which --nginx converts)', (script) => {
    expect(recognizeCheckScript(script, vips)?.checks).toEqual([{ kind: 'process', name: 'nginx' }]);
  });

  test("kubeadm's check_apiserver.sh with its placeholders left in: recognized, the port unresolved", () => {
    const script = [
      '#!/bin/sh',
      'errorExit() {',
      '    echo "*** $*" 1>&2',
      '    exit 1',
      '}',
      'curl -sfk --max-time 2 https://localhost:${APISERVER_DEST_PORT}/healthz -o /dev/null || errorExit "Error GET https://localhost:${APISERVER_DEST_PORT}/healthz"',
    ].join('\n');
    expect(recognizeCheckScript(script, vips)?.checks).toEqual([
      { kind: 'url', url: 'https://localhost:${APISERVER_DEST_PORT}/healthz', host: 'localhost', port: undefined, unresolved: true, anyStatus: false },
    ]);
  });

  test('variables the script sets are substituted; a curl to the VIP while holding it counts as local', () => {
    const script = 'PORT=8443\nVIP="10.0.0.50"\ncurl -k https://localhost:$PORT/ || exit 1\nif ip addr | grep -q $VIP; then\n  curl -k https://${VIP}:${PORT}/ || exit 1\nfi\n';
    expect(recognizeCheckScript(script, vips)?.checks).toEqual([
      { kind: 'url', url: 'https://localhost:8443/', host: 'localhost', port: 8443, unresolved: false, anyStatus: true },
      { kind: 'url', url: 'https://10.0.0.50:8443/', host: '10.0.0.50', port: 8443, unresolved: false, anyStatus: true },
    ]);
  });
});

describe('not recognized: anything else stays a script', () => {
  test.each([
    ['another host', 'curl -k https://10.0.0.99:6443/healthz'],
    ['another program', 'killall -0 sshd'],
    ['an extra command', 'curl -k https://localhost:6443/healthz && rm -f /tmp/x'],
    ['a custom script', '/usr/local/bin/check_disk.sh /var/lib/etcd'],
    ['no check at all', 'echo ok; exit 0'],
    ['killall without -0', 'killall haproxy'],
  ])('%s', (_name, script) => {
    expect(recognizeCheckScript(script, vips)).toBeUndefined();
  });
});
