import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, interpretResponse, observeReachability, parseRetryAfter, request } from '../api/client';
import { fail, installMockApi, ok } from './mockApi';

afterEach(() => {
  vi.unstubAllGlobals();
});

function caught(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

async function rejected(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('interpretResponse', () => {
  it('returns data and meta of a success envelope', () => {
    const res = interpretResponse<{ id: string }>(
      200,
      new Headers(),
      JSON.stringify({ success: true, data: { id: 'b1' }, meta: { duplicate: true } }),
    );
    expect(res).toEqual({ data: { id: 'b1' }, meta: { duplicate: true }, status: 200 });
  });

  it('keeps the server’s code, message and details', () => {
    const err = caught(() =>
      interpretResponse(
        409,
        new Headers({ 'X-Request-Id': 'abc' }),
        JSON.stringify({
          success: false,
          error: {
            code: 'INSUFFICIENT_INVENTORY',
            message: 'Not enough VIP tickets',
            details: { tierId: 'vip', requested: 3, available: 1 },
          },
        }),
      ),
    );
    expect(err.status).toBe(409);
    expect(err.code).toBe('INSUFFICIENT_INVENTORY');
    expect(err.message).toBe('Not enough VIP tickets');
    expect(err.details).toEqual({ tierId: 'vip', requested: 3, available: 1 });
    expect(err.requestId).toBe('abc');
    expect(err.retryable).toBe(false);
  });

  it('names the field of a 400', () => {
    const err = caught(() =>
      interpretResponse(
        400,
        new Headers(),
        JSON.stringify({ success: false, error: { code: 'INVALID_REQUEST', message: 'userId is required', details: { field: 'userId' } } }),
      ),
    );
    expect(err.code).toBe('INVALID_REQUEST');
    expect(err.details.field).toBe('userId');
  });

  it('maps an HTML 502 from a proxy to BAD_GATEWAY, retryable', () => {
    const err = caught(() => interpretResponse(502, new Headers(), '<html><body>Bad Gateway</body></html>'));
    expect(err.code).toBe('BAD_GATEWAY');
    expect(err.retryable).toBe(true);
    expect(err.message).not.toMatch(/status code/);
  });

  it('treats 503 and 504 as retryable, reading Retry-After', () => {
    const err503 = caught(() =>
      interpretResponse(
        503,
        new Headers({ 'Retry-After': '2' }),
        JSON.stringify({ success: false, error: { code: 'SERVICE_UNAVAILABLE', message: 'Database unavailable' } }),
      ),
    );
    expect(err503.retryable).toBe(true);
    expect(err503.retryAfterMs).toBe(2000);
    expect(err503.message).toBe('Database unavailable');
    expect(caught(() => interpretResponse(504, new Headers(), '')).code).toBe('GATEWAY_TIMEOUT');
  });

  it.each([
    [400, 'INVALID_REQUEST'],
    [402, 'PAYMENT_FAILED'],
    [404, 'CONCERT_NOT_FOUND'],
    [409, 'INSUFFICIENT_INVENTORY'],
    [422, 'IDEMPOTENCY_KEY_REUSED'],
    [429, 'RATE_LIMITED'],
    [500, 'INTERNAL_SERVER_ERROR'],
  ])('a %i is a definitive answer (not retried)', (status, code) => {
    const err = caught(() =>
      interpretResponse(status, new Headers(), JSON.stringify({ success: false, error: { code, message: 'x' } })),
    );
    expect(err.retryable).toBe(false);
    expect(err.code).toBe(code);
  });

  it('an error envelope without a message gets a readable one', () => {
    const err = caught(() => interpretResponse(429, new Headers(), JSON.stringify({ success: false, error: {} })));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.message).toMatch(/too many requests/i);
  });

  it('a 200 that is not ticketd’s envelope is a BAD_RESPONSE', () => {
    const err = caught(() => interpretResponse(200, new Headers(), '<!doctype html><html></html>'));
    expect(err.code).toBe('BAD_RESPONSE');
    expect(err.retryable).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('5')).toBe(5000);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
    const now = Date.parse('2027-01-01T00:00:00Z');
    expect(parseRetryAfter('Fri, 01 Jan 2027 00:00:03 GMT', now)).toBe(3000);
  });
});

describe('request', () => {
  it('turns a network failure into a retryable NETWORK_ERROR', async () => {
    installMockApi(() => 'network-error');
    const err = await rejected(request('/api/concerts'));
    expect(err.kind).toBe('network');
    expect(err.status).toBe(0);
    expect(err.code).toBe('NETWORK_ERROR');
    expect(err.retryable).toBe(true);
  });

  it('sends JSON with the right headers and returns data', async () => {
    const { fetchMock } = installMockApi(() => ok([{ id: 'c1' }]));
    const res = await request<{ id: string }[]>('/api/bookings', { method: 'POST', body: '{"a":1}' });
    expect(res.data).toEqual([{ id: 'c1' }]);
    const init = fetchMock.mock.calls[0]?.[1];
    expect(init?.method).toBe('POST');
    expect(init?.headers).toMatchObject({ 'Content-Type': 'application/json', Accept: 'application/json' });
  });

  it('maps a JSON 404 to its code', async () => {
    installMockApi(() => fail(404, 'CONCERT_NOT_FOUND', 'Concert not found'));
    const err = await rejected(request('/api/concerts/nope'));
    expect(err.status).toBe(404);
    expect(err.code).toBe('CONCERT_NOT_FOUND');
    expect(err.message).toBe('Concert not found');
  });

  it('gives up after its timeout with a retryable TIMEOUT', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        (_input: unknown, init?: RequestInit) =>
          new Promise((_resolve, reject) => {
            init?.signal?.addEventListener('abort', () => {
              reject(new DOMException('aborted', 'AbortError'));
            });
          }),
      ),
    );
    const err = await rejected(request('/api/concerts', { timeoutMs: 20 }));
    expect(err.kind).toBe('timeout');
    expect(err.retryable).toBe(true);
  });

  it('lets a caller’s own abort through unchanged', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        (_input: unknown, init?: RequestInit) =>
          new Promise((_resolve, reject) => {
            init?.signal?.addEventListener('abort', () => {
              reject(new DOMException('aborted', 'AbortError'));
            });
          }),
      ),
    );
    const controller = new AbortController();
    const p = request('/api/concerts', { signal: controller.signal });
    controller.abort();
    await expect(p).rejects.toBeInstanceOf(DOMException);
  });
});

describe('observeReachability', () => {
  it('reports down on no answer or 502/503/504 and up on any other answer', async () => {
    const seen: boolean[] = [];
    observeReachability((up) => seen.push(up));
    try {
      installMockApi(() => 'network-error');
      await request('/api/concerts').catch(() => undefined);
      installMockApi(() => ({ status: 504, text: '' }));
      await request('/api/concerts').catch(() => undefined);
      installMockApi(() => fail(404, 'CONCERT_NOT_FOUND', 'gone'));
      await request('/api/concerts/x').catch(() => undefined);
      installMockApi(() => ok([]));
      await request('/api/concerts');
      expect(seen).toEqual([false, false, true, true]);
    } finally {
      observeReachability(null);
    }
  });
});
