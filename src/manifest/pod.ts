// `tsvip manifest pod`: a static pod for /etc/kubernetes/manifests/. Pure: a
// validated config in, YAML text out. The object is typed with the Kubernetes v1 Pod type, so a
// misspelt field fails to compile (the API's own schema, which the tests validate against, lets
// unknown fields through).
import { Document, isMap, isScalar, type Node } from 'yaml';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { Config } from '../config/schema.js';
import { RUNTIME_DIR } from '../self.js';
import { parseHostPort } from '../net/host-port.js';
import { connectableHost } from '../net/wildcard-loopback.js';
import {
  commandsNamed,
  filesNamed,
  neededCapabilities,
  portOf,
  relativeFileNotes,
  stopTimeoutSeconds,
  type Manifest,
  type ManifestNote,
  type ManifestSource,
} from './common.js';

export interface PodOptions extends ManifestSource {
  image: string;
}

export const DEFAULT_IMAGE_REPOSITORY = 'ghcr.io/tsvip/tsvip';
/** Where the container sees vip.yaml, whatever its path on the host. */
export const CONTAINER_CONFIG_PATH = '/etc/tsvip/vip.yaml';

/**
 * The image's single executable extracts its native modules (koffi's, netlink's) to RUNTIME_DIR at
 * start and removes them at once (src/single-executable/native-asset.ts): with a read-only root file
 * system it needs a writable directory that allows executable mappings, which a memory-backed emptyDir is.
 */
const NATIVE_MODULES_DIR = RUNTIME_DIR;

/**
 * The liveness probe's host for status.listen: the kubelet joins host and port itself (an IPv6 host
 * without brackets), and a wildcard listener is probed on loopback of its family.
 */
function probeHost(listen: string): string {
  const parsed = parseHostPort(listen, { allowHostname: false, keywords: [] });
  return parsed.ok ? connectableHost(parsed.value.host) : listen;
}

