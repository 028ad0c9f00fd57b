/**
 * Documents in an S3-compatible bucket (AWS S3, SeaweedFS, MinIO, Ceph): the AWS SDK v3 with path-style addressing,
 * so any endpoint works without a DNS name per bucket. Credentials come from S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY
 * when set, else from the SDK's own chain (environment, profile, instance role).
 */
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { assertSafeKey, type DocumentStore } from './document-store';

export interface S3StoreSettings {
  /** The server's URL (http://127.0.0.1:8333); unset, AWS's own endpoint for the region. */
  endpoint?: string;
  bucket: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Prepended to every key (`prefix/sha256/..`), so one bucket can hold more than this application. */
  prefix?: string;
}

export class S3DocumentStore implements DocumentStore {
  readonly description: string;
  private readonly client: S3Client;
  constructor(private readonly settings: S3StoreSettings) {
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: true,
      credentials: settings.credentials,
    });
    this.description = `s3 bucket ${settings.bucket}${settings.endpoint ? ` at ${settings.endpoint}` : ` in ${settings.region}`}`;
  }

  private key(key: string): string {
    assertSafeKey(key);
    return this.settings.prefix ? `${this.settings.prefix.replace(/\/+$/, '')}/${key}` : key;
  }

  async put(key: string, bytes: Buffer, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.settings.bucket, Key: this.key(key), Body: bytes, ContentType: contentType }));
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.key(key) }));
      return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : Buffer.alloc(0);
    } catch (err) {
      if (err instanceof NoSuchKey || (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404)) return undefined;
      throw err;
    }
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.key(key) }));
  }

  /** Closes the SDK's sockets (tests, shutdown). */
  destroy(): void {
    this.client.destroy();
  }
}
