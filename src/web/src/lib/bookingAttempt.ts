// The idempotency key lifecycle of a booking.
//
// An *attempt* is one intention to buy one basket. It has one idempotency
// key, and every HTTP request of that attempt carries it, so the server
// books at most once however often the request travels. An attempt ends
// with a definitive answer: 2xx, or any 4xx (402 declined, 409 not enough
// tickets, 400 invalid, ...). Only "no answer" (network error, timeout) or a
// 502/503/504 leaves it open; those are retried automatically with the same
// key, and if the retries run out the attempt stays open so that the fan's
// "Try again" still reuses the key. A new basket, or any attempt after a
// definitive answer, gets a fresh key.
//
// Each attempt's request body is serialized once and every request of the
// attempt sends that exact text; the outcome carries it, so an attempt that
// ends without an answer can be kept and replayed on a later visit
// (lib/pendingBookings.ts).
import { ApiError, type ApiResult } from '../api/client';
import { serializeBookingRequest } from '../api/endpoints';
import type { Booking, BookingRequest } from '../api/types';

export type BookingInput = Omit<BookingRequest, 'idempotencyKey'>;

/** Sends one serialized booking request (POST /api/bookings), no retries. */
export type Sender = (body: string, signal?: AbortSignal) => Promise<ApiResult<Booking>>;

export interface RetryPolicy {
  /** Automatic retries after the first request (so maxRetries + 1 requests at most). */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 8_000 };

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Exponential backoff with a little jitter; a Retry-After from the server wins when it is longer. */
export function retryDelay(retry: number, policy: RetryPolicy, err: ApiError, random = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  const jittered = exp * (0.75 + random() * 0.5);
  const wanted = err.retryAfterMs !== null ? Math.max(jittered, err.retryAfterMs) : jittered;
  return Math.round(Math.min(wanted, policy.maxDelayMs));
}

/** A stable text for "the same basket": key order and line order do not matter. */
export function fingerprint(input: BookingInput): string {
  const lines = [...input.tickets]
    .filter((t) => t.quantity > 0)
    .sort((a, b) => (a.tierId < b.tierId ? -1 : a.tierId > b.tierId ? 1 : 0))
    .map((t) => `${t.tierId}*${t.quantity}`);
  return JSON.stringify([input.concertId, input.paymentMethod ?? 'card', input.totalCents, lines]);
}

export interface AttemptEvents {
  /** Called before each automatic retry; retry counts from 1. */
  onRetry?: (retry: number, delayMs: number, err: ApiError) => void;
}

/** How one request body fared: `key` is its idempotency key, `body` the exact text sent. */
export type AttemptOutcome =
  | { kind: 'booked'; booking: Booking; duplicate: boolean; key: string; body: string }
  | { kind: 'rejected'; error: ApiError; key: string; body: string }
  | { kind: 'unresolved'; error: ApiError; key: string; body: string };

/**
 * Sends `body` until a definitive answer arrives or the automatic retries
 * (network error, timeout, 502/503/504) run out.
 */
export async function sendWithRetries(
  send: Sender,
  key: string,
  body: string,
  policy: RetryPolicy,
  wait: Sleep,
  events: AttemptEvents = {},
  signal?: AbortSignal,
): Promise<AttemptOutcome> {
  for (let retry = 0; ; retry++) {
    try {
      const res = await send(body, signal);
      return { kind: 'booked', booking: res.data, duplicate: res.meta.duplicate === true, key, body };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (!err.retryable) return { kind: 'rejected', error: err, key, body };
      if (retry >= policy.maxRetries) return { kind: 'unresolved', error: err, key, body };
      const delay = retryDelay(retry, policy, err);
      events.onRetry?.(retry + 1, delay, err);
      await wait(delay, signal);
    }
  }
}

/**
 * A random (version 4) UUID. crypto.randomUUID exists only in secure
 * contexts (HTTPS or localhost); a stack reached over plain HTTP on a LAN
 * address still has getRandomValues.
 */
export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class BookingAttempts {
  private open: { key: string; fingerprint: string } | null = null;

  constructor(
    private readonly send: Sender,
    private readonly policy: RetryPolicy = DEFAULT_RETRY_POLICY,
    private readonly wait: Sleep = sleep,
    private readonly makeKey: () => string = newKey,
    private readonly serialize: (req: BookingRequest) => string = serializeBookingRequest,
  ) {}

  /** The key of the attempt left open by an unanswered request, if any. */
  get openKey(): string | null {
    return this.open?.key ?? null;
  }

  /** Forget an open attempt (the fan chose to start over, or a replay settled it). */
  abandon(): void {
    this.open = null;
  }

  /**
   * The key the next submission of `input` will use: the open attempt's key
   * when it is the same basket, a fresh one otherwise.
   */
  keyFor(input: BookingInput): string {
    const fp = fingerprint(input);
    if (this.open?.fingerprint !== fp) this.open = { key: this.makeKey(), fingerprint: fp };
    return this.open.key;
  }

  async submit(input: BookingInput, events: AttemptEvents = {}, signal?: AbortSignal): Promise<AttemptOutcome> {
    const key = this.keyFor(input);
    const body = this.serialize({ ...input, idempotencyKey: key });
    const outcome = await sendWithRetries(this.send, key, body, this.policy, this.wait, events, signal);
    if (outcome.kind !== 'unresolved') this.settle(key);
    return outcome;
  }

  private settle(key: string): void {
    if (this.open?.key === key) this.open = null;
  }
}
