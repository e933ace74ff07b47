// vip.yaml -> validated Config. Three layers, each reporting every problem it finds: YAML syntax, the
// schema (types, ranges, unknown keys), then meaning (rules across keys). Problems are located at the
// offending value and thrown together as one ConfigError.
import { readFile } from 'node:fs/promises';
import { LineCounter, isCollection, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, ConfigFileError, type ConfigProblem } from '../errors.js';
import { parsePartly, type Partly } from './partial-parse.js';
import { checkMeaning, type Finding, type Indexed, type KeyPath } from './meaning.js';
import { formatKeyPath, locate } from './locate.js';
import { unknownKeyHint } from './key-hints.js';
import { knownConfigKeys } from './json-schema.js';
import {
  configSchema,
  instanceSchema,
  loadBalancerSchema,
  statusSchema,
  type Config,
  type LoadBalancerConfig,
  type VrrpInstanceConfig,
} from './schema.js';

export interface LoadedConfig {
  config: Config;
  /** Accepted but worth telling the user (a keepalived-style authPass cut to 8 bytes). */
  warnings: ConfigProblem[];
}

// Billion-laughs guard: a config never needs many aliases.
const MAX_ALIASES = 100;

export async function loadConfigFile(file: string): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    const reason =
      errno === 'ENOENT' ? 'no such file' : errno === 'EACCES' ? 'permission denied' : errno === 'EISDIR' ? 'is a directory, not a file' : `cannot be read (${errno ?? String(error)})`;
    throw new ConfigFileError(file, reason, { cause: error });
  }
  return loadConfigText(text, file);
}

export function loadConfigText(text: string, file: string): LoadedConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problemAt = (path: KeyPath, message: string, target: 'value' | 'key' = 'value'): ConfigProblem => ({
    file,
    ...locate(doc, lines, path, target),
    keyPath: formatKeyPath(path),
    message,
  });

  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error) => ({ file, ...lines.linePos(error.pos[0]), keyPath: 'yaml', message: `syntax error: ${error.message}` })),
    );
  }
  const complexKeys = collectionKeyOffsets(doc);
  if (complexKeys.length > 0) {
    throw new ConfigError(complexKeys.map((offset) => ({ file, ...lines.linePos(offset), keyPath: 'yaml', message: 'a key must be a plain word, not a list or a mapping' })));
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIASES }) ?? {};
  } catch (error) {
    throw new ConfigError([{ file, line: 1, col: 1, keyPath: 'yaml', message: `cannot be read: ${(error as Error).message}` }], { cause: error });
  }

  const parsed = configSchema.safeParse(raw, { reportInput: true });
  const problems: ConfigProblem[] = parsed.success ? [] : parsed.error.issues.flatMap((issue) => issueProblems(issue, problemAt));
  // A document that is not a mapping at all has one problem to fix first; meaning checks would only echo it.
  const findings = isRecord(raw) ? checkMeaning(meaningInput(raw)) : [];
  const errors = [...problems, ...findingProblems(findings, 'error', problemAt)];
  if (errors.length > 0 || !parsed.success) throw new ConfigError(sortByPosition(errors));
  return { config: parsed.data, warnings: findingProblems(findings, 'warning', problemAt) };
}

/** YAML allows `? [a, b]: c`; vip.yaml never does, and turning such keys into JS would mangle them. */
function collectionKeyOffsets(doc: Document): number[] {
  const offsets: number[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (isCollection(pair.key)) offsets.push(pair.key.range?.[0] ?? 0);
    },
  });
  // `? [a]: 1` nests one such key in another, both starting at the same place.
  return [...new Set(offsets)];
}

type ProblemAt = (path: KeyPath, message: string, target?: 'value' | 'key') => ConfigProblem;

function findingProblems(findings: Finding[], severity: Finding['severity'], problemAt: ProblemAt): ConfigProblem[] {
  return findings.filter((f) => f.severity === severity).map((f) => problemAt(f.path, f.message, f.at));
}

function sortByPosition(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.col - b.col);
}

const GENERIC_TYPE_MESSAGES: Readonly<Record<string, string>> = {
  object: 'must be a mapping of keys to values',
  array: 'must be a list',
  string: 'must be a string',
  number: 'must be a number',
  boolean: 'must be true or false',
};

function issueProblems(issue: z.core.$ZodIssue, problemAt: ProblemAt): ConfigProblem[] {
  const path = issue.path as KeyPath;
  if (issue.code === 'unrecognized_keys') {
    const known = knownConfigKeys();
    return issue.keys.map((key) => problemAt([...path, key], `unknown key "${key}"${unknownKeyHint(key, known)}`, 'key'));
  }
  // A discriminated union reports the whole object; the user needs to see the bad `type` value.
  const input = issue.code === 'invalid_union' && 'discriminator' in issue ? (issue.input as Record<string, unknown> | undefined)?.[String(issue.discriminator)] : issue.input;
  if (input === undefined) return [problemAt(path, 'is required')];
  const message =
    issue.code === 'invalid_type' && issue.message.startsWith('Invalid input') ? (GENERIC_TYPE_MESSAGES[issue.expected] ?? issue.message) : issue.message;
  return [problemAt(path, `${message}${describeGot(input)}`)];
}

/** ` (got 300)` for scalars; nothing for lists and mappings, whose content the message already covers. */
function describeGot(input: unknown): string {
  if (input === null) return ' (got nothing)';
  if (typeof input === 'string') return ` (got ${JSON.stringify(input)})`;
  if (typeof input === 'number' || typeof input === 'boolean') return ` (got ${String(input)})`;
  return '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Parses each instance and load balancer on its own, keeping the fields that pass where others fail. */
function parsedEach<T>(list: unknown, schema: z.ZodType<T>): Indexed<Partly<T>>[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item, index) => {
    const value = parsePartly(schema, item);
    return value === undefined ? [] : [{ index, value }];
  });
}

/** Written and not empty; a wrong type counts as present (the schema reports it). */
function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

function meaningInput(root: Record<string, unknown>) {
  const status = statusSchema.safeParse(root['status'] ?? {});
  return {
    instances: parsedEach<VrrpInstanceConfig>(root['vrrp'], instanceSchema),
    loadBalancers: parsedEach<LoadBalancerConfig>(root['loadBalancers'], loadBalancerSchema),
    hasVrrp: isPresent(root['vrrp']),
    hasLoadBalancers: isPresent(root['loadBalancers']),
    statusListen: status.success ? status.data.listen : undefined,
  };
}
