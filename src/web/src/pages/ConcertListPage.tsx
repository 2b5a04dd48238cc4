import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { getAvailability, getConcertPage } from '../api/endpoints';
import type { ConcertSummary } from '../api/types';
import { CalendarIcon, PinIcon, SpinnerIcon } from '../components/icons';
import { Alert, ErrorState, errorText } from '../components/States';
import { artworkStyle } from '../lib/artwork';
import { calendarParts, formatEventDate, formatMonthDay } from '../lib/format';
import { formatPrice } from '../lib/money';
import { concertHint } from '../lib/quantity';
import { queryKeys } from '../lib/queryClient';
import { Link } from '../lib/router';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useNow } from '../lib/useNow';
import { salesPhase } from '../lib/serverClock';

interface Summary {
  minPrice: number | undefined;
  available: number | undefined;
  total: number | undefined;
}

function hasSummary(c: ConcertSummary): boolean {
  return c.minPrice !== undefined && c.availableQuantity !== undefined;
}

/**
 * The price and stock of a concert: from the listing when the server sends
 * them, otherwise from the concert's availability (one request per card).
 */
function useSummary(concert: ConcertSummary): Summary {
  const fromListing = hasSummary(concert);
  const { data } = useQuery({
    queryKey: queryKeys.availability(concert.id),
    queryFn: ({ signal }) => getAvailability(concert.id, signal),
    enabled: !fromListing,
  });
  if (fromListing) {
    return { minPrice: concert.minPrice, available: concert.availableQuantity, total: concert.totalQuantity };
  }
  if (!data) return { minPrice: undefined, available: undefined, total: undefined };
  const tiers = data.tiers;
  return {
    minPrice: tiers.length ? Math.min(...tiers.map((t) => t.price)) : undefined,
    available: tiers.reduce((n, t) => n + t.availableQuantity, 0),
    total: tiers.reduce((n, t) => n + t.totalQuantity, 0),
  };
}

function Hint({ kind }: { kind: 'sold-out' | 'selling-fast' }) {
  return kind === 'sold-out' ? (
    <span className="rounded-full bg-slate-900/80 px-3 py-1 text-xs font-bold uppercase tracking-wide text-white">
      Sold out
    </span>
  ) : (
    <span className="rounded-full bg-amber-300 px-3 py-1 text-xs font-bold uppercase tracking-wide text-amber-950">
      Selling fast
    </span>
  );
}

function ConcertCard({ concert, now }: { concert: ConcertSummary; now: number }) {
  const summary = useSummary(concert);
  const hint = concertHint(summary.available, summary.total);
  // On the venue's clock and calendar, with its zone's abbreviation.
  const starts = concert.startsAt ?? concert.eventDate;
  const when = formatEventDate(starts, concert.timeZone);
  const cal = calendarParts(starts, concert.timeZone);
  const onSaleLater = concert.salesStart !== undefined && salesPhase(concert, now) === 'before';
  return (
    <li>
      <Link
        to={`/concerts/${concert.id}`}
        className="group flex h-full flex-col overflow-hidden rounded-2xl bg-white shadow-sm ring-1 ring-slate-200 transition hover:-translate-y-0.5 hover:shadow-lg hover:ring-indigo-300"
      >
        <div
          className={`relative flex h-28 items-end justify-between p-4 sm:h-32 ${hint === 'sold-out' ? 'grayscale' : ''}`}
          style={artworkStyle(concert.name)}
        >
          {cal && (
            <div className="rounded-xl bg-white/95 px-3 py-1.5 text-center shadow" aria-hidden="true">
              <div className="text-[11px] font-bold tracking-wider text-rose-600">{cal.month}</div>
              <div className="text-2xl font-extrabold leading-none text-slate-900">{cal.day}</div>
            </div>
          )}
          {onSaleLater && concert.salesStart ? (
            <span className="rounded-full bg-white/95 px-3 py-1 text-xs font-bold text-indigo-900">
              On sale {formatMonthDay(concert.salesStart, concert.timeZone)}
            </span>
          ) : (
            hint && <Hint kind={hint} />
          )}
        </div>
        <div className="flex flex-1 flex-col gap-2 p-5">
          <h2 className="text-lg font-bold leading-snug text-slate-900 group-hover:text-indigo-800">{concert.name}</h2>
          <p className="flex items-center gap-2 text-slate-700">
            <PinIcon className="h-4 w-4 shrink-0 text-slate-500" />
            {concert.venue}
          </p>
          <p className="flex items-center gap-2 text-slate-700">
            <CalendarIcon className="h-4 w-4 shrink-0 text-slate-500" />
            <span>
              {when.date}
              {when.time && <span className="text-slate-500"> · {when.time}</span>}
            </span>
          </p>
          <div className="mt-auto flex items-center justify-between pt-3">
            <span className="text-sm text-slate-600">
              {summary.minPrice !== undefined ? (
                <>
                  From <span className="text-base font-bold text-slate-900">{formatPrice(summary.minPrice)}</span>
                </>
              ) : (
                '\u00a0'
              )}
            </span>
            <span className="text-sm font-semibold text-indigo-700 group-hover:underline" aria-hidden="true">
              {hint === 'sold-out' ? 'View' : 'Get tickets'} →
            </span>
          </div>
        </div>
      </Link>
    </li>
  );
}

