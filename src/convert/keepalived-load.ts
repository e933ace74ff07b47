// Reads keepalived.conf and every file it includes into one statement tree. `include` may appear at any
// level (keepalived allows it inside blocks too); its glob is relative to the including file.
import { parseStatements, tokenize, type Statement } from './keepalived-syntax.js';
import { dropTemplated, maskTemplates } from './keepalived-templates.js';
import { resolveInclude, type SourceFiles } from './source-files.js';
import type { Finding } from './findings.js';

const MAX_INCLUDE_DEPTH = 8;

export interface LoadedKeepalived {
  statements: Statement[];
  findings: Finding[];
}

/** Throws the read error when the top file cannot be read; unreadable includes are findings. */
export function loadKeepalived(file: string, files: SourceFiles): LoadedKeepalived {
  const findings: Finding[] = [];
  const statements = parseOne(file, files.read(file), files, findings, 0);
  return { statements, findings };
}

function readOne(file: string, files: SourceFiles, findings: Finding[], depth: number): Statement[] | undefined {
  let text: string;
  try {
    text = files.read(file);
  } catch {
    return undefined;
  }
  return parseOne(file, text, files, findings, depth);
}

function parseOne(file: string, text: string, files: SourceFiles, findings: Finding[], depth: number): Statement[] {
  const masked = maskTemplates(text);
  const { tokens, problems: tokenProblems } = tokenize(masked.text);
  const { statements, problems } = parseStatements(tokens, file);
  for (const problem of [...tokenProblems, ...problems]) findings.push({ file, line: problem.line, message: problem.message });
  return expandIncludes(dropTemplated(statements, masked, findings), files, findings, depth);
}

function expandIncludes(statements: Statement[], files: SourceFiles, findings: Finding[], depth: number): Statement[] {
  const out: Statement[] = [];
  for (const statement of statements) {
    if (statement.words[0] !== 'include') {
      if (statement.block) statement.block = expandIncludes(statement.block, files, findings, depth);
      out.push(statement);
      continue;
    }
    const pattern = statement.words[1];
    if (pattern === undefined) {
      findings.push({ file: statement.file, line: statement.line, message: 'include without a file name' });
      continue;
    }
    if (depth >= MAX_INCLUDE_DEPTH) {
      findings.push({ file: statement.file, line: statement.line, message: `include ${pattern}: nested more than ${MAX_INCLUDE_DEPTH} deep (a loop?), not read` });
      continue;
    }
    const matches = files.glob(resolveInclude(pattern, statement.file));
    if (matches.length === 0) {
      findings.push({ file: statement.file, line: statement.line, message: `include ${pattern}: no file matches (keepalived skips it too)` });
    }
    for (const match of matches) {
      const included = readOne(match, files, findings, depth + 1);
      if (included === undefined) findings.push({ file: statement.file, line: statement.line, message: `include ${pattern}: ${match} cannot be read` });
      else out.push(...included);
    }
  }
  return out;
}
