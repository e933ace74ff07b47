// keepalived.conf's block syntax, as keepalived's own parser reads it: words separated by blanks, `{`
// and `}` as tokens of their own, `!` or `#` at the start of a word comments out the rest of the line,
// double quotes group words (a backslash escapes `"` and `\` inside them). Statements are the words of
// one line; a `{` (on the same line or the next) opens a block of statements under the last one.
// Neither function throws: malformed input yields problems with a line number.

export type Token =
  | { kind: 'word'; text: string; quoted: boolean; line: number }
  | { kind: 'open'; line: number }
  | { kind: 'close'; line: number }
  | { kind: 'eol'; line: number };

export interface SyntaxProblem {
  line: number;
  message: string;
}

export interface Statement {
  words: string[];
  file: string;
  line: number;
  block?: Statement[];
}

const BLANK = /[ \t\r\f\v]/;

export function tokenize(text: string): { tokens: Token[]; problems: SyntaxProblem[] } {
  const tokens: Token[] = [];
  const problems: SyntaxProblem[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === '\n') {
      tokens.push({ kind: 'eol', line });
      line++;
      i++;
    } else if (BLANK.test(c)) {
      i++;
    } else if (c === '!' || c === '#') {
      while (i < text.length && text.charAt(i) !== '\n') i++;
    } else if (c === '{') {
      tokens.push({ kind: 'open', line });
      i++;
    } else if (c === '}') {
      tokens.push({ kind: 'close', line });
      i++;
    } else if (c === '"') {
      let word = '';
      i++;
      let closed = false;
      while (i < text.length && text.charAt(i) !== '\n') {
        const q = text.charAt(i);
        if (q === '"') {
          closed = true;
          i++;
          break;
        }
        if (q === '\\' && (text.charAt(i + 1) === '"' || text.charAt(i + 1) === '\\')) {
          word += text.charAt(i + 1);
          i += 2;
        } else {
          word += q;
          i++;
        }
      }
      if (!closed) problems.push({ line, message: 'unterminated double quote: the string runs to the end of the line' });
      tokens.push({ kind: 'word', text: word, quoted: true, line });
    } else {
      let word = '';
      while (i < text.length) {
        const w = text.charAt(i);
        if (w === '\n' || w === '{' || w === '}' || w === '"' || BLANK.test(w)) break;
        word += w;
        i++;
      }
      tokens.push({ kind: 'word', text: word, quoted: false, line });
    }
  }
  tokens.push({ kind: 'eol', line });
  return { tokens, problems };
}

interface Frame {
  list: Statement[];
  openedAt: number;
}

/** Groups tokens into statements and blocks; an unmatched `}` or an unclosed `{` is a problem, not an exception. */
export function parseStatements(tokens: readonly Token[], file: string): { statements: Statement[]; problems: SyntaxProblem[] } {
  const problems: SyntaxProblem[] = [];
  const root: Statement[] = [];
  const stack: Frame[] = [{ list: root, openedAt: 0 }];
  let words: string[] = [];
  let wordsLine = 0;
  // The statement a `{` on the next line may still open a block for.
  let lastFlushed: Statement | undefined;

  const top = (): Frame => stack[stack.length - 1] ?? { list: root, openedAt: 0 };
  const flush = (): void => {
    if (words.length === 0) return;
    const statement: Statement = { words, file, line: wordsLine };
    top().list.push(statement);
    lastFlushed = statement;
    words = [];
  };

  for (const token of tokens) {
    switch (token.kind) {
      case 'word':
        if (words.length === 0) wordsLine = token.line;
        words.push(token.text);
        break;
      case 'eol':
        flush();
        break;
      case 'open': {
        flush();
        const owner = lastFlushed !== undefined && lastFlushed.block === undefined ? lastFlushed : undefined;
        const list: Statement[] = [];
        if (owner) owner.block = list;
        else problems.push({ line: token.line, message: '"{" does not follow a keyword: its block is ignored' });
        stack.push({ list, openedAt: token.line });
        lastFlushed = undefined;
        break;
      }
      case 'close':
        flush();
        if (stack.length > 1) stack.pop();
        else problems.push({ line: token.line, message: 'unmatched "}"' });
        lastFlushed = undefined;
        break;
      default: {
        const never: never = token;
        return never;
      }
    }
  }
  flush();
  while (stack.length > 1) {
    const frame = stack.pop();
    problems.push({ line: frame?.openedAt ?? 0, message: 'the block opened here is never closed' });
  }
  return { statements: root, problems };
}