export function podManifest(config: Config, options: PodOptions): Manifest {
  const files = filesNamed(config).filter((file) => file.path.startsWith('/'));
  // The same file named twice is mounted once.
  const mountedFiles = [...new Map(files.map((file) => [file.path, file])).values()];
  const fileVolumes = mountedFiles.map((file, index) => ({ name: `file-${index + 1}`, path: file.path }));

  const pod: IPod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'tsvip',
      namespace: 'kube-system',
      labels: { 'app.kubernetes.io/name': 'tsvip', component: 'tsvip', tier: 'control-plane' },
    },
    spec: {
      hostNetwork: true,
      dnsPolicy: 'Default',
      priorityClassName: 'system-node-critical',
      terminationGracePeriodSeconds: stopTimeoutSeconds(config),
      containers: [
        {
          name: 'tsvip',
          image: options.image,
          imagePullPolicy: 'IfNotPresent',
          args: ['start', '-c', CONTAINER_CONFIG_PATH],
          securityContext: {
            runAsUser: 0,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { add: neededCapabilities(config), drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
          livenessProbe: {
            httpGet: { host: probeHost(config.status.listen), port: portOf(config.status.listen), path: '/healthz', scheme: 'HTTP' },
            initialDelaySeconds: 10,
            periodSeconds: 10,
            timeoutSeconds: 5,
            failureThreshold: 3,
          },
          resources: { requests: { cpu: '100m', memory: '128Mi' } },
          volumeMounts: [
            { name: 'config', mountPath: CONTAINER_CONFIG_PATH, readOnly: true },
            ...fileVolumes.map((volume) => ({ name: volume.name, mountPath: volume.path, readOnly: true })),
            { name: 'native-modules', mountPath: NATIVE_MODULES_DIR },
          ],
        },
      ],
      volumes: [
        { name: 'config', hostPath: { path: options.hostConfigPath, type: 'File' } },
        ...fileVolumes.map((volume) => ({ name: volume.name, hostPath: { path: volume.path, type: 'File' as const } })),
        { name: 'native-modules', emptyDir: { medium: 'Memory', sizeLimit: '32Mi' } },
      ],
    },
  };

  const doc = new Document(pod);
  doc.commentBefore = yamlComment([
    `tsvip static pod, made by \`tsvip ${options.command}\` (tsvip ${options.version}):`,
    'run that again after changing vip.yaml or upgrading tsvip rather than editing this file.',
    `Install: copy it to /etc/kubernetes/manifests/tsvip.yaml on every control-plane host, each with its`,
    `own vip.yaml at ${options.hostConfigPath}; the kubelet runs it in kube-system as tsvip-<node name>.`,
    'The file is bind-mounted as it was when the container started: after changing it, restart the',
    'container (crictl stop <id>; the kubelet starts a new one) rather than sending SIGHUP.',
  ]);
  commentOn(doc, ['spec', 'hostNetwork'], ['VRRP, the VIP and the load balancer live in the host network namespace.']);
  commentOn(doc, ['spec', 'dnsPolicy'], ["Backend names resolve with the host's resolver: cluster DNS needs the apiserver this pod fronts."]);
  commentOn(doc, ['spec', 'terminationGracePeriodSeconds'], [
    'SIGTERM: the VIP is given up within 2 s (priority 0, so a backup takes over at once), then open',
    'connections get the longest shutdownDrain; this leaves a margin on top of both.',
  ]);
  commentOn(doc, ['spec', 'containers', 0, 'securityContext', 'runAsUser'], [
    'Root in the container, but with only the capabilities below: Kubernetes gives added capabilities',
    'to root alone (a non-root process would need ambient capabilities, which a pod cannot ask for).',
  ]);
  commentOn(doc, ['spec', 'containers', 0, 'livenessProbe'], [`/healthz on status.listen (${config.status.listen}), served without auth.`]);
  commentOn(doc, ['spec', 'containers', 0, 'resources'], [
    'No limits: CPU throttling would delay VRRP adverts (a false failover), and an OOM kill of the',
    'master would leave its VIP behind.',
  ]);
  commentOn(doc, ['spec', 'volumes', fileVolumes.length + 1], [
    `native-modules: the root file system is read-only; the executable extracts its native modules to ${NATIVE_MODULES_DIR}`,
    'at start and deletes them at once (they stay mapped), so this stays empty.',
  ]);
  if (fileVolumes.length > 0) {
    commentOn(doc, ['spec', 'volumes', 1], mountedFiles.map((file, index) => `file-${index + 1}: ${file.keyPath}, read at the same path as on the host.`));
  }

  const notes: ManifestNote[] = [
    ...relativeFileNotes(config),
    ...commandsNamed(config).map((command) => ({
      keyPath: command.keyPath,
      message: `runs "${command.program}" inside the container: it and whatever it calls must be in the image (or mount them)`,
    })),
  ];
  return { text: doc.toString({ lineWidth: 0 }), notes };
}

/** Puts `lines` as a comment above the key at `path` (or above a list item, for a numeric last step). */
function commentOn(doc: Document, path: readonly (string | number)[], lines: readonly string[]): void {
  const last = path[path.length - 1];
  const parent = doc.getIn(path.slice(0, -1), true) as Node | undefined;
  const comment = yamlComment(lines);
  if (typeof last === 'number') {
    const item = doc.getIn(path, true) as Node | undefined;
    if (item === undefined) throw new Error(`no item at ${path.join('.')}`);
    item.commentBefore = comment;
    return;
  }
  if (!isMap(parent)) throw new Error(`no mapping at ${path.slice(0, -1).join('.')}`);
  const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
  if (pair === undefined || !isScalar(pair.key)) throw new Error(`no key ${path.join('.')}`);
  pair.key.commentBefore = comment;
}

/** The yaml package writes `#` before each line of a comment; a leading space reads better. */
function yamlComment(lines: readonly string[]): string {
  return lines.map((line) => (line === '' ? '' : ` ${line}`)).join('\n');
}
