/** After every test file: stops the record store the global setup started. */
import { stop } from '../scripts/lib/stack';
import { holder } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  if (holder.embeddedRecordStore) await stop(holder.embeddedRecordStore, 'SIGTERM', 10_000);
}
