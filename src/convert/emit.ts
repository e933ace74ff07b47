// Writes the converted config as commented YAML with the yaml package's Document API: a header, then
// each instance and load balancer under a comment naming the file:line it came from.
import { Document, isCollection, isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Commented, Fields } from './drafts.js';

export interface EmitItem extends Commented {
  fields: Fields;
  /** Comments above list entries: `track` index -> text. */
  entryComments?: Record<string, string[]>;
}

export interface EmitInput {
  headerLines: string[];
  vrrp: EmitItem[];
  loadBalancers: EmitItem[];
  status?: EmitItem | undefined;
}

function comment(text: string): string {
  return text
    .split('\n')
    .map((line) => ` ${line}`)
    .join('\n');
}

/** Lists of scalars (vips, peers, argv) read best on one line. */
function flowScalarLists(node: unknown): void {
  if (isSeq(node)) {
    if (node.items.every((item) => isScalar(item))) node.flow = true;
    else for (const item of node.items) flowScalarLists(item);
  } else if (isMap(node)) {
    for (const pair of node.items) flowScalarLists(pair.value);
  }
}

function annotate(doc: Document, base: (string | number)[], item: EmitItem): void {
  const node = doc.getIn(base, true) as Node | undefined;
  if (node) node.commentBefore = comment(item.header);
  for (const [key, text] of Object.entries(item.notes)) {
    const path = [...base, ...key.split('.')];
    const target = doc.getIn(path, true) as Node | undefined;
    if (target === undefined) continue;
    if (isCollection(target) && !target.flow) target.commentBefore = comment(text);
    else target.comment = comment(text);
  }
  for (const [list, texts] of Object.entries(item.entryComments ?? {})) {
    texts.forEach((text, index) => {
      const entry = doc.getIn([...base, list, index], true) as Node | undefined;
      if (entry) entry.commentBefore = comment(text);
    });
  }
}

export function emitYaml(input: EmitInput): string {
  const root: Fields = {};
  if (input.vrrp.length > 0) root['vrrp'] = input.vrrp.map((i) => i.fields);
  if (input.loadBalancers.length > 0) root['loadBalancers'] = input.loadBalancers.map((l) => l.fields);
  if (input.status !== undefined && Object.keys(input.status.fields).length > 0) root['status'] = input.status.fields;
  // Load balancers made from one proxy share their backend objects: write them out each time, not as YAML aliases.
  const doc = new Document(root, { aliasDuplicateObjects: false });
  flowScalarLists(doc.contents);
  doc.commentBefore = comment(input.headerLines.join('\n'));
  input.vrrp.forEach((item, index) => annotate(doc, ['vrrp', index], item));
  input.loadBalancers.forEach((item, index) => annotate(doc, ['loadBalancers', index], item));
  if (input.status !== undefined) annotate(doc, ['status'], input.status);
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
