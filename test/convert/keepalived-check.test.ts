// `keepalived -t` on every keepalived.conf fixture: the fixtures are configs keepalived accepts, and
// where keepalived itself changes what a config says (a password cut to 8 bytes, a preempt_delay it
// clears, a track_interface it ignores), convert says the same at that line. keepalived runs in a
// network namespace of its own that holds the interfaces the fixture names, so "interface does not
// exist" never hides a real complaint.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseStatements, tokenize, type Statement } from '../../src/convert/keepalived-syntax.js';
import { FIXTURES, convertFixture } from './convert-fixture.js';
import { requireTool } from '../lab/system-tools.js';

const fixtureFiles = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' }).map((f) => `${FIXTURES}/${f}`);
// Templates are left out: they are not configs until rendered.
const keepalivedFixtures = fixtureFiles.filter((f) => f.endsWith('keepalived.conf'));

/** Every interface name the statements use: `interface X`, `dev X`, and the entries of track_interface. */
function interfaceNames(statements: readonly Statement[], names = new Set<string>()): Set<string> {
  for (const s of statements) {
    const [keyword, value] = s.words;
    if (keyword === 'interface' && value !== undefined) names.add(value);
    const dev = s.words.indexOf('dev');
    if (dev >= 0 && s.words[dev + 1] !== undefined) names.add(s.words[dev + 1] ?? '');
    if (keyword === 'track_interface') for (const entry of s.block ?? []) if (entry.words[0] !== undefined) names.add(entry.words[0]);
    if (s.block !== undefined) interfaceNames(s.block, names);
  }
  return names;
}

/** The interfaces of the fixture and of every file beside it (includes). */
function fixtureInterfaces(file: string): string[] {
  const names = new Set<string>();
  for (const other of fixtureFiles.filter((f) => f.startsWith(`${dirname(file)}/`) && f.endsWith('.conf'))) {
    interfaceNames(parseStatements(tokenize(readFileSync(other, 'utf8')).tokens, other).statements, names);
  }
  return [...names].sort();
}

/** `keepalived -t -f FILE` in a fresh network namespace holding those interfaces, up. */
function keepalivedTest(file: string): { status: number | null; lines: string[] } {
  if (process.getuid?.() !== 0) throw new Error('keepalived -t in a network namespace of its own needs root (unshare --net)');
  const unshare = requireTool('unshare', 'util-linux');
  const ip = requireTool('ip', 'iproute2');
  const keepalived = requireTool('keepalived', 'keepalived');
  const links = fixtureInterfaces(file)
    .map((name, i) => (name.startsWith('br') ? `${ip} link add ${name} type bridge` : `${ip} link add ${name} type veth peer name peer${i}`) + ` && ${ip} link set ${name} up`)
    .join(' && ');
  const script = `${ip} link set lo up${links === '' ? '' : ` && ${links}`} && exec ${keepalived} -t -f ${file}`;
  const result = spawnSync(unshare, ['--net', 'sh', '-c', script], { encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw result.error;
  // keepalived prints some complaints twice (once per parsing pass): one of each is enough.
  const lines = [...new Set(`${result.stdout}\n${result.stderr}`.split('\n').map((l) => l.trim()).filter((l) => l !== ''))];
  return { status: result.status, lines };
}

interface Known {
  pattern: RegExp;
  /** What convert must say on stderr for this line; undefined when the line is about this machine only. */
  finding?: (match: RegExpExecArray, file: string) => { at?: string; contains: string | readonly string[] };
}

const KNOWN: readonly Known[] = [
  // The fixtures' check scripts live on the hosts they were written for, not here.
  { pattern: /^Disabling track script \S+ since not found\/accessible$/ },
  // keepalived warns and runs the scripts anyway; tsvip runs commands without a shell, as its own user.
  { pattern: /^SECURITY VIOLATION - scripts are being executed but script_security not enabled\.$/ },
  {
    pattern: /^\((\S+): Line (\d+)\) Truncating auth_pass to 8 characters$/,
    // On an IPv6 instance (VRRPv3) keepalived sends no password at all, which convert says instead.
    finding: (m) => ({ at: `${m[1]}:${m[2]}`, contains: ['keepalived sends only the first 8', 'VRRPv3 has no authentication (keepalived ignores it too)'] }),
  },
  {
    pattern: /^\((\S+)\) VRRP version 3 does not support authentication\. Ignoring\.$/,
    finding: (m) => ({ contains: `auth_pass (vrrp_instance ${m[1] ?? ''}): VRRPv3 has no authentication (keepalived ignores it too): left out` }),
  },
  {
    pattern: /^\((\S+): Line (\d+)\) Cannot specify label for IPv6 addresses \(\S+\) - ignoring label$/,
    finding: (m) => ({ at: `${m[1]}:${m[2]}`, contains: 'left out)' }),
  },
  { pattern: /^\(\S+\) Warning - nopreempt will not work with initial state MASTER - clearing$/, finding: () => ({ contains: 'nopreempt will not work with initial state MASTER - clearing' }) },
  { pattern: /^\(\S+\) Warning - preempt delay will not work with initial state MASTER - clearing$/, finding: () => ({ contains: 'preempt delay will not work with initial state MASTER - clearing' }) },
  { pattern: /^\(\S+\) preempt_delay is incompatible with nopreempt mode - resetting$/, finding: () => ({ contains: 'preempt_delay is incompatible with nopreempt mode - resetting' }) },
  { pattern: /^\(\S+\) Ignoring track_interface (\S+) since own interface$/, finding: (m) => ({ contains: `Ignoring track_interface ${m[1]} since own interface` }) },
  {
    pattern: /^Virtual server \[([^\]]+)\]:\S+:(\d+) has no real servers - ignoring$/,
    finding: (m) => ({ contains: `virtual_server ${m[1]} ${m[2]}: no usable real_server: not converted` }),
  },
];

describe('keepalived -t accepts every keepalived.conf fixture, and convert says what keepalived changes', () => {
  test.each(keepalivedFixtures)('%s', (file) => {
    const { status, lines } = keepalivedTest(file);
    const { stderr } = convertFixture({ keepalived: file });
    const unknown: string[] = [];
    for (const line of lines) {
      const known = KNOWN.find((k) => k.pattern.test(line));
      const match = known?.pattern.exec(line);
      if (known === undefined || match === null || match === undefined) {
        unknown.push(line);
        continue;
      }
      const wanted = known.finding?.(match, file);
      if (wanted === undefined) continue;
      const alternatives = typeof wanted.contains === 'string' ? [wanted.contains] : wanted.contains;
      const said = stderr.filter((l) => (wanted.at === undefined || l.startsWith(`${wanted.at}: `)) && alternatives.some((c) => l.includes(c)));
      expect(said, `keepalived -t: "${line}"; convert's stderr:\n${stderr.join('\n')}`).toHaveLength(1);
    }
    expect(unknown, `keepalived -t complained about ${file}`).toEqual([]);
    // 0: clean; 5 and 6: keepalived's "config test found problems" codes, here only the known lines above.
    expect([0, 5, 6], lines.join('\n')).toContain(status);
  });
});
