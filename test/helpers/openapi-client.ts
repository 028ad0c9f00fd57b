/**
 * The API's typed client: openapi-fetch over the types openapi-typescript generates from the OpenAPI document
 * (test/generated/openapi.ts, `npm run openapi-types`). A test that sends its requests through it shows that the
 * document describes the API as it answers: the paths, methods and parameters are the document's.
 */
import createClient, { type Client, type ClientPathsWithMethod } from 'openapi-fetch';
import type { operations, paths } from '../generated/openapi';
import type { FetchAnswer } from './api-read';

export type ApiClient = Client<paths>;
export type OperationId = keyof operations;
export type Method = 'get' | 'post';

/** A client for the app listening at `baseUrl`. Redirects are answers to check (the dashboard's 303), not to follow. */
export function apiClient(baseUrl: string): ApiClient {
  return createClient<paths>({ baseUrl, redirect: 'manual' });
}

/** What openapi-fetch returns: `data` on 2xx, `error` otherwise (parsed as JSON when it is JSON). */
interface ClientResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/**
 * openapi-fetch's result as the tests' answer (api-read.ts: `expectStatus`, `readAnswered`, `describeAnswer`).
 * Read with `parseAs: 'text'` (pages are HTML), so the body is parsed here when it is JSON.
 */
export function answerOf({ data, error, response }: ClientResult, what: string): FetchAnswer {
  const raw = response.ok ? data : error;
  const text = raw === undefined ? '' : typeof raw === 'string' ? raw : JSON.stringify(raw);
  let body: unknown = typeof raw === 'string' ? undefined : raw;
  if (typeof raw === 'string') {
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
  }
  return { what, status: response.status, headers: response.headers, text, body };
}

/** The request of one operation: the values of its path parameters, the headers and, for a POST, the body. */
export interface OperationRequest {
  path: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
  /** Serializes the body when it is not JSON (a form). */
  bodySerializer?: (body: unknown) => string;
}

type GetPath = ClientPathsWithMethod<ApiClient, 'get'>;
type PostPath = ClientPathsWithMethod<ApiClient, 'post'>;

/**
 * Any operation of the document, by method and path template, through the typed client's GET or POST. The path
 * comes from the served document at run time, so it is cast to the generated paths the client takes (the matrix
 * test checks that the generated types are the served document's), and so is the request, whose shape depends on
 * the path; everything else is openapi-fetch's own: the path's expansion, the headers, the body's serialisation.
 */
export async function callOperation(api: ApiClient, method: Method, path: string, request: OperationRequest): Promise<FetchAnswer> {
  const init = {
    params: { path: request.path },
    headers: request.headers,
    body: request.body,
    ...(request.bodySerializer && { bodySerializer: request.bodySerializer }),
    parseAs: 'text' as const,
  };
  const what = `${method.toUpperCase()} ${path}`;
  switch (method) {
    case 'get':
      return answerOf(await api.GET(path as GetPath, init as never), what);
    case 'post':
      return answerOf(await api.POST(path as PostPath, init as never), what);
  }
}
