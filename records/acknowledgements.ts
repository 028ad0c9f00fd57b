/**
 * The written acknowledgements a licence lists: read from its acknowledgement steps as their owner recorded them,
 * each with who gave it, when, for whom, and the signed document it came with (its id and SHA-256). The project's
 * JSON (records/project-reads.ts) and the licence letter (letters/letter-data.ts) both read them here.
 */
import type { Licence, ReviewStep } from '../workflows/definitions';

/** One given: for whom (the licensee, or the recipient by name), who acknowledged (whose link or key), when, and its signed document. */
export type AcknowledgementGiven = NonNullable<NonNullable<Licence['acknowledgement']>['given']>[number];

/**
 * The licence's acknowledgement steps (its latest review's: a step id repeats when a case is submitted again, and
 * `steps` are in record order) and those of them given.
 */
export function acknowledgementsOf(licence: Licence, steps: ReviewStep[]): { owed: number; given: AcknowledgementGiven[] } | undefined {
  const ack = licence.acknowledgement;
  if (!ack) return undefined;
  const ids = ack.steps ?? [ack.stepId];
  const latest = ids.map((id) => steps.filter((s) => s.stepId === id && s.kind === 'acknowledgement').at(-1));
  const given = latest
    .filter((s): s is ReviewStep => s?.outcome === 'acknowledged')
    .map((s) => ({
      stepId: s.stepId,
      party: s.partyName,
      by: s.decidedBy ?? s.reviewer,
      at: s.decidedAt!,
      ...(s.signedDocument && { documentId: s.signedDocument.documentId, sha256: s.signedDocument.sha256 }),
    }));
  return { owed: ids.length, given };
}

/** The licence as the API serves it: its acknowledgement with the list of those given (none given yet: unchanged). */
export function withAcknowledgementsGiven(licence: Licence, steps: ReviewStep[]): Licence {
  const read = acknowledgementsOf(licence, steps);
  return read?.given.length ? { ...licence, acknowledgement: { ...licence.acknowledgement!, given: read.given } } : licence;
}
