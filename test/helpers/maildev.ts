/** Waiting for what arrives in MailDev (read through scripts/lib/maildev.ts), and free ports to start things on. */

import { fetchMails, type Mail } from '../../scripts/lib/maildev';

export { fetchMails, type Mail };

export async function waitForMails(webUrl: string, predicate: (mails: Mail[]) => boolean, what: string, timeoutMs = 30_000): Promise<Mail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = await fetchMails(webUrl);
    if (predicate(mails)) return mails;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; have ${mails.length} mails: ${mails.map((m) => m.subject).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The decision links in a mail body. */
export function decisionLinks(mail: Mail): string[] {
  return mail.text.match(/https?:\/\/\S+\/r\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g) ?? [];
}

export { freePorts } from '../../scripts/lib/stack';
