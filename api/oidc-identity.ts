/**
 * Who an OpenID Connect sign-in is (api/oidc.ts): the provider's claims checked, and the principal's binding to its
 * account there. An e-mail address names the principal of PRINCIPALS_FILE, but only an address the provider says it
 * verified (`email_verified: true`, the boolean: a missing claim or the string "false" is no verification), and only
 * the account (`iss`, `sub`) that first signed in with it: a provider account that later claims the same address,
 * or an account bound to one principal that now shows another's address, is refused. Bindings live in the records.
 */
import type { Records } from '../records/database';

export interface ProviderIdentity {
  issuer: string;
  subject: string;
  email: string;
}

/** The identity the claims vouch for, or why they vouch for none (words for the person signing in). */
export function identityFrom(claims: Record<string, unknown> | undefined): ProviderIdentity | { refused: string } {
  const email = typeof claims?.email === 'string' && claims.email.trim() ? claims.email.trim() : undefined;
  if (!email) return { refused: 'The identity provider gave no e-mail address.' };
  if (claims?.email_verified !== true)
    return {
      refused:
        claims?.email_verified === undefined
          ? `The identity provider did not say that ${email} is verified (no email_verified claim).`
          : `The identity provider does not vouch for ${email}: email_verified is ${JSON.stringify(claims.email_verified)}, not true.`,
    };
  if (typeof claims.iss !== 'string' || !claims.iss || typeof claims.sub !== 'string' || !claims.sub)
    return { refused: 'The identity provider gave no issuer and subject for this account.' };
  return { issuer: claims.iss, subject: claims.sub, email };
}

/**
 * Binds the principal to the account on its first sign-in, and checks it on every later one. Undefined when the
 * account may sign in as the principal; else why not.
 */
export async function bindAccount(records: Records, principalId: string, who: ProviderIdentity, now = new Date()): Promise<string | undefined> {
  // One transaction, as every statement on the records (PGlite's socket server interleaves bare statements).
  const [bound, account] = await records.transaction().execute(async (tx) => {
    await tx
      .insertInto('principal_bindings')
      .values({ principal_id: principalId, issuer: who.issuer, subject: who.subject, email: who.email, bound_at: now.toISOString() })
      .onConflict((c) => c.doNothing())
      .execute();
    return [
      await tx.selectFrom('principal_bindings').selectAll().where('principal_id', '=', principalId).executeTakeFirst(),
      await tx.selectFrom('principal_bindings').select('principal_id').where('issuer', '=', who.issuer).where('subject', '=', who.subject).executeTakeFirst(),
    ] as const;
  });
  if (account && account.principal_id !== principalId)
    return `This account at your identity provider signs in as ${account.principal_id}, not as the owner of ${who.email}. Ask an administrator.`;
  if (!bound || bound.issuer !== who.issuer || bound.subject !== who.subject)
    return `${who.email} signs in with another account at the identity provider (bound at its first sign-in). Ask an administrator if that account changed.`;
  return undefined;
}
