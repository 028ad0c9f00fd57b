/**
 * Writes test/generated/openapi.ts: the TypeScript types of the OpenAPI document the API serves at
 * `/v1/openapi.json`, made by openapi-typescript. The authorization matrix test (test/api/authorization-matrix.test.ts)
 * sends every request through openapi-fetch's client typed by them, so the document has to describe the real API.
 * Builds the document from api/openapi.ts with the shipped policy (as scripts/lint-openapi.ts does) and formats the
 * types with the repository's prettier settings. The file is checked in.
 *
 * With `--print` the text goes to stdout and no file is written: the matrix test compares it with the checked-in
 * file and fails while that is stale (in a child process: openapi-typescript's dependencies are ES modules, which
 * jest's CommonJS runtime cannot load).
 *
 *   npm run openapi-types
 *   node --import tsx scripts/openapi-types.ts --print
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import * as prettier from 'prettier';
import { openApiDocument } from '../api/openapi';
import { loadPolicy } from '../config/env';

const ROOT = path.resolve(__dirname, '..');
const FILE = path.join(ROOT, 'test/generated/openapi.ts');

const HEADER = `/**
 * GENERATED FILE: do not edit. \`npm run openapi-types\` (scripts/openapi-types.ts) writes it with openapi-typescript
 * from the OpenAPI document of api/openapi.ts, built with policy/default.json. Run it again after changing the API:
 * test/api/authorization-matrix.test.ts fails while this file is stale.
 */
`;

/** The file's text: the document's types, formatted as `prettier --write` leaves them. */
async function openApiTypes(): Promise<string> {
  const policy = loadPolicy(path.join(ROOT, 'policy/default.json'));
  // Typed for the API's own use; openapi-typescript reads it as the OpenAPI 3.1 object it is.
  const document = openApiDocument(policy) as unknown as OpenAPI3;
  const types = astToString(await openapiTS(document, { silent: true }));
  const config = await prettier.resolveConfig(FILE);
  return prettier.format(`${HEADER}\n${types}`, { ...config, filepath: FILE });
}

async function main(): Promise<void> {
  const text = await openApiTypes();
  if (process.argv.includes('--print')) {
    process.stdout.write(text);
    return;
  }
  mkdirSync(path.dirname(FILE), { recursive: true });
  writeFileSync(FILE, text);
  console.log(`wrote ${path.relative(ROOT, FILE)}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
