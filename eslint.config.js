// @ts-check
// `npm run lint` runs this after the type check, then `prettier --check .`. Formatting is prettier's alone
// (.prettierrc.json): no stylistic rule here.
import eslint from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'dist-bench/', 'node_modules/', '.data/', '.tools/', 'coverage/', 'test/artifacts/']),
  eslint.configs.recommended,
  // Type-aware: no-floating-promises, no-misused-promises and await-thenable need the types. A promise nobody
  // awaits is how a Temporal client call, a database write or a mail send fails without anyone hearing of it
  // (Temporal's own samples enforce the rule for that reason).
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          defaultProject: 'tsconfig.json',
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // Off: the no-unsafe-* family (about 1,100 complaints on the first run, 440 in db/ and 440 in
      // test/integration/). pg's rows, JSON.parse and fetch's response.json() are `any` by their libraries' design,
      // and every read of a row's column or of a response's field is one complaint; typing each row and each
      // response is its own piece of work, not a lint fix. The values are checked where they enter the domain (zod).
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Off: an `async` function without `await` is how this code implements a Promise-returning interface (Temporal
      // activities and their test doubles, Updates' handlers, Hono's handlers): a throw inside still becomes a
      // rejection, which a rewrite to `() => Promise.resolve(x)` would lose. 29 complaints, none a bug.
      '@typescript-eslint/require-await': 'off',
    },
  },
  // scripts/audit.mjs: plain Node JavaScript, outside the TypeScript project, so the type-aware rules cannot run
  // on it; it uses Node's globals.
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' },
    },
  },
);
