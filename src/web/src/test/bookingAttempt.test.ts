import { describe, expect, it, vi } from 'vitest';
import { ApiError, type ApiResult } from '../api/client';
import type { Booking, BookingRequest } from '../api/types';
import { BookingAttempts, fingerprint, newKey, retryDelay, type BookingInput, type Sender } from '../lib/bookingAttempt';

const input: BookingInput = {
  concertId: 'c1',
  tickets: [{ tierId: 'vip', quantity: 2 }],
  totalCents: 20000,
  paymentMethod: 'card',
};

const booking: Booking = {
  id: 'b1',
  concertId: 'c1',
  userId: 'alex',
  status: 'confirmed',
  totalAmount: 200,
  items: [{ tierId: 'vip', tierName: 'VIP', quantity: 2, pricePerTicket: 100 }],
  createdAt: '2027-01-01T00:00:00Z',
};

const httpError = (status: number, code: string, retryAfterMs: number | null = null) =>
  new ApiError({ kind: 'http', status, code, message: code, retryAfterMs });
const networkError = () => new ApiError({ kind: 'network', status: 0, code: 'NETWORK_ERROR', message: 'offline' });

type Step = ApiError | ApiResult<Booking>;
const created: Step = { data: booking, meta: {}, status: 201 };

/** A sender that answers from a script and records the keys it saw. */
function scripted(...steps: Step[]) {
  const keys: string[] = [];
  const send: Sender = (body: string) => {
    keys.push((JSON.parse(body) as BookingRequest).idempotencyKey);
    const step = steps.shift();
    if (!step) return Promise.reject(new Error('unexpected request'));
    return step instanceof ApiError ? Promise.reject(step) : Promise.resolve(step);
  };
  return { send, keys };
}

let counter = 0;
const makeKey = () => `key-${++counter}`;
const noWait = vi.fn(() => Promise.resolve());
const policy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000 };

describe('BookingAttempts: one idempotency key per attempt', () => {
  it('retries a network error, a 502, a 503 and a 504 with the same key', async () => {
    const { send, keys } = scripted(networkError(), httpError(502, 'BAD_GATEWAY'), httpError(503, 'SERVICE_UNAVAILABLE'), created);
    const attempts = new BookingAttempts(send, policy, noWait, makeKey);
    const onRetry = vi.fn();
    const outcome = await attempts.submit(input, { onRetry });
    expect(outcome.kind).toBe('booked');
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(1);
    expect(onRetry).toHaveBeenCalledTimes(3);
    const { send: send2, keys: keys2 } = scripted(httpError(504, 'GATEWAY_TIMEOUT'), created);
    await new BookingAttempts(send2, policy, noWait, makeKey).submit(input);
    expect(keys2[0]).toBe(keys2[1]);
  });

  it('uses a fresh key for the next attempt after a success', async () => {
    const { send, keys } = scripted(created, created);
    const attempts = new BookingAttempts(send, policy, noWait, makeKey);
    await attempts.submit(input);
    await attempts.submit(input); // "book the same again": a new intention
    expect(keys[0]).not.toBe(keys[1]);
  });

  it.each([
    [402, 'PAYMENT_FAILED'],
    [409, 'INSUFFICIENT_INVENTORY'],
    [400, 'INVALID_REQUEST'],
    [422, 'IDEMPOTENCY_KEY_REUSED'],
    [429, 'RATE_LIMITED'],
    [500, 'INTERNAL_SERVER_ERROR'],
  ])('a %i ends the attempt: no automatic retry, and a new key next time', async (status, code) => {
    const { send, keys } = scripted(httpError(status, code), created);
    const attempts = new BookingAttempts(send, policy, noWait, makeKey);
    const first = await attempts.submit(input);
    expect(first).toMatchObject({ kind: 'rejected', error: { code } });
    expect(keys).toHaveLength(1);
    expect(attempts.openKey).toBeNull();
    await attempts.submit(input);
    expect(keys[1]).not.toBe(keys[0]);
  });

  it('keeps the attempt open when retries run out, so "try again" reuses the key', async () => {
    const { send, keys } = scripted(networkError(), networkError(), networkError(), networkError(), created);
    const attempts = new BookingAttempts(send, policy, noWait, makeKey);
    const first = await attempts.submit(input);
    expect(first.kind).toBe('unresolved');
    expect(keys).toHaveLength(policy.maxRetries + 1);
    expect(attempts.openKey).toBe(keys[0]);
    const second = await attempts.submit(input);
    expect(second).toMatchObject({ kind: 'booked', key: keys[0] });
    expect(new Set(keys).size).toBe(1);
    expect(attempts.openKey).toBeNull();
  });

  it('a different basket after an unanswered attempt is a new attempt', async () => {
    const { send, keys } = scripted(networkError(), networkError(), networkError(), networkError(), created);
    const attempts = new BookingAttempts(send, policy, noWait, makeKey);
    await attempts.submit(input);
    await attempts.submit({ ...input, tickets: [{ tierId: 'vip', quantity: 3 }], totalCents: 30000 });
    expect(keys[4]).not.toBe(keys[0]);
  });

  it('reports a duplicate answer (200 + meta.duplicate) as booked', async () => {
    const { send } = scripted({ data: booking, meta: { duplicate: true }, status: 200 });
    const outcome = await new BookingAttempts(send, policy, noWait, makeKey).submit(input);
    expect(outcome).toMatchObject({ kind: 'booked', duplicate: true, booking: { id: 'b1' } });
  });

  it('backs off exponentially and honours Retry-After', async () => {
    const waits: number[] = [];
    const { send } = scripted(httpError(503, 'SERVICE_UNAVAILABLE', 900), networkError(), created);
    const attempts = new BookingAttempts(send, policy, (ms) => {
      waits.push(ms);
      return Promise.resolve();
    }, makeKey);
    await attempts.submit(input);
    expect(waits[0]).toBeGreaterThanOrEqual(900);
    expect(waits[1]).toBeGreaterThanOrEqual(150);
    expect(waits[1]).toBeLessThanOrEqual(250);
    const err = httpError(503, 'SERVICE_UNAVAILABLE');
    expect(retryDelay(10, policy, err, () => 0.5)).toBe(1000);
  });

  it('fingerprints ignore line order', () => {
    const a = { ...input, tickets: [{ tierId: 'a', quantity: 1 }, { tierId: 'b', quantity: 2 }] };
    const b = { ...input, tickets: [{ tierId: 'b', quantity: 2 }, { tierId: 'a', quantity: 1 }] };
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(fingerprint(a)).not.toBe(fingerprint({ ...a, paymentMethod: 'test_decline' }));
  });
});

describe('newKey', () => {
  const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('makes v4 UUIDs, also where crypto.randomUUID is missing (plain HTTP)', () => {
    expect(newKey()).toMatch(UUID_V4);
    // Shadow the prototype's method on the instance, as an insecure context lacks it.
    Object.defineProperty(crypto, 'randomUUID', { value: undefined, configurable: true });
    try {
      expect(typeof crypto.randomUUID).toBe('undefined');
      const keys = new Set(Array.from({ length: 50 }, () => newKey()));
      expect(keys.size).toBe(50);
      for (const k of keys) expect(k).toMatch(UUID_V4);
    } finally {
      Reflect.deleteProperty(crypto, 'randomUUID');
    }
    expect(typeof crypto.randomUUID).toBe('function');
  });
});
