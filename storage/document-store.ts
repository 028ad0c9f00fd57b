/**
 * Where a document's bytes live: one interface, a local directory (the default, under `data/documents`) and an
 * S3-compatible bucket (production). Keys are content-addressed (`contentKey`): the same bytes are stored once,
 * a stored object never changes, and a key names what it holds, so a copy can be checked against its hash.
 * What a document is (its project, kind, filename, uploader) is a record (records/documents.ts), never a blob's metadata.
 */
import { createHash } from 'node:crypto';

export interface DocumentStore {
  /** Stores `bytes` under `key`; storing the same key again is harmless (content-addressed: same bytes). */
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The bytes under `key`, or undefined when nothing is stored there. */
  get(key: string): Promise<Buffer | undefined>;
  /** Removes what `key` holds (a document the scan refused); a missing key is no error. */
  remove(key: string): Promise<void>;
  /** Where it stores, for logs and the start-up line: `local /path` or `s3 bucket at endpoint`. */
  readonly description: string;
}

export const sha256Hex = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** The key of a document's bytes: `sha256/<first two hex digits>/<hash>` (a fan-out, so no folder grows huge). */
export function contentKey(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`"${sha256}" is not a SHA-256 in hex`);
  return `sha256/${sha256.slice(0, 2)}/${sha256}`;
}

/** Keys are made by contentKey, but a store checks anyway: a key never climbs out of its root or bucket prefix. */
export function assertSafeKey(key: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9/_.-]{0,500}$/.test(key) || key.split('/').some((part) => part === '..' || part === '.' || part === ''))
    throw new Error(`"${key}" is not a storage key`);
}
