/** How the server-rendered pages write a time. */

/** `2026-12-26 16:06 UTC`: readable, and unambiguous across the agencies' time zones. */
export function formatWhen(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '';
}
