/** How the server-rendered pages write a time, and a project's stage. */
import type { Stage } from '../workflows/definitions';

/** The stages a project goes through, in order (as the pages name them). */
export const STAGE_LABELS: Record<Stage, string> = {
  scoping: 'Scoping',
  'grant-review': 'Grant review',
  active: 'Active',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
  closed: 'Closed',
};

/** `2026-12-26 16:06 UTC`: readable, and unambiguous across the agencies' time zones. */
export function formatWhen(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '';
}
