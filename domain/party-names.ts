/**
 * How party names are compared when screening: one key per name, insensitive
 * to case, accents, punctuation and legal form. Free of zod, so workflow code
 * may compare names with it too.
 */
export function partyNameKey(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\b(gmbh|ltd|llc|inc|sa|sas|bv|co|corp|corporation|company|limited)\b/g, ' ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}
