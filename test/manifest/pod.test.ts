// `tsvip manifest pod`: the static pod validates against the Kubernetes v1 Pod schema and carries what
// tsvip needs on a control-plane host.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Pod } from 'kubernetes-models/v1/Pod';
import { describe, expect, test } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { podManifest, type PodOptions } from '../../src/manifest/pod.js';

const OPTIONS: PodOptions = {
  command: 'manifest pod -c vip.yaml',
  version: '9.9.9',
  hostConfigPath: '/etc/tsvip/vip.yaml',
  image: 'registry.example/tsvip:9.9.9',
};

const LB_ONLY = ['loadBalancers:', '  - name: apiserver', '    bind: 127.0.0.1:6443', '    backends: [{ name: m1, address: 10.0.0.51:6443 }]', ''].join('\n');

const FULL = [
  'vrrp:',
  '  - name: VI_1',
  '    interface: eth0',
  '    vrid: 51',
  '    vips: [10.0.0.50/24]',
  '    track:',
  '      - { type: https, url: "https://127.0.0.1:6443/readyz", caFile: /etc/kubernetes/pki/ca.crt }',
  '      - { type: script, command: "/etc/tsvip/check.sh --quick" }',
  '    notify: { master: /usr/local/bin/on-master }',
  'loadBalancers:',
  '  - name: apiserver',
  '    bind: 0.0.0.0:443',
  '    backends: [{ name: m1, address: 10.0.0.51:6443 }]',
  '    healthCheck: { type: https, caFile: /etc/kubernetes/pki/ca.crt }',
  '    shutdownDrain: 60s',
  'status:',
  '  listen: 0.0.0.0:9100',
  '  auth: { user: admin, passwordFile: /etc/tsvip/status-password }',
  '',
].join('\n');

function podFor(yamlText: string, options: PodOptions = OPTIONS) {
  const manifest = podManifest(loadConfigText(yamlText, 'vip.yaml').config, options);
  return { ...manifest, pod: parse(manifest.text) as PodShape };
}

/** The parts of a v1 Pod the assertions read. */
interface PodShape {
  metadata: { name: string; namespace: string };
  spec: {
    hostNetwork: boolean;
    priorityClassName: string;
    terminationGracePeriodSeconds: number;
    containers: {
      image: string;
      args: string[];
      securityContext: { capabilities: { add: string[]; drop: string[] }; allowPrivilegeEscalation: boolean; readOnlyRootFilesystem: boolean };
      livenessProbe: { httpGet: { host: string; port: number; path: string } };
      resources: { requests: Record<string, string>; limits?: unknown };
      volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
    }[];
    volumes: { name: string; hostPath?: { path: string; type: string }; emptyDir?: { medium: string; sizeLimit: string } }[];
  };
}

