/**
 * Lints the OpenAPI document the API serves at `/v1/openapi.json` with Redocly CLI's
 * recommended rules, as errors (redocly.yaml): builds it from api/openapi.ts with the shipped
 * policy, writes it to a temporary file and exits with `redocly lint`'s status.
 *
 *   npm run lint:openapi
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openApiDocument } from '../api/openapi';
import { loadPolicy } from '../config/env';

const ROOT = path.resolve(__dirname, '..');

function main(): number {
  const policy = loadPolicy(path.join(ROOT, 'policy/default.json'));
  const dir = mkdtempSync(path.join(tmpdir(), 'openapi-lint-'));
  try {
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(openApiDocument(policy), null, 2));
    const result = spawnSync(path.join(ROOT, 'node_modules/.bin/redocly'), ['lint', '--config', path.join(ROOT, 'redocly.yaml'), file], {
      cwd: ROOT,
      stdio: 'inherit',
      // No telemetry, no update notice: the lint runs offline, in CI as on a laptop.
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true' },
    });
    if (result.error) {
      console.error(`redocly could not be run: ${result.error.message} (npm install installs it)`);
      return 1;
    }
    return result.status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = main();
