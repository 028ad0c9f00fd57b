/** How long records are kept after a project or a cycle closes: the longest record-keeping period of the policy's regimes. */
import type { Policy } from './policy';

export const recordKeepingMs = (policy: Pick<Policy, 'regimes'>): number => Math.max(...Object.values(policy.regimes).map((r) => r.recordKeeping));
