// ESLint flat config: typescript-eslint's type-aware recommended rules for src/ and test/, plus the
// purity rule from style.md: the VRRP codec and state machine touch no sockets and no timers.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'dist-check/', 'dist-bench/', 'node_modules/', 'coverage/', 'schema/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      'no-restricted-imports': ['error', { patterns: [{ group: ['fs', 'net', 'dgram', 'child_process', 'os', 'path', 'http', 'https', 'url', 'util', 'events', 'crypto', 'stream', 'timers'], message: "Import Node's own modules with the node: prefix." }] }],
    },
  },
  {
    files: ['src/vrrp/packet.ts', 'src/vrrp/fsm.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:net', 'node:dgram', 'node:timers', 'node:timers/*', 'raw-socket', 'netlink', 'koffi'], message: 'The codec and the state machine are pure: no sockets, no timers (style.md 1, 5).' }] }],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'setImmediate'],
    },
  },
);
