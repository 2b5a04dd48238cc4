import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState } from 'react';
import { ApiError } from '../api/client';
import { cancelBooking, getBooking, getConcert } from '../api/endpoints';
import type { Booking } from '../api/types';
import { CalendarIcon, CheckIcon, PinIcon } from '../components/icons';
import { ChunkBoundary } from '../components/ChunkBoundary';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Alert, ErrorState, Loading, errorText } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { artworkStyle, TEXT_SCRIM } from '../lib/artwork';
import { formatDateTime, formatEventDate, tierLabel } from '../lib/format';
import { formatCents, toCents } from '../lib/money';
import { queryKeys } from '../lib/queryClient';
import { authPath, Link, navigate, useLocation } from '../lib/router';
import { sessionEnded, useMe } from '../lib/session';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useNow } from '../lib/useNow';
import { NotFoundPage } from './NotFoundPage';

// The tickets and their QR encoder are a chunk of their own: only a confirmed booking's page asks for it.
const BookingTickets = lazy(() => import('../tickets/BookingTickets'));

function flag(state: unknown, name: 'justBooked' | 'recovered'): boolean {
  return typeof state === 'object' && state !== null && (state as Record<string, unknown>)[name] === true;
}

const isUnauthenticated = (err: unknown) => err instanceof ApiError && err.status === 401;

/** The browser's title for a booking: what it is and for which concert (never the raw id). */
export function bookingTitle(booking: Booking | undefined, concertName: string | undefined): string {
  if (!booking) return 'Booking';
  const what = {
    confirmed: 'Your booking',
    cancelled: 'Cancelled booking',
    payment_failed: 'Declined payment',
    rejected: 'Booking not made',
  }[booking.status] as string | undefined;
  return concertName ? `${what ?? 'Booking'} · ${concertName}` : (what ?? 'Booking');
}

export function BookingPage({ id }: { id: string }) {
  const location = useLocation();
  const booking = useQuery({
    queryKey: queryKeys.booking(id),
    queryFn: ({ signal }) => getBooking(id, signal),
  });
  const queryClient = useQueryClient();
  // The same query as BookingDetails' (shared by key): the title names the concert, not the booking's id.
  const concertId = booking.data?.concertId ?? '';
  const concert = useQuery({
    queryKey: queryKeys.concert(concertId),
    queryFn: ({ signal }) => getConcert(concertId, signal),
    enabled: concertId !== '',
  });
  useDocumentTitle(bookingTitle(booking.data, concert.data?.name));
  const signedOut = booking.isError && isUnauthenticated(booking.error);

  // A booking is its owner's: signed out, sign in and come back here.
  useEffect(() => {
    if (!signedOut) return;
    sessionEnded(queryClient);
    navigate(authPath('signin', `/bookings/${id}`), { replace: true });
  }, [signedOut, id, queryClient]);

  if (booking.isError && !booking.data) {
    if (signedOut) return <Loading label="Taking you to sign in…" />;
    // Someone else's booking is "not found" too: the server does not say it exists.
    if (booking.error instanceof ApiError && booking.error.status === 404) return <NotFoundPage what="booking" />;
    return <ErrorState title="We couldn’t load this booking" error={booking.error} onRetry={() => void booking.refetch()} />;
  }
  if (booking.isPending) return <Loading label="Loading booking…" />;
  return (
    <BookingDetails
      booking={booking.data}
      fresh={flag(location.state, 'justBooked')}
      recovered={flag(location.state, 'recovered')}
    />
  );
}

function cancelErrorTitle(err: unknown): string {
  return err instanceof ApiError && err.code === 'CANCELLATION_CLOSED' ? 'It’s too late to cancel' : 'The booking was not cancelled';
}

function cancelErrorText(err: unknown): string {
  if (err instanceof ApiError && err.code === 'CANCELLATION_CLOSED') {
    return 'The concert has started, so bookings can no longer be cancelled. Your tickets are still valid.';
  }
  return errorText(err);
}

