// Reading YAML with the line of every key, for findings as FILE:LINE. The yaml package's Document API
// keeps each node's source range; a LineCounter turns offsets into lines.
import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments, type Node, type YAMLMap } from 'yaml';
import type { SourceLine } from './findings.js';

export interface YamlEntry {
  key: string;
  /** The line of the key. */
  at: SourceLine;
  value: unknown;
}

export interface YamlDocuments {
  documents: { contents: unknown; at: SourceLine }[];
  /** Syntax errors, each with its line; a document with errors is left out. */
  errors: { line: number; message: string }[];
  lines: YamlLines;
}

/** Turns node offsets into lines of one file. */
export class YamlLines {
  constructor(
    readonly file: string,
    private readonly counter: LineCounter,
  ) {}

  at(node: unknown, fallback: SourceLine): SourceLine {
    const offset = (node as Node | null | undefined)?.range?.[0];
    return offset === undefined ? fallback : { file: this.file, line: this.counter.linePos(offset).line };
  }

  /** A map's keys in order with their lines; [] for anything else. */
  entries(node: unknown, fallback: SourceLine): YamlEntry[] {
    if (!isMap(node)) return [];
    return (node as YAMLMap<unknown, unknown>).items.map((pair) => ({
      key: isScalar(pair.key) ? String(pair.key.value) : String(pair.key),
      at: this.at(pair.key, fallback),
      value: pair.value,
    }));
  }
}

export function parseYamlDocuments(text: string, file: string): YamlDocuments {
  const counter = new LineCounter();
  const lines = new YamlLines(file, counter);
  const documents: YamlDocuments['documents'] = [];
  const errors: YamlDocuments['errors'] = [];
  for (const doc of parseAllDocuments(text, { lineCounter: counter })) {
    if (doc.errors.length > 0) {
      for (const error of doc.errors) errors.push({ line: error.linePos?.[0].line ?? 1, message: error.message.split('\n')[0] ?? error.message });
      continue;
    }
    if (doc.contents === null) continue;
    documents.push({ contents: doc.contents, at: lines.at(doc.contents, { file, line: 1 }) });
  }
  return { documents, errors, lines };
}

/** A scalar's value as text (numbers and booleans too); undefined for maps, lists and null. */
export function scalarText(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || typeof node.value === 'object') return undefined;
  return String(node.value as string | number | boolean);
}

export function seqItems(node: unknown): unknown[] {
  return isSeq(node) ? node.items : [];
}

/** The value under `key` of a map node, or undefined. */
export function mapValue(lines: YamlLines, node: unknown, key: string): unknown {
  return lines.entries(node, { file: lines.file, line: 1 }).find((e) => e.key === key)?.value;
}
