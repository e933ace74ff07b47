// Reads nginx.conf and every file it includes into one directive tree. `include` may appear in any
// context; as in nginx, a relative path is taken from the directory of the main file (nginx's conf
// prefix when started with -c), also inside included files, and may be a glob. Blocks the converter
// ignores as a whole (http, mail) keep their includes unread: their files do not matter to tsvip.
import { dirname } from 'node:path';
import { parseNginx, tokenizeNginx, type NginxDirective } from './nginx-syntax.js';
import { hasMagic, resolveInclude, type SourceFiles } from './source-files.js';
import type { Finding } from './findings.js';

const MAX_INCLUDE_DEPTH = 8;
const IGNORED_BLOCKS = new Set(['http', 'mail']);

export interface LoadedNginx {
  directives: NginxDirective[];
  findings: Finding[];
}

interface LoadContext {
  files: SourceFiles;
  findings: Finding[];
  /** A file in the directory relative includes are resolved against (the main file). */
  prefixFile: string;
}

/** Throws the read error when the main file cannot be read; unreadable includes are findings. */
export function loadNginx(file: string, files: SourceFiles): LoadedNginx {
  const context: LoadContext = { files, findings: [], prefixFile: file };
  const directives = parseOne(file, files.read(file), context, 0);
  return { directives, findings: context.findings };
}

function parseOne(file: string, text: string, context: LoadContext, depth: number): NginxDirective[] {
  const { tokens, problems: tokenProblems } = tokenizeNginx(text);
  const { directives, problems } = parseNginx(tokens, file);
  for (const problem of [...tokenProblems, ...problems]) context.findings.push({ file, line: problem.line, message: problem.message });
  return expandIncludes(directives, context, depth);
}

function expandIncludes(directives: NginxDirective[], context: LoadContext, depth: number): NginxDirective[] {
  const out: NginxDirective[] = [];
  const report = (at: NginxDirective, message: string): void => void context.findings.push({ file: at.file, line: at.line, message });
  for (const directive of directives) {
    if (directive.words[0] !== 'include' || directive.block !== undefined) {
      if (directive.block && !IGNORED_BLOCKS.has(directive.words[0] ?? '')) directive.block = expandIncludes(directive.block, context, depth);
      out.push(directive);
      continue;
    }
    const pattern = directive.words[1];
    if (pattern === undefined || directive.words.length > 2) {
      report(directive, 'include takes exactly one file name or pattern: skipped');
      continue;
    }
    if (depth >= MAX_INCLUDE_DEPTH) {
      report(directive, `include ${pattern}: nested more than ${MAX_INCLUDE_DEPTH} deep (a loop?), not read`);
      continue;
    }
    const matches = context.files.glob(resolveInclude(pattern, context.prefixFile));
    if (matches.length === 0) {
      report(directive, `include ${pattern} (from ${dirname(context.prefixFile)}): no file matches${hasMagic(pattern) ? ' (nginx skips an empty pattern too)' : ' (nginx refuses to start without it)'}`);
    }
    for (const match of matches) {
      let text: string;
      try {
        text = context.files.read(match);
      } catch {
        report(directive, `include ${pattern}: ${match} cannot be read`);
        continue;
      }
      out.push(...parseOne(match, text, context, depth + 1));
    }
  }
  return out;
}
