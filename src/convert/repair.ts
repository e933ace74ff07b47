// What convert does when its draft would not pass `check`: the source holds a value tsvip cannot take
// (a VRID of 300, a backend or a VIP listed twice, a bind another balancer already has, a tracker's
// fall of 99999). The smallest part that carries the value is left out (a tracker, a VIP, a peer, a
// backend; otherwise the whole instance, load balancer or status block, never a single key, so no
// default takes a value's place unseen) with a finding at the line that part came from. The caller
// checks the draft again, so what is printed is a config `check` accepts, or nothing.
import type { ConfigProblem } from '../errors.js';
import type { EmitItem } from './emit.js';
import type { Finding, SourceLine } from './findings.js';

export interface RepairItem extends EmitItem {
  source: SourceLine;
}

export interface RepairDraft {
  vrrp: RepairItem[];
  loadBalancers: RepairItem[];
  status?: RepairItem | undefined;
}

type Part = 'vrrp' | 'loadBalancers';

interface Refusal {
  /** The key check refused, inside the part: `vrid`, `healthCheck.path`. */
  what: string;
  message: string;
}

/** Lists whose entries can go one at a time: the key path inside an item, and what an entry is called. */
const ENTRY_LISTS: Record<Part, { path: string; noun: string; keepsItem: (left: number) => boolean }[]> = {
  vrrp: [
    { path: 'track', noun: 'tracker', keepsItem: () => true },
    { path: 'vips', noun: 'VIP', keepsItem: (left) => left > 0 },
    { path: 'unicast.peers', noun: 'unicast peer', keepsItem: (left) => left > 0 },
  ],
  loadBalancers: [{ path: 'backends', noun: 'backend', keepsItem: (left) => left > 0 }],
};

const NOUN: Record<Part, string> = { vrrp: 'VRRP instance', loadBalancers: 'load balancer' };

function listAt(fields: Record<string, unknown>, path: string): unknown[] | undefined {
  let value: unknown = fields;
  for (const key of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return Array.isArray(value) ? value : undefined;
}

/** Notes and entry comments are keyed by entry index: removing an entry shifts the ones after it. */
function removeEntry(item: RepairItem, path: string, index: number): void {
  // A new list, not a splice: load balancers made from one haproxy proxy share their backend list.
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  let parent: Record<string, unknown> = item.fields;
  for (const key of keys) parent = parent[key] as Record<string, unknown>;
  parent[last] = (parent[last] as unknown[]).filter((_, i) => i !== index);
  item.entryComments?.[path]?.splice(index, 1);
  const prefix = `${path}.`;
  const shifted: Record<string, string> = {};
  for (const [key, text] of Object.entries(item.notes)) {
    const match = key.startsWith(prefix) ? /^(\d+)(.*)$/.exec(key.slice(prefix.length)) : null;
    if (match === null) shifted[key] = text;
    else if (Number(match[1]) !== index) shifted[`${prefix}${Number(match[1]) > index ? Number(match[1]) - 1 : Number(match[1])}${match[2] ?? ''}`] = text;
  }
  item.notes = shifted;
  if (path === 'track' && listAt(item.fields, path)?.length === 0) delete item.fields['track'];
}

function itemName(part: Part, item: RepairItem): string {
  return `${NOUN[part]} ${String(item.fields['name'] ?? '')}`;
}

/**
 * Leaves out what each problem names. False when a problem is about none of the parts (the document
 * itself) or nothing could be left out: then nothing here can make the draft valid.
 */
export function repairDraft(draft: RepairDraft, problems: readonly ConfigProblem[], findings: Finding[]): boolean {
  // What check refused, as the finding names it: `vrid`, `weight`.
  const dropped: Record<Part, Map<number, Refusal>> = { vrrp: new Map(), loadBalancers: new Map() };
  // part:index:list -> entry index -> refusal
  const entries = new Map<string, Map<number, Refusal>>();
  let dropStatus: ConfigProblem | undefined;
  let removed = 0;
  for (const problem of problems) {
    if (/^status(\.|$)/.test(problem.keyPath)) {
      dropStatus ??= problem;
      continue;
    }
    const match = /^(vrrp|loadBalancers)\[(\d+)\](?:\.(.*))?$/.exec(problem.keyPath);
    const part = match?.[1] as Part | undefined;
    const index = Number(match?.[2]);
    if (part === undefined || draft[part][index] === undefined) return false;
    const rest = match?.[3] ?? '';
    const list = ENTRY_LISTS[part].find((l) => new RegExp(`^${l.path.replace('.', '\\.')}\\[\\d+\\]`).test(rest));
    if (list === undefined) {
      if (!dropped[part].has(index)) dropped[part].set(index, { what: rest === '' ? 'it' : rest, message: problem.message });
      continue;
    }
    const [, entryText, inner = ''] = /^\[(\d+)\]\.?(.*)$/.exec(rest.slice(list.path.length)) ?? [];
    const entry = Number(entryText);
    const key = `${part}:${index}:${list.path}`;
    const forList = entries.get(key) ?? new Map<number, Refusal>();
    if (!forList.has(entry)) forList.set(entry, { what: inner === '' ? list.path : inner, message: problem.message });
    entries.set(key, forList);
  }

  for (const [key, forList] of entries) {
    const [partText, indexText, path = ''] = key.split(':');
    const part = partText as Part;
    const index = Number(indexText);
    const item = draft[part][index];
    const list = ENTRY_LISTS[part].find((l) => l.path === path);
    if (item === undefined || list === undefined || dropped[part].has(index)) continue;
    const length = listAt(item.fields, path)?.length ?? 0;
    if (!list.keepsItem(length - forList.size)) {
      const first = [...forList.values()][0] as Refusal;
      dropped[part].set(index, { what: `its only ${list.noun}s`, message: first.message });
      continue;
    }
    for (const entry of [...forList.keys()].sort((a, b) => b - a)) {
      const refusal = forList.get(entry) as Refusal;
      if (entry >= (listAt(item.fields, path)?.length ?? 0)) continue;
      removed++;
      const value = listAt(item.fields, path)?.[entry];
      const shown = typeof value === 'object' && value !== null ? String((value as Record<string, unknown>)['name'] ?? (value as Record<string, unknown>)['type'] ?? '') : String(value);
      findings.push({ ...item.source, message: `${itemName(part, item)}: ${list.noun} ${shown} left out: tsvip would refuse it (${refusal.what}: ${refusal.message})` });
      removeEntry(item, path, entry);
    }
  }

  for (const part of ['vrrp', 'loadBalancers'] as const) {
    for (const [index, refusal] of [...dropped[part]].sort(([a], [b]) => b - a)) {
      const item = draft[part][index] as RepairItem;
      findings.push({ ...item.source, message: `${itemName(part, item)}: not converted: tsvip would refuse ${refusal.what}: ${refusal.message}` });
      draft[part].splice(index, 1);
      removed++;
    }
  }
  if (dropStatus !== undefined && draft.status !== undefined) {
    findings.push({ ...draft.status.source, message: `status: not converted: tsvip would refuse ${dropStatus.keyPath}: ${dropStatus.message}; the status server keeps its defaults` });
    delete draft.status;
    removed++;
  }
  return removed > 0;
}
