import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { commandArgv, parseCommandLine, splitCommandLine } from '../../src/command/command-line.js';

describe('splitCommandLine', () => {
  test.each([
    ['/etc/tsvip/check.sh', ['/etc/tsvip/check.sh']],
    ['  a   b\tc\n', ['a', 'b', 'c']],
    ["curl -sf 'http://x/a b'", ['curl', '-sf', 'http://x/a b']],
    ['echo "a \\"b\\" c"', ['echo', 'a "b" c']],
    ['echo "a\\\\b"', ['echo', 'a\\b']],
    // Inside double quotes a backslash before an ordinary character stays (POSIX).
    ['echo "C:\\path"', ['echo', 'C:\\path']],
    ['echo "\\$HOME"', ['echo', '$HOME']],
    ['echo a\\ b', ['echo', 'a b']],
    ["echo 'a\\b'", ['echo', 'a\\b']],
    [`a'b'"c"d`, ['abcd']],
    ["x '' y", ['x', '', 'y']],
    ['""', ['']],
    ['', []],
    ['   ', []],
    // No shell: variables, globs, pipes and redirections are plain words.
    ["'$HOME' \"$HOME\" * | > /x", ['$HOME', '$HOME', '*', '|', '>', '/x']],
    ["sh -c 'echo $TSVIP_STATE >> /tmp/f'", ['sh', '-c', 'echo $TSVIP_STATE >> /tmp/f']],
  ])('%j -> %j', (line, words) => {
    expect(splitCommandLine(line)).toEqual(words);
  });

  test.each([
    ["echo 'abc", /unterminated single quote at offset 5/],
    ['echo "abc', /unterminated double quote at offset 5/],
    ['echo "a\\"', /unterminated double quote/],
    ['echo abc\\', /lone backslash/],
  ])('%j is an error', (line, reason) => {
    const parsed = parseCommandLine(line);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
    expect(() => splitCommandLine(line)).toThrow(expect.objectContaining({ code: 'ERR_COMMAND_LINE' }));
  });

  const words = fc.array(fc.string({ unit: 'binary' }), { maxLength: 8 });
  const separator = fc.stringMatching(/^[ \t\n]{1,3}$/);
  const singleQuoted = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`;
  const doubleQuoted = (word: string): string => `"${word.replace(/["\\$`]/g, '\\$&')}"`;
  const backslashed = (word: string): string => (word === '' ? "''" : word.replace(/./gsu, '\\$&'));

  test.each([
    ['single quotes', singleQuoted],
    ['double quotes', doubleQuoted],
    ['backslashes', backslashed],
  ])('property: words quoted with %s, joined and split, come back unchanged', (_name, quote) => {
    fc.assert(
      fc.property(words, separator, (list, sep) => {
        expect(splitCommandLine(list.map(quote).join(sep))).toEqual(list);
      }),
    );
  });

  test('property: never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (line) => {
        parseCommandLine(line);
      }),
    );
  });
});

describe('commandArgv', () => {
  test('a string is split, a list is argv as it is', () => {
    expect(commandArgv("/bin/check --url 'http://a b'")).toEqual(['/bin/check', '--url', 'http://a b']);
    expect(commandArgv(['/bin/check', 'a b'])).toEqual(['/bin/check', 'a b']);
  });

  test.each([['   '], ["''"], [[''] as string[]]])('%j names no program', (command) => {
    expect(() => commandArgv(command)).toThrow(expect.objectContaining({ code: 'ERR_COMMAND_LINE', message: expect.stringMatching(/names no program/) }));
  });
});
