/** How the pages write a time: as the dashboard and the reviewer pages do (`2026-12-26 16:06 UTC`), machine-readable too. */
import { html, type SafeHtml } from '../html';
import { formatWhen } from '../page-format';

/** A time in a `<time>` element; `missing` (a dash, by default) when there is none. */
export const when = (iso: string | null | undefined, missing: SafeHtml | string = html`<span class="muted">–</span>`): SafeHtml | string =>
  iso ? html`<time datetime="${iso}">${formatWhen(iso)}</time>` : missing;
