// "My bookings": the fan's bookings with their concerts, upcoming shows
// first (soonest first), then past ones (most recent first).
import type { Booking, Concert } from '../api/types';

export interface BookingRow {
  booking: Booking;
  /** null when the concert could not be found (removed, or not loaded). */
  concert: Concert | null;
}

export interface GroupedBookings {
  upcoming: BookingRow[];
  past: BookingRow[];
}

function time(iso: string | undefined): number {
  const t = iso === undefined ? NaN : Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
}

/** Pages may overlap when bookings arrive between them: each booking once, first seen wins. */
export function uniqueBookings(pages: readonly (readonly Booking[])[]): Booking[] {
  const seen = new Set<string>();
  const out: Booking[] = [];
  for (const page of pages) {
    for (const b of page) {
      if (seen.has(b.id)) continue;
      seen.add(b.id);
      out.push(b);
    }
  }
  return out;
}

export function groupBookings(
  bookings: readonly Booking[],
  concerts: ReadonlyMap<string, Concert>,
  now: number = Date.now(),
): GroupedBookings {
  const upcoming: BookingRow[] = [];
  const past: BookingRow[] = [];
  for (const booking of bookings) {
    const concert = concerts.get(booking.concertId) ?? null;
    const at = concert ? Date.parse(concert.eventDate) : NaN;
    // A concert we know nothing about cannot be called upcoming.
    if (!Number.isNaN(at) && at >= now) upcoming.push({ booking, concert });
    else past.push({ booking, concert });
  }
  const newestBookingFirst = (a: BookingRow, b: BookingRow) => time(b.booking.createdAt) - time(a.booking.createdAt);
  upcoming.sort(
    (a, b) => time(a.concert?.eventDate) - time(b.concert?.eventDate) || newestBookingFirst(a, b),
  );
  past.sort((a, b) => {
    // Unknown concerts last.
    if (!a.concert !== !b.concert) return a.concert ? -1 : 1;
    return time(b.concert?.eventDate) - time(a.concert?.eventDate) || newestBookingFirst(a, b);
  });
  return { upcoming, past };
}

/** "2 × VIP, 1 × Floor" */
export function ticketsSummary(booking: Booking, label: (tierName: string) => string): string {
  return booking.items.map((i) => `${i.quantity} × ${label(i.tierName)}`).join(', ');
}
