// Lint rules sit on top of `tsc --strict`: they catch the mistakes the compiler allows
// (floating promises, unused values, accidental `any`), not style, which prettier owns.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'generated/',
      'reports/',
      'coverage/',
      'examples/.doc-blocks/',
      'examples/.shell-blocks/',
      '.stryker-tmp/',
      '.runtimes/',
      'vitest.mutation.config.ts',
      // CommonJS configuration, outside the TypeScript project.
      '.dependency-cruiser.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // A function longer than a screen hides its steps: 80 lines at most, comments and blank
    // lines included. Tests, fault sets and generated code are tables, not logic.
    files: ['**/*.ts'],
    ignores: [
      '**/*.test.ts',
      '**/*.test-d.ts',
      'conformance/self-test/*faults.ts',
      'conformance/self-test/*receivers.ts',
    ],
    rules: {
      'max-lines-per-function': [
        'error',
        { max: 80, skipBlankLines: false, skipComments: false, IIFEs: true },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
