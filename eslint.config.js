import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** A relative or absolute module path with a `lib` directory in it: '../../lib/clock.ts', '/x/lib'. */
const LIB_PATH = String.raw`^\.{0,2}/(?:.*/)?lib(?:/|$)`;
const SIM_IMPORTS_LIB =
  'sim/ emulates the tools that lib/ drives and checks; reusing lib code would hide lib bugs. Write it in sim/.';

export default tseslint.config(
  { ignores: ['node_modules/', 'reports/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['sim/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'netscale', message: SIM_IMPORTS_LIB }],
          patterns: [
            { regex: LIB_PATH, message: SIM_IMPORTS_LIB },
            { group: ['netscale/*'], message: SIM_IMPORTS_LIB },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: `ImportExpression > Literal[value=/${LIB_PATH.replaceAll('/', '\\/')}/]`,
          message: SIM_IMPORTS_LIB,
        },
      ],
    },
  },
);
