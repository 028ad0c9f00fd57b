/**
 * `Idempotency-Key` on the two POSTs that start workflows (DESIGN §8): the same key and body get the first
 * answer again; the same key with another body is 422. The key is remembered where it cannot be lost or split
 * between API replicas: in the memo of the workflow the first request started, whose id a keyed request derives
 * from the caller and the key when the body names none. Temporal's id uniqueness does the rest.
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ApiError } from './errors';

export interface IdempotencyClaim {
  /** SHA-256 of the caller and their key: the key itself stays with the client. */
  key: string;
  /** SHA-256 of the body, keys sorted, so a retry that serialises its JSON in another order is the same request. */
  request: string;
}

const KEY = /^[\x21-\x7e]{1,200}$/;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** The request's claim, or undefined without the header; a malformed key is a 400 that names it. */
export function idempotencyClaim(req: Request): IdempotencyClaim | undefined {
  const raw = req.get('idempotency-key');
  if (raw === undefined) return undefined;
  if (!KEY.test(raw)) {
    throw new ApiError('VALIDATION_FAILED', 'invalid header: Idempotency-Key must be 1–200 printable ASCII characters without spaces', [
      { path: 'header.Idempotency-Key', message: 'must be 1–200 printable ASCII characters without spaces' },
    ]);
  }
  return { key: sha256(`${req.caller!.actor}\n${raw}`), request: sha256(canonical(req.body)) };
}

/** What the started workflow keeps in its memo. */
export const idempotencyMemo = (claim: IdempotencyClaim | undefined) => (claim ? { idempotency: { key: claim.key, request: claim.request } } : {});

/**
 * Whether the workflow `workflowId` was started by this claim's first request (then the caller sends the first
 * answer again); 422 when the key came with another body; false when another key, or none, started it.
 */
export async function isRepeat(client: Client, workflowId: string, claim: IdempotencyClaim): Promise<boolean> {
  const { memo } = await client.workflow.getHandle(workflowId).describe();
  const first = (memo as { idempotency?: { key?: string; request?: string } } | undefined)?.idempotency;
  if (first?.key !== claim.key) return false;
  if (first.request !== claim.request) {
    throw new ApiError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with another body; send a new key for a new request', [
      { path: 'header.Idempotency-Key', message: 'already used with another body' },
    ]);
  }
  return true;
}

/**
 * Starts a workflow for a request that may carry a claim. Returns normally when this request started it, or when
 * it is a repeat of the request that did; the usual 409 when the id is taken by something this key did not start.
 */
export async function startOnce(client: Client, workflowId: string, claim: IdempotencyClaim | undefined, start: () => Promise<unknown>): Promise<void> {
  try {
    await start();
  } catch (err) {
    if (!claim || !(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    if (!(await isRepeat(client, workflowId, claim))) throw err;
  }
}
