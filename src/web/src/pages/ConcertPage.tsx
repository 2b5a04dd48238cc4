import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type RefObject, type SyntheticEvent } from 'react';
import { ApiError } from '../api/client';
import { getAvailability, getConcert } from '../api/endpoints';
import type { Concert, PaymentMethod, Tier } from '../api/types';
import { ArrowLeftIcon, CalendarIcon, ClockIcon, PinIcon, SpinnerIcon } from '../components/icons';
import { QuantityStepper } from '../components/QuantityStepper';
import { Alert, ErrorState, Loading } from '../components/States';
import { artworkStyle, TEXT_SCRIM } from '../lib/artwork';
import { DEFAULT_RETRY_POLICY } from '../lib/bookingAttempt';
import {
  describeBlocked,
  describeRejection,
  describeUnresolved,
  type BookingProblem,
  type FieldErrors,
} from '../lib/bookingErrors';
import { formatEventDate, formatZonedDateTime, tierLabel } from '../lib/format';
import { formatCents, formatPrice } from '../lib/money';
import {
  clampSelection,
  MAX_PER_LINE,
  maxSelectable,
  selectionCount,
  selectionLines,
  selectionTotalCents,
  setQuantity,
  stockLabel,
  type Selection,
} from '../lib/quantity';
import { queryKeys } from '../lib/queryClient';
import { authPath, Link, navigate } from '../lib/router';
import { sessionEnded, useConfig, useMe } from '../lib/session';
import { clearSelection, loadSelection, saveSelection } from '../lib/storage';
import { useBooking } from '../lib/useBooking';
import { formatCountdown, type SalesPhase } from '../lib/serverClock';
import { useSalesPhase } from '../lib/useSalesPhase';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { NotFoundPage } from './NotFoundPage';

/** How often availability refreshes while the page is open (and visible). */
const AVAILABILITY_REFRESH_MS = 5_000;

export function ConcertPage({ id }: { id: string }) {
  const concert = useQuery({
    queryKey: queryKeys.concert(id),
    queryFn: ({ signal }) => getConcert(id, signal),
  });
  const availability = useQuery({
    queryKey: queryKeys.availability(id),
    queryFn: ({ signal }) => getAvailability(id, signal),
    refetchInterval: AVAILABILITY_REFRESH_MS,
  });
  useDocumentTitle(concert.data?.name ?? null);

  if (concert.isError) {
    if (concert.error instanceof ApiError && concert.error.status === 404) {
      return <NotFoundPage what="concert" />;
    }
    return (
      <ErrorState title="We couldn’t load this concert" error={concert.error} onRetry={() => void concert.refetch()} />
    );
  }
  if (concert.isPending) return <Loading label="Loading concert…" />;

  const cancelled = concert.data.status === 'cancelled';
  return (
    <div>
      <BackLink />
      <ConcertHeader concert={concert.data} />
      {concert.data.description ? (
        <p className="mt-6 max-w-3xl whitespace-pre-line text-slate-700">{concert.data.description}</p>
      ) : null}
      {cancelled ? (
        <div className="mt-8 max-w-2xl">
          <Alert tone="warning" title="This concert has been cancelled">
            <p>It can no longer be booked. Every booking was cancelled and refunded.</p>
          </Alert>
        </div>
      ) : availability.isPending ? (
        <Loading label="Loading tickets…" />
      ) : availability.isError && !availability.data ? (
        <ErrorState
          title="We couldn’t load the tickets"
          error={availability.error}
          onRetry={() => void availability.refetch()}
        />
      ) : (
        <BookingForm concert={concert.data} tiers={availability.data.tiers} />
      )}
    </div>
  );
}

function BackLink() {
  return (
    <Link to="/" className="mb-4 inline-flex items-center gap-1.5 rounded text-sm font-medium text-indigo-700 hover:underline">
      <ArrowLeftIcon /> All concerts
    </Link>
  );
}