function BookingDetails({ booking, fresh, recovered }: { booking: Booking; fresh: boolean; recovered: boolean }) {
  const queryClient = useQueryClient();
  const me = useMe();
  // The fan's own name; an admin looking at someone else's booking sees no name.
  const ownerName = me.data && me.data.id === booking.userId ? me.data.name : null;
  const [confirming, setConfirming] = useState(false);
  const now = useNow(60_000);
  const concert = useQuery({
    queryKey: queryKeys.concert(booking.concertId),
    queryFn: ({ signal }) => getConcert(booking.concertId, signal),
  });
  const cancel = useMutation({
    mutationFn: () => cancelBooking(booking.id),
    onSuccess: (updated) => {
      queryClient.setQueryData(queryKeys.booking(updated.id), updated);
      void queryClient.invalidateQueries({ queryKey: queryKeys.myBookings });
      void queryClient.invalidateQueries({ queryKey: queryKeys.availability(updated.concertId) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.concerts });
      setConfirming(false);
    },
    onError: (err) => {
      setConfirming(false);
      // Signed out meanwhile: the booking query's 401 takes the fan to sign in.
      if (isUnauthenticated(err)) {
        void queryClient.invalidateQueries({ queryKey: queryKeys.booking(booking.id) });
        return;
      }
      // Someone (another tab?) changed it: show the booking as it is now.
      if (err instanceof ApiError && (err.code === 'BOOKING_NOT_CANCELLABLE' || err.code === 'CANCELLATION_CLOSED')) {
        void queryClient.invalidateQueries({ queryKey: queryKeys.booking(booking.id) });
      }
    },
  });

  const when = concert.data ? formatEventDate(concert.data.startsAt ?? concert.data.eventDate, concert.data.timeZone) : null;
  // Nothing was taken or charged: no "0 tickets" and no "Total" that reads like a charge.
  const notCharged = booking.status === 'payment_failed' || booking.status === 'rejected';
  // A cancel refused because the booking had changed meanwhile (another tab, the box office).
  const staleCancel = cancel.error instanceof ApiError && cancel.error.code === 'BOOKING_NOT_CANCELLABLE';
  const concertStarted =
    concert.data !== undefined &&
    now + (concert.data.clockOffsetMs ?? 0) >= Date.parse(concert.data.startsAt ?? concert.data.eventDate);
  const ticketCount = booking.items.reduce((n, i) => n + i.quantity, 0);
  const heading =
    booking.status === 'confirmed' && fresh
      ? 'You’re going!'
      : booking.status === 'cancelled'
        ? 'Booking cancelled'
        : booking.status === 'payment_failed'
          ? 'Payment declined'
          : booking.status === 'rejected'
            ? 'Not booked'
            : 'Your booking';

  // Printing a confirmed booking prints its tickets alone (tickets/BookingTickets.tsx).
  const printTickets = booking.status === 'confirmed';
  const notOnPaper = printTickets ? 'print:hidden' : '';

  return (
    <div className="mx-auto max-w-2xl">
      {recovered && (
        <div role="status" className={`mb-6 ${notOnPaper}`}>
          <Alert tone="info" title="Your earlier booking went through">
            <p>
              A booking you made before had not been confirmed to you; we checked, and this is it. Nothing new was
              booked and you were charged only once. Want more tickets? Go back to the concert and book again.
            </p>
          </Alert>
        </div>
      )}
      {booking.status === 'confirmed' && fresh && (
        <div
          className={`mb-6 flex items-center gap-3 rounded-2xl bg-emerald-50 p-4 text-emerald-950 ring-1 ring-emerald-200 ${notOnPaper}`}
        >
          <span className="grid h-10 w-10 shrink-0 place-items-center rounded-full bg-emerald-600 text-white">
            <CheckIcon className="h-6 w-6" />
          </span>
          <p>
            <strong className="font-semibold">Booking confirmed.</strong> Bookmark this page: it always shows your
            booking and its tickets, and lets you cancel it.
          </p>
        </div>
      )}

      <article
        aria-labelledby="booking-heading"
        className={`overflow-hidden rounded-3xl bg-white shadow-lg ring-1 ring-slate-200 ${notOnPaper}`}
      >
        <div
          className="px-6 py-6 text-white sm:px-8"
          style={artworkStyle(concert.data?.name ?? booking.concertId, { scrim: TEXT_SCRIM })}
        >
          <div className="flex flex-wrap items-start justify-between gap-3">
            <h1 id="booking-heading" className="text-2xl font-extrabold tracking-tight drop-shadow sm:text-3xl">
              {heading}
            </h1>
            <span className="rounded-full bg-white/95 p-0.5">
              <StatusBadge status={booking.status} />
            </span>
          </div>
          {concert.data ? (
            <div className="mt-4">
              <p className="text-xl font-bold drop-shadow">
                <Link to={`/concerts/${concert.data.id}`} className="rounded hover:underline">
                  {concert.data.name}
                </Link>
              </p>
              <p className="mt-1 flex items-center gap-2 text-white/95">
                <PinIcon className="shrink-0" /> {concert.data.venue}
              </p>
              {when && (
                <p className="mt-1 flex items-center gap-2 text-white/95">
                  <CalendarIcon className="shrink-0" /> {when.date}
                  {when.time && ` · ${when.time}`}
                </p>
              )}
            </div>
          ) : (
            <p className="mt-4 h-16 text-white/80">{concert.isError ? '' : 'Loading concert…'}</p>
          )}
        </div>

        {/* Perforation between the stub and the ticket body. */}
        <div aria-hidden="true" className="mx-6 h-0 border-t-2 border-dashed border-slate-200 sm:mx-8" />

        <div className="px-6 py-6 sm:px-8">
          <dl className="grid grid-cols-1 gap-4 sm:grid-cols-2">
            <div className="sm:col-span-2">
              <dt className="text-sm font-medium text-slate-600">Booking reference</dt>
              <dd className="mt-0.5 break-all font-mono text-sm font-semibold text-slate-900 sm:text-base" data-testid="booking-id">
                {booking.id}
              </dd>
            </div>
            {ownerName !== null && (
              <div>
                <dt className="text-sm font-medium text-slate-600">Name</dt>
                <dd className="mt-0.5 break-words font-semibold text-slate-900">{ownerName}</dd>
              </div>
            )}
            <div>
              <dt className="text-sm font-medium text-slate-600">Booked</dt>
              <dd className="mt-0.5 text-slate-900">{formatDateTime(booking.createdAt)}</dd>
            </div>
            {booking.status === 'cancelled' && booking.updatedAt && (
              <div>
                <dt className="text-sm font-medium text-slate-600">Cancelled</dt>
                <dd className="mt-0.5 text-slate-900">{formatDateTime(booking.updatedAt)}</dd>
              </div>
            )}
          </dl>

          {notCharged ? (
            <div className="mt-6 rounded-xl bg-slate-50 p-4 ring-1 ring-slate-200" data-testid="not-charged">
              <h2 className="font-bold text-slate-900">Nothing was charged</h2>
              <p className="mt-1 text-slate-700">
                {booking.status === 'payment_failed'
                  ? `The payment of ${formatCents(toCents(booking.totalAmount))} was declined, so no tickets were taken.`
                  : 'There were not enough tickets left, so nothing was booked.'}{' '}
                You can book again from the concert’s page.
              </p>
            </div>
          ) : (
            <>
              <h2 className="mt-6 text-lg font-bold text-slate-900">
                {ticketCount === 1 ? '1 ticket' : `${ticketCount} tickets`}
              </h2>
              {booking.items.length === 0 ? (
                <p className="mt-2 text-slate-600">No tickets were taken for this booking.</p>
              ) : (
                <table className="mt-2 w-full text-left">
                  <caption className="sr-only">Tickets in this booking</caption>
                  <thead className="text-sm text-slate-600">
                    <tr>
                      <th scope="col" className="py-2 font-medium">
                        Tier
                      </th>
                      <th scope="col" className="py-2 text-right font-medium">
                        Qty
                      </th>
                      <th scope="col" className="hidden py-2 text-right font-medium sm:table-cell">
                        Price
                      </th>
                      <th scope="col" className="py-2 text-right font-medium">
                        Subtotal
                      </th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100 border-y border-slate-200">
                    {booking.items.map((item) => (
                      <tr key={item.tierId}>
                        <th scope="row" className="py-2.5 font-semibold text-slate-900">
                          {tierLabel(item.tierName)}
                        </th>
                        <td className="py-2.5 text-right tabular-nums">{item.quantity}</td>
                        <td className="hidden py-2.5 text-right tabular-nums sm:table-cell">
                          {formatCents(toCents(item.pricePerTicket))}
                        </td>
                        <td className="py-2.5 text-right tabular-nums">
                          {formatCents(toCents(item.pricePerTicket) * item.quantity)}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <p className="mt-3 flex items-baseline justify-between">
                <span className="font-semibold text-slate-900">{booking.status === 'cancelled' ? 'Total (refunded)' : 'Total'}</span>
                <span className="text-2xl font-extrabold tabular-nums text-slate-900" data-testid="booking-total">
                  {formatCents(toCents(booking.totalAmount))}
                </span>
              </p>
            </>
          )}

          <div role="alert" className="mt-4 empty:hidden">
            {cancel.isError && staleCancel && booking.status === 'cancelled' ? (
              <Alert tone="info" title="It was already cancelled">
                This booking had been cancelled before you pressed cancel (in another tab, or by the box office). Nothing
                else changed.
              </Alert>
            ) : cancel.isError && !staleCancel ? (
              <Alert tone="error" title={cancelErrorTitle(cancel.error)}>
                {cancelErrorText(cancel.error)}
              </Alert>
            ) : null}
          </div>
          {booking.status === 'cancelled' && (
            <>
              <p className="mt-4 text-slate-700">
                {concert.data?.status === 'cancelled'
                  ? 'The concert was cancelled, so this booking was cancelled and refunded.'
                  : 'This booking was cancelled and refunded, and its tickets went back on sale.'}
              </p>
              <div className="mt-4" data-testid="tickets-void">
                <Alert tone="warning" title="Its tickets are void">
                  They will not get anyone in: a ticket of a cancelled booking is refused at the door, printed or
                  not.
                </Alert>
              </div>
            </>
          )}
          {booking.status === 'confirmed' && concertStarted && (
            <p className="mt-4 text-slate-700">The concert has started, so this booking can no longer be cancelled.</p>
          )}

          <div className="mt-6 flex flex-col gap-3 sm:flex-row sm:justify-between">
            <Link
              to={`/concerts/${booking.concertId}`}
              className="rounded-lg border border-slate-300 px-4 py-2.5 text-center font-semibold text-slate-800 hover:bg-slate-50"
            >
              {booking.status === 'confirmed' ? 'Book more tickets' : 'Back to the concert'}
            </Link>
            {booking.status === 'confirmed' && !concertStarted && (
              <button
                type="button"
                onClick={() => {
                  cancel.reset();
                  setConfirming(true);
                }}
                className="rounded-lg border border-rose-300 px-4 py-2.5 font-semibold text-rose-800 hover:bg-rose-50"
              >
                Cancel booking
              </button>
            )}
          </div>
        </div>
      </article>

      {booking.status === 'confirmed' && (
        <ChunkBoundary what="your tickets">
          <Suspense fallback={<Loading label="Loading your tickets…" />}>
            <BookingTickets
              booking={booking}
              concert={concert.data}
              ownerName={ownerName}
              cardComplete={!me.isPending && !concert.isPending}
            />
          </Suspense>
        </ChunkBoundary>
      )}

      <ConfirmDialog
        open={confirming}
        title="Cancel this booking?"
        body={`Your ${ticketCount === 1 ? 'ticket goes' : `${ticketCount} tickets go`} back on sale and the ${formatCents(
          toCents(booking.totalAmount),
        )} is refunded. This cannot be undone.`}
        confirmLabel="Yes, cancel booking"
        cancelLabel="Keep my booking"
        busy={cancel.isPending}
        onConfirm={() => {
          cancel.mutate();
        }}
        onClose={() => {
          if (!cancel.isPending) setConfirming(false);
        }}
      />
    </div>
  );
}