function SkeletonCards() {
  return (
    <ul aria-hidden="true" className="grid gap-5 sm:grid-cols-2 lg:grid-cols-3">
      {[0, 1, 2].map((i) => (
        <li key={i} className="h-72 animate-pulse rounded-2xl bg-white ring-1 ring-slate-200">
          <div className="h-32 rounded-t-2xl bg-slate-200" />
          <div className="space-y-3 p-5">
            <div className="h-5 w-3/4 rounded bg-slate-200" />
            <div className="h-4 w-1/2 rounded bg-slate-200" />
            <div className="h-4 w-2/3 rounded bg-slate-200" />
          </div>
        </li>
      ))}
    </ul>
  );
}

/**
 * The pages' concerts in order, each once: a concert can move from one page
 * to the next between two fetches (another was published before it).
 */
export function uniqueConcerts(pages: ConcertSummary[][]): ConcertSummary[] {
  const seen = new Set<string>();
  const out: ConcertSummary[] = [];
  for (const page of pages) {
    for (const c of page) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      out.push(c);
    }
  }
  return out;
}

export function ConcertListPage() {
  useDocumentTitle('Upcoming concerts');
  // 20 concerts a page, by start; the server's nextCursor asks for the next.
  const concerts = useInfiniteQuery({
    queryKey: queryKeys.concertPages,
    queryFn: ({ pageParam, signal }) => getConcertPage(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: 30_000,
  });
  const list = uniqueConcerts(concerts.data?.pages.map((p) => p.concerts) ?? []);
  const now = useNow(30_000);

  return (
    <section aria-labelledby="concerts-heading">
      <div className="mb-8">
        <h1 id="concerts-heading" className="text-3xl font-extrabold tracking-tight text-slate-900 sm:text-4xl">
          Upcoming concerts
        </h1>
        <p className="mt-2 max-w-2xl text-slate-600">
          Pick a show, choose your tickets and you’re in. Every booking is confirmed instantly — no double charges, no
          overselling.
        </p>
      </div>
      {concerts.isPending ? (
        <>
          <p role="status" className="sr-only">
            Loading concerts…
          </p>
          <SkeletonCards />
        </>
      ) : concerts.isError && list.length === 0 ? (
        <ErrorState
          title="We couldn’t load the concerts"
          error={concerts.error}
          onRetry={() => void concerts.refetch()}
        />
      ) : list.length === 0 ? (
        <p className="rounded-2xl bg-white p-10 text-center text-slate-600 ring-1 ring-slate-200">
          No concerts are on sale yet. Check back soon.
        </p>
      ) : (
        <>
          <ul className="grid gap-5 sm:grid-cols-2 lg:grid-cols-3">
            {list.map((c) => (
              <ConcertCard key={c.id} concert={c} now={now} />
            ))}
          </ul>
          <div role="alert" className="mt-6 empty:hidden">
            {concerts.isFetchNextPageError && (
              <Alert tone="error" title="We couldn’t load more concerts">
                {errorText(concerts.error)}
              </Alert>
            )}
          </div>
          {concerts.hasNextPage && (
            <div className="mt-8 text-center">
              <button
                type="button"
                onClick={() => void concerts.fetchNextPage()}
                disabled={concerts.isFetchingNextPage}
                className="inline-flex items-center gap-2 rounded-lg border border-slate-300 bg-white px-5 py-2.5 font-semibold text-slate-800 hover:bg-slate-50 disabled:opacity-60"
              >
                {concerts.isFetchingNextPage ? (
                  <>
                    <SpinnerIcon /> Loading…
                  </>
                ) : (
                  'More concerts'
                )}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
