import { useQuery } from '@tanstack/react-query';
import { bookingsCsvUrl, getAdminConcerts } from '../api/admin';
import type { AdminConcert } from '../api/types';
import { ErrorState, Loading } from '../components/States';
import { formatZonedDateTime } from '../lib/format';
import { Link } from '../lib/router';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useNow } from '../lib/useNow';
import { adminKeys, adminPaths } from './routes';
import { buttonPrimary, concertState, ConcertStatusBadge, PageHeading } from './ui';

const linkClass = 'rounded font-semibold text-indigo-700 hover:underline';

function soldOf(c: AdminConcert): { sold: number; capacity: number } {
  return c.tiers.reduce((acc, t) => ({ sold: acc.sold + t.sold, capacity: acc.capacity + t.capacity }), { sold: 0, capacity: 0 });
}

function Row({ concert, now }: { concert: AdminConcert; now: number }) {
  const { sold, capacity } = soldOf(concert);
  const share = capacity > 0 ? Math.min(100, Math.round((sold / capacity) * 100)) : 0;
  return (
    <tr className="align-top" data-concert-id={concert.id}>
      <th scope="row" className="py-3 pr-4 text-left font-normal">
        <Link to={adminPaths.concert(concert.id)} className="font-semibold text-slate-900 hover:text-indigo-800 hover:underline">
          {concert.name}
        </Link>
        <div className="text-sm text-slate-600">{concert.venue}</div>
      </th>
      <td className="py-3 pr-4 text-sm text-slate-800">
        {formatZonedDateTime(concert.startsAt, concert.timeZone)}
        <div className="text-xs text-slate-500">{concert.timeZone}</div>
      </td>
      <td className="py-3 pr-4 text-sm text-slate-800">
        <div>
          <span className="text-slate-500">Opens </span>
          {formatZonedDateTime(concert.salesStart, concert.timeZone)}
        </div>
        <div>
          <span className="text-slate-500">Closes </span>
          {formatZonedDateTime(concert.salesEnd, concert.timeZone)}
        </div>
      </td>
      <td className="py-3 pr-4">
        <ConcertStatusBadge status={concert.status} />
        <div className="mt-1 text-xs text-slate-600">{concertState(concert, now)}</div>
      </td>
      <td className="py-3 pr-4 text-sm tabular-nums text-slate-800">
        {sold} / {capacity}
        <div className="mt-1 h-1.5 w-24 overflow-hidden rounded-full bg-slate-200" aria-hidden="true">
          <div className="h-full rounded-full bg-indigo-600" style={{ width: `${share}%` }} />
        </div>
      </td>
      <td className="py-3 text-sm">
        <div className="flex flex-wrap gap-x-3 gap-y-1">
          <Link to={adminPaths.concert(concert.id)} className={linkClass} aria-label={`Edit ${concert.name}`}>
            Edit
          </Link>
          <Link to={adminPaths.sales(concert.id)} className={linkClass} aria-label={`Sales of ${concert.name}`}>
            Sales
          </Link>
          <Link to={adminPaths.bookings({ concertId: concert.id })} className={linkClass} aria-label={`Bookings of ${concert.name}`}>
            Bookings
          </Link>
          <a href={bookingsCsvUrl(concert.id)} download className={linkClass} aria-label={`CSV of the bookings of ${concert.name}`}>
            CSV
          </a>
        </div>
      </td>
    </tr>
  );
}

export function ConcertsPage() {
  useDocumentTitle('Box office: concerts');
  const concerts = useQuery({
    queryKey: adminKeys.concerts,
    queryFn: ({ signal }) => getAdminConcerts(signal),
    refetchInterval: 30_000,
  });
  const now = useNow(15_000);

  return (
    <section>
      <PageHeading title="Concerts" sub="Every concert, drafts and cancelled ones included, by start.">
        <Link to={adminPaths.newConcert} className={buttonPrimary}>
          New concert
        </Link>
      </PageHeading>
      {concerts.isPending ? (
        <Loading label="Loading concerts…" />
      ) : concerts.isError ? (
        <ErrorState title="We couldn’t load the concerts" error={concerts.error} onRetry={() => void concerts.refetch()} />
      ) : concerts.data.length === 0 ? (
        <p className="rounded-2xl bg-white p-10 text-center text-slate-600 ring-1 ring-slate-200">
          No concerts yet. <Link to={adminPaths.newConcert} className={linkClass}>Create the first one</Link>.
        </p>
      ) : (
        <div className="overflow-x-auto rounded-2xl bg-white px-5 shadow-sm ring-1 ring-slate-200">
          <table className="w-full min-w-[56rem] text-left">
            <caption className="sr-only">Concerts</caption>
            <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="py-3 pr-4 font-semibold">Concert</th>
                <th scope="col" className="py-3 pr-4 font-semibold">Starts (venue time)</th>
                <th scope="col" className="py-3 pr-4 font-semibold">Sales</th>
                <th scope="col" className="py-3 pr-4 font-semibold">State</th>
                <th scope="col" className="py-3 pr-4 font-semibold">Sold</th>
                <th scope="col" className="py-3 font-semibold"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {concerts.data.map((c) => (
                <Row key={c.id} concert={c} now={now} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
