// What `tsvip convert` could not translate, located in the operator's file. Printed on stderr as
// `FILE:LINE: what and why`; nothing the converter skips goes unlisted.

export interface SourceLine {
  file: string;
  line: number;
}

export interface Finding extends SourceLine {
  message: string;
}

export function formatFinding(finding: Finding): string {
  return `${finding.file}:${finding.line}: ${finding.message}`;
}

export function where(source: SourceLine): string {
  return `${source.file}:${source.line}`;
}

/** Findings in file order, then line order, as a reader goes through the files; each said once (a sync group's script reaches every member). */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const fileOrder = new Map<string, number>();
  for (const f of findings) if (!fileOrder.has(f.file)) fileOrder.set(f.file, fileOrder.size);
  const seen = new Set<string>();
  const once = findings.filter((f) => {
    const key = formatFinding(f);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return once.sort((a, b) => (fileOrder.get(a.file) ?? 0) - (fileOrder.get(b.file) ?? 0) || a.line - b.line);
}

/** tsvip names (instances, load balancers, backends): letters, digits, '_', '.', '-', at most 64. */
export function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64);
  return cleaned === '' ? 'unnamed' : cleaned;
}
