/** The rules the patch registry (workflows/patches.ts) is held to, as pure checks the replay test applies. */
import type { PatchEntry } from '../../workflows/patches';

/** Entries whose remove-by date has passed on `today` (an ISO date, `YYYY-MM-DD`): each names itself and the date. */
export function overduePatches(registry: Record<string, PatchEntry>, today: string): string[] {
  return Object.entries(registry)
    .filter(([, entry]) => entry.removeBy < today)
    .map(([id, entry]) => `${id}: remove-by ${entry.removeBy} has passed (${entry.why})`);
}

/** Entries that are not well formed: a reason, a release, and a remove-by date. */
export function malformedPatches(registry: Record<string, PatchEntry>): string[] {
  return Object.entries(registry).flatMap(([id, e]) => {
    const problems = [
      !e.why?.trim() && 'no reason',
      !/^\d+\.\d+\.\d+$/.test(e.since ?? '') && `since "${e.since}" is not a release (x.y.z)`,
      !/^\d{4}-\d{2}-\d{2}$/.test(e.removeBy ?? '') && `remove-by "${e.removeBy}" is not a date (YYYY-MM-DD)`,
    ].filter(Boolean);
    return problems.length ? [`${id}: ${problems.join(', ')}`] : [];
  });
}

/** Workflow sources that call patched() or deprecatePatch() themselves instead of through the registry. */
export function patchCallsOutsideRegistry(sources: { file: string; text: string }[]): string[] {
  return sources.filter((s) => !s.file.endsWith('patches.ts') && /\b(patched|deprecatePatch)\(/.test(s.text)).map((s) => s.file);
}
