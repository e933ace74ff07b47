// haproxy.cfg's syntax: one statement per line, words split on blanks, `#` starts a comment outside
// quotes, '...' and "..." group words, a backslash escapes the next character. A line that starts with a
// section keyword opens a section. Never throws.

export interface HaproxyLine {
  words: string[];
  file: string;
  line: number;
  /** The line as written, for commands that read a value out of the file (no secret copied elsewhere). */
  text: string;
}

export interface HaproxySection extends HaproxyLine {
  kind: string;
  name: string | undefined;
  lines: HaproxyLine[];
  lastLine: number;
}

export const SECTION_KEYWORDS = new Set([
  'global', 'defaults', 'frontend', 'backend', 'listen', 'userlist', 'peers', 'resolvers', 'mailers',
  'program', 'http-errors', 'ring', 'cache', 'log-forward', 'crt-store', 'traces', 'acme',
]);

const ESCAPES: Readonly<Record<string, string>> = { r: '\r', n: '\n', t: '\t' };

function unescape(c: string): string {
  return ESCAPES[c] ?? c;
}

export function splitHaproxyLine(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += unescape(text.charAt(++i));
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += unescape(text.charAt(++i));
      inWord = true;
    } else if (c === '#') {
      break;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Sections in file order; lines before the first section are returned as `orphans`. */
export function parseHaproxy(text: string, file: string): { sections: HaproxySection[]; orphans: HaproxyLine[] } {
  const sections: HaproxySection[] = [];
  const orphans: HaproxyLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const words = splitHaproxyLine(raw);
    const line = index + 1;
    if (words.length === 0) return;
    const [first = ''] = words;
    if (SECTION_KEYWORDS.has(first)) {
      sections.push({ kind: first, name: words[1], words, file, line, text: raw, lines: [], lastLine: line });
      return;
    }
    const current = sections[sections.length - 1];
    if (current === undefined) orphans.push({ words, file, line, text: raw });
    else {
      current.lines.push({ words, file, line, text: raw });
      current.lastLine = line;
    }
  });
  return { sections, orphans };
}

const TIME_UNITS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, '': 1 };

/** haproxy time values: a number of milliseconds or a number with us/ms/s/m/h/d. */
export function haproxyTimeMs(text: string | undefined): number | undefined {
  const match = text === undefined ? null : /^(\d+)(us|ms|s|m|h|d)?$/.exec(text);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (TIME_UNITS[match[2] ?? ''] ?? 1));
}
