/** Reading what arrived in MailDev through its REST API (`GET /api/email`): for the tests and the benchmark. */

export interface Mail {
  id: string;
  subject: string;
  text: string;
  to: { address: string }[];
  headers: Record<string, string>;
  time: string;
}

/** Every mail MailDev holds, oldest first. */
export async function fetchMails(webUrl: string, timeoutMs = 5000): Promise<Mail[]> {
  const res = await fetch(`${webUrl}/api/email`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`MailDev answered ${res.status}`);
  const mails = (await res.json()) as Mail[];
  return mails.sort((a, b) => a.time.localeCompare(b.time));
}
