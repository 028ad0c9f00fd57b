// Lint rules that keep workflow code deterministic and promises awaited.
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'test-output/**', '*.config.js', '*.mjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    // Workflow code is replayed: no Node built-ins, no side-effecting libraries, activities as types only.
    files: ['workflows/**/*.ts', 'domain/routing.ts', 'domain/compliance-rules.ts', 'domain/compliance-calendar.ts', 'domain/party-names.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, 'zod', 'nodemailer', 'pino', 'express', '@temporalio/client', '@temporalio/worker'].map((name) => ({
            name,
            message: 'workflow code must stay deterministic: use an activity',
          })),
          patterns: [
            { group: ['../activities', '../activities/*'], allowTypeImports: true, message: 'import activities as types only (proxyActivities)' },
            {
              group: ['../domain/policy', '../domain/project', '../domain/primitives', '../domain/control-codes', '../domain/classification'],
              allowTypeImports: true,
              message: 'these modules load zod: import their types only',
            },
          ],
        },
      ],
    },
  },
);
