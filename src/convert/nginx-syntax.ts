// nginx.conf's syntax, as nginx's own reader (ngx_conf_read_token) takes it: words separated by blanks
// or newlines, a directive ends with `;` or opens a block with `{`, `}` closes the block; `#` at the start
// of a word comments out the rest of the line; '...' and "..." group words, and a backslash escapes the
// next character in and out of quotes. `${name}` inside a word is a variable, not a block. Neither
// function throws: malformed input yields problems with a line number, and the directives read so far.

export interface NginxDirective {
  /** The name first, then its arguments, unquoted. */
  words: string[];
  file: string;
  line: number;
  /** The line of the `}` that closes the block (the directive's own line when it has none). */
  endLine: number;
  block?: NginxDirective[];
}

export type NginxToken =
  | { kind: 'word'; text: string; line: number }
  | { kind: 'semicolon' | 'open' | 'close'; line: number };

export interface NginxSyntaxProblem {
  line: number;
  message: string;
}

const BLANK = /[ \t\r\n\f\v]/;
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', "'": "'", '\\': '\\', t: '\t', r: '\r', n: '\n' };

/** What a backslash and `next` stand for: nginx unescapes quotes, backslash, \t \r \n and keeps any other pair. */
function unescape(next: string): string {
  return ESCAPES[next] ?? `\\${next}`;
}

export function tokenizeNginx(text: string): { tokens: NginxToken[]; problems: NginxSyntaxProblem[] } {
  const tokens: NginxToken[] = [];
  const problems: NginxSyntaxProblem[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (BLANK.test(c)) {
      if (c === '\n') line++;
      i++;
    } else if (c === '#') {
      while (i < text.length && text.charAt(i) !== '\n') i++;
    } else if (c === ';' || c === '{' || c === '}') {
      tokens.push({ kind: c === ';' ? 'semicolon' : c === '{' ? 'open' : 'close', line });
      i++;
    } else if (c === '"' || c === "'") {
      // A quoted word may span lines; it is reported on the line it starts.
      const start = line;
      let word = '';
      let closed = false;
      i++;
      while (i < text.length) {
        const q = text.charAt(i);
        if (q === c) {
          closed = true;
          i++;
          break;
        }
        if (q === '\\' && i + 1 < text.length) {
          const next = text.charAt(i + 1);
          word += unescape(next);
          if (next === '\n') line++;
          i += 2;
          continue;
        }
        if (q === '\n') line++;
        word += q;
        i++;
      }
      if (!closed) problems.push({ line: start, message: `unterminated ${c === '"' ? 'double' : 'single'} quote: the string runs to the end of the file` });
      tokens.push({ kind: 'word', text: word, line: start });
    } else {
      let word = '';
      while (i < text.length) {
        const w = text.charAt(i);
        if (w === '$' && text.charAt(i + 1) === '{') {
          // ${variable}: its braces belong to the word.
          const end = text.indexOf('}', i);
          const stop = end < 0 || text.slice(i, end).includes('\n') ? i + 2 : end + 1;
          word += text.slice(i, stop);
          i = stop;
          continue;
        }
        if (BLANK.test(w) || w === ';' || w === '{' || w === '}') break;
        if (w === '\\' && i + 1 < text.length && text.charAt(i + 1) !== '\n') {
          word += unescape(text.charAt(i + 1));
          i += 2;
          continue;
        }
        word += w;
        i++;
      }
      tokens.push({ kind: 'word', text: word, line });
    }
  }
  return { tokens, problems };
}

interface Frame {
  list: NginxDirective[];
  owner: NginxDirective | undefined;
  openedAt: number;
}

/** Groups tokens into directives and blocks; a missing `;`, a stray `}` or an unclosed `{` is a problem, not an exception. */
export function parseNginx(tokens: readonly NginxToken[], file: string): { directives: NginxDirective[]; problems: NginxSyntaxProblem[] } {
  const problems: NginxSyntaxProblem[] = [];
  const root: NginxDirective[] = [];
  const stack: Frame[] = [{ list: root, owner: undefined, openedAt: 0 }];
  let words: string[] = [];
  let wordsLine = 0;
  let lastLine = 1;

  const top = (): Frame => stack[stack.length - 1] ?? { list: root, owner: undefined, openedAt: 0 };
  const take = (): NginxDirective => {
    const directive: NginxDirective = { words, file, line: wordsLine, endLine: wordsLine };
    words = [];
    return directive;
  };

  for (const token of tokens) {
    lastLine = token.line;
    switch (token.kind) {
      case 'word':
        if (words.length === 0) wordsLine = token.line;
        words.push(token.text);
        break;
      case 'semicolon':
        if (words.length === 0) problems.push({ line: token.line, message: 'unexpected ";" (an empty directive)' });
        else top().list.push(take());
        break;
      case 'open': {
        if (words.length === 0) {
          problems.push({ line: token.line, message: '"{" without a directive name: its block is ignored' });
          stack.push({ list: [], owner: undefined, openedAt: token.line });
          break;
        }
        const directive = take();
        directive.block = [];
        top().list.push(directive);
        stack.push({ list: directive.block, owner: directive, openedAt: token.line });
        break;
      }
      case 'close': {
        if (words.length > 0) {
          problems.push({ line: wordsLine, message: `${words[0] ?? ''}: missing ";" before "}" (nginx refuses this file)` });
          top().list.push(take());
        }
        const frame = stack.length > 1 ? stack.pop() : undefined;
        if (frame === undefined) problems.push({ line: token.line, message: 'unmatched "}"' });
        else if (frame.owner) frame.owner.endLine = token.line;
        break;
      }
      default: {
        const never: never = token;
        return never;
      }
    }
  }
  if (words.length > 0) {
    problems.push({ line: wordsLine, message: `${words[0] ?? ''}: missing ";" at the end of the file (nginx refuses this file)` });
    top().list.push(take());
  }
  while (stack.length > 1) {
    const frame = stack.pop();
    if (frame?.owner) frame.owner.endLine = lastLine;
    problems.push({ line: frame?.openedAt ?? 0, message: 'the block opened here is never closed' });
  }
  return { directives: root, problems };
}

const TIME_UNITS_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  M: 30 * 86_400_000,
  y: 365 * 86_400_000,
};

/** nginx time values: `10m`, `1h 30m`, `500ms`; a number without a unit means seconds (nginx's "Measurement units"). */
export function nginxTimeMs(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*(\d+(ms|s|m|h|d|w|M|y)?\s*)+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)(ms|s|m|h|d|w|M|y)?/g)) total += Number(amount) * (TIME_UNITS_MS[unit ?? 's'] ?? 1000);
  return total;
}
