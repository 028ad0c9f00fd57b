/**
 * The document store's contract, run alike on the local directory and on a real S3-compatible server (SeaweedFS's
 * weed, started here): bytes stored under their content key come back the same, with their hash; a missing key is
 * nothing; storing again is harmless; removing is final; no key climbs out of the store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { contentKey, sha256Hex, type DocumentStore } from '../../storage/document-store';
import { documentStoreFor } from '../../storage/from-config';
import { LocalDocumentStore } from '../../storage/local-store';
import { S3DocumentStore } from '../../storage/s3-store';
import { startSeaweedFs, type SeaweedFs } from '../helpers/seaweedfs';

let dir: string;
let seaweed: SeaweedFs;
const stores: Record<'local' | 's3', DocumentStore> = {} as never;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'documents-'));
  stores.local = new LocalDocumentStore(dir);
  seaweed = await startSeaweedFs();
  console.log(`SeaweedFS (weed mini) answered S3 requests ${seaweed.startupMs} ms after it was started`);
  // Through the configuration, as the API opens it.
  stores.s3 = documentStoreFor({
    DOCUMENT_STORE: 's3',
    DOCUMENTS_DIR: dir,
    S3_ENDPOINT: seaweed.endpoint,
    S3_BUCKET: seaweed.bucket,
    S3_REGION: seaweed.region,
    S3_ACCESS_KEY_ID: seaweed.credentials.accessKeyId,
    S3_SECRET_ACCESS_KEY: seaweed.credentials.secretAccessKey,
    S3_PREFIX: 'export-review',
  });
}, 180_000);

afterAll(async () => {
  (stores.s3 as S3DocumentStore | undefined)?.destroy();
  await seaweed?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe.each(['local', 's3'] as const)('the %s document store', (name) => {
  const store = () => stores[name];

  test('gives back the bytes stored under their content key, with their hash', async () => {
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251))]);
    const sha = sha256Hex(bytes);
    const key = contentKey(sha);
    expect(key).toBe(`sha256/${sha.slice(0, 2)}/${sha}`);
    await store().put(key, bytes, 'application/pdf');
    const back = await store().get(key);
    expect(back && sha256Hex(back)).toBe(sha);
    expect(back?.equals(bytes)).toBe(true);
    // The same bytes again: harmless, still the same.
    await store().put(key, bytes, 'application/pdf');
    expect((await store().get(key))?.equals(bytes)).toBe(true);
  });

  test('a key nothing is stored under is nothing, and a removed one too', async () => {
    const key = contentKey(sha256Hex(Buffer.from(`nothing here ${name}`)));
    expect(await store().get(key)).toBeUndefined();
    await store().remove(key); // removing what is not there is no error
    const bytes = Buffer.from(`short-lived ${name}`);
    const stored = contentKey(sha256Hex(bytes));
    await store().put(stored, bytes, 'text/plain');
    await store().remove(stored);
    expect(await store().get(stored)).toBeUndefined();
  });

  test('refuses a key that is not a storage key', async () => {
    for (const key of ['../etc/passwd', 'sha256/../../x', '/abs', 'a//b', ''])
      await expect(store().put(key, Buffer.from('x'), 'text/plain')).rejects.toThrow(/is not a storage key/);
  });
});

test('the local store keeps the bytes under its directory, in the content key’s folders', async () => {
  const bytes = Buffer.from('kept on disk');
  const sha = sha256Hex(bytes);
  await stores.local.put(contentKey(sha), bytes, 'text/plain');
  const { readFileSync } = await import('node:fs');
  expect(readFileSync(path.join(dir, 'sha256', sha.slice(0, 2), sha), 'utf8')).toBe('kept on disk');
});

test('the S3 gateway checks signatures: a wrong secret stores nothing', async () => {
  const wrong = new S3DocumentStore({
    endpoint: seaweed.endpoint,
    bucket: seaweed.bucket,
    region: seaweed.region,
    credentials: { accessKeyId: seaweed.credentials.accessKeyId, secretAccessKey: 'not-the-secret-key-000000' },
  });
  try {
    const bytes = Buffer.from('refused');
    const key = contentKey(sha256Hex(bytes));
    await expect(wrong.put(key, bytes, 'text/plain')).rejects.toThrow();
    expect(await stores.s3.get(key)).toBeUndefined();
  } finally {
    wrong.destroy();
  }
});
