// One booking as the box office sees it: the fan, the tickets, the audit
// trail (who changed what, when and why), and cancel-for-a-fan with a reason.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type SyntheticEvent } from 'react';
import { cancelBookingForFan, getAdminBooking } from '../api/admin';
import { ApiError } from '../api/client';
import type { AdminBookingDetail, BookingEvent, BookingStatus } from '../api/types';
import { Alert, ErrorState, Loading, errorText } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { formatDateTime, tierLabel } from '../lib/format';
import { formatCents, formatPrice, toCents } from '../lib/money';
import { Link } from '../lib/router';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { NotFoundPage } from '../pages/NotFoundPage';
import { adminKeys, adminPaths } from './routes';
import { buttonDanger, inputClass, PageHeading } from './ui';

export const MAX_REASON = 500;

const STATUS_WORDS: Record<BookingStatus, string> = {
  confirmed: 'confirmed',
  cancelled: 'cancelled',
  payment_failed: 'payment declined',
  rejected: 'not enough tickets',
};

const words = (s: BookingStatus) => (STATUS_WORDS as Partial<Record<string, string>>)[s] ?? s;

export function AdminBookingPage({ id }: { id: string }) {
  const booking = useQuery({ queryKey: adminKeys.booking(id), queryFn: ({ signal }) => getAdminBooking(id, signal) });
  useDocumentTitle(booking.data ? `Booking of ${booking.data.fan.name} · ${booking.data.concertName}` : 'Booking');

  if (booking.isError && !booking.data) {
    if (booking.error instanceof ApiError && booking.error.status === 404) return <NotFoundPage what="booking" />;
    return <ErrorState title="We couldn’t load this booking" error={booking.error} onRetry={() => void booking.refetch()} />;
  }
  if (booking.isPending) return <Loading label="Loading booking…" />;
  return <Detail booking={booking.data} />;
}

