/** The default document store: files in a local directory (DOCUMENTS_DIR, default `data/documents`). */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assertSafeKey, type DocumentStore } from './document-store';

export class LocalDocumentStore implements DocumentStore {
  readonly description: string;
  constructor(private readonly root: string) {
    this.description = `local ${root}`;
  }

  private file(key: string): string {
    assertSafeKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const file = this.file(key);
    await mkdir(path.dirname(file), { recursive: true });
    // Written beside, then renamed: a reader never sees half a file, and two writers of the same key both succeed.
    const partial = `${file}.${randomUUID()}.partial`;
    await writeFile(partial, bytes, { flag: 'wx' });
    await rename(partial, file);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.file(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async remove(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }
}
