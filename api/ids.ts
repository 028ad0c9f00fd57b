/** Ids the API makes up carry 96 random bits, so no one guesses another's project or cycle. */
import { randomBytes } from 'node:crypto';

/**
 * A new id; for a request with an Idempotency-Key, one derived from the claim (128 bits of its hash),
 * so a retry to any API replica names the same workflow.
 */
export function newId(prefix: string, claim?: { key: string }): string {
  return `${prefix}-${claim ? claim.key.slice(0, 32) : randomBytes(12).toString('hex')}`;
}
