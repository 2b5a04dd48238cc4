import { useInfiniteQuery, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { ApiError } from '../api/client';
import { getConcert, getConcerts, getMyBookings } from '../api/endpoints';
import type { Concert } from '../api/types';
import { CalendarIcon, PinIcon, SpinnerIcon } from '../components/icons';
import { Alert, ErrorState, Loading, errorText } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { artworkStyle } from '../lib/artwork';
import { formatEventDate, tierLabel } from '../lib/format';
import { formatCents, toCents } from '../lib/money';
import { groupBookings, ticketsSummary, uniqueBookings, type BookingRow } from '../lib/myBookings';
import { queryKeys } from '../lib/queryClient';
import { authPath, Link, navigate } from '../lib/router';
import { sessionEnded, useMe } from '../lib/session';
import { useDocumentTitle } from '../lib/useDocumentTitle';

const HERE = '/me/bookings';

export function MyBookingsPage() {
  useDocumentTitle('My bookings');
  const queryClient = useQueryClient();
  const me = useMe();
  const bookings = useInfiniteQuery({
    queryKey: queryKeys.myBookings,
    queryFn: ({ pageParam, signal }) => getMyBookings(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    enabled: me.data !== null,
  });
  const unauthenticated =
    me.data === null || (bookings.isError && bookings.error instanceof ApiError && bookings.error.status === 401);

  // Signed out: sign in, then come back here.
  useEffect(() => {
    if (!unauthenticated) return;
    if (me.data !== null) sessionEnded(queryClient);
    navigate(authPath('signin', HERE), { replace: true });
  }, [unauthenticated, me.data, queryClient]);

  const list = uniqueBookings(bookings.data?.pages.map((p) => p.bookings) ?? []);
  const concerts = useConcertsFor(list.map((b) => b.concertId));

  let body;
  if (unauthenticated) body = <Loading label="Taking you to sign in…" />;
  else if (bookings.isPending || (list.length > 0 && concerts.loading)) body = <Loading label="Loading your bookings…" />;
  else if (bookings.isError && list.length === 0)
    body = (
      <ErrorState title="We couldn’t load your bookings" error={bookings.error} onRetry={() => void bookings.refetch()} />
    );
  else if (list.length === 0) body = <EmptyState />;
  else {
    const { upcoming, past } = groupBookings(list, concerts.byId);
    body = (
      <>
        {upcoming.length > 0 && <Group id="upcoming" title="Upcoming" rows={upcoming} />}
        {past.length > 0 && <Group id="past" title="Past" rows={past} />}
        <div role="alert" className="mt-6 empty:hidden">
          {bookings.isFetchNextPageError && (
            <Alert tone="error" title="We couldn’t load more bookings">
              {errorText(bookings.error)}
            </Alert>
          )}
        </div>
        {bookings.hasNextPage && (
          <div className="mt-6 text-center">
            <button
              type="button"
              onClick={() => void bookings.fetchNextPage()}
              disabled={bookings.isFetchingNextPage}
              className="inline-flex items-center gap-2 rounded-lg border border-slate-300 bg-white px-5 py-2.5 font-semibold text-slate-800 hover:bg-slate-50 disabled:opacity-60"
            >
              {bookings.isFetchingNextPage ? (
                <>
                  <SpinnerIcon /> Loading…
                </>
              ) : (
                'Load more'
              )}
            </button>
          </div>
        )}
      </>
    );
  }

  return (
    <section aria-labelledby="my-bookings-heading" className="mx-auto max-w-3xl">
      <h1 id="my-bookings-heading" className="text-3xl font-extrabold tracking-tight text-slate-900 sm:text-4xl">
        My bookings
      </h1>
      {me.data && <p className="mt-2 text-slate-600">Every booking made with {me.data.email}.</p>}
      <div className="mt-8">{body}</div>
    </section>
  );
}

/**
 * The concerts of these bookings: from the listing, and one by one for any
 * the listing does not have (e.g. one that is over).
 */
function useConcertsFor(ids: string[]): { byId: Map<string, Concert>; loading: boolean } {
  const listing = useQuery({ queryKey: queryKeys.concerts, queryFn: ({ signal }) => getConcerts(signal) });
  const byId = new Map<string, Concert>();
  for (const c of listing.data ?? []) byId.set(c.id, c);
  const missing = listing.isPending ? [] : [...new Set(ids)].filter((id) => !byId.has(id));
  const single = useQueries({
    queries: missing.map((id) => ({
      queryKey: queryKeys.concert(id),
      queryFn: ({ signal }: { signal: AbortSignal }) => getConcert(id, signal),
    })),
  });
  for (const q of single) if (q.data) byId.set(q.data.id, q.data);
  return { byId, loading: listing.isPending || single.some((q) => q.isPending) };
}

function EmptyState() {
  return (
    <div className="rounded-2xl bg-white p-10 text-center ring-1 ring-slate-200">
      <p className="text-lg font-semibold text-slate-900">You haven’t booked any tickets yet.</p>
      <p className="mt-1 text-slate-600">When you do, your bookings show up here.</p>
      <Link
        to="/"
        className="mt-5 inline-block rounded-lg bg-indigo-700 px-5 py-2.5 font-semibold text-white hover:bg-indigo-800"
      >
        Browse concerts
      </Link>
    </div>
  );
}

function Group({ id, title, rows }: { id: string; title: string; rows: BookingRow[] }) {
  return (
    <section aria-labelledby={`${id}-heading`} className="mt-8 first:mt-0">
      <h2 id={`${id}-heading`} className="mb-3 text-xl font-bold text-slate-900">
        {title}
      </h2>
      <ul className="space-y-3">
        {rows.map((row) => (
          <BookingCard key={row.booking.id} row={row} />
        ))}
      </ul>
    </section>
  );
}

function BookingCard({ row: { booking, concert } }: { row: BookingRow }) {
  const when = concert ? formatEventDate(concert.startsAt ?? concert.eventDate, concert.timeZone) : null;
  const count = booking.items.reduce((n, i) => n + i.quantity, 0);
  const notCharged = booking.status === 'payment_failed' || booking.status === 'rejected';
  return (
    <li data-booking-id={booking.id}>
      <Link
        to={`/bookings/${booking.id}`}
        className="group flex overflow-hidden rounded-2xl bg-white shadow-sm ring-1 ring-slate-200 transition hover:shadow-md hover:ring-indigo-300"
      >
        <span aria-hidden="true" className="w-3 shrink-0 sm:w-4" style={artworkStyle(concert?.name ?? booking.concertId)} />
        <span className="flex min-w-0 flex-1 flex-col gap-1.5 p-4 sm:p-5">
          <span className="flex flex-wrap items-start justify-between gap-2">
            <span className="text-lg font-bold leading-snug text-slate-900 group-hover:text-indigo-800">
              {concert?.name ?? 'Concert details unavailable'}
            </span>
            <StatusBadge status={booking.status} />
          </span>
          {concert && when && (
            <span className="flex flex-col gap-1 text-sm text-slate-700 sm:flex-row sm:gap-4">
              <span className="flex items-center gap-1.5">
                <CalendarIcon className="h-4 w-4 shrink-0 text-slate-500" />
                {when.date}
                {when.time && ` · ${when.time}`}
              </span>
              <span className="flex items-center gap-1.5">
                <PinIcon className="h-4 w-4 shrink-0 text-slate-500" />
                {concert.venue}
              </span>
            </span>
          )}
          <span className="flex flex-wrap items-baseline justify-between gap-2 text-slate-700">
            {notCharged ? (
              <span>No tickets taken · nothing charged</span>
            ) : (
              <>
                <span>
                  {count === 1 ? '1 ticket' : `${count} tickets`}
                  {booking.items.length > 0 && <span className="text-slate-500"> · {ticketsSummary(booking, tierLabel)}</span>}
                </span>
                <span className="font-semibold tabular-nums text-slate-900">{formatCents(toCents(booking.totalAmount))}</span>
              </>
            )}
          </span>
        </span>
      </Link>
    </li>
  );
}
