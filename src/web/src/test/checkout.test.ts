import { describe, expect, it, vi } from 'vitest';
import { ApiError, type ApiResult } from '../api/client';
import type { Booking, BookingRequest } from '../api/types';
import { fingerprint, type BookingInput, type Sender } from '../lib/bookingAttempt';
import { Checkout, leftOpenByReplay, leftOpenBySend } from '../lib/checkout';
import {
  createPendingStore,
  parsePending,
  PENDING_MAX_AGE_MS,
  PENDING_STORAGE_KEY,
  type PendingAttempt,
} from '../lib/pendingBookings';

const basket: BookingInput = {
  concertId: 'c1',
  tickets: [{ tierId: 'vip', quantity: 2 }],
  totalCents: 20000,
  paymentMethod: 'card',
};
const otherBasket: BookingInput = { ...basket, tickets: [{ tierId: 'vip', quantity: 1 }], totalCents: 10000 };

const booking = (id: string): Booking => ({
  id,
  concertId: 'c1',
  userId: 'u1',
  status: 'confirmed',
  totalAmount: 200,
  items: [{ tierId: 'vip', tierName: 'VIP', quantity: 2, pricePerTicket: 100 }],
  createdAt: '2027-01-01T00:00:00Z',
});

const httpError = (status: number, code: string) => new ApiError({ kind: 'http', status, code, message: code });
const networkError = () => new ApiError({ kind: 'network', status: 0, code: 'NETWORK_ERROR', message: 'offline' });

type Step = ApiError | ApiResult<Booking>;
const created = (id: string): Step => ({ data: booking(id), meta: {}, status: 201 });
const duplicate = (id: string): Step => ({ data: booking(id), meta: { duplicate: true }, status: 200 });

/** A server from a script; records every body it was sent. */
function server(...steps: Step[]) {
  const bodies: string[] = [];
  const send: Sender = (body) => {
    bodies.push(body);
    const step = steps.shift();
    if (!step) return Promise.reject(new Error(`unexpected request ${body}`));
    return step instanceof ApiError ? Promise.reject(step) : Promise.resolve(step);
  };
  const keys = () => bodies.map((b) => (JSON.parse(b) as BookingRequest).idempotencyKey);
  return { send, bodies, keys, more: (...s: Step[]) => steps.push(...s) };
}

const noRetries = { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 };
let n = 0;
function checkout(send: Sender, store = createPendingStore()) {
  return new Checkout(send, store, {
    policy: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 1 },
    replayPolicy: noRetries,
    wait: () => Promise.resolve(),
    makeKey: () => `key-${++n}`,
  });
}

const stored = (): PendingAttempt[] => parsePending(window.localStorage.getItem(PENDING_STORAGE_KEY));

