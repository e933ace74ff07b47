// keepalived.conf files published as templates (Go's {{ .Priority }}, shell's ${STATE}, <PRIORITY> in
// guides) are sometimes converted before they are rendered. Each placeholder is named with its line and
// what it stands for; the statement holding it is left out, so nothing half-filled reaches vip.yaml.
import type { Finding } from './findings.js';
import type { Statement } from './keepalived-syntax.js';

// `{{ ... }}` holds braces that keepalived's syntax would read as blocks: it is swapped for a word first.
const GO_TEMPLATE = /\{\{-?[^}]*?-?\}\}/g;
const MARK = (index: number): string => `@tsvip-template-${index}@`;
const MARKED = /@tsvip-template-(\d+)@/g;
const SHELL_VARIABLE = /\$\{([A-Za-z_]\w*)\}/g;
const SHELL_MARK = (index: number): string => `@tsvip-shell-${index}@`;
const SHELL_MARKED = /@tsvip-shell-(\d+)@/g;
const GUIDE = /<[A-Z][A-Z0-9_]*>/g;

export interface MaskedText {
  text: string;
  originals: string[];
  /** keepalived's own `$NAME=value` definitions: `${NAME}` is then keepalived's to expand, not a template. */
  defined: Set<string>;
}

// Commands are run by a shell, whose variables are not templates.
const COMMAND_KEYWORDS = /^(script|notify(_\w+)?)$/;

/**
 * The text with each `{{ ... }}` and each `${NAME}` that keepalived does not define replaced by one word
 * that keepalived's syntax keeps intact (its braces would otherwise open a block: `state ${STATE}`).
 */
export function maskTemplates(text: string): MaskedText {
  const originals: string[] = [];
  const defined = new Set([...text.matchAll(/^\s*\$([A-Za-z_]\w*)\s*=/gm)].map((m) => m[1] ?? ''));
  const masked = text
    .replace(GO_TEMPLATE, (whole) => {
      originals.push(whole);
      return MARK(originals.length - 1);
    })
    .replace(SHELL_VARIABLE, (whole, name: string) => {
      if (defined.has(name)) return whole;
      originals.push(whole);
      return SHELL_MARK(originals.length - 1);
    });
  return { text: masked, originals, defined };
}

function placeholders(word: string, masked: MaskedText, inCommand: boolean): string[] {
  const found = [...word.matchAll(MARKED)].map((m) => masked.originals[Number(m[1])] ?? m[0]);
  if (inCommand) return found;
  const shell = [...word.matchAll(SHELL_MARKED)].map((m) => masked.originals[Number(m[1])] ?? m[0]);
  const guide = [...word.matchAll(GUIDE)].map((m) => m[0]);
  return [...found, ...shell, ...guide];
}

/** A command's shell variables are the shell's: they go back as written. */
function unmaskShell(word: string, masked: MaskedText): string {
  return word.replace(SHELL_MARKED, (whole, index: string) => masked.originals[Number(index)] ?? whole);
}

/**
 * Reports every placeholder and drops the statements that hold one; a statement with a block (a
 * templated instance name) stays, its name with the placeholder text removed.
 */
export function dropTemplated(statements: readonly Statement[], masked: MaskedText, findings: Finding[], parent?: string): Statement[] {
  const kept: Statement[] = [];
  for (const statement of statements) {
    const [keyword = ''] = statement.words;
    const inCommand = COMMAND_KEYWORDS.test(keyword);
    if (inCommand) statement.words = statement.words.map((word) => unmaskShell(word, masked));
    const found = statement.words.flatMap((word) => placeholders(word, masked, inCommand));
    if (found.length > 0) {
      const standsFor = placeholders(keyword, masked, false).length > 0 ? `an entry of ${parent ?? 'the file'}` : `the ${keyword} value`;
      for (const text of found) {
        findings.push({ file: statement.file, line: statement.line, message: `${text}: an unrendered template value (${standsFor}${parent === undefined || standsFor.startsWith('an entry') ? '' : ` in ${parent}`}): render the template for this host and convert the result` });
      }
      if (statement.block === undefined) continue;
      statement.words = statement.words.map((word) => word.replace(MARKED, '').replace(SHELL_MARKED, '').replace(GUIDE, '')).filter((w) => w !== '');
    }
    if (statement.block !== undefined) statement.block = dropTemplated(statement.block, masked, findings, statement.words.slice(0, 2).join(' '));
    kept.push(statement);
  }
  return kept;
}
