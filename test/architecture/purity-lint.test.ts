import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// The files whose logic must stay free of I/O and time: if one of them left the lint's
// list, a socket or a timer could creep in unnoticed.
const PURE_FILES = [
  'src/vrrp/packet.ts',
  'src/vrrp/fsm.ts',
  'src/vrrp/receive-filter.ts',
  'src/vrrp/ipv4-header.ts',
  'src/net/checksum.ts',
  'src/net/pseudo-header.ts',
  'src/lb/balance.ts',
  'src/lb/engine/failover-policy.ts',
  'src/lb/counters-recorder.ts',
  'src/convert/repair.ts',
  'src/net/address.ts',
  'src/net/ipv4-bytes.ts',
  'src/net/ipv6-bytes.ts',
  'src/net/address-bytes.ts',
  'src/net/sockaddr.ts',
  'src/net/mac.ts',
  'src/net/interface-cidr.ts',
  'src/netlink/neighbour-advert.ts',
  'src/netlink/address-message.ts',
  'src/daemon/reload-plan.ts',
  'src/daemon/instance-settings.ts',
];

const eslint = new ESLint({ cwd: ROOT });

async function messagesFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${filePath}` });
  return (result?.messages ?? []).map((message) => `${message.ruleId ?? ''}: ${message.message}`);
}

describe('the purity lint', () => {
  test.each(PURE_FILES)('%s may not import a socket, a timer or the libc binding', async (file) => {
    const code = "import { createSocket } from 'node:dgram';\nimport { libc } from '../sys/libc.js';\nexport const s = [createSocket, libc];\n";
    const messages = await messagesFor(file, code);
    expect(messages.filter((message) => message.startsWith('no-restricted-imports'))).toHaveLength(2);
  });

  test.each(PURE_FILES)('%s may not start a timer', async (file) => {
    const messages = await messagesFor(file, 'export function later(f: () => void): void {\n  setTimeout(f, 1);\n}\n');
    expect(messages).toContainEqual(expect.stringMatching(/^no-restricted-globals: /));
  });

  test('a runtime part is not held to it', async () => {
    const messages = await messagesFor('src/vrrp/instance.ts', 'export function later(f: () => void): void {\n  setTimeout(f, 1);\n}\n');
    expect(messages.filter((message) => message.startsWith('no-restricted-globals'))).toEqual([]);
  });
});