function ConcertHeader({ concert }: { concert: Concert }) {
  // On the venue's clock, with its zone's abbreviation ("8:00 PM EDT").
  const when = formatEventDate(concert.startsAt ?? concert.eventDate, concert.timeZone);
  const doors = concert.doorsAt ? formatEventDate(concert.doorsAt, concert.timeZone).time : null;
  const cancelled = concert.status === 'cancelled';
  return (
    <header
      className={`overflow-hidden rounded-3xl text-white shadow-lg ${cancelled ? 'grayscale' : ''}`}
      style={artworkStyle(concert.name, { scrim: TEXT_SCRIM })}
    >
      <div className="bg-gradient-to-t from-black/30 to-transparent px-6 pb-6 pt-16 sm:px-8 sm:pt-24">
        {cancelled && (
          <p className="mb-3 inline-block rounded-full bg-white px-3 py-1 text-sm font-bold uppercase tracking-wide text-rose-800">
            Cancelled
          </p>
        )}
        <h1 className="text-3xl font-extrabold tracking-tight drop-shadow sm:text-5xl">{concert.name}</h1>
        <ul className="mt-4 flex flex-col gap-2 text-white/95 sm:flex-row sm:flex-wrap sm:gap-x-6">
          <li className="flex items-center gap-2">
            <PinIcon className="shrink-0" /> {concert.venue}
          </li>
          <li className="flex items-center gap-2">
            <CalendarIcon className="shrink-0" /> {when.date}
          </li>
          {when.time && (
            <li className="flex items-center gap-2">
              <ClockIcon className="shrink-0" /> {when.time}
              {doors && <span className="text-white/90"> · doors {doors}</span>}
            </li>
          )}
        </ul>
      </div>
    </header>
  );
}

function TierRow({
  tier,
  quantity,
  disabled,
  error,
  onChange,
}: {
  tier: Tier;
  quantity: number;
  disabled: boolean;
  error: string | undefined;
  onChange: (q: number) => void;
}) {
  const stock = stockLabel(tier.availableQuantity, tier.totalQuantity);
  const max = maxSelectable(tier);
  const soldOut = stock.tone === 'none';
  const noteId = useId();
  const name = tierLabel(tier.tierName);
  const stockClass = {
    plenty: 'text-emerald-800',
    low: 'text-amber-800 font-semibold',
    none: 'text-slate-600 font-semibold',
  }[stock.tone];
  return (
    <li
      data-tier-id={tier.id}
      className={`flex flex-wrap items-center justify-between gap-4 rounded-2xl p-4 ring-1 sm:p-5 ${
        error ? 'ring-2 ring-amber-500' : quantity > 0 ? 'ring-2 ring-indigo-500' : 'ring-slate-200'
      } ${soldOut ? 'bg-slate-100' : 'bg-white'}`}
    >
      <div className="min-w-0">
        <h3 className="text-lg font-bold text-slate-900">{name}</h3>
        <p className="mt-0.5 text-slate-700">
          <span className="font-semibold text-slate-900">{formatPrice(tier.price)}</span>
          <span className="text-slate-500"> per ticket</span>
        </p>
        <p id={noteId} className={`mt-1 text-sm ${stockClass}`}>
          {stock.label}
          {!soldOut && max === MAX_PER_LINE && quantity >= MAX_PER_LINE && (
            <span className="font-normal text-slate-600"> · at most {MAX_PER_LINE} per booking</span>
          )}
        </p>
        {error && (
          <p className="mt-1 text-sm font-semibold text-amber-900" role="note">
            {error}
          </p>
        )}
      </div>
      {soldOut ? (
        <span className="rounded-full bg-white px-4 py-2 text-sm font-bold uppercase tracking-wide text-slate-700 ring-1 ring-slate-300">
          Sold out
        </span>
      ) : (
        <QuantityStepper
          label={name}
          value={quantity}
          max={max}
          disabled={disabled}
          onChange={onChange}
          describedBy={noteId}
        />
      )}
    </li>
  );
}

