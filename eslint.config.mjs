// Lint rules that keep workflow code deterministic and promises awaited.
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** What workflow code may not import; `patches`: also `patched` and `deprecatePatch`, which only the registry calls. */
function workflowImports(patches) {
  return {
    paths: [
      ...[...nodeBuiltins, 'zod', 'nodemailer', 'pino', 'express', '@temporalio/client', '@temporalio/worker'].map((name) => ({
        name,
        message: 'workflow code must stay deterministic: use an activity',
      })),
      ...(patches
        ? [
            {
              name: '@temporalio/workflow',
              importNames: ['patched', 'deprecatePatch'],
              message: 'call isPatched() from workflows/patches.ts, with the patch registered there (why, since, remove-by)',
            },
          ]
        : []),
    ],
    patterns: [
      { group: ['../activities', '../activities/*'], allowTypeImports: true, message: 'import activities as types only (proxyActivities)' },
      {
        group: ['../domain/policy', '../domain/project', '../domain/primitives', '../domain/control-codes', '../domain/classification'],
        allowTypeImports: true,
        message: 'these modules load zod: import their types only',
      },
    ],
  };
}

/** A statement on the records outside snapshot() or records.transaction(): PGlite's socket server can break it. */
const bareStatement = {
  selector:
    ':matches(MemberExpression[object.name="records"], MemberExpression[object.property.name="records"], ' +
    'MemberExpression[object.callee.name="testRecords"])[property.name=/^(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|with)$/]',
  message: 'a statement outside a transaction: run it in snapshot(records, …) or records.transaction().execute(…)',
};
const htmlJoinedWithPlus = {
  selector: "BinaryExpression[operator='+'] > TaggedTemplateExpression[tag.name='html']",
  message: 'html`…` joined with + becomes plain text (escaped when used): write one html`…` template, or nest fragments with ${…}',
};

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
    // Workflow code is replayed: no Node built-ins, no side-effecting libraries, activities as types only,
    // and every patch through the registry (workflows/patches.ts isPatched), which gives it a remove-by date.
    files: ['workflows/**/*.ts', 'domain/routing.ts', 'domain/compliance-rules.ts', 'domain/compliance-calendar.ts', 'domain/party-names.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', workflowImports(true)] },
  },
  {
    // Outside a transaction, PGlite's socket server (npm start, the tests) interleaves statements of different connections.
    files: ['activities/**/*.ts', 'worker/**/*.ts', 'records/**/*.ts', 'letters/**/*.ts', 'storage/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', bareStatement] },
  },
  // api/ builds pages too: html`…` + '…' is a string, which the next html`…` escapes, so the markup would show as text.
  { files: ['api/**/*.ts'], rules: { 'no-restricted-syntax': ['error', bareStatement, htmlJoinedWithPlus] } },
  { files: ['workflows/patches.ts'], rules: { '@typescript-eslint/no-restricted-imports': ['error', workflowImports(false)] } },
);
