// One function per endpoint of ticketd's API.
import { centsToDecimal } from '../lib/money';
import { request, type ApiResult } from './client';
import type { Availability, Booking, BookingRequest, Concert, ConcertSummary } from './types';

type Signal = AbortSignal | undefined;

const enc = encodeURIComponent;

export async function getConcerts(signal?: Signal): Promise<ConcertSummary[]> {
  return (await request<ConcertSummary[]>('/api/concerts', { signal })).data;
}

export async function getConcert(id: string, signal?: Signal): Promise<Concert> {
  return (await request<Concert>(`/api/concerts/${enc(id)}`, { signal })).data;
}

export async function getAvailability(id: string, signal?: Signal): Promise<Availability> {
  return (await request<Availability>(`/api/concerts/${enc(id)}/availability`, { signal })).data;
}

export async function getBooking(id: string, signal?: Signal): Promise<Booking> {
  return (await request<Booking>(`/api/bookings/${enc(id)}`, { signal })).data;
}

export async function cancelBooking(id: string): Promise<Booking> {
  return (await request<Booking>(`/api/bookings/${enc(id)}/cancel`, { method: 'POST', body: '{}' })).data;
}

/**
 * The request body, with totalAmount written as a decimal with exactly two
 * places (JSON.stringify would print 230 for 230.00 and could print a
 * binary-float artefact for other sums; the server parses the text).
 */
export function serializeBookingRequest(req: BookingRequest): string {
  const body: Record<string, unknown> = {
    concertId: req.concertId,
    userId: req.userId,
    tickets: req.tickets.map((t) => ({ tierId: t.tierId, quantity: t.quantity })),
    idempotencyKey: req.idempotencyKey,
  };
  if (req.paymentMethod !== undefined) body.paymentMethod = req.paymentMethod;
  const json = JSON.stringify(body);
  return `${json.slice(0, -1)},"totalAmount":${centsToDecimal(req.totalCents)}}`;
}

/** One HTTP request, no retries: see lib/bookingAttempt.ts for those. */
export async function postBooking(req: BookingRequest, signal?: Signal): Promise<ApiResult<Booking>> {
  return request<Booking>('/api/bookings', {
    method: 'POST',
    body: serializeBookingRequest(req),
    signal,
    // Longer than the worker's payment + statement timeouts, so a slow
    // booking ends as the server's own answer rather than ours.
    timeoutMs: 30_000,
  });
}

export async function getHealth(signal?: Signal): Promise<boolean> {
  try {
    const res = await fetch('/health', { signal: signal ?? null, headers: { Accept: 'application/json' } });
    return res.ok;
  } catch {
    return false;
  }
}
