// `tsvip manifest pod|systemd -c FILE [--image I] [--host-config PATH] [--exec PATH]`: a static pod
// manifest or a systemd unit on stdout. The config is checked first, with the same errors as `check`
// (exit 1); a wrong kind or an option that does not fit it is a usage error (exit 2). Remarks about
// the config (a script that must exist in the image, a relative path) go to stderr.
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadForCommand } from './load-for-command.js';
import { shellWord, type Manifest } from '../manifest/common.js';
import { DEFAULT_IMAGE_REPOSITORY, podManifest } from '../manifest/pod.js';
import { systemdUnit } from '../manifest/systemd.js';
import { VERSION } from '../version.js';
import { ownProgram } from '../self.js';
import type { CliIo } from './io.js';

import { MANIFEST_KINDS } from './options.js';

export { MANIFEST_KINDS };
export type ManifestKind = (typeof MANIFEST_KINDS)[number];

export interface ManifestOptions {
  kind: ManifestKind;
  config: string;
  /** pod only: the image; default ghcr.io/tsvip/tsvip:<version>. */
  image?: string;
  /** Where vip.yaml is on the host that runs tsvip; default: the absolute path of `config`. */
  hostConfig?: string;
  /** systemd only: the tsvip program for ExecStart; default: this installation's bin/tsvip. */
  exec?: string;
}

const EXIT_USAGE = 2;

/** This installation's bin/tsvip (dist/cli/ and src/cli/ both sit two levels below the package). */
/** What `manifest systemd` runs by default: the single executable itself, or this installation's bin/tsvip. */
export const OWN_BIN = ownProgram(fileURLToPath(new URL('../../bin/tsvip', import.meta.url)));

export async function runManifest(options: ManifestOptions, io: CliIo): Promise<number> {
  const usage = usageProblem(options);
  if (usage !== null) {
    io.stderr(`tsvip manifest: ${usage}\n`);
    return EXIT_USAGE;
  }
  const config = await loadForCommand(options.config, io);
  if (config === null) return 1;

  const source = { command: commandLine(options), version: VERSION, hostConfigPath: options.hostConfig ?? resolve(options.config) };
  const manifest: Manifest =
    options.kind === 'pod'
      ? podManifest(config, { ...source, image: options.image ?? `${DEFAULT_IMAGE_REPOSITORY}:${VERSION}` })
      : systemdUnit(config, { ...source, execPath: options.exec ?? OWN_BIN });
  for (const note of manifest.notes) io.stderr(`${options.config}: ${note.keyPath}: ${note.message}\n`);
  io.stdout(manifest.text);
  return 0;
}

function usageProblem(options: ManifestOptions): string | null {
  if (options.kind === 'systemd' && options.image !== undefined) return '--image is for `manifest pod`; a systemd unit runs the tsvip installed on the host (see --exec)';
  if (options.kind === 'pod' && options.exec !== undefined) return '--exec is for `manifest systemd`; a pod runs its image (see --image)';
  if (options.image !== undefined && !/^[^\s]+$/.test(options.image)) return `--image must be an image reference such as ${DEFAULT_IMAGE_REPOSITORY}:${VERSION} (got "${options.image}")`;
  if (options.hostConfig !== undefined && !isAbsolute(options.hostConfig)) return `--host-config must be an absolute path (got "${options.hostConfig}")`;
  if (options.exec !== undefined && !isAbsolute(options.exec)) return `--exec must be an absolute path (got "${options.exec}")`;
  return null;
}

/** The command line that makes this manifest again, for its header: only the options that were given. */
function commandLine(options: ManifestOptions): string {
  const words = ['manifest', options.kind, '-c', options.config];
  if (options.hostConfig !== undefined) words.push('--host-config', options.hostConfig);
  if (options.image !== undefined) words.push('--image', options.image);
  if (options.exec !== undefined) words.push('--exec', options.exec);
  return words.map(shellWord).join(' ');
}