function Detail({ booking }: { booking: AdminBookingDetail }) {
  const tickets = booking.items.reduce((n, i) => n + i.quantity, 0);
  const charged = booking.status === 'confirmed' || booking.status === 'cancelled';
  return (
    <section>
      <PageHeading
        title={`Booking of ${booking.guestName ?? booking.fan.name}`}
        sub={
          <span className="flex flex-wrap items-center gap-2">
            <StatusBadge status={booking.status} />
            <Link to={adminPaths.sales(booking.concertId)} className="font-semibold text-indigo-700 hover:underline">
              {booking.concertName}
            </Link>
          </span>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="space-y-6">
          <div className="rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200 sm:p-6">
            <dl className="grid gap-4 sm:grid-cols-2">
              <div className="sm:col-span-2">
                <dt className="text-sm font-medium text-slate-600">Booking reference</dt>
                <dd className="mt-0.5 break-all font-mono font-semibold text-slate-900" data-testid="booking-id">{booking.id}</dd>
              </div>
              <div>
                <dt className="text-sm font-medium text-slate-600">Fan</dt>
                <dd className="mt-0.5 font-semibold text-slate-900">{booking.fan.name}</dd>
                <dd className="text-sm text-slate-700">{booking.fan.email}</dd>
              </div>
              {booking.guestName && (
                <div>
                  <dt className="text-sm font-medium text-slate-600">Name given at checkout</dt>
                  <dd className="mt-0.5 text-slate-900">{booking.guestName}</dd>
                </div>
              )}
              <div>
                <dt className="text-sm font-medium text-slate-600">Booked</dt>
                <dd className="mt-0.5 text-slate-900">{formatDateTime(booking.createdAt)}</dd>
              </div>
              <div>
                <dt className="text-sm font-medium text-slate-600">Last change</dt>
                <dd className="mt-0.5 text-slate-900">{formatDateTime(booking.updatedAt)}</dd>
              </div>
            </dl>
            {booking.items.length === 0 ? (
              <p className="mt-6 text-slate-700">
                No tickets were taken: {words(booking.status)}. {formatPrice(booking.totalAmount)} was asked for and not charged.
              </p>
            ) : (
              <table className="mt-6 w-full text-left">
                <caption className="sr-only">Tickets</caption>
                <thead className="text-sm text-slate-600">
                  <tr>
                    <th scope="col" className="py-2 font-medium">Tier</th>
                    <th scope="col" className="py-2 text-right font-medium">Qty</th>
                    <th scope="col" className="py-2 text-right font-medium">Price</th>
                    <th scope="col" className="py-2 text-right font-medium">Subtotal</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100 border-y border-slate-200">
                  {booking.items.map((item) => (
                    <tr key={item.tierId}>
                      <th scope="row" className="py-2 font-semibold text-slate-900">{tierLabel(item.tierName)}</th>
                      <td className="py-2 text-right tabular-nums">{item.quantity}</td>
                      <td className="py-2 text-right tabular-nums">{formatPrice(item.pricePerTicket)}</td>
                      <td className="py-2 text-right tabular-nums">{formatCents(toCents(item.pricePerTicket) * item.quantity)}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row" className="pt-3 font-semibold text-slate-900">
                      {booking.status === 'cancelled' ? 'Total (refunded)' : 'Total'}
                    </th>
                    <td className="pt-3 text-right tabular-nums">{tickets}</td>
                    <td />
                    <td className="pt-3 text-right text-lg font-extrabold tabular-nums" data-testid="booking-total">
                      {charged ? formatPrice(booking.totalAmount) : '—'}
                    </td>
                  </tr>
                </tfoot>
              </table>
            )}
          </div>
          {booking.status === 'confirmed' && <CancelForFan booking={booking} />}
        </div>
        <AuditTrail events={booking.events} />
      </div>
    </section>
  );
}

function CancelForFan({ booking }: { booking: AdminBookingDetail }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const fieldId = useId();
  const errorId = useId();
  const cancel = useMutation({
    mutationFn: (why: string) => cancelBookingForFan(booking.id, why),
    onSuccess: (updated) => {
      queryClient.setQueryData(adminKeys.booking(updated.id), updated);
      void queryClient.invalidateQueries({ queryKey: ['admin', 'bookings'] });
      void queryClient.invalidateQueries({ queryKey: adminKeys.sales(updated.concertId) });
      void queryClient.invalidateQueries({ queryKey: adminKeys.concerts });
    },
    onError: (err) => {
      // Changed meanwhile (the fan cancelled?): show it as it is now.
      if (err instanceof ApiError && (err.code === 'BOOKING_NOT_CANCELLABLE' || err.status === 404)) {
        void queryClient.invalidateQueries({ queryKey: adminKeys.booking(booking.id) });
      }
    },
  });
  const missing = reason.trim() === '';

  function onSubmit(e: SyntheticEvent<HTMLFormElement>) {
    e.preventDefault();
    setTried(true);
    if (missing || cancel.isPending) return;
    cancel.mutate(reason.trim());
  }

  return (
    <form onSubmit={onSubmit} noValidate className="rounded-2xl bg-white p-5 shadow-sm ring-1 ring-rose-200 sm:p-6">
      <h2 className="text-lg font-bold text-slate-900">Cancel for the fan</h2>
      <p className="mt-1 text-sm text-slate-600">
        The tickets go back on sale and {formatPrice(booking.totalAmount)} is refunded. The reason is kept in the audit trail.
      </p>
      <label htmlFor={fieldId} className="mt-4 block font-semibold text-slate-900">
        Reason
      </label>
      <textarea
        id={fieldId}
        rows={3}
        maxLength={MAX_REASON}
        required
        aria-invalid={tried && missing ? true : undefined}
        aria-describedby={tried && missing ? errorId : undefined}
        value={reason}
        disabled={cancel.isPending}
        onChange={(e) => {
          setReason(e.target.value);
        }}
        className={inputClass}
      />
      {tried && missing && (
        <p id={errorId} className="mt-1 text-sm font-medium text-rose-700">
          Say why: the reason is kept in the booking’s audit trail.
        </p>
      )}
      <div role="alert" className="mt-3 empty:hidden">
        {cancel.isError && (
          <Alert tone="error" title="Not cancelled">
            {cancel.error instanceof ApiError && cancel.error.code === 'BOOKING_NOT_CANCELLABLE'
              ? 'This booking can no longer be cancelled; it is shown as it is now.'
              : errorText(cancel.error)}
          </Alert>
        )}
      </div>
      <button type="submit" className={`${buttonDanger} mt-4`} disabled={cancel.isPending}>
        {cancel.isPending ? 'Cancelling…' : 'Cancel booking and refund'}
      </button>
    </form>
  );
}

function AuditTrail({ events }: { events: BookingEvent[] }) {
  return (
    <section aria-labelledby="audit-heading" className="rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200 sm:p-6">
      <h2 id="audit-heading" className="text-lg font-bold text-slate-900">
        Audit trail
      </h2>
      {events.length === 0 ? (
        <p className="mt-3 text-slate-600">No changes recorded.</p>
      ) : (
        <ol className="mt-4 space-y-4 border-l-2 border-slate-200 pl-5">
          {events.map((e, i) => (
            <li key={`${e.at}-${i}`} className="relative" data-testid="audit-event">
              <span className="absolute -left-[1.68rem] top-1.5 h-3 w-3 rounded-full bg-indigo-600 ring-4 ring-white" aria-hidden="true" />
              <p className="font-semibold text-slate-900">
                {e.fromStatus === null ? `Created: ${words(e.toStatus)}` : `${words(e.fromStatus)} → ${words(e.toStatus)}`}
              </p>
              <p className="text-sm text-slate-600">
                <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                {' · '}
                {e.actor ? `by ${e.actor.name} (${e.actor.email})` : 'by the system'}
              </p>
              {e.reason && <p className="mt-1 rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-800">“{e.reason}”</p>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
