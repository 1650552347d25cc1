// The one linter of the repository: ESLint with typescript-eslint's recommended rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import sotto from './tools/eslint/no-cross-package-import.js';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/test/vectors/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { sotto },
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'warn',
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Copy-on-write values build their successor from `this` step by step.
      '@typescript-eslint/no-this-alias': 'off',
      // One package owns a contract and the others import it by name: no relative path into another package.
      'sotto/no-cross-package-import': 'error',
    },
  },
  {
    // Type-aware rules: a promise is awaited, returned or handed to a handler, never dropped or passed where a
    // function returning void is expected. Types come from each package's tsconfig.json (the project service).
    files: ['packages/*/{src,test,bench,scripts,bin}/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test runs and reports a top-level test() or describe() itself; awaiting it is neither needed nor usual.
        {
          ignoreVoid: false,
          allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'suite', 'it'] }],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // packages/mls is pure (STYLE.md rule 1): no console, no global clock or randomness.
    files: ['packages/mls/src/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-globals': ['error', 'Date'],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random' }],
    },
  },
  {
    // The conversation engine is pure (STYLE.md "What that means here"): plain data in, plain data out. No store, no
    // transport, no node:*, no timers, no clock, no randomness; the client's shell loads its inputs and runs its effects.
    files: ['packages/client/src/engine/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-globals': [
        'error',
        'Date',
        'setTimeout',
        'setInterval',
        'clearTimeout',
        'clearInterval',
        'setImmediate',
        'fetch',
        'WebSocket',
      ],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'the engine does no I/O' },
            {
              group: ['**/transport/**', '**/store/**', '**/outbox/**', '**/node/**', '**/browser/**'],
              message: 'the engine does no I/O: the shell runs its effects',
            },
            { group: ['**/mls/**', '@sotto/mls'], message: 'MLS processing stays in the shell' },
            {
              group: ['**/client/core.js', '**/client/sotto-client.js', '**/client/receiver.js'],
              message: 'the engine does not know the shell',
            },
          ],
        },
      ],
    },
  },
);
