// Booking search: by reference, email or part of a name, by concert and status.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useId, useState, type SyntheticEvent } from 'react';
import { getAdminConcerts, searchBookings } from '../api/admin';
import type { AdminBooking, BookingStatus } from '../api/types';
import { SpinnerIcon } from '../components/icons';
import { Alert, ErrorState, Loading, errorText } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { formatDateTime } from '../lib/format';
import { formatPrice } from '../lib/money';
import { Link, navigate, useLocation } from '../lib/router';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { adminKeys, adminPaths } from './routes';
import { buttonPrimary, buttonSecondary, inputClass, PageHeading } from './ui';

const STATUSES: { value: BookingStatus | ''; label: string }[] = [
  { value: '', label: 'Any status' },
  { value: 'confirmed', label: 'Confirmed' },
  { value: 'cancelled', label: 'Cancelled' },
  { value: 'payment_failed', label: 'Payment declined' },
  { value: 'rejected', label: 'Not enough tickets' },
];

const PAGE = 50;

function paramsOf(search: string) {
  const p = new URLSearchParams(search);
  return { q: p.get('q') ?? '', concertId: p.get('concertId') ?? '', status: p.get('status') ?? '' };
}

export function BookingsPage() {
  useDocumentTitle('Box office: bookings');
  const { search } = useLocation();
  const params = paramsOf(search);
  const concerts = useQuery({ queryKey: adminKeys.concerts, queryFn: ({ signal }) => getAdminConcerts(signal) });
  const results = useInfiniteQuery({
    queryKey: adminKeys.bookings(params),
    queryFn: ({ pageParam, signal }) =>
      searchBookings({ ...params, status: params.status as BookingStatus | '', cursor: pageParam, limit: PAGE }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = results.data?.pages.flatMap((p) => p.bookings) ?? [];
  const concertName = concerts.data?.find((c) => c.id === params.concertId)?.name;

  return (
    <section>
      <PageHeading
        title="Bookings"
        sub={concertName ? `For ${concertName}` : 'Find a booking by its reference, the fan’s email or part of a name.'}
      />
      <SearchForm key={search} initial={params} concerts={concerts.data?.map((c) => ({ id: c.id, name: c.name })) ?? []} />
      <div className="mt-6">
        {results.isPending ? (
          <Loading label="Searching…" />
        ) : results.isError && rows.length === 0 ? (
          <ErrorState title="The search failed" error={results.error} onRetry={() => void results.refetch()} />
        ) : rows.length === 0 ? (
          <p className="rounded-2xl bg-white p-10 text-center text-slate-600 ring-1 ring-slate-200">No bookings match.</p>
        ) : (
          <>
            <Results rows={rows} />
            <div role="alert" className="mt-4 empty:hidden">
              {results.isFetchNextPageError && <Alert tone="error" title="We couldn’t load more">{errorText(results.error)}</Alert>}
            </div>
            {results.hasNextPage && (
              <button
                type="button"
                className={`${buttonSecondary} mt-4`}
                disabled={results.isFetchingNextPage}
                onClick={() => void results.fetchNextPage()}
              >
                {results.isFetchingNextPage ? (
                  <>
                    <SpinnerIcon /> Loading…
                  </>
                ) : (
                  'Load more'
                )}
              </button>
            )}
          </>
        )}
      </div>
    </section>
  );
}

function SearchForm({
  initial,
  concerts,
}: {
  initial: { q: string; concertId: string; status: string };
  concerts: { id: string; name: string }[];
}) {
  const [q, setQ] = useState(initial.q);
  const [concertId, setConcertId] = useState(initial.concertId);
  const [status, setStatus] = useState(initial.status);
  const qId = useId();
  const concertFieldId = useId();
  const statusId = useId();

  function onSubmit(e: SyntheticEvent<HTMLFormElement>) {
    e.preventDefault();
    navigate(adminPaths.bookings({ q: q.trim(), concertId, status }), { replace: true });
  }

  return (
    <form role="search" onSubmit={onSubmit} className="grid gap-4 rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200 md:grid-cols-[minmax(0,2fr)_minmax(0,2fr)_minmax(0,1fr)_auto] md:items-end">
      <div>
        <label htmlFor={qId} className="block font-semibold text-slate-900">
          Reference, email or name
        </label>
        <input id={qId} type="search" className={inputClass} value={q} onChange={(e) => { setQ(e.target.value); }} />
      </div>
      <div>
        <label htmlFor={concertFieldId} className="block font-semibold text-slate-900">
          Concert
        </label>
        <select id={concertFieldId} className={inputClass} value={concertId} onChange={(e) => { setConcertId(e.target.value); }}>
          <option value="">All concerts</option>
          {concertId !== '' && !concerts.some((c) => c.id === concertId) && <option value={concertId}>{concertId}</option>}
          {concerts.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor={statusId} className="block font-semibold text-slate-900">
          Status
        </label>
        <select id={statusId} className={inputClass} value={status} onChange={(e) => { setStatus(e.target.value); }}>
          {STATUSES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className={buttonPrimary}>
        Search
      </button>
    </form>
  );
}

function Results({ rows }: { rows: AdminBooking[] }) {
  return (
    <div className="overflow-x-auto rounded-2xl bg-white px-5 shadow-sm ring-1 ring-slate-200">
      <table className="w-full min-w-[48rem] text-left">
        <caption className="sr-only">Bookings found</caption>
        <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="py-3 pr-4 font-semibold">Reference</th>
            <th scope="col" className="py-3 pr-4 font-semibold">Fan</th>
            <th scope="col" className="py-3 pr-4 font-semibold">Concert</th>
            <th scope="col" className="py-3 pr-4 font-semibold">Status</th>
            <th scope="col" className="py-3 pr-4 text-right font-semibold">Tickets</th>
            <th scope="col" className="py-3 pr-4 text-right font-semibold">Total</th>
            <th scope="col" className="py-3 font-semibold">Booked</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((b) => (
            <tr key={b.id} data-booking-id={b.id}>
              <th scope="row" className="py-3 pr-4 text-left font-normal">
                <Link to={adminPaths.booking(b.id)} className="font-mono text-sm font-semibold text-indigo-700 hover:underline">
                  {b.id}
                </Link>
              </th>
              <td className="py-3 pr-4 text-sm">
                <div className="font-semibold text-slate-900">{b.guestName ?? b.fan.name}</div>
                <div className="text-slate-600">{b.fan.email}</div>
              </td>
              <td className="py-3 pr-4 text-sm text-slate-800">{b.concertName}</td>
              <td className="py-3 pr-4">
                <StatusBadge status={b.status} />
              </td>
              <td className="py-3 pr-4 text-right tabular-nums">{b.items.reduce((n, i) => n + i.quantity, 0)}</td>
              <td className="py-3 pr-4 text-right tabular-nums">{formatPrice(b.totalAmount)}</td>
              <td className="py-3 text-sm text-slate-700">{formatDateTime(b.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
