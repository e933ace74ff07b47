// Reads a kube-vip file of either kind: a Kubernetes manifest (a document with `kind`, as `kube-vip
// manifest pod|daemonset` prints, maybe next to RBAC documents) or the older config.yaml (no `kind`).
import { KubeVipConfigReader } from './kube-vip-config.js';
import { readManifest } from './kube-vip-manifest.js';
import { parseYamlDocuments, scalarText } from './yaml-lines.js';
import type { Finding, SourceLine } from './findings.js';
import type { KubeVipSettings } from './kube-vip-settings.js';

export interface LoadedKubeVip {
  /** Undefined when no document holds kube-vip settings (the reasons are findings). */
  settings: KubeVipSettings | undefined;
  findings: Finding[];
}

export function loadKubeVip(file: string, text: string): LoadedKubeVip {
  const findings: Finding[] = [];
  const report = (at: SourceLine, message: string): void => void findings.push({ file: at.file, line: at.line, message });
  const { documents, errors, lines } = parseYamlDocuments(text, file);
  for (const error of errors) findings.push({ file, line: error.line, message: `YAML syntax: ${error.message}: this document is not read` });
  if (documents.length === 0 && errors.length === 0) findings.push({ file, line: 1, message: 'no YAML document: no kube-vip settings to read' });
  let settings: KubeVipSettings | undefined;
  for (const { contents, at } of documents) {
    const top = lines.entries(contents, at);
    if (top.length === 0) {
      report(at, 'not a YAML map: not a kube-vip manifest or config.yaml: not read');
      continue;
    }
    if (settings !== undefined) {
      const kind = top.find((e) => e.key === 'kind');
      const what = kind === undefined ? 'another document' : `kind ${scalarText(kind.value) ?? ''}`;
      report(kind?.at ?? at, `${what}: not translated: kube-vip's settings were read from line ${settings.at.line}; RBAC and other objects have no tsvip meaning`);
      continue;
    }
    settings = top.some((e) => e.key === 'kind') ? readManifest(contents, lines, at, report) : new KubeVipConfigReader(lines, report, at).read(contents);
  }
  return { settings, findings };
}
