// A small fetch wrapper that turns every answer into either the envelope's
// data or an ApiError carrying the server's code, message and details.
// Errors nginx makes itself (502/504, or an HTML page if misconfigured) and
// network failures become ApiErrors too, so callers handle one type.
import type { ApiMeta } from './types';

export type ErrorKind = 'http' | 'network' | 'timeout';

export type ErrorDetails = Record<string, unknown>;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly kind: ErrorKind;
  /** HTTP status, or 0 when no response arrived. */
  readonly status: number;
  /** The server's error code (e.g. INSUFFICIENT_INVENTORY), or one made up from the status. */
  readonly code: string;
  readonly details: ErrorDetails;
  /** From Retry-After, when the server sent one. */
  readonly retryAfterMs: number | null;
  readonly requestId: string | null;

  constructor(init: {
    kind: ErrorKind;
    status: number;
    code: string;
    message: string;
    details?: ErrorDetails | undefined;
    retryAfterMs?: number | null;
    requestId?: string | null;
  }) {
    super(init.message);
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? {};
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.requestId = init.requestId ?? null;
  }

  /**
   * True when the request may not have been processed and sending it again
   * is the right move: no answer at all, or a gateway/unavailable answer.
   * Every other status is a definitive answer.
   */
  get retryable(): boolean {
    return this.kind !== 'http' || RETRYABLE_STATUSES.has(this.status);
  }
}

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

const CODE_FOR_STATUS: Record<number, string> = {
  400: 'INVALID_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  500: 'INTERNAL_SERVER_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

const FALLBACK_MESSAGE: Record<string, string> = {
  NETWORK_ERROR: 'We could not reach the server. Check your connection.',
  TIMEOUT: 'The server took too long to answer.',
  BAD_GATEWAY: 'The booking service is not answering right now.',
  SERVICE_UNAVAILABLE: 'The booking service is temporarily unavailable.',
  GATEWAY_TIMEOUT: 'The booking service took too long to answer.',
  RATE_LIMITED: 'Too many requests. Please wait a moment and try again.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on our side.',
  NOT_FOUND: 'Not found.',
  BAD_RESPONSE: 'The server sent an answer we could not read.',
};

export function fallbackMessage(code: string, status: number): string {
  return FALLBACK_MESSAGE[code] ?? `The request failed (HTTP ${status}).`;
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface ApiResult<T> {
  data: T;
  meta: ApiMeta;
  status: number;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH';
  /** Already-serialized JSON. */
  body?: string;
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;

type ReachabilityObserver = (reachable: boolean) => void;
let observer: ReachabilityObserver | null = null;

/**
 * Tells `fn` after every request whether the server answered (any HTTP
 * answer but 502/503/504) or not, as soon as it is known: retries of
 * the same request come later, the banner should not wait for them.
 */
export function observeReachability(fn: ReachabilityObserver | null): void {
  observer = fn;
}

/** Maps a received response to data or an ApiError. Exported for tests. */
export function interpretResponse<T>(status: number, headers: Headers, text: string): ApiResult<T> {
  const requestId = headers.get('x-request-id');
  const retryAfterMs = parseRetryAfter(headers.get('retry-after'));
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }

  // 204 No Content (e.g. signing out): a success with nothing to read.
  if (status === 204) return { data: undefined as T, meta: {}, status };

  if (isRecord(body) && body.success === true && 'data' in body) {
    return { data: body.data as T, meta: isRecord(body.meta) ? body.meta : {}, status };
  }

  if (isRecord(body) && body.success === false && isRecord(body.error)) {
    const e = body.error;
    const code = typeof e.code === 'string' && e.code !== '' ? e.code : (CODE_FOR_STATUS[status] ?? `HTTP_${status}`);
    const message = typeof e.message === 'string' && e.message !== '' ? e.message : fallbackMessage(code, status);
    throw new ApiError({
      kind: 'http',
      status,
      code,
      message,
      details: isRecord(e.details) ? e.details : undefined,
      retryAfterMs,
      requestId,
    });
  }

  // No envelope: an error page from a proxy, or something that is not ticketd.
  const code = status >= 200 && status < 300 ? 'BAD_RESPONSE' : (CODE_FOR_STATUS[status] ?? `HTTP_${status}`);
  throw new ApiError({ kind: 'http', status, code, message: fallbackMessage(code, status), retryAfterMs, requestId });
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<ApiResult<T>> {
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;

  try {
    const result = await send<T>(path, opts, signal, timeout);
    observer?.(true);
    return result;
  } catch (err) {
    if (err instanceof ApiError) observer?.(!err.retryable);
    throw err;
  }
}

async function send<T>(path: string, opts: RequestOptions, signal: AbortSignal, timeout: AbortSignal): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  let text: string;
  try {
    response = await fetch(path, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body ?? null,
      signal,
      credentials: 'same-origin',
    });
    text = await response.text();
  } catch (err) {
    // The caller gave up (e.g. TanStack Query cancelled): not an API error.
    if (opts.signal?.aborted) throw err;
    if (timeout.aborted) {
      throw new ApiError({ kind: 'timeout', status: 0, code: 'TIMEOUT', message: fallbackMessage('TIMEOUT', 0) });
    }
    throw new ApiError({
      kind: 'network',
      status: 0,
      code: 'NETWORK_ERROR',
      message: fallbackMessage('NETWORK_ERROR', 0),
    });
  }
  return interpretResponse<T>(response.status, response.headers, text);
}
