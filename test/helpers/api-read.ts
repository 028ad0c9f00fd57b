/**
 * Reading the API from a test, under load (issue 10). A read backed by a
 * workflow query or a visibility list answers 503 UNAVAILABLE when Temporal or
 * the worker does not answer within the API's deadline (~10 s), which a busy
 * machine causes with everything up. No test may depend on a query answering
 * in time, so a read is sent again while it answers 503; and a read that still
 * fails shows the status and body it got, instead of a TypeError on an
 * undefined field further on. Reads only (GET, HEAD): a write is never resent.
 */

/** An HTTP answer: a supertest response, or a fetch response read by `answerOf`. */
export interface Answer {
  status: number;
  body?: unknown;
  text?: string;
}

/** A fetch response, read: the body parsed as JSON when it is JSON. */
export interface FetchAnswer extends Answer {
  what: string;
  headers: Headers;
  text: string;
  /** Like supertest's `body`: the test knows its shape. */
  body: any;
}

/** The answer of a service that did not answer in time (or is down): worth asking again. */
export const UNANSWERED = 503;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends the read (`send` must send it anew each call) until it answers other than 503, or `timeoutMs` passed; returns the last answer. */
export async function readAnswered<A extends Answer>(send: () => PromiseLike<A>, timeoutMs = 60_000): Promise<A> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await send();
    if (res.status !== UNANSWERED || Date.now() > deadline) return res;
    await sleep(250);
  }
}

/** "GET /x answered 503: {…}": the request (from `what`, or the supertest request), the status and the body. */
export function describeAnswer(res: Answer, what?: string): string {
  const req = (res as { request?: { method?: string; url?: string } }).request;
  const who = what ?? (res as Partial<FetchAnswer>).what ?? (req?.method ? `${req.method} ${req.url?.replace(/^https?:\/\/[^/]+/, '')}` : 'the request');
  const body =
    res.body !== undefined && !(typeof res.body === 'object' && res.body !== null && Object.keys(res.body).length === 0)
      ? JSON.stringify(res.body)
      : (res.text ?? '');
  return `${who} answered ${res.status}: ${body.slice(0, 1000)}`;
}

/** Throws, showing the request, status and body, unless the answer has `status` (or one of them); returns it otherwise. */
export function expectStatus<A extends Answer>(res: A, status: number | number[], what?: string): A {
  const expected = Array.isArray(status) ? status : [status];
  if (!expected.includes(res.status)) throw new Error(`${describeAnswer(res, what)} (expected ${expected.join(' or ')})`);
  return res;
}

/** A fetch response read whole (so the connection is free for the next try). */
export async function answerOf(res: Response, what: string): Promise<FetchAnswer> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { what, status: res.status, headers: res.headers, text, body };
}

/** `fetch` for a read, sent again while it answers 503 (see `readAnswered`). */
export function fetchAnswered(url: string, init: RequestInit = {}, timeoutMs?: number): Promise<FetchAnswer> {
  const method = (init.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') throw new Error(`fetchAnswered is for reads; ${method} ${url} must not be sent twice`);
  return readAnswered(async () => answerOf(await fetch(url, init), `${method} ${url.replace(/^https?:\/\/[^/]+/, '')}`), timeoutMs);
}
