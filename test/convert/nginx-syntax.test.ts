// nginx.conf's block syntax and time values, as nginx's own reader takes them.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { nginxTimeMs, parseNginx, tokenizeNginx, type NginxDirective } from '../../src/convert/nginx-syntax.js';

function parse(text: string): { directives: NginxDirective[]; problems: { line: number; message: string }[] } {
  const { tokens, problems } = tokenizeNginx(text);
  const parsed = parseNginx(tokens, 'n.conf');
  return { directives: parsed.directives, problems: [...problems, ...parsed.problems] };
}

/** Words and lines only, blocks nested: what a test compares. */
function shape(directives: readonly NginxDirective[]): unknown[] {
  return directives.map((d) => (d.block === undefined ? [d.line, ...d.words] : [d.line, d.endLine, ...d.words, shape(d.block)]));
}

describe('nginx block syntax', () => {
  test('directives end with ";", blocks nest, "#" comments out the rest of the line, lines are kept', () => {
    const { directives, problems } = parse('worker_processes 2; # two\nstream {\n  upstream api { least_conn;\n    server 10.0.0.1:6443 weight=5;\n  }\n}\n');
    expect(problems).toEqual([]);
    expect(shape(directives)).toEqual([
      [1, 'worker_processes', '2'],
      [2, 6, 'stream', [[3, 5, 'upstream', 'api', [[3, 'least_conn'], [4, 'server', '10.0.0.1:6443', 'weight=5']]]]],
    ]);
  });

  test('quotes group words and may hold ";", "{", "#"; backslash escapes; ${var} keeps its braces; "#" inside a word is not a comment', () => {
    const { directives } = parse(`log_format x '$remote_addr; {#}' "a \\"b\\"" \${host}x a#b;`);
    expect(directives[0]?.words).toEqual(['log_format', 'x', '$remote_addr; {#}', 'a "b"', '${host}x', 'a#b']);
  });

  test('a quoted string spanning lines is reported on the line it starts; the next directive keeps its own line', () => {
    const { directives } = parse("log_format x 'a\n b';\npid /run/nginx.pid;\n");
    expect(shape(directives)).toEqual([
      [1, 'log_format', 'x', 'a\n b'],
      [3, 'pid', '/run/nginx.pid'],
    ]);
  });

  test('a missing ";" before "}", a stray "}", an unclosed block and an empty ";" are problems with their line, not exceptions', () => {
    const { directives, problems } = parse('stream {\n  server {\n    listen 80\n  }\n}\n}\n;\nhttp {\n');
    expect(problems).toEqual([
      { line: 3, message: 'listen: missing ";" before "}" (nginx refuses this file)' },
      { line: 6, message: 'unmatched "}"' },
      { line: 7, message: 'unexpected ";" (an empty directive)' },
      { line: 8, message: 'the block opened here is never closed' },
    ]);
    expect(shape(directives)).toEqual([
      [1, 5, 'stream', [[2, 4, 'server', [[3, 'listen', '80']]]]],
      [8, 8, 'http', []],
    ]);
  });

  test('time values: seconds without a unit, ms to y, several units together', () => {
    expect([nginxTimeMs('10'), nginxTimeMs('500ms'), nginxTimeMs('10m'), nginxTimeMs('1h 30m'), nginxTimeMs('1h30m'), nginxTimeMs('2d'), nginxTimeMs('1w')]).toEqual([
      10_000, 500, 600_000, 5_400_000, 5_400_000, 172_800_000, 604_800_000,
    ]);
    expect(nginxTimeMs('10 minutes')).toBeUndefined();
    expect(nginxTimeMs('-1s')).toBeUndefined();
    expect(nginxTimeMs(undefined)).toBeUndefined();
  });

  test('property: tokenizing and parsing never throw on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: fc.constantFrom('a', ' ', '\n', ';', '{', '}', '"', "'", '\\', '#', '$', '1') }), (text) => void parse(text)),
      { numRuns: 2000 },
    );
  });
});