describe('Checkout: lost replies are kept and replayed', () => {
  it('keeps an unresolved attempt in localStorage with its key and exact body', async () => {
    const s = server(networkError(), networkError(), httpError(503, 'SERVICE_UNAVAILABLE'));
    const outcome = await checkout(s.send).submit(basket, 'u1');
    expect(outcome.kind).toBe('unresolved');
    expect(s.bodies).toHaveLength(3);
    const [kept] = stored();
    expect(stored()).toHaveLength(1);
    expect(kept).toMatchObject({ userId: 'u1', concertId: 'c1', key: s.keys()[0], body: s.bodies[0] });
    expect(kept?.fingerprint).toBe(fingerprint(basket));
    // The body is the request exactly as sent, and names no user.
    expect(JSON.parse(kept?.body ?? '{}')).not.toHaveProperty('userId');
  });

  it('keeps an attempt whose reply is a 500 too, and tells the fan it is unconfirmed', async () => {
    const s = server(httpError(500, 'INTERNAL_SERVER_ERROR'));
    const outcome = await checkout(s.send).submit(basket, 'u1');
    expect(outcome.kind).toBe('unresolved');
    expect(s.bodies).toHaveLength(1); // a 500 is not retried automatically
    expect(stored()).toHaveLength(1);
  });

  it('writes the attempt before sending, so a tab closed mid-request still has it', async () => {
    let seen: PendingAttempt[] = [];
    const send: Sender = () => {
      seen = stored();
      return Promise.resolve({ data: booking('b1'), meta: {}, status: 201 });
    };
    await checkout(send).submit(basket, 'u1');
    expect(seen).toHaveLength(1);
    expect(stored()).toHaveLength(0);
  });

  it('replays a kept attempt, with its key and body, before a new attempt', async () => {
    const first = server(networkError(), networkError(), networkError());
    await checkout(first.send).submit(basket, 'u1');
    const kept = stored()[0];

    // The next visit: a fresh Checkout; the fan books something else.
    const s = server(httpError(409, 'INSUFFICIENT_INVENTORY'), created('b2'));
    const outcome = await checkout(s.send).submit(otherBasket, 'u1');
    expect(s.bodies[0]).toBe(kept?.body);
    expect(s.keys()[0]).toBe(kept?.key);
    expect(s.keys()[1]).not.toBe(kept?.key);
    expect(outcome).toMatchObject({ kind: 'booked', booking: { id: 'b2' } });
    expect(stored()).toHaveLength(0);
  });

  it('a definite answer to the replay clears it (2xx: the booking is shown instead of a new one)', async () => {
    await checkout(server(networkError(), networkError(), networkError()).send).submit(basket, 'u1');
    const s = server(duplicate('b1'));
    const outcome = await checkout(s.send).submit(otherBasket, 'u1');
    expect(outcome).toMatchObject({ kind: 'recovered', booking: { id: 'b1' } });
    expect(s.bodies).toHaveLength(1); // nothing new was sent
    expect(stored()).toHaveLength(0);
  });

  it('a replay for the very basket being booked is that booking: its answer, no second attempt', async () => {
    await checkout(server(networkError(), networkError(), networkError()).send).submit(basket, 'u1');
    const kept = stored()[0];
    const s = server(httpError(402, 'PAYMENT_FAILED'));
    const outcome = await checkout(s.send).submit(basket, 'u1');
    expect(outcome).toMatchObject({ kind: 'rejected', key: kept?.key, error: { code: 'PAYMENT_FAILED' } });
    expect(s.bodies).toEqual([kept?.body]);
    expect(stored()).toHaveLength(0);
  });

  it('a replay still without an answer keeps the attempt and starts nothing new', async () => {
    await checkout(server(networkError(), networkError(), networkError()).send).submit(basket, 'u1');
    const kept = stored()[0];
    const s = server(networkError());
    const outcome = await checkout(s.send).submit(otherBasket, 'u1');
    expect(outcome).toMatchObject({ kind: 'blocked', attempt: { key: kept?.key } });
    expect(s.bodies).toEqual([kept?.body]);
    expect(stored()).toEqual([kept]);
  });

  it('replays at app start once per fan, and only that fan’s attempts', async () => {
    await checkout(server(networkError(), networkError(), networkError()).send).submit(basket, 'u1');
    const s = server(created('b1'));
    const c = checkout(s.send);
    expect(await c.replayAtStart('u2')).toEqual([]);
    expect(s.bodies).toHaveLength(0);
    const results = await c.replayAtStart('u1');
    expect(results).toMatchObject([{ outcome: { kind: 'booked', booking: { id: 'b1' } }, kept: false }]);
    expect(c.replayAtStart('u1')).toBeNull();
    expect(stored()).toHaveLength(0);
  });

  it('concurrent replays share one run (app start and a press of Book)', async () => {
    await checkout(server(networkError(), networkError(), networkError()).send).submit(basket, 'u1');
    const s = server(created('b1'));
    const c = checkout(s.send);
    const [a, b] = await Promise.all([c.replayPending('u1'), c.replayPending('u1')]);
    expect(a).toBe(b);
    expect(s.bodies).toHaveLength(1);
  });

  it('keeps an attempt whose replay is refused for the fan (401, 429), not for the booking', async () => {
    await checkout(server(networkError(), networkError(), networkError()).send).submit(basket, 'u1');
    const s = server(httpError(401, 'UNAUTHENTICATED'));
    const outcome = await checkout(s.send).submit(otherBasket, 'u1');
    expect(outcome).toMatchObject({ kind: 'rejected', error: { status: 401 } });
    expect(s.bodies).toHaveLength(1);
    expect(stored()).toHaveLength(1);
  });

  it('does not keep a new attempt refused with a 4xx (nothing was booked)', async () => {
    for (const err of [httpError(401, 'UNAUTHENTICATED'), httpError(409, 'FAN_LIMIT_REACHED'), httpError(429, 'RATE_LIMITED')]) {
      await checkout(server(err).send).submit(basket, 'u1');
      expect(stored()).toHaveLength(0);
    }
  });

  it('an attempt of this visit that is still in flight is not replayed', async () => {
    let release: (v: Step) => void = () => undefined;
    const bodies: string[] = [];
    const send: Sender = (body) => {
      bodies.push(body);
      return new Promise<Step>((r) => {
        release = r;
      }).then((step) => (step instanceof ApiError ? Promise.reject(step) : step));
    };
    const c = checkout(send);
    const booking1 = c.submit(basket, 'u1');
    await vi.waitFor(() => {
      expect(bodies).toHaveLength(1);
    });
    expect(await c.replayPending('u1')).toEqual([]);
    release(created('b1'));
    expect(await booking1).toMatchObject({ kind: 'booked' });
    expect(bodies).toHaveLength(1);
  });
});

