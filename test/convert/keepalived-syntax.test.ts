// keepalived.conf's block syntax: comments, quotes, nested blocks, include. Decoders of untrusted text
// never throw.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { parseStatements, tokenize, type Statement } from '../../src/convert/keepalived-syntax.js';
import { loadKeepalived } from '../../src/convert/keepalived-load.js';
import { realSourceFiles } from '../../src/convert/source-files.js';

function parse(text: string): { statements: Statement[]; problems: { line: number; message: string }[] } {
  const { tokens, problems } = tokenize(text);
  const parsed = parseStatements(tokens, 'k.conf');
  return { statements: parsed.statements, problems: [...problems, ...parsed.problems] };
}

/** Statements as nested word lists, for compact expectations. */
function shape(statements: readonly Statement[]): unknown[] {
  return statements.map((s) => (s.block === undefined ? s.words : [s.words, shape(s.block)]));
}

describe('tokenizer', () => {
  test('`!` and `#` at the start of a word comment out the rest of the line; inside a word they are text', () => {
    const { statements } = parse('! header\nrouter_id r1 # trailing\nauth_pass pa#ss!x\n# whole line\n');
    expect(shape(statements)).toEqual([['router_id', 'r1'], ['auth_pass', 'pa#ss!x']]);
  });

  test('double quotes group words, keep # and braces, and unescape \\" and \\\\', () => {
    const { statements } = parse('script "/bin/check.sh { # \\"x\\" \\\\"\n');
    expect(statements[0]?.words).toEqual(['script', '/bin/check.sh { # "x" \\']);
  });

  test('an unterminated quote runs to the end of its line and is reported', () => {
    const { statements, problems } = parse('script "/bin/check.sh\ninterval 2\n');
    expect(shape(statements)).toEqual([['script', '/bin/check.sh'], ['interval', '2']]);
    expect(problems).toEqual([{ line: 1, message: 'unterminated double quote: the string runs to the end of the line' }]);
  });

  test('braces are tokens of their own, with or without blanks around them', () => {
    const tokens = tokenize('a{b}c').tokens.map((t) => (t.kind === 'word' ? t.text : t.kind));
    expect(tokens).toEqual(['a', 'open', 'b', 'close', 'c', 'eol']);
  });

  test('tokens carry their line numbers', () => {
    const lines = tokenize('a\n\n  b {\n}').tokens.filter((t) => t.kind !== 'eol').map((t) => t.line);
    expect(lines).toEqual([1, 3, 3, 4]);
  });
});

describe('blocks', () => {
  test('nested blocks, one-line blocks and a brace on the next line', () => {
    const text = [
      'vrrp_instance VI_1',
      '{',
      '  authentication { auth_type PASS',
      '    auth_pass x }',
      '  unicast_peer { 10.0.0.2 10.0.0.3 }',
      '  virtual_ipaddress {',
      '    10.0.0.50/24 dev eth0',
      '  }',
      '}',
    ].join('\n');
    const { statements, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(shape(statements)).toEqual([
      [
        ['vrrp_instance', 'VI_1'],
        [
          [['authentication'], [['auth_type', 'PASS'], ['auth_pass', 'x']]],
          [['unicast_peer'], [['10.0.0.2', '10.0.0.3']]],
          [['virtual_ipaddress'], [['10.0.0.50/24', 'dev', 'eth0']]],
        ],
      ],
    ]);
    expect(statements[0]?.block?.[2]?.block?.[0]?.line).toBe(7);
  });

  test('an unmatched } and an unclosed { are problems with their lines, not exceptions', () => {
    expect(parse('a\n}\n').problems).toEqual([{ line: 2, message: 'unmatched "}"' }]);
    expect(parse('a {\n b {\n').problems).toEqual([
      { line: 2, message: 'the block opened here is never closed' },
      { line: 1, message: 'the block opened here is never closed' },
    ]);
    expect(parse('a { }\n{ b }').problems).toEqual([{ line: 2, message: '"{" does not follow a keyword: its block is ignored' }]);
  });
});

describe('include', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsvip-convert-include-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'conf.d'));
  writeFileSync(join(dir, 'keepalived.conf'), 'global_defs {\n include defs.conf\n}\ninclude conf.d/*.conf\ninclude missing/*.conf\ninclude keepalived.conf\n');
  writeFileSync(join(dir, 'defs.conf'), 'router_id r1\n');
  writeFileSync(join(dir, 'conf.d', 'b.conf'), 'vrrp_instance B {\n}\n');
  writeFileSync(join(dir, 'conf.d', 'a.conf'), 'vrrp_instance A {\n}\n');
  writeFileSync(join(dir, 'conf.d', 'a.conf.bak'), 'vrrp_instance BAK {\n}\n');

  test('globs are relative to the including file, sorted, at any level; statements keep their own file:line', () => {
    const { statements, findings } = loadKeepalived(join(dir, 'keepalived.conf'), realSourceFiles);
    const top = statements.slice(0, 3);
    expect(top.map((s) => s.words.join(' '))).toEqual(['global_defs', 'vrrp_instance A', 'vrrp_instance B']);
    expect(top[0]?.block?.[0]).toMatchObject({ words: ['router_id', 'r1'], file: join(dir, 'defs.conf'), line: 1 });
    expect(top[1]).toMatchObject({ file: join(dir, 'conf.d', 'a.conf'), line: 1 });
    expect(findings).toContainEqual({ file: join(dir, 'keepalived.conf'), line: 5, message: 'include missing/*.conf: no file matches (keepalived skips it too)' });
  });

  test('a file that includes itself stops at the depth limit with a finding', () => {
    const { findings } = loadKeepalived(join(dir, 'keepalived.conf'), realSourceFiles);
    expect(findings.some((f) => f.message.includes('nested more than 8 deep'))).toBe(true);
  });
});

describe('property: tokenizing and parsing never throw', () => {
  test('on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const { tokens } = tokenize(text);
        parseStatements(tokens, 'random.conf');
      }),
      { numRuns: 2000 },
    );
  });

  test('on text made of keepalived syntax pieces, and every statement has a line inside the text', () => {
    const piece = fc.constantFrom('{', '}', '"', '!', '#', '\\', '\n', ' ', '\t', 'vrrp_instance', 'VI_1', 'state', 'MASTER', 'include', '10.0.0.1/24');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 120 }), (pieces) => {
        const text = pieces.join('');
        const { tokens } = tokenize(text);
        const { statements } = parseStatements(tokens, 'pieces.conf');
        const lineCount = text.split('\n').length;
        const check = (list: readonly Statement[]): void => {
          for (const s of list) {
            expect(s.line).toBeGreaterThanOrEqual(1);
            expect(s.line).toBeLessThanOrEqual(lineCount);
            if (s.block) check(s.block);
          }
        };
        check(statements);
      }),
      { numRuns: 1000 },
    );
  });
});
