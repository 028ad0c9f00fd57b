/**
 * A real S3-compatible server for the document store's tests: SeaweedFS's `weed mini` (master, volume server, filer
 * and S3 gateway in one process) on free ports in a temporary directory, with a bucket and an access key made at start
 * (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). The binary comes from scripts/ensure-seaweedfs.sh (built once, cached).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3DocumentStore } from '../../storage/s3-store';
import { freePorts, launch, ROOT, stop, waitUntil, type Managed } from '../../scripts/lib/stack';

export interface SeaweedFs {
  endpoint: string;
  bucket: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** From the spawn to the first object written and read back through the S3 gateway. */
  startupMs: number;
  stop(): Promise<void>;
}

/** The weed binary: $WEED, or the cached build (built now if missing: many minutes, once). */
export function weedBinary(): string {
  return execFileSync('bash', [path.join(ROOT, 'scripts/ensure-seaweedfs.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

export async function startSeaweedFs(timeoutMs = 90_000): Promise<SeaweedFs> {
  const weed = weedBinary();
  const dir = mkdtempSync(path.join(tmpdir(), 'seaweedfs-'));
  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3, s3Grpc] = await freePorts(8);
  const bucket = 'documents-test';
  const credentials = { accessKeyId: 'test-access-key', secretAccessKey: 'test-secret-key-0123456789' };
  const args = [
    'mini',
    `-dir=${dir}`,
    '-ip=127.0.0.1',
    '-ip.bind=127.0.0.1',
    `-master.port=${master}`,
    `-master.port.grpc=${masterGrpc}`,
    `-volume.port=${volume}`,
    `-volume.port.grpc=${volumeGrpc}`,
    `-filer.port=${filer}`,
    `-filer.port.grpc=${filerGrpc}`,
    `-s3.port=${s3}`,
    `-s3.port.grpc=${s3Grpc}`,
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
    `-s3.localSocket=${path.join(dir, 's3.sock')}`,
    '-webdav=false',
    '-admin.ui=false',
    '-master.telemetry=false',
    '-master.volumeSizeLimitMB=64',
    `-bucket=${bucket}`,
  ];
  const started = Date.now();
  const proc: Managed = launch('seaweedfs', weed, args, {
    env: { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey },
  });
  const cleanup = async () => {
    await stop(proc, 'SIGTERM', 10_000);
    rmSync(dir, { recursive: true, force: true });
  };
  const endpoint = `http://127.0.0.1:${s3}`;
  const region = 'us-east-1';
  const probe = new S3DocumentStore({ endpoint, bucket, region, credentials, prefix: 'probe' });
  try {
    // Ready when the gateway stores and gives back an object (the bucket made, a volume assigned).
    await waitUntil(
      'SeaweedFS S3 gateway',
      async () => {
        try {
          await probe.put('ready', Buffer.from('ok'), 'text/plain');
          return (await probe.get('ready'))?.toString() === 'ok';
        } catch {
          return false;
        }
      },
      timeoutMs,
      proc,
    );
  } catch (err) {
    probe.destroy();
    await cleanup();
    throw err;
  }
  probe.destroy();
  return { endpoint, bucket, region, credentials, startupMs: Date.now() - started, stop: cleanup };
}
