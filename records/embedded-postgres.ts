/**
 * The embedded record store of `npm start` and the tests: PGlite (PostgreSQL compiled to WebAssembly) on a
 * data directory, served over PostgreSQL's wire protocol so the worker and the API connect to it with the
 * same driver and code as to a real server. Run as its own process:
 *   node --import tsx records/embedded-postgres.ts <dataDir | memory://> <port>
 * PGlite runs one query at a time; the socket server multiplexes connections and keeps a transaction's
 * statements together.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

async function main() {
  const [dataDir, port] = process.argv.slice(2);
  if (!dataDir || !/^\d+$/.test(port ?? '')) throw new Error('usage: embedded-postgres.ts <dataDir | memory://> <port>');
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, port: Number(port), host: '127.0.0.1', maxConnections: 200 });
  await server.start();
  console.log(`embedded PostgreSQL (PGlite) on 127.0.0.1:${port}, data in ${dataDir}`);
  const shutdown = async () => {
    await server.stop();
    await db.close(); // flushes to the data directory
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