describe('the pending store', () => {
  it('forgets attempts older than a day, and unreadable entries', () => {
    let now = 1_000_000;
    const store = createPendingStore(undefined, () => now);
    store.save({ key: 'k1', body: '{}', userId: 'u1', concertId: 'c1', fingerprint: 'f', savedAt: now });
    expect(store.list('u1')).toHaveLength(1);
    now += PENDING_MAX_AGE_MS + 1;
    expect(store.list('u1')).toHaveLength(0);
    expect(window.localStorage.getItem(PENDING_STORAGE_KEY)).toBeNull();
    window.localStorage.setItem(PENDING_STORAGE_KEY, '[{"key":1},"x",null]');
    expect(store.list('u1')).toEqual([]);
    window.localStorage.setItem(PENDING_STORAGE_KEY, 'not json');
    expect(store.list('u1')).toEqual([]);
  });

  it('falls back to memory when storage is unavailable', () => {
    const broken = () => {
      throw new Error('SecurityError');
    };
    const store = createPendingStore(broken);
    store.save({ key: 'k1', body: '{}', userId: 'u1', concertId: 'c1', fingerprint: 'f', savedAt: Date.now() });
    expect(store.list('u1').map((a) => a.key)).toEqual(['k1']);
    store.remove('k1');
    expect(store.list('u1')).toEqual([]);
  });

  it('classifies outcomes: only no answer and 5xx leave a new attempt open', () => {
    const o = (error: ApiError) => ({ kind: 'rejected' as const, error, key: 'k', body: '{}' });
    expect(leftOpenBySend({ kind: 'unresolved', error: networkError(), key: 'k', body: '{}' })).toBe(true);
    expect(leftOpenBySend(o(httpError(500, 'INTERNAL_SERVER_ERROR')))).toBe(true);
    expect(leftOpenBySend(o(httpError(402, 'PAYMENT_FAILED')))).toBe(false);
    expect(leftOpenBySend(o(httpError(401, 'UNAUTHENTICATED')))).toBe(false);
    expect(leftOpenByReplay(o(httpError(401, 'UNAUTHENTICATED')))).toBe(true);
    expect(leftOpenByReplay(o(httpError(429, 'RATE_LIMITED')))).toBe(true);
    expect(leftOpenByReplay(o(httpError(409, 'INSUFFICIENT_INVENTORY')))).toBe(false);
  });
});
