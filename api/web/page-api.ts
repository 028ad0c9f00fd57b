/**
 * The pages act through the JSON API itself: a page's form becomes the API's request (JSON, or multipart with its
 * files), sent over loopback to this app as the signed-in person (their session cookie), from their own address (so
 * the rate limits count them). Every rule the API keeps (validation, authorization, the one decide service,
 * idempotency, audit) therefore holds for the pages with no second copy. A write is sent on only from a page whose
 * CSRF token was checked (./csrf.ts); the request carries this process's page secret (./cookie-writes.ts).
 *
 * The app listens for these on a loopback port of its own, opened on first use: the pages need not know the address
 * people reach the app at, nor its TLS.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request } from 'express';
import type { ErrorDetail } from '../errors';
import { SESSION_COOKIE } from '../session';
import { cookieWritesAllowed, pageHeaders } from './cookie-writes';

export interface ApiCall {
  method: 'GET' | 'POST';
  /** The API's path, with its query: `/v1/projects?stage=active`. */
  path: string;
  /** A JSON body… */
  json?: unknown;
  /** …or a multipart one (fields and files), for the routes that take files. */
  form?: FormData;
  /** Sent as Idempotency-Key: a form's own key, so pressing its button twice acts once. */
  idempotencyKey?: string;
}

/** The API's answer: its status, and its JSON (or, for the CSV and calendar routes, its text). */
export interface ApiAnswer<T = unknown> {
  status: number;
  ok: boolean;
  body: T;
  text: string;
  headers: Headers;
  /** The error contract's body, when the answer is one. */
  error?: { code: string; message: string; details: ErrorDetail[] };
}

export class PageApi {
  private listening?: Promise<string>;
  private server?: Server;

  /** @param app the Express app the API routes are on (a getter: the app is built after the pages' routes). */
  constructor(private readonly app: () => RequestListener) {}

  /** The loopback address the app answers the pages on; it keeps no process alive. */
  private base(): Promise<string> {
    this.listening ??= new Promise((resolve, reject) => {
      const server = createServer(this.app());
      server.on('error', reject);
      server.on('connection', (socket) => socket.unref()); // kept-alive sockets hold no process open either
      server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
      server.unref();
      this.server = server;
    });
    return this.listening;
  }

  async call<T = unknown>(from: Request, call: ApiCall): Promise<ApiAnswer<T>> {
    if (call.method !== 'GET' && !cookieWritesAllowed(from)) throw new Error(`a page sent ${call.method} ${call.path} without a checked CSRF token`);
    const headers: Record<string, string> = { accept: 'application/json', ...pageHeaders(from.ip) };
    const session = from.cookies?.[SESSION_COOKIE];
    if (typeof session === 'string') headers.cookie = `${SESSION_COOKIE}=${encodeURIComponent(session)}`;
    const agent = from.get('user-agent');
    if (agent) headers['user-agent'] = agent;
    if (from.id) headers['x-request-id'] = String(from.id);
    if (call.idempotencyKey) headers['idempotency-key'] = call.idempotencyKey;
    let body: FormData | string | undefined = call.form;
    if (!body && call.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.json);
    }
    const res = await fetch((await this.base()) + call.path, { method: call.method, headers, body, redirect: 'manual' });
    const text = await res.text();
    const parsed = (res.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text) as T;
    const error =
      res.ok || res.status < 400 ? undefined : ((parsed as { error?: ApiAnswer['error'] })?.error ?? { code: 'UNKNOWN', message: text, details: [] });
    return { status: res.status, ok: res.status < 400, body: parsed, text, headers: res.headers, error };
  }

  get<T = unknown>(from: Request, path: string): Promise<ApiAnswer<T>> {
    return this.call<T>(from, { method: 'GET', path });
  }

  /**
   * A GET whose answer is bytes (a document, a letter, a calendar), unread: a page streams it on to the browser. Sent
   * as the signed-in person, as call() sends; a GET writes nothing, so no CSRF token is needed.
   */
  async download(from: Request, path: string): Promise<globalThis.Response> {
    const headers: Record<string, string> = { ...pageHeaders(from.ip) };
    const session = from.cookies?.[SESSION_COOKIE];
    if (typeof session === 'string') headers.cookie = `${SESSION_COOKIE}=${encodeURIComponent(session)}`;
    if (from.id) headers['x-request-id'] = String(from.id);
    return fetch((await this.base()) + path, { headers, redirect: 'manual' });
  }

  /** Stops the loopback listener (the app's own shutdown; tests). */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
