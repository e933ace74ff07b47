// ESLint flat config: typescript-eslint's type-aware recommended rules for src/ and test/, plus the
// purity rule: the pure parts (codecs, the state machine, the picker...) touch no sockets, timers or native calls.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeModulesWithoutPrefix = ['fs', 'net', 'dgram', 'child_process', 'os', 'path', 'http', 'https', 'url', 'util', 'events', 'crypto', 'stream', 'timers'].map(
  (name) => ({ name, message: "Import Node's own modules with the node: prefix." }),
);

export default tseslint.config(
  { ignores: ['dist/', 'dist-check/', 'dist-bench/', 'node_modules/', 'coverage/', 'schema/', 'out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      // `paths` match whole module names: a pattern 'net' would also match the project's own ../net/.
      'no-restricted-imports': ['error', { paths: nodeModulesWithoutPrefix }],
    },
  },
  {
    // Pure parts: codecs, checksums, filters, the state machine, the backend picker, the data path's
    // failover policy and counters, convert's repair and the address helpers compute from their
    // arguments only.
    // test/architecture/purity-lint.test.ts keeps this list whole.
    files: [
      'src/vrrp/packet.ts',
      'src/vrrp/fsm.ts',
      'src/vrrp/receive-filter.ts',
      'src/vrrp/ipv4-header.ts',
      'src/lb/balance.ts',
      'src/lb/engine/failover-policy.ts',
      'src/lb/counters-recorder.ts',
      'src/convert/repair.ts',
      'src/net/*.ts',
      'src/netlink/neighbour-advert.ts',
      'src/netlink/address-message.ts',
      'src/daemon/reload-plan.ts',
      'src/daemon/instance-settings.ts',
    ],
    rules: {
      'no-restricted-imports': ['error', { paths: nodeModulesWithoutPrefix, patterns: [{ group: ['node:net', 'node:dgram', 'node:timers', 'node:timers/*', 'node:fs', 'node:child_process', 'netlink', 'koffi', '**/sys/*'], message: 'This part is pure: no sockets, no timers, no native calls.' }] }],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'setImmediate'],
    },
  },
);