/** Every problem the Kubernetes v1 Pod schema (kubernetes-models, Kubernetes' OpenAPI) finds; [] when valid. */
function kubernetesPodProblems(object: unknown): string[] {
  try {
    new Pod(object as ConstructorParameters<typeof Pod>[0]).validate();
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}

describe('the static pod validates against the Kubernetes v1 Pod schema', () => {
  test.each([
    ['a VRRP + load balancer config', FULL],
    ['a load-balancer-only config', LB_ONLY],
  ])('%s', (_, text) => {
    const { pod } = podFor(text);
    expect(kubernetesPodProblems(pod)).toEqual([]);
  });

  test('deploy/tsvip.pod.yaml', () => {
    const example = parse(readFileSync(new URL('../../deploy/tsvip.pod.yaml', import.meta.url), 'utf8')) as unknown;
    expect(kubernetesPodProblems(example)).toEqual([]);
  });

  test('the validator is not a rubber stamp: a broken copy fails', () => {
    const { pod } = podFor(LB_ONLY);
    const broken = structuredClone(pod) as unknown as { spec: { hostNetwork: unknown; containers: { securityContext: { capabilities: { add: unknown } } }[] } };
    broken.spec.hostNetwork = 'yes';
    const container = broken.spec.containers[0];
    if (container === undefined) throw new Error('no container');
    container.securityContext.capabilities.add = 'NET_ADMIN';
    const problems = kubernetesPodProblems(broken).join('\n');
    expect(problems).toContain('spec/hostNetwork must be boolean');
    expect(problems).toContain('capabilities/add must be array');
  });
});

describe('what a control-plane host needs', () => {
  test('kube-system, host network, system-node-critical', () => {
    const { pod } = podFor(LB_ONLY);
    expect(pod.metadata).toMatchObject({ name: 'tsvip', namespace: 'kube-system' });
    expect(pod.spec).toMatchObject({ hostNetwork: true, priorityClassName: 'system-node-critical' });
  });

  test('NET_ADMIN, NET_RAW and NET_BROADCAST added, everything else dropped, no escalation', () => {
    const container = podFor(LB_ONLY).pod.spec.containers[0];
    expect(container?.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { add: ['NET_ADMIN', 'NET_RAW', 'NET_BROADCAST'], drop: ['ALL'] },
    });
  });

  test('a listener below port 1024 adds NET_BIND_SERVICE', () => {
    const container = podFor(FULL).pod.spec.containers[0];
    expect(container?.securityContext.capabilities.add).toEqual(['NET_ADMIN', 'NET_RAW', 'NET_BROADCAST', 'NET_BIND_SERVICE']);
  });

  test('the config comes read-only from the host path and `start` reads it', () => {
    const container = podFor(LB_ONLY).pod.spec.containers[0];
    expect(container?.args).toEqual(['start', '-c', '/etc/tsvip/vip.yaml']);
    expect(container?.volumeMounts).toEqual([
      { name: 'config', mountPath: '/etc/tsvip/vip.yaml', readOnly: true },
      { name: 'native-modules', mountPath: '/run/tsvip' },
    ]);
    expect(podFor(LB_ONLY, { ...OPTIONS, hostConfigPath: '/srv/ha/site-a.yaml' }).pod.spec.volumes).toEqual([
      { name: 'config', hostPath: { path: '/srv/ha/site-a.yaml', type: 'File' } },
      { name: 'native-modules', emptyDir: { medium: 'Memory', sizeLimit: '32Mi' } },
    ]);
  });

  test('the root file system is read-only, and the native modules are extracted to a memory-backed emptyDir', () => {
    const { pod, text } = podFor(LB_ONLY);
    expect(pod.spec.containers[0]?.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(pod.spec.volumes.at(-1)).toEqual({ name: 'native-modules', emptyDir: { medium: 'Memory', sizeLimit: '32Mi' } });
    expect(text).toMatch(/# native-modules: the root file system is read-only/);
  });

  test('files the config names (caFile, passwordFile) are mounted read-only at their own paths, once each', () => {
    const { pod } = podFor(FULL);
    expect(pod.spec.volumes.slice(1, -1)).toEqual([
      { name: 'file-1', hostPath: { path: '/etc/kubernetes/pki/ca.crt', type: 'File' } },
      { name: 'file-2', hostPath: { path: '/etc/tsvip/status-password', type: 'File' } },
    ]);
    expect(pod.spec.containers[0]?.volumeMounts.slice(1, -1)).toEqual([
      { name: 'file-1', mountPath: '/etc/kubernetes/pki/ca.crt', readOnly: true },
      { name: 'file-2', mountPath: '/etc/tsvip/status-password', readOnly: true },
    ]);
  });

  test('livenessProbe: /healthz on status.listen; a wildcard listener is probed on loopback', () => {
    expect(podFor(LB_ONLY).pod.spec.containers[0]?.livenessProbe.httpGet).toEqual({ host: '127.0.0.1', port: 9901, path: '/healthz', scheme: 'HTTP' });
    expect(podFor(FULL).pod.spec.containers[0]?.livenessProbe.httpGet).toMatchObject({ host: '127.0.0.1', port: 9100 });
    const onNodeIp = LB_ONLY + 'status: { listen: 10.0.0.51:9901 }\n';
    expect(podFor(onNodeIp).pod.spec.containers[0]?.livenessProbe.httpGet).toMatchObject({ host: '10.0.0.51', port: 9901 });
    // The kubelet puts an IPv6 host in brackets itself (net.JoinHostPort): the manifest gives it bare.
    const onIpv6Loopback = LB_ONLY + 'status: { listen: "[::1]:9901" }\n';
    expect(podFor(onIpv6Loopback).pod.spec.containers[0]?.livenessProbe.httpGet).toMatchObject({ host: '::1', port: 9901 });
    const onIpv6Wildcard = LB_ONLY + 'status: { listen: "[::]:9902" }\n';
    expect(podFor(onIpv6Wildcard).pod.spec.containers[0]?.livenessProbe.httpGet).toMatchObject({ host: '::1', port: 9902 });
  });

  test('the probe says in a comment where /healthz is served', () => {
    expect(podFor(LB_ONLY).text).toMatch(/# \/healthz on status\.listen \(127\.0\.0\.1:9901\), served without auth\.\n\s*livenessProbe:/);
  });

  test('resource requests and no limits', () => {
    const resources = podFor(LB_ONLY).pod.spec.containers[0]?.resources;
    expect(resources?.requests).toEqual({ cpu: '100m', memory: '128Mi' });
    expect(resources?.limits).toBeUndefined();
  });

  test('the grace period covers giving the VIP up plus the longest shutdownDrain', () => {
    expect(podFor(LB_ONLY).pod.spec.terminationGracePeriodSeconds).toBe(17); // 2 s + 10 s default drain + 5 s margin
    expect(podFor(FULL).pod.spec.terminationGracePeriodSeconds).toBe(67);
  });

  test('the image is the one given', () => {
    expect(podFor(LB_ONLY).pod.spec.containers[0]?.image).toBe('registry.example/tsvip:9.9.9');
  });

  test('the header says how the file was made', () => {
    expect(podFor(LB_ONLY).text.split('\n')[0]).toBe('# tsvip static pod, made by `tsvip manifest pod -c vip.yaml` (tsvip 9.9.9):');
  });

  test('scripts and notify commands are pointed out: they run inside the container', () => {
    expect(podFor(FULL).notes).toEqual([
      { keyPath: 'vrrp[0].track[1].command', message: 'runs "/etc/tsvip/check.sh" inside the container: it and whatever it calls must be in the image (or mount them)' },
      { keyPath: 'vrrp[0].notify.master', message: 'runs "/usr/local/bin/on-master" inside the container: it and whatever it calls must be in the image (or mount them)' },
    ]);
    expect(podFor(LB_ONLY).notes).toEqual([]);
  });

  test('the program is found as the daemon splits the command line (quotes group words)', () => {
    const quoted = ['vrrp:', '  - name: VI_1', '    interface: eth0', '    vrid: 51', '    vips: [10.0.0.50/24]', `    track: [{ type: script, command: "'/opt/my checks/api.sh' --fast" }]`, ''].join('\n');
    expect(podFor(quoted).notes.map((note) => note.message)).toEqual([
      'runs "/opt/my checks/api.sh" inside the container: it and whatever it calls must be in the image (or mount them)',
    ]);
  });

  test('a relative file path is pointed out and not mounted', () => {
    const relative = LB_ONLY + 'status: { auth: { user: admin, passwordFile: status-password } }\n';
    const { pod, notes } = podFor(relative);
    expect(pod.spec.volumes.map((volume) => volume.name)).toEqual(['config', 'native-modules']);
    expect(notes).toEqual([{ keyPath: 'status.auth.passwordFile', message: '"status-password" is a relative path: the daemon resolves it from its working directory; write it absolute' }]);
  });
});
