// Maps a key path (`['vrrp', 0, 'priority']`) to where the user wrote it, so every error points at the
// offending value: `vip.yaml:12:15`. Missing keys point at the mapping that should hold them.
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { KeyPath } from './meaning.js';

export interface Position {
  line: number;
  col: number;
}

export function formatKeyPath(path: KeyPath): string {
  let text = '';
  for (const segment of path) {
    text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  }
  return text === '' ? '(document)' : text;
}

function keyText(key: unknown): unknown {
  return isScalar(key) ? key.value : key;
}

export function locate(doc: Document, lines: LineCounter, path: KeyPath, target: 'value' | 'key' = 'value'): Position {
  let node: Node | null | undefined = doc.contents as Node | null;
  let offset = node?.range?.[0] ?? 0;
  for (const [depth, segment] of path.entries()) {
    const isLast = depth === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && String(keyText(item.key)) === String(segment));
      if (!pair) break;
      const key = pair.key as Node | null;
      const value = pair.value as Node | null;
      // `key:` with nothing after it has a null value: point at the key.
      if ((isLast && target === 'key') || !value?.range) {
        offset = key?.range?.[0] ?? offset;
        break;
      }
      node = value;
      offset = value.range[0];
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item?.range) break;
      node = item;
      offset = item.range[0];
    } else {
      break;
    }
  }
  return lines.linePos(offset);
}
