// A tiny in-memory stand-in for ticketd's HTTP API, installed as fetch.
import { vi } from 'vitest';

export interface MockRequest {
  method: string;
  path: string;
  /** The query string, without the "?". */
  query: URLSearchParams;
  body: unknown;
  rawBody: string | null;
}

export interface MockResponse {
  status: number;
  body?: unknown;
  /** Sent as-is instead of JSON (e.g. nginx's HTML error page). */
  text?: string;
  headers?: Record<string, string>;
}

export type Handler = (req: MockRequest) => MockResponse | 'network-error' | Promise<MockResponse | 'network-error'>;

export const ok = (data: unknown, status = 200, meta?: unknown): MockResponse => ({
  status,
  body: meta === undefined ? { success: true, data } : { success: true, data, meta },
});

export const fail = (status: number, code: string, message: string, details?: unknown): MockResponse => ({
  status,
  body: { success: false, error: details === undefined ? { code, message } : { code, message, details } },
});

export function installMockApi(handler: Handler) {
  const requests: MockRequest[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, 'http://localhost');
    const rawBody = typeof init?.body === 'string' ? init.body : null;
    const req: MockRequest = {
      method: init?.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      rawBody,
      body: rawBody === null ? undefined : (JSON.parse(rawBody) as unknown),
    };
    requests.push(req);
    const res = await handler(req);
    if (res === 'network-error') throw new TypeError('Failed to fetch');
    // A 204 has no body at all (Response refuses even an empty one).
    const text = res.status === 204 ? null : (res.text ?? JSON.stringify(res.body));
    return new Response(text, {
      status: res.status,
      headers: { 'Content-Type': res.text === undefined ? 'application/json' : 'text/html', ...res.headers },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { requests, fetchMock };
}
