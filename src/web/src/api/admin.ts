// The box office's endpoints (/api/admin/*). Only the admin pages import
// this file, so it travels in their lazily loaded chunk, never in the
// bundle every fan downloads.
import { serializeConcertInput } from '../lib/concertForm';
import { request } from './client';
import type {
  AdminBookingDetail,
  AdminBookingPage,
  AdminBookingQuery,
  AdminConcert,
  ConcertInput,
  ConcertSales,
} from './types';

type Signal = AbortSignal | undefined;

const enc = encodeURIComponent;

export async function getAdminConcerts(signal?: Signal): Promise<AdminConcert[]> {
  return (await request<AdminConcert[]>('/api/admin/concerts', { signal })).data;
}

export async function getAdminConcert(id: string, signal?: Signal): Promise<AdminConcert> {
  return (await request<AdminConcert>(`/api/admin/concerts/${enc(id)}`, { signal })).data;
}

export async function createConcert(input: ConcertInput): Promise<AdminConcert> {
  return (await request<AdminConcert>('/api/admin/concerts', { method: 'POST', body: serializeConcertInput(input) })).data;
}

export async function updateConcert(id: string, input: ConcertInput): Promise<AdminConcert> {
  return (
    await request<AdminConcert>(`/api/admin/concerts/${enc(id)}`, { method: 'PATCH', body: serializeConcertInput(input) })
  ).data;
}

export async function getConcertSales(id: string, signal?: Signal): Promise<ConcertSales> {
  // A dashboard refreshing every second gives up on a slow answer quickly: the next one is coming.
  return (await request<ConcertSales>(`/api/admin/concerts/${enc(id)}/sales`, { signal, timeoutMs: 5_000 })).data;
}

/** The query string of a booking search, without empty parameters. */
export function bookingSearchParams(query: AdminBookingQuery): string {
  const params = new URLSearchParams();
  if (query.concertId) params.set('concertId', query.concertId);
  if (query.q?.trim()) params.set('q', query.q.trim());
  if (query.status) params.set('status', query.status);
  if (query.cursor) params.set('cursor', query.cursor);
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  return params.toString();
}

export async function searchBookings(query: AdminBookingQuery, signal?: Signal): Promise<AdminBookingPage> {
  const qs = bookingSearchParams(query);
  const data = (await request<AdminBookingPage>(`/api/admin/bookings${qs ? `?${qs}` : ''}`, { signal })).data;
  return { bookings: data.bookings, nextCursor: data.nextCursor || null };
}

export async function getAdminBooking(id: string, signal?: Signal): Promise<AdminBookingDetail> {
  return (await request<AdminBookingDetail>(`/api/admin/bookings/${enc(id)}`, { signal })).data;
}

export async function cancelBookingForFan(id: string, reason: string): Promise<AdminBookingDetail> {
  return (
    await request<AdminBookingDetail>(`/api/admin/bookings/${enc(id)}/cancel`, {
      method: 'POST',
      body: JSON.stringify({ reason }),
    })
  ).data;
}

/** The CSV export: a plain link (the browser downloads it with the session cookie). */
export function bookingsCsvUrl(concertId: string): string {
  return `/api/admin/concerts/${enc(concertId)}/bookings.csv`;
}
