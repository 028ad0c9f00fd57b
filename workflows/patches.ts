/**
 * Every change to workflow code that running workflows would replay differently, with why, since which
 * version and until when its old branch is kept. Workflow code calls `isPatched(id)`, never `patched()`
 * itself (the linter holds that), so no patch exists without an entry here; the replay test fails once
 * an entry's remove-by date has passed.
 *
 * A patch's life (Temporal's patching API, samples-typescript `patching-api`):
 *   1. `if (isPatched('x')) new code else old code`, an entry here, and a history recorded before the change
 *      (test/replay/histories/<workflow>/<branch>.json) that pins the old branch;
 *   2. once no workflow that started on the old code can still be running (their longest life after the
 *      release that made the change, see docs/OPERATIONS.md), `deprecatePatch('x')` and the new code alone,
 *      the entry's `deprecated` set, the old branch's history removed;
 *   3. once no workflow that ran step 2's code can be running either, the call and the entry go.
 * Nothing deployed ran the code before release 0.3.0: the nine patches of the first two releases were
 * removed then, with their old branches and histories.
 */
import { deprecatePatch, patched } from '@temporalio/workflow';

export interface PatchEntry {
  /** Why the behaviour changed, in one sentence. */
  why: string;
  /** The release whose workflow code first took the new branch. */
  since: string;
  /** ISO date: the replay test fails after it, so the old branch is removed (or the date moved, with a reason). */
  removeBy: string;
  /** Set once the old branch is gone and only `deprecatePatch` remains. */
  deprecated?: true;
}

/** The registry. */
export const PATCHES = {
  'objections-stand': {
    why:
      'EO 12981 §5: an answered intent to deny reopens every standing objector, not only the issuer; an ' +
      'issuer (or appeal body) approval against a standing objection goes to the ladder; a final ruling binds',
    since: '0.4.0',
    removeBy: '2027-12-31',
  },
  'close-after-milestones': {
    why:
      'a project closes once its licences have ended and its milestones have been ' +
      'reviewed, so a project that needs no licence still has its tranches reviewed',
    since: '0.4.0',
    removeBy: '2027-12-31',
  },
  'tier-lowering-by-issuer': {
    why: "a tier lowering is decided by each component's issuer (a listed item to T0 by its no-licence-required finding), not by the coordinator's lead agency",
    since: '0.4.0',
    removeBy: '2027-12-31',
  },
  'sanctions-by-issuer': {
    why:
      "suspension and revocation are the issuer's acts after the holder is heard (EAR §750.8): the monitor " +
      "proposes them and the issuer's step decides, instead of its deadlines suspending and revoking",
    since: '0.4.0',
    removeBy: '2027-12-31',
  },
  'post-project-review': {
    why:
      'a closed project gets its post-project review (issue 27): the coordinator and the lead agency are each asked what was ' +
      'licensed, released and left open, and the workflow ends once both have reviewed or their window has passed',
    since: '0.5.0',
    removeBy: '2027-12-31',
  },
} as const satisfies Record<string, PatchEntry>;

export type PatchId = keyof typeof PATCHES;

/** `patched(id)` for a registered id: true on new executions and on histories that took the new branch. */
export function isPatched(id: PatchId): boolean {
  return (PATCHES as Record<string, PatchEntry>)[id].deprecated ? (deprecatePatch(id), true) : patched(id);
}
