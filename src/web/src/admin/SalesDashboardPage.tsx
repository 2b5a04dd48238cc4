// The live sales of one concert, refreshed every second: it reads one small
// summary (GET /api/admin/concerts/:id/sales), cheap for the server in a rush.
import { useQuery } from '@tanstack/react-query';
import { bookingsCsvUrl, getAdminConcert, getConcertSales } from '../api/admin';
import { ApiError } from '../api/client';
import type { ConcertSales } from '../api/types';
import { Alert, ErrorState, Loading, errorText } from '../components/States';
import { formatZonedDateTime, tierLabel } from '../lib/format';
import { formatPrice } from '../lib/money';
import { Link } from '../lib/router';
import { rateSeries } from '../lib/salesSeries';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useNow } from '../lib/useNow';
import { NotFoundPage } from '../pages/NotFoundPage';
import { RateChart } from './RateChart';
import { adminKeys, adminPaths } from './routes';
import { buttonSecondary, concertState, ConcertStatusBadge, PageHeading } from './ui';

export const SALES_REFRESH_MS = 1_000;

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' });

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="rounded-2xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
      <dt className="text-sm font-medium text-slate-600">{label}</dt>
      <dd className="mt-1 text-2xl font-extrabold tabular-nums text-slate-900" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

export function SalesDashboardPage({ id }: { id: string }) {
  const concert = useQuery({ queryKey: adminKeys.concert(id), queryFn: ({ signal }) => getAdminConcert(id, signal) });
  const sales = useQuery({
    queryKey: adminKeys.sales(id),
    queryFn: ({ signal }) => getConcertSales(id, signal),
    refetchInterval: SALES_REFRESH_MS,
    // Keep refreshing in a background tab too: a box office watches several at once.
    refetchIntervalInBackground: true,
    staleTime: 0,
    retry: false,
  });
  useDocumentTitle(concert.data ? `Sales: ${concert.data.name}` : 'Sales');
  const now = useNow(SALES_REFRESH_MS);

  const notFound = [concert.error, sales.error].some((e) => e instanceof ApiError && e.status === 404);
  if (notFound) return <NotFoundPage what="concert" />;
  if (concert.isError && !concert.data) {
    return <ErrorState title="We couldn’t load this concert" error={concert.error} onRetry={() => void concert.refetch()} />;
  }
  if (concert.isPending || sales.isPending) return <Loading label="Loading sales…" />;
  const c = concert.data;

  return (
    <section>
      <PageHeading
        title={c.name}
        sub={
          <span className="flex flex-wrap items-center gap-2">
            <ConcertStatusBadge status={c.status} />
            <span>{concertState(c, now)}</span>
            <span aria-hidden="true">·</span>
            <span>{formatZonedDateTime(c.startsAt, c.timeZone)}</span>
          </span>
        }
      >
        <Link to={adminPaths.concert(c.id)} className={buttonSecondary}>
          Edit
        </Link>
        <Link to={adminPaths.bookings({ concertId: c.id })} className={buttonSecondary}>
          Bookings
        </Link>
        <a href={bookingsCsvUrl(c.id)} download className={buttonSecondary}>
          Export CSV
        </a>
      </PageHeading>
      {sales.data ? (
        <Dashboard sales={sales.data} stale={sales.isError} error={sales.error} />
      ) : (
        <ErrorState title="We couldn’t load the sales" error={sales.error} onRetry={() => void sales.refetch()} />
      )}
    </section>
  );
}

function Dashboard({ sales, stale, error }: { sales: ConcertSales; stale: boolean; error: unknown }) {
  const points = rateSeries(sales.perMinute, sales.generatedAt);
  const { totals, outcomes } = sales;
  const generated = Date.parse(sales.generatedAt);
  return (
    <div className="space-y-6">
      <p className="text-sm text-slate-600" aria-live="off">
        Live: refreshes every second · as of{' '}
        <time dateTime={sales.generatedAt} className="tabular-nums">
          {Number.isNaN(generated) ? sales.generatedAt : timeOfDay.format(generated)}
        </time>
      </p>
      {stale && (
        <Alert tone="warning" title="Not refreshing">
          {errorText(error)} The figures below are the last ones we received.
        </Alert>
      )}
      <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Stat label="Tickets sold" value={`${totals.sold} / ${totals.capacity}`} testId="sales-sold" />
        <Stat label="Confirmed bookings" value={String(outcomes.confirmed)} testId="sales-confirmed" />
        <Stat label="Gross" value={formatPrice(totals.grossAmount)} testId="sales-gross" />
        <Stat label="Refunded" value={formatPrice(totals.refundedAmount)} testId="sales-refunded" />
      </dl>
      <RateChart points={points} />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <div className="overflow-x-auto rounded-2xl bg-white px-5 shadow-sm ring-1 ring-slate-200">
          <table className="w-full text-left">
            <caption className="py-3 text-left text-lg font-bold text-slate-900">By tier</caption>
            <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="py-2 pr-3 font-semibold">Tier</th>
                <th scope="col" className="py-2 pr-3 text-right font-semibold">Price</th>
                <th scope="col" className="py-2 pr-3 font-semibold">Sold</th>
                <th scope="col" className="py-2 pr-3 text-right font-semibold">Left</th>
                <th scope="col" className="py-2 text-right font-semibold">Gross</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {sales.tiers.map((t) => {
                const share = t.capacity > 0 ? Math.min(100, (t.sold / t.capacity) * 100) : 0;
                return (
                  <tr key={t.tierId}>
                    <th scope="row" className="py-2.5 pr-3 font-semibold text-slate-900">{tierLabel(t.tierName)}</th>
                    <td className="py-2.5 pr-3 text-right tabular-nums">{formatPrice(t.price)}</td>
                    <td className="py-2.5 pr-3 tabular-nums">
                      <div className="flex items-center gap-2">
                        <span className="w-20 whitespace-nowrap">{t.sold} / {t.capacity}</span>
                        <span className="h-1.5 w-24 overflow-hidden rounded-full bg-slate-200" aria-hidden="true">
                          <span className="block h-full rounded-full bg-indigo-600" style={{ width: `${share}%` }} />
                        </span>
                      </div>
                    </td>
                    <td className="py-2.5 pr-3 text-right tabular-nums">{t.available}</td>
                    <td className="py-2.5 text-right tabular-nums">{formatPrice(t.grossAmount)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <div className="rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
          <h2 className="text-lg font-bold text-slate-900">Booking outcomes</h2>
          <dl className="mt-3 divide-y divide-slate-100">
            {(
              [
                ['Confirmed', outcomes.confirmed],
                ['Cancelled', outcomes.cancelled],
                ['Payment declined', outcomes.declined],
                ['Not enough tickets', outcomes.rejected],
              ] as const
            ).map(([label, n]) => (
              <div key={label} className="flex justify-between py-2">
                <dt className="text-slate-700">{label}</dt>
                <dd className="font-semibold tabular-nums text-slate-900">{n}</dd>
              </div>
            ))}
          </dl>
        </div>
      </div>
    </div>
  );
}
