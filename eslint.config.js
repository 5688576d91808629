// ESLint flat config for the whole monorepo (`npm run lint` = `eslint .`).
//
// - TypeScript (everything we write): eslint's and typescript-eslint's recommended rules, plus
//   a few type-aware rules that catch real async bugs (a forgotten await or an unhandled
//   promise can take a runner down). They use the TypeScript project service, which reads
//   tsconfig.json.
// - Sandbox guest code (`**/*.guest.js`, `kernel/src/sandbox/guest/`): plain JavaScript that
//   runs inside an isolated-vm isolate as a classic script. It has no Node globals (no
//   `process`, `require`, `Buffer`), only what the ECMAScript language defines plus what the
//   kernel injects, which the file must declare with a `/* global name */` comment.
// - Other JavaScript (this file, scripts): ES modules run by Node.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const GUEST_FILES = ['**/*.guest.js', 'kernel/src/sandbox/guest/**/*.js'];

/** The Node globals that our own (non-sandbox) JavaScript may use. */
const NODE_GLOBALS = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'URLSearchParams',
    'AbortController',
    'AbortSignal',
    'TextEncoder',
    'TextDecoder',
    'structuredClone',
    'queueMicrotask',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'clearImmediate',
    'fetch',
    'performance',
  ].map((name) => [name, 'readonly']),
);

export default defineConfig(
  globalIgnores(['**/node_modules/', '**/dist/', 'coverage/', '.townes/', '**/*.tgz']),

  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  {
    name: 'townes/typescript',
    files: ['**/*.ts', '**/*.mts', '**/*.cts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // eslint 10's recommended rule flags every `throw new Error(...)` inside a catch block
      // without `{ cause }`, including a new, unrelated error after the caught one was handled
      // (e.g. ENOENT, then try the fallback). Kept visible as a warning, not a failure.
      'preserve-caught-error': 'warn',
      // `_`-prefixed names are deliberately unused (ignored callback arguments, rest omits).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Type-aware: promises must be awaited, returned or explicitly voided.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test()/describe() return promises that the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'skip', 'todo', 'only', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
    },
  },

  {
    name: 'townes/node-js',
    files: ['**/*.js', '**/*.mjs'],
    ignores: GUEST_FILES,
    extends: [js.configs.recommended],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: NODE_GLOBALS,
    },
  },

  {
    name: 'townes/sandbox-guest',
    files: GUEST_FILES,
    extends: [js.configs.recommended],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'script',
      // Only the ECMAScript built-ins that ecmaVersion brings: no Node, no browser.
      globals: {},
    },
  },
);
