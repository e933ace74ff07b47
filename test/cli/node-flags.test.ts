// tsvip runs with the node flags of src/node-flags.ts however it is started: bin/tsvip's shebang line
// (npx, systemd's ExecStart, a shell) and the single executable (the container's ENTRYPOINT) carry the same ones.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { TSVIP_NODE_FLAGS } from '../../src/node-flags.js';
import { runTsvip, TSVIP_BIN } from './run-cli.js';

describe('node flags', () => {
  test("bin/tsvip's shebang passes them to node, and running it directly works", async () => {
    const shebang = readFileSync(TSVIP_BIN, 'utf8').split('\n', 1)[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${TSVIP_NODE_FLAGS.join(' ')}`);
    // runTsvip executes bin/tsvip itself, so the kernel and env(1) read that line.
    expect(await runTsvip(['version'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^tsvip \d+\.\d+\.\d+/) });
  });

  test("the container's ENTRYPOINT is the single executable, which scripts/package.mjs builds with them", () => {
    const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
    const entrypoint = /^ENTRYPOINT (.+)$/m.exec(dockerfile)?.[1];
    expect(JSON.parse(entrypoint ?? 'null')).toEqual(['/usr/local/bin/tsvip']);
    // test/package/single-executable.test.ts reads the execArgv of the executable it built.
    expect(readFileSync(new URL('../../scripts/package.mjs', import.meta.url), 'utf8')).toMatch(/execArgv: \[\.\.\.TSVIP_NODE_FLAGS\]/);
  });
});
