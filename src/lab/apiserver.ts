// kube-apiserver stand-ins in lab hosts (probes/apiserver.ts says what they serve), for the load
// balancer's e2e tests, its benchmark and the demo. And self-signed certificates for them and for
// tests on 127.0.0.1, made with openssl.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Lab, LabHost } from './lab.js';
import type { ProcessExit, SpawnedProcess } from './spawned-process.js';
import { probeArgv } from './probe-program.js';
import { waitForOutput } from './vip-client.js';

export interface CertFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface ApiserverOptions {
  readonly port: number;
  /** A certificate to serve; without one the stand-in makes a self-signed one in memory. */
  readonly cert?: CertFiles;
  /** Extra subjectAltNames for the in-memory certificate ('IP:198.18.0.100'), such as a VIP. */
  readonly san?: readonly string[];
}

export interface ApiserverHandle {
  readonly host: LabHost;
  readonly port: number;
  readonly process: SpawnedProcess;
  /** /readyz and /healthz answer 503 while not ready (SIGUSR1 / SIGUSR2 to the stand-in). */
  setReady(ready: boolean): void;
  /** Sends `signal` (SIGTERM unless told) and waits for the exit; SIGSTOP/SIGCONT return at once. */
  stop(signal?: NodeJS.Signals): Promise<ProcessExit | null>;
}

export async function startApiserver(lab: Lab, host: LabHost, options: ApiserverOptions): Promise<ApiserverHandle> {
  const argv = [...probeArgv('apiserver'), '--port', String(options.port), '--name', host.name];
  if (options.cert) argv.push('--cert', options.cert.certFile, '--key', options.cert.keyFile);
  for (const san of options.san ?? []) argv.push('--san', san);
  const spawned = lab.spawn(host, argv);
  await waitForOutput(spawned, '"listening"', `the apiserver stand-in in ${host.name}`);
  return {
    host,
    port: options.port,
    process: spawned,
    setReady: (ready) => spawned.kill(ready ? 'SIGUSR2' : 'SIGUSR1'),
    stop: async (signal = 'SIGTERM') => {
      spawned.kill(signal);
      if (signal === 'SIGSTOP' || signal === 'SIGCONT') return null;
      return spawned.exited;
    },
  };
}

export interface SelfSignedOptions {
  readonly commonName?: string;
  /** subjectAltNames; 127.0.0.1 and localhost unless told. */
  readonly san?: readonly string[];
  readonly days?: number;
}

/**
 * Writes cert.pem and key.pem (P-256, self-signed, so the certificate is its own CA: a caFile) into
 * `dir`. Throws when openssl fails.
 */
export function selfSignedCert(dir: string, options: SelfSignedOptions = {}): CertFiles {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const san = (options.san ?? ['IP:127.0.0.1', 'DNS:localhost']).join(',');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', String(options.days ?? 2), '-subj', `/CN=${options.commonName ?? 'tsvip test'}`, '-addext', `subjectAltName=${san}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { certFile, keyFile };
}
