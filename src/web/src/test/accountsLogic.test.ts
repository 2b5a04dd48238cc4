import { describe, expect, it } from 'vitest';
import { ApiError, interpretResponse } from '../api/client';
import type { Booking, Concert } from '../api/types';
import { describeAuthError, utf8Length, validateSignIn, validateSignUp, waitText } from '../lib/authErrors';
import { describeRejection, fanLimitMessage } from '../lib/bookingErrors';
import { groupBookings, ticketsSummary, uniqueBookings } from '../lib/myBookings';
import { authPath, matchRoute, safeNext } from '../lib/router';
import { clearSelection, loadSelection, parseSelection, saveSelection, selectionKey } from '../lib/storage';

describe('the fan limit in words', () => {
  it('says the limit and what the fan already has', () => {
    expect(fanLimitMessage({ limit: 10, alreadyBooked: 8, requested: 3 })).toBe(
      'You can buy at most 10 tickets for this concert; you already have 8. You can book 2 more tickets.',
    );
    expect(fanLimitMessage({ limit: 10, alreadyBooked: 10, requested: 1 })).toBe(
      'You can buy at most 10 tickets for this concert; you already have 10. You can’t book any more.',
    );
    expect(fanLimitMessage({ limit: 4, alreadyBooked: 3, requested: 2 })).toContain('You can book 1 more ticket.');
    expect(fanLimitMessage({ limit: 1 })).toBe('You can buy at most 1 ticket for this concert.');
    expect(fanLimitMessage({})).toBe('You have reached the ticket limit for this concert.');
  });

  it('is what the concert page shows for FAN_LIMIT_REACHED', () => {
    const err = new ApiError({
      kind: 'http',
      status: 409,
      code: 'FAN_LIMIT_REACHED',
      message: 'limit',
      details: { limit: 10, alreadyBooked: 9, requested: 2 },
    });
    const p = describeRejection(err, [], []);
    expect(p.title).toBe('Ticket limit reached');
    expect(p.body).toMatch(/^You can buy at most 10 tickets for this concert; you already have 9\./);
    expect(p.retry).toBe(false);
  });

  it('asks to sign in again on UNAUTHENTICATED', () => {
    const err = new ApiError({ kind: 'http', status: 401, code: 'UNAUTHENTICATED', message: 'x' });
    expect(describeRejection(err, [], [])).toMatchObject({ signIn: true, title: 'Please sign in again' });
  });
});

describe('the selection kept per concert', () => {
  it('round-trips through sessionStorage, per concert', () => {
    saveSelection('c1', { tiers: { vip: 2, ga: 1 }, paymentMethod: 'test_decline' });
    saveSelection('c2', { tiers: { ga: 4 }, paymentMethod: 'card' });
    expect(loadSelection('c1')).toEqual({ tiers: { vip: 2, ga: 1 }, paymentMethod: 'test_decline' });
    expect(loadSelection('c2')).toEqual({ tiers: { ga: 4 }, paymentMethod: 'card' });
    expect(window.localStorage.length).toBe(0);
    clearSelection('c1');
    expect(loadSelection('c1')).toBeNull();
    saveSelection('c2', { tiers: {}, paymentMethod: 'card' });
    expect(window.sessionStorage.getItem(selectionKey('c2'))).toBeNull();
  });

  it('drops anything odd instead of trusting it', () => {
    expect(parseSelection('nope')).toBeNull();
    expect(parseSelection('null')).toBeNull();
    expect(parseSelection('{"tiers":{"a":2,"b":0,"c":11,"d":1.5,"e":"3"},"paymentMethod":"bitcoin"}')).toEqual({
      tiers: { a: 2 },
      paymentMethod: 'card',
    });
  });
});

