// Splits a command line from vip.yaml into argv words the way a POSIX shell groups them, and nothing
// more: no variables, no globs, no `~`, no pipes or redirections. The words go to spawn() without a
// shell, so a config value can never run anything but the program it names.
//
// Rules (the subset of sh that people write in keepalived's `script` and `notify_*` lines):
// - unquoted spaces, tabs and newlines separate words;
// - '...' keeps everything inside literally (no escapes at all, as in sh);
// - "..." keeps everything inside; a backslash escapes only " \ $ ` there (POSIX), else it is literal;
// - outside quotes a backslash makes the next character literal;
// - quoted parts join the unquoted text next to them (a'b'"c" is one word, abc); '' is an empty word.
import { TsvipError } from '../errors.js';

export type CommandLineResult = { ok: true; words: string[] } | { ok: false; reason: string };

const SPACE = /[ \t\n\r]/;
const ESCAPABLE_IN_DOUBLE_QUOTES = new Set(['"', '\\', '$', '`']);

/** Never throws: an unterminated quote or a trailing lone backslash is a reason, not an exception. */
export function parseCommandLine(text: string): CommandLineResult {
  const words: string[] = [];
  let word = '';
  // A word exists once anything (even an empty pair of quotes) has been seen since the last space.
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (SPACE.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return { ok: false, reason: `unterminated single quote at offset ${i}` };
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      const quoted = readDoubleQuoted(text, i);
      if (!quoted.ok) return quoted;
      word += quoted.text;
      inWord = true;
      i = quoted.next;
    } else if (c === '\\') {
      if (i + 1 >= text.length) return { ok: false, reason: 'ends with a lone backslash' };
      word += text.charAt(i + 1);
      inWord = true;
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return { ok: true, words };
}

function readDoubleQuoted(text: string, open: number): { ok: true; text: string; next: number } | { ok: false; reason: string } {
  let out = '';
  let i = open + 1;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === '"') return { ok: true, text: out, next: i + 1 };
    const following = text.charAt(i + 1);
    if (c === '\\' && ESCAPABLE_IN_DOUBLE_QUOTES.has(following)) {
      out += following;
      i += 2;
    } else {
      out += c;
      i++;
    }
  }
  return { ok: false, reason: `unterminated double quote at offset ${open}` };
}

/** As parseCommandLine, for callers that hold config already validated: throws ERR_COMMAND_LINE. */
export function splitCommandLine(text: string): string[] {
  const parsed = parseCommandLine(text);
  if (!parsed.ok) throw new TsvipError('ERR_COMMAND_LINE', `cannot split command line ${JSON.stringify(text)}: ${parsed.reason}`);
  return parsed.words;
}

/**
 * The argv for a config `command`: a string is split as above, a list is taken as argv already.
 * Throws ERR_COMMAND_LINE when the line is malformed or names no program.
 */
export function commandArgv(command: string | readonly string[]): string[] {
  const argv = typeof command === 'string' ? splitCommandLine(command) : [...command];
  if (argv.length === 0 || argv[0] === '') {
    throw new TsvipError('ERR_COMMAND_LINE', `command ${JSON.stringify(command)} names no program to run`);
  }
  return argv;
}
