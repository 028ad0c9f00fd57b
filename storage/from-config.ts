/** The document store the configuration chooses (DOCUMENT_STORE, config/env.ts): the API and the worker open the same one. */
import type { Config } from '../config/env';
import type { DocumentStore } from './document-store';
import { LocalDocumentStore } from './local-store';
import { S3DocumentStore } from './s3-store';

export type DocumentStoreConfig = Pick<
  Config,
  'DOCUMENT_STORE' | 'DOCUMENTS_DIR' | 'S3_ENDPOINT' | 'S3_BUCKET' | 'S3_REGION' | 'S3_ACCESS_KEY_ID' | 'S3_SECRET_ACCESS_KEY' | 'S3_PREFIX'
>;

export function documentStoreFor(config: DocumentStoreConfig): DocumentStore {
  if (config.DOCUMENT_STORE === 'local') return new LocalDocumentStore(config.DOCUMENTS_DIR);
  return new S3DocumentStore({
    endpoint: config.S3_ENDPOINT,
    bucket: config.S3_BUCKET!, // required with s3 (config/env.ts)
    region: config.S3_REGION,
    prefix: config.S3_PREFIX,
    credentials:
      config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
        : undefined,
  });
}
