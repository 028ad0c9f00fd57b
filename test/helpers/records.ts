/**
 * The record store of the tests. The lanes' global setup (test/global-setup.ts) starts one embedded
 * PostgreSQL (PGlite over the wire protocol, as `npm start` runs it) and exports DATABASE_URL; every
 * worker and API of the tests writes and reads there.
 */
import { openRecords, type Records } from '../../records/database';

let shared: Records | undefined;

export function testDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the tests through jest, whose global setup starts the record store');
  return url;
}

/** This test file's pool; idle, it lets the process exit, so no test needs to close it. */
export function testRecords(): Records {
  shared ??= openRecords(testDatabaseUrl(), { max: 4, allowExitOnIdle: true });
  return shared;
}
