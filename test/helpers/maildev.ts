/** Reading what arrived in MailDev through its REST API (`GET /api/email`), and free ports to start things on. */

export interface Mail {
  id: string;
  subject: string;
  text: string;
  to: { address: string }[];
  headers: Record<string, string>;
  time: string;
}

export async function fetchMails(webUrl: string): Promise<Mail[]> {
  const res = await fetch(`${webUrl}/api/email`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`MailDev answered ${res.status}`);
  const mails = (await res.json()) as Mail[];
  return mails.sort((a, b) => a.time.localeCompare(b.time));
}

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
