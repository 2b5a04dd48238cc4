// One function per endpoint of ticketd's API.
import { centsToDecimal } from '../lib/money';
import { clockOffsetMs } from '../lib/serverClock';
import { ApiError, request, type ApiResult } from './client';
import type {
  AppConfig,
  Availability,
  Booking,
  BookingPage,
  BookingRequest,
  Concert,
  ConcertPage,
  ConcertSummary,
  Ticket,
  User,
} from './types';

type Signal = AbortSignal | undefined;

const enc = encodeURIComponent;

/** One page of the listing (20 concerts by start); cursor null for the first. */
export async function getConcertPage(cursor: string | null, signal?: Signal): Promise<ConcertPage> {
  const path = cursor === null ? '/api/concerts' : `/api/concerts?cursor=${enc(cursor)}`;
  const res = await request<ConcertSummary[]>(path, { signal });
  const next = res.meta.nextCursor;
  return { concerts: res.data, nextCursor: typeof next === 'string' && next !== '' ? next : null };
}

/** The listing's first page: the next concerts. */
export async function getConcerts(signal?: Signal): Promise<ConcertSummary[]> {
  return (await getConcertPage(null, signal)).concerts;
}

/** Every listed concert, page after page (at most `maxPages` of them). */
export async function getAllListedConcerts(signal?: Signal, maxPages = 25): Promise<ConcertSummary[]> {
  const all: ConcertSummary[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const page: ConcertPage = await getConcertPage(cursor, signal);
    all.push(...page.concerts);
    cursor = page.nextCursor;
    if (cursor === null) break;
  }
  return all;
}

/** One concert, with the server's clock offset measured on this very request. */
export async function getConcert(id: string, signal?: Signal): Promise<Concert> {
  const concert = (await request<Concert>(`/api/concerts/${enc(id)}`, { signal })).data;
  return { ...concert, clockOffsetMs: clockOffsetMs(concert.serverTime, Date.now()) };
}

export async function getAvailability(id: string, signal?: Signal): Promise<Availability> {
  return (await request<Availability>(`/api/concerts/${enc(id)}/availability`, { signal })).data;
}

export async function getBooking(id: string, signal?: Signal): Promise<Booking> {
  return (await request<Booking>(`/api/bookings/${enc(id)}`, { signal })).data;
}

/** A confirmed booking's tickets with their signed codes; 409 BOOKING_NOT_CONFIRMED otherwise. */
export async function getBookingTickets(id: string, signal?: Signal): Promise<Ticket[]> {
  return (await request<Ticket[]>(`/api/bookings/${enc(id)}/tickets`, { signal })).data;
}

export async function cancelBooking(id: string): Promise<Booking> {
  return (await request<Booking>(`/api/bookings/${enc(id)}/cancel`, { method: 'POST', body: '{}' })).data;
}

/**
 * The request body, with totalAmount written as a decimal with exactly two
 * places (JSON.stringify would print 230 for 230.00 and could print a
 * binary-float artefact for other sums; the server parses the text).
 * No userId: the server books for the signed-in fan.
 */
export function serializeBookingRequest(req: BookingRequest): string {
  const body: Record<string, unknown> = {
    concertId: req.concertId,
    tickets: req.tickets.map((t) => ({ tierId: t.tierId, quantity: t.quantity })),
    idempotencyKey: req.idempotencyKey,
  };
  if (req.paymentMethod !== undefined) body.paymentMethod = req.paymentMethod;
  const json = JSON.stringify(body);
  return `${json.slice(0, -1)},"totalAmount":${centsToDecimal(req.totalCents)}}`;
}

/**
 * One HTTP request with an already-serialized body, no retries: see
 * lib/bookingAttempt.ts for those. Every request of an attempt (and a
 * replay on a later visit) sends the very same text.
 */
export async function postBookingBody(body: string, signal?: Signal): Promise<ApiResult<Booking>> {
  return request<Booking>('/api/bookings', {
    method: 'POST',
    body,
    signal,
    // Longer than the worker's payment + statement timeouts, so a slow
    // booking ends as the server's own answer rather than ours.
    timeoutMs: 30_000,
  });
}

export async function postBooking(req: BookingRequest, signal?: Signal): Promise<ApiResult<Booking>> {
  return postBookingBody(serializeBookingRequest(req), signal);
}

export async function getHealth(signal?: Signal): Promise<boolean> {
  try {
    const res = await fetch('/health', { signal: signal ?? null, headers: { Accept: 'application/json' } });
    return res.ok;
  } catch {
    return false;
  }
}

// --- accounts -------------------------------------------------------------
// The session is an HttpOnly cookie: the browser keeps it and sends it with
// every same-origin request. The page never sees or stores a token.

export interface Credentials {
  email: string;
  password: string;
}

export interface Registration extends Credentials {
  name: string;
}

export async function register(form: Registration): Promise<User> {
  const body = JSON.stringify({ email: form.email, password: form.password, name: form.name });
  return (await request<{ user: User }>('/api/auth/register', { method: 'POST', body })).data.user;
}

export async function login(form: Credentials): Promise<User> {
  const body = JSON.stringify({ email: form.email, password: form.password });
  return (await request<{ user: User }>('/api/auth/login', { method: 'POST', body })).data.user;
}

/** Signs out; being signed out already (401) counts as done. */
export async function logout(): Promise<void> {
  try {
    await request<undefined>('/api/auth/logout', { method: 'POST', body: '{}' });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    throw err;
  }
}

/** The signed-in fan, or null when signed out (401 is an answer, not an error). */
export async function getMe(signal?: Signal): Promise<User | null> {
  try {
    return (await request<User>('/api/me', { signal })).data;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

// --- account emails ---------------------------------------------------------
// The tokens come from the links' fragments (#token=…), which no server logs.

/** Verifies the address of the link's token; needs no session. Answers the account. */
export async function verifyEmail(token: string): Promise<User> {
  const body = JSON.stringify({ token });
  return (await request<{ user: User }>('/api/auth/verify-email', { method: 'POST', body })).data.user;
}

/** Emails the signed-in fan a new verification link (the server sends at most one a minute). */
export async function resendVerification(): Promise<void> {
  await request<unknown>('/api/auth/verify-email/resend', { method: 'POST', body: '{}' });
}

/** Asks for a reset link; 202 whether or not the address has an account. */
export async function requestPasswordReset(email: string): Promise<void> {
  await request<unknown>('/api/auth/password-reset', { method: 'POST', body: JSON.stringify({ email }) });
}

/** Sets the new password; every session of the account (this one too) is revoked. */
export async function confirmPasswordReset(token: string, password: string): Promise<void> {
  const body = JSON.stringify({ token, password });
  await request<undefined>('/api/auth/password-reset/confirm', { method: 'POST', body });
}

export async function getMyBookings(cursor: string | null, signal?: Signal): Promise<BookingPage> {
  const path = cursor === null ? '/api/me/bookings' : `/api/me/bookings?cursor=${enc(cursor)}`;
  const res = await request<Booking[]>(path, { signal });
  const next = res.meta.nextCursor;
  return { bookings: res.data, nextCursor: typeof next === 'string' && next !== '' ? next : null };
}

export async function getConfig(signal?: Signal): Promise<AppConfig> {
  const data = (await request<Partial<AppConfig>>('/api/config', { signal })).data;
  return { testPayments: data.testPayments === true };
}