function BookingForm({ concert, tiers }: { concert: Concert; tiers: Tier[] }) {
  const queryClient = useQueryClient();
  const me = useMe();
  const config = useConfig();
  const { state, book } = useBooking();
  // Kept per concert in sessionStorage: a reload or a detour through sign-in keeps it.
  const [saved] = useState(() => loadSelection(concert.id));
  const [picked, setPicked] = useState<Selection>(saved?.tiers ?? {});
  const [chosenMethod, setPaymentMethod] = useState<PaymentMethod>(saved?.paymentMethod ?? 'card');
  const [problem, setProblem] = useState<BookingProblem | null>(null);
  const payId = useId();
  const bookId = useId();

  // What can be booked follows availability as it refreshes.
  const selection = clampSelection(picked, tiers);
  const lines = selectionLines(selection, tiers);
  const totalCents = selectionTotalCents(selection, tiers);
  const count = selectionCount(selection);
  const sending = state.phase === 'sending';
  const fields: FieldErrors = { ...problem?.fields };
  const allSoldOut = tiers.every((t) => t.availableQuantity <= 0);
  const summaryRef = useRef<HTMLElement>(null);
  // The bar at the bottom of a phone's screen shows until the Book button itself is in full view.
  const actionRef = useRef<HTMLDivElement>(null);
  const actionVisible = useInView(actionRef);
  const testPayments = config.data?.testPayments === true;
  const paymentMethod: PaymentMethod = testPayments ? chosenMethod : 'card';
  const user = me.data;
  const signedOut = user === null;
  const returnHere = `/concerts/${concert.id}`;
  // Booking opens and closes on the server's clock, not this browser's.
  const sales = useSalesPhase(concert);
  const onSale = sales.phase === 'open';
  const [waitedForSale] = useState(sales.phase === 'before');
  const salesStartMs = concert.salesStart ? Date.parse(concert.salesStart) : NaN;

  useEffect(() => {
    saveSelection(concert.id, { tiers: picked, paymentMethod: chosenMethod });
  }, [concert.id, picked, chosenMethod]);

  async function submit() {
    if (lines.length === 0 || !user || !onSale) return;
    setProblem(null);

    const outcome = await book({ concertId: concert.id, tickets: lines, totalCents, paymentMethod }, user.id);
    if (!outcome) return;
    if (outcome.kind === 'booked' || outcome.kind === 'recovered') {
      const booking = outcome.booking;
      queryClient.setQueryData(queryKeys.booking(booking.id), booking);
      void queryClient.invalidateQueries({ queryKey: queryKeys.availability(booking.concertId) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.concerts });
      void queryClient.invalidateQueries({ queryKey: queryKeys.myBookings });
      if (outcome.kind === 'booked') {
        clearSelection(concert.id);
        navigate(`/bookings/${booking.id}`, { state: { justBooked: true } });
      } else {
        // An earlier attempt went through after all: show it, book nothing new.
        navigate(`/bookings/${booking.id}`, { state: { recovered: true } });
      }
      return;
    }
    const described =
      outcome.kind === 'rejected'
        ? describeRejection(outcome.error, tiers, lines)
        : outcome.kind === 'blocked'
          ? describeBlocked(outcome.error)
          : describeUnresolved(outcome.error);
    setProblem(described);
    // The sale opened or closed at another time than we thought: read the concert (and the server's clock) again.
    if (described.refreshConcert) void queryClient.invalidateQueries({ queryKey: queryKeys.concert(concert.id) });
    if (described.refreshAvailability) {
      void queryClient.invalidateQueries({ queryKey: queryKeys.availability(concert.id) });
    }
    // Signed out behind our back: the form now offers sign-in, the selection stays.
    if (described.signIn) sessionEnded(queryClient);
  }

  function onSubmit(e: SyntheticEvent<HTMLFormElement>) {
    e.preventDefault();
    void submit();
  }

  return (
    <form onSubmit={onSubmit} noValidate className="mt-8 grid gap-8 lg:grid-cols-[minmax(0,1fr)_24rem]">
      <section aria-labelledby="tiers-heading">
        <h2 id="tiers-heading" className="mb-4 text-xl font-bold text-slate-900">
          Choose your tickets
        </h2>
        {tiers.length === 0 ? (
          <p className="rounded-2xl bg-white p-6 text-slate-600 ring-1 ring-slate-200">
            No tickets are on sale for this concert yet.
          </p>
        ) : (
          <ul className="space-y-3">
            {tiers.map((tier) => (
              <TierRow
                key={tier.id}
                tier={tier}
                quantity={selection[tier.id] ?? 0}
                disabled={sending || sales.phase === 'closed'}
                error={fields.tiers?.[tier.id]}
                onChange={(q) => {
                  setPicked(setQuantity(selection, tier, q));
                }}
              />
            ))}
          </ul>
        )}
        {allSoldOut && tiers.length > 0 && (
          <p className="mt-4 font-semibold text-slate-700">This concert is sold out. Tickets return here if someone cancels.</p>
        )}
      </section>

      <aside ref={summaryRef} aria-labelledby="summary-heading" className="scroll-mt-4 lg:sticky lg:top-6 lg:self-start">
        <div className="rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200 sm:p-6">
          <h2 id="summary-heading" className="text-xl font-bold text-slate-900">
            Your order
          </h2>
          {lines.length === 0 ? (
            <p className="mt-3 text-slate-600">Select at least one ticket to book.</p>
          ) : (
            <ul className="mt-3 divide-y divide-slate-100" aria-label="Selected tickets">
              {lines.map((line) => {
                const tier = tiers.find((t) => t.id === line.tierId);
                if (!tier) return null;
                return (
                  <li key={line.tierId} className="flex justify-between gap-4 py-2 text-slate-700">
                    <span>
                      {line.quantity} × {tierLabel(tier.tierName)}
                    </span>
                    <span className="tabular-nums">{formatCents(line.quantity * Math.round(tier.price * 100))}</span>
                  </li>
                );
              })}
            </ul>
          )}
          <div className="mt-3 flex items-baseline justify-between border-t border-slate-200 pt-3">
            <span className="font-semibold text-slate-900">Total</span>
            <span className="text-2xl font-extrabold tabular-nums text-slate-900" aria-live="polite" data-testid="total">
              {formatCents(totalCents)}
            </span>
          </div>

          <div className="mt-5">
            <label htmlFor={payId} className="block font-semibold text-slate-900">
              Payment method
            </label>
            <select
              id={payId}
              name="paymentMethod"
              value={paymentMethod}
              disabled={sending}
              onChange={(e) => {
                setPaymentMethod(e.target.value === 'test_decline' ? 'test_decline' : 'card');
              }}
              className="mt-1.5 w-full rounded-lg border border-slate-300 bg-white px-3 py-2.5 text-slate-900 shadow-sm outline-none focus:ring-2 focus:ring-indigo-500"
            >
              <option value="card">Card (simulated payment)</option>
              {testPayments && <option value="test_decline">Test card (always declines)</option>}
            </select>
            {fields.paymentMethod && <p className="mt-1 text-sm font-medium text-rose-700">{fields.paymentMethod}</p>}
          </div>

          <div aria-live="polite" className="mt-5 empty:hidden">
            {sending && state.retry > 0 && (
              <p className="text-sm text-amber-900">
                Connection trouble — retrying safely ({state.retry} of {DEFAULT_RETRY_POLICY.maxRetries})…
              </p>
            )}
          </div>

          <div role="alert" className="mt-4 empty:hidden">
            {problem && !sending && (
              <Alert tone={problem.tone} title={problem.title}>
                <p>{problem.body}</p>
                {problem.retry && !signedOut && (
                  <button
                    type="submit"
                    className="mt-3 rounded-lg border border-current px-3 py-1.5 font-semibold hover:bg-white/60"
                  >
                    Try again
                  </button>
                )}
              </Alert>
            )}
          </div>

          <SalesNotice phase={sales.phase} now={sales.now} salesStart={salesStartMs} salesEnd={concert.salesEnd} timeZone={concert.timeZone} />
          <p aria-live="polite" className="sr-only">
            {waitedForSale && onSale ? 'Tickets are on sale now.' : ''}
          </p>

          <div ref={actionRef}>
            {signedOut ? (
              <SignInToBook returnTo={returnHere} count={count} />
            ) : (
              <button
                id={bookId}
                type="submit"
                disabled={sending || lines.length === 0 || !user || !onSale}
                aria-disabled={sending || lines.length === 0 || !user || !onSale}
                className="mt-5 flex w-full items-center justify-center gap-2 rounded-xl bg-indigo-700 px-5 py-3.5 text-lg font-bold text-white shadow-sm transition-colors hover:bg-indigo-800 disabled:cursor-not-allowed disabled:bg-slate-300 disabled:text-slate-600"
              >
                {sending ? (
                  <>
                    <SpinnerIcon /> Booking…
                  </>
                ) : sales.phase === 'before' && !Number.isNaN(salesStartMs) ? (
                  `On sale in ${formatCountdown(salesStartMs - sales.now)}`
                ) : sales.phase === 'closed' ? (
                  'Sales have closed'
                ) : count > 0 ? (
                  `Book ${count} ${count === 1 ? 'ticket' : 'tickets'} · ${formatCents(totalCents)}`
                ) : (
                  'Book'
                )}
              </button>
            )}
          </div>
          <p className="mt-3 text-center text-xs text-slate-600">
            You are charged once, even if you click twice or your connection drops.
          </p>
        </div>
      </aside>
      {count > 0 && !actionVisible && (
        <div className="fixed inset-x-0 bottom-0 z-10 border-t border-slate-200 bg-white/95 px-4 py-3 shadow-[0_-4px_16px_rgb(15_23_42/0.08)] backdrop-blur lg:hidden">
          <div className="mx-auto flex max-w-6xl items-center justify-between gap-4">
            <p className="font-semibold text-slate-900">
              {count} {count === 1 ? 'ticket' : 'tickets'} · <span className="tabular-nums">{formatCents(totalCents)}</span>
            </p>
            <button
              type="button"
              onClick={() => {
                summaryRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
                document.getElementById(bookId)?.focus({ preventScroll: true });
              }}
              className="rounded-xl bg-indigo-700 px-5 py-2.5 font-bold text-white hover:bg-indigo-800"
            >
              Review order
            </button>
          </div>
        </div>
      )}
    </form>
  );
}