describe('sign-in and sign-up checks', () => {
  it('counts the password in UTF-8 bytes, as the server does', () => {
    expect(utf8Length('ü')).toBe(2);
    expect(validateSignUp({ name: 'A', email: 'a@b.co', password: 'üüüüü' })).toEqual({});
    expect(validateSignUp({ name: 'A', email: 'a@b.co', password: 'üüüü' }).password).toMatch(/at least 10/);
    expect(validateSignUp({ name: 'A', email: 'a@b.co', password: 'x'.repeat(129) }).password).toMatch(/at most 128/);
  });

  it('needs a name of 1..100 characters and an email that looks like one', () => {
    const ok = { email: 'a@b.co', password: 'long enough' };
    expect(validateSignUp({ ...ok, name: '   ' }).name).toBe('Enter your name.');
    expect(validateSignUp({ ...ok, name: '🎸'.repeat(100) }).name).toBeUndefined();
    expect(validateSignUp({ ...ok, name: 'x'.repeat(101) }).name).toMatch(/at most 100/);
    expect(validateSignUp({ ...ok, name: 'A', email: 'a@b' }).email).toBeDefined();
    expect(validateSignIn({ email: '', password: '' })).toEqual({
      email: 'Enter your email address.',
      password: 'Enter your password.',
    });
  });

  it('turns the server’s refusals into words on the right field', () => {
    const e = (status: number, code: string, details?: Record<string, unknown>, retryAfterMs: number | null = null) =>
      new ApiError({ kind: 'http', status, code, message: `${code} message`, details, retryAfterMs });
    expect(describeAuthError(e(400, 'INVALID_REQUEST', { field: 'password' }), 'signup')).toEqual({
      message: null,
      fields: { password: 'INVALID_REQUEST message' },
      retryAfterMs: null,
    });
    expect(describeAuthError(e(409, 'EMAIL_TAKEN'), 'signup').fields.email).toMatch(/already exists/);
    expect(describeAuthError(e(401, 'INVALID_CREDENTIALS'), 'signin').message).toMatch(/don’t match/);
    const limited = describeAuthError(e(429, 'RATE_LIMITED', undefined, 120_000), 'signin');
    expect(limited).toMatchObject({ retryAfterMs: 120_000, message: 'Too many sign-in attempts. Try again in 2 minutes.' });
    expect(waitText(1_000)).toBe('1 second');
    expect(waitText(45_500)).toBe('46 seconds');
  });
});

describe('routes and the way back after signing in', () => {
  it('matches the account pages', () => {
    expect(matchRoute('/signin')).toEqual({ name: 'signin' });
    expect(matchRoute('/signup/')).toEqual({ name: 'signup' });
    expect(matchRoute('/me/bookings')).toEqual({ name: 'my-bookings' });
    expect(matchRoute('/me')).toEqual({ name: 'not-found' });
  });

  it('returns only to paths of this app', () => {
    expect(safeNext('?next=%2Fconcerts%2Fc1')).toBe('/concerts/c1');
    expect(safeNext('?next=%2Fme%2Fbookings%3Fx%3D1')).toBe('/me/bookings?x=1');
    for (const bad of ['', '?next=', '?next=https%3A%2F%2Fevil.example', '?next=%2F%2Fevil.example', '?next=%2F%5Cevil', '?next=%2Fsignin%3Fnext%3D%2F']) {
      expect(safeNext(bad)).toBe('/');
    }
    expect(authPath('signin', '/concerts/c1')).toBe('/signin?next=%2Fconcerts%2Fc1');
    expect(authPath('signup', '/')).toBe('/signup');
  });
});

describe('My bookings order', () => {
  const c = (id: string, eventDate: string): Concert => ({ id, name: id, venue: 'v', eventDate, createdAt: '' });
  const b = (id: string, concertId: string, createdAt = '2026-01-01T00:00:00Z'): Booking => ({
    id,
    concertId,
    userId: 'u1',
    status: 'confirmed',
    totalAmount: 10,
    items: [
      { tierId: 't1', tierName: 'VIP', quantity: 1, pricePerTicket: 5 },
      { tierId: 't2', tierName: 'GENERAL_ADMISSION', quantity: 1, pricePerTicket: 5 },
    ],
    createdAt,
  });
  const now = Date.parse('2027-01-01T00:00:00Z');
  const concerts = new Map([
    ['soon', c('soon', '2027-02-01T00:00:00Z')],
    ['later', c('later', '2027-09-01T00:00:00Z')],
    ['lastYear', c('lastYear', '2026-06-01T00:00:00Z')],
    ['longAgo', c('longAgo', '2020-06-01T00:00:00Z')],
  ]);

  it('puts upcoming concerts first (soonest first), then past ones (latest first), unknown concerts last', () => {
    const list = [b('1', 'longAgo'), b('2', 'later'), b('3', 'gone'), b('4', 'soon'), b('5', 'lastYear'), b('6', 'soon', '2026-05-01T00:00:00Z')];
    const { upcoming, past } = groupBookings(list, concerts, now);
    expect(upcoming.map((r) => r.booking.id)).toEqual(['6', '4', '2']);
    expect(past.map((r) => r.booking.id)).toEqual(['5', '1', '3']);
    expect(past[2]?.concert).toBeNull();
  });

  it('shows each booking once across overlapping pages, and its tickets briefly', () => {
    expect(uniqueBookings([[b('1', 'soon'), b('2', 'soon')], [b('2', 'soon'), b('3', 'soon')]]).map((x) => x.id)).toEqual([
      '1',
      '2',
      '3',
    ]);
    expect(ticketsSummary(b('1', 'soon'), (n) => n.replace(/_/g, ' '))).toBe('1 × VIP, 1 × GENERAL ADMISSION');
  });
});

describe('the client', () => {
  it('reads a 204 (signing out) as success with nothing in it', () => {
    expect(interpretResponse(204, new Headers(), '')).toEqual({ data: undefined, meta: {}, status: 204 });
  });
});
