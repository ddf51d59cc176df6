// ESLint flat config for rxkube: the recommended rules of ESLint and typescript-eslint, without the
// type-aware ones (they need a full program and take minutes on a small machine; `tsc` already runs
// strict in CI). Layering (which layer may import what) is not checked here but by
// scripts/check-layering.mjs, which `npm run lint` runs after ESLint.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    '**/node_modules/',
    'dist/',
    'dist.tmp-*/',
    'coverage/',
    '.cache/',
    'samples/browser/dist/',
    'spec/e2e/artifacts/',
    'bench/results/',
    'docs/api/',
  ]),
  {
    files: ['**/*.{ts,mts,cts,tsx,js,mjs,cjs}'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Unused code is a mistake, but `_name` marks a parameter or binding kept on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // `interface Foo extends Bar {}` names a concept, and `{}` is the identity of `&` in type-level code.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends', allowObjectTypes: 'always' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': ['error', { destructuring: 'all' }],
    },
  },
  {
    // TypeScript resolves every identifier itself; ESLint's no-undef only misreads types and globals.
    files: ['**/*.{ts,mts,cts,tsx}'],
    rules: { 'no-undef': 'off' },
  },
  {
    files: ['lib/**'],
    rules: {
      // A library reports through errors and Observables, not the console.
      'no-console': 'error',
      // `any` in the library leaks into every user's types; prefer `unknown` and narrow.
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['rxjs/internal/*'], message: 'Import from the public rxjs entry points only.' },
            { group: ['axios/lib/*', 'axios/unsafe/*'], message: 'Import axios from its public entry point only.' },
          ],
        },
      ],
    },
  },
  {
    // Tests, samples, benchmarks and scripts may cast freely and print.
    files: ['spec/**', 'samples/**', 'bench/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Type tests declare values only to take their types (`typeof x`), and write bare expressions
    // (`obj.missing;`) under `@ts-expect-error` to pin what must not compile.
    files: ['**/*.test-d.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off', '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    files: ['**/*.cjs', 'jest.config.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