/**
 * Checkout for a fan who is signed out: sign in (or sign up) and come back
 * to this concert, where the selection is still there (sessionStorage).
 */
function SignInToBook({ returnTo, count }: { returnTo: string; count: number }) {
  const noteId = useId();
  return (
    <div className="mt-5">
      <p id={noteId} className="text-sm text-slate-700">
        {count > 0
          ? 'Sign in to book. Your tickets stay selected while you do.'
          : 'You need an account to book tickets.'}
      </p>
      <Link
        to={authPath('signin', returnTo)}
        aria-describedby={noteId}
        className="mt-3 flex w-full items-center justify-center rounded-xl bg-indigo-700 px-5 py-3.5 text-lg font-bold text-white shadow-sm transition-colors hover:bg-indigo-800"
      >
        Sign in to book
      </Link>
      <p className="mt-3 text-center text-sm text-slate-700">
        New here?{' '}
        <Link to={authPath('signup', returnTo)} className="rounded font-semibold text-indigo-700 hover:underline">
          Create an account
        </Link>
      </p>
    </div>
  );
}

/**
 * Before the sale: when it opens (on the venue's clock) and a countdown on
 * the server's clock. After it: that it has closed.
 */
function SalesNotice({
  phase,
  now,
  salesStart,
  salesEnd,
  timeZone,
}: {
  phase: SalesPhase;
  now: number;
  salesStart: number;
  salesEnd: string | undefined;
  timeZone: string | undefined;
}) {
  if (phase === 'before' && !Number.isNaN(salesStart)) {
    return (
      <div className="mt-5 rounded-xl bg-indigo-50 p-4 text-indigo-950 ring-1 ring-indigo-200" data-testid="sales-countdown">
        <p className="text-sm font-semibold">Tickets go on sale {formatZonedDateTime(new Date(salesStart).toISOString(), timeZone)}</p>
        <p className="mt-1 text-3xl font-extrabold tabular-nums" role="timer" aria-label="Time until tickets go on sale">
          {formatCountdown(salesStart - now)}
        </p>
        <p className="mt-1 text-sm">Pick your tickets now: the Book button opens the moment the sale starts.</p>
      </div>
    );
  }
  if (phase === 'closed') {
    return (
      <div className="mt-5">
        <Alert tone="info" title="Sales have closed">
          <p>{salesEnd ? `Booking closed ${formatZonedDateTime(salesEnd, timeZone)}.` : 'This concert can no longer be booked.'}</p>
        </Alert>
      </div>
    );
  }
  return null;
}

/**
 * Whether an element is entirely on screen (true where IntersectionObserver
 * is missing). Entirely: with the default threshold (0) one pixel of it
 * counted as "seen", so a summary peeking in at the bottom of a phone's
 * screen kept the order bar away for good.
 */
function useInView(ref: RefObject<HTMLElement | null>): boolean {
  const [inView, setInView] = useState(true);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      ([entry]) => {
        // 0.99: a fractional pixel of layout can keep the ratio just under 1.
        if (entry) setInView(entry.isIntersecting && entry.intersectionRatio >= 0.99);
      },
      { threshold: [0, 0.5, 0.99, 1] },
    );
    observer.observe(el);
    return () => {
      observer.disconnect();
    };
  }, [ref]);
  return inView;
}
