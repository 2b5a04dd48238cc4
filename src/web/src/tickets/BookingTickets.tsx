// A confirmed booking's tickets: one QR code per ticket (drawn here from the
// signed code of GET /api/bookings/:id/tickets), its tier, "Ticket n of N"
// and the code as text, and a print view with one ticket per page. Its own
// chunk (with the QR encoder), loaded only for a confirmed booking.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { ApiError } from '../api/client';
import { getBookingTickets } from '../api/endpoints';
import type { Booking, Concert, Ticket } from '../api/types';
import { Alert, ErrorState, Loading } from '../components/States';
import { formatZonedDateTime, tierLabel } from '../lib/format';
import { queryKeys } from '../lib/queryClient';
import { qrPicture } from './qr';

export interface BookingTicketsProps {
  booking: Booking;
  concert: Concert | undefined;
  /** The fan's name, printed on each ticket; null when someone else (an admin) looks. */
  ownerName: string | null;
  /**
   * Whether the booking's card above the tickets has stopped growing (the concert and the
   * viewer arrive by queries of their own). Until then the codes are not shown: a code that
   * moves on the screen while a door scanner reads it is not read.
   */
  cardComplete: boolean;
}

const notConfirmed = (err: unknown) => err instanceof ApiError && err.code === 'BOOKING_NOT_CONFIRMED';

export default function BookingTickets({ booking, concert, ownerName, cardComplete }: BookingTicketsProps) {
  const queryClient = useQueryClient();
  const tickets = useQuery({
    queryKey: queryKeys.tickets(booking.id),
    queryFn: ({ signal }) => getBookingTickets(booking.id, signal),
    // The codes do not change; a cancellation is learnt through the booking.
    staleTime: Infinity,
  });
  const voided = tickets.isError && notConfirmed(tickets.error);

  // The booking changed meanwhile (cancelled in another tab or by the box office): show it as it is.
  useEffect(() => {
    if (voided) void queryClient.invalidateQueries({ queryKey: queryKeys.booking(booking.id), exact: true });
  }, [voided, queryClient, booking.id]);

  if (voided) {
    return (
      <section aria-labelledby="tickets-heading" className="mt-8" data-testid="tickets-void">
        <h2 id="tickets-heading" className="sr-only">
          Tickets
        </h2>
        <Alert tone="warning" title="These tickets are no longer valid">
          This booking is not confirmed any more, so its tickets are void and cannot be shown.
        </Alert>
      </section>
    );
  }
  if (tickets.isError) {
    return (
      <section className="mt-8">
        <ErrorState title="We couldn’t load your tickets" error={tickets.error} onRetry={() => void tickets.refetch()} />
      </section>
    );
  }
  if (tickets.isPending || !cardComplete) return <Loading label="Loading your tickets…" />;
  return <TicketList tickets={tickets.data} booking={booking} concert={concert} ownerName={ownerName} />;
}

export function TicketList({
  tickets,
  booking,
  concert,
  ownerName,
}: Omit<BookingTicketsProps, 'cardComplete'> & { tickets: readonly Ticket[] }) {
  const when = concert ? formatZonedDateTime(concert.startsAt ?? concert.eventDate, concert.timeZone) : null;
  return (
    <section aria-labelledby="tickets-heading" className="mt-8 print:mt-0">
      <div className="flex flex-wrap items-center justify-between gap-3 print:hidden">
        <div>
          <h2 id="tickets-heading" className="text-xl font-bold text-slate-900">
            Your tickets
          </h2>
          <p className="mt-1 text-slate-600">Show one code per person at the door, on your phone or printed.</p>
        </div>
        <button
          type="button"
          onClick={() => {
            window.print();
          }}
          className="rounded-lg border border-slate-300 bg-white px-4 py-2.5 font-semibold text-slate-800 shadow-sm hover:bg-slate-50"
        >
          Print tickets
        </button>
      </div>
      <ol className="mt-4 grid gap-4 sm:grid-cols-2 print:mt-0 print:block" aria-label="Tickets">
        {tickets.map((ticket, i) => (
          <li
            key={ticket.index}
            data-testid="ticket"
            aria-label={`Ticket ${i + 1} of ${tickets.length}`}
            className="break-inside-avoid rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200 print:break-after-page print:rounded-none print:p-0 print:shadow-none print:ring-0 print:last:break-after-auto"
          >
            {/* On paper a ticket stands alone: what, where, when and whose. */}
            <div className="hidden print:mb-6 print:block" data-testid="ticket-print-header">
              <p className="text-2xl font-extrabold">{concert?.name ?? 'Concert'}</p>
              {concert && <p className="mt-1">{concert.venue}</p>}
              {when && <p className="mt-1">{when}</p>}
              {ownerName !== null && <p className="mt-1">{ownerName}</p>}
              <p className="mt-1 font-mono text-sm">Booking {booking.id}</p>
            </div>
            <div className="flex items-baseline justify-between gap-3">
              <p className="text-lg font-bold text-slate-900">{tierLabel(ticket.tierName)}</p>
              <p className="text-sm font-medium text-slate-600">
                Ticket {i + 1} of {tickets.length}
              </p>
            </div>
            <TicketQr code={ticket.code} label={`QR code of ticket ${i + 1} of ${tickets.length}`} />
            <p
              className="mt-3 select-all break-all font-mono text-xs leading-relaxed text-slate-700"
              data-testid="ticket-code"
            >
              {ticket.code}
            </p>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The code as a QR symbol: dark squares on white, whatever the page's colours. */
export function TicketQr({ code, label }: { code: string; label: string }) {
  const qr = useMemo(() => qrPicture(code), [code]);
  return (
    <svg
      role="img"
      aria-label={label}
      data-testid="ticket-qr"
      viewBox={`0 0 ${qr.size} ${qr.size}`}
      shapeRendering="crispEdges"
      className="mx-auto mt-3 block aspect-square w-full max-w-[17rem] bg-white print:max-w-[9cm]"
    >
      <rect width={qr.size} height={qr.size} fill="#fff" />
      <path d={qr.path} fill="#000" />
    </svg>
  );
}
