// Turns a refused or unanswered booking into words for the fan, and into
// the form field the server complained about.
import type { ApiError } from '../api/client';
import type { TicketLine, Tier } from '../api/types';
import { tierLabel } from './format';

export interface FieldErrors {
  paymentMethod?: string;
  /** Keyed by tier id. */
  tiers?: Record<string, string>;
}

export interface BookingProblem {
  tone: 'error' | 'warning';
  title: string;
  body: string;
  /** Offer a "Try again" button (the outcome allows a new attempt, or the old one is unresolved). */
  retry: boolean;
  fields: FieldErrors;
  /** Availability is stale: refetch it. */
  refreshAvailability: boolean;
  /** The session is gone: the fan must sign in again (the selection is kept). */
  signIn?: boolean;
  /** The concert (its sales window, the server's clock) is stale: refetch it. */
  refreshConcert?: boolean;
}

function when(details: Record<string, unknown>, key: string): string | null {
  const v = details[key];
  if (typeof v !== 'string') return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * FAN_LIMIT_REACHED in words: "You can buy at most 10 tickets for this
 * concert; you already have 8." and what is still possible.
 */
export function fanLimitMessage(details: Record<string, unknown>): string {
  const limit = num(details.limit);
  const already = num(details.alreadyBooked);
  const requested = num(details.requested);
  if (limit === null) return 'You have reached the ticket limit for this concert.';
  let text = `You can buy at most ${plural(limit, 'ticket', 'tickets')} for this concert`;
  text += already !== null ? `; you already have ${already}.` : '.';
  if (already !== null) {
    const left = Math.max(0, limit - already);
    if (left === 0) text += ' You can’t book any more.';
    else if (requested !== null && requested > left) text += ` You can book ${plural(left, 'more ticket', 'more tickets')}.`;
  }
  return text;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "tickets[1].quantity" → the tier of line 1 of the request we sent. */
function tierOfField(field: string, lines: readonly TicketLine[]): string | null {
  const m = /^tickets\[(\d+)\]/.exec(field);
  if (!m?.[1]) return null;
  return lines[Number(m[1])]?.tierId ?? null;
}

export function describeRejection(err: ApiError, tiers: readonly Tier[], lines: readonly TicketLine[]): BookingProblem {
  const base = { tone: 'error' as const, retry: false, fields: {}, refreshAvailability: false };
  switch (err.code) {
    case 'INSUFFICIENT_INVENTORY': {
      const tierId = typeof err.details.tierId === 'string' ? err.details.tierId : null;
      const tier = tiers.find((t) => t.id === tierId);
      const tierName = tier ? tierLabel(tier.tierName) : 'that tier';
      const available = num(err.details.available);
      const requested = num(err.details.requested);
      const asked = requested !== null ? ` — you asked for ${requested}` : '';
      const body =
        available === null
          ? `There are not enough ${tierName} tickets left${asked}.`
          : available === 0
            ? `${tierName} just sold out${asked}.`
            : `Only ${plural(available, `${tierName} ticket is`, `${tierName} tickets are`)} left${asked}.`;
      // The tier row already shows what is left; say what changed in the selection.
      const fields: FieldErrors =
        tierId && requested !== null ? { tiers: { [tierId]: `You asked for ${requested}` } } : {};
      return {
        ...base,
        tone: 'warning',
        title: 'Not enough tickets left',
        body: `${body} Nothing was booked and you were not charged. We’ve updated what’s available — adjust your tickets and book again.`,
        fields,
        refreshAvailability: true,
      };
    }
    case 'PAYMENT_FAILED':
      return {
        ...base,
        title: 'Your payment was declined',
        body: 'No tickets were taken and you have not been charged. You can try again, or pick another payment method.',
        retry: true,
      };
    case 'INVALID_REQUEST': {
      const field = typeof err.details.field === 'string' ? err.details.field : '';
      const fields: FieldErrors = {};
      if (field === 'paymentMethod') fields.paymentMethod = err.message;
      else {
        const tierId = tierOfField(field, lines);
        if (tierId) fields.tiers = { [tierId]: err.message };
      }
      const priceChanged = field === 'totalAmount';
      return {
        ...base,
        title: priceChanged ? 'Prices have changed' : 'Please check your booking',
        body: priceChanged
          ? 'The total no longer matches the current prices. We’ve refreshed them — check the total and book again.'
          : err.message,
        fields,
        refreshAvailability: priceChanged,
      };
    }
    case 'FAN_LIMIT_REACHED':
      return {
        ...base,
        tone: 'warning',
        title: 'Ticket limit reached',
        body: `${fanLimitMessage(err.details)} Nothing was booked and you were not charged.`,
      };
    case 'UNAUTHENTICATED':
      return {
        ...base,
        tone: 'warning',
        title: 'Please sign in again',
        body: 'Your session has ended, so nothing was booked. Sign in and book again; your tickets are still selected.',
        signIn: true,
      };
    case 'FORBIDDEN':
      return { ...base, title: 'This account can’t book tickets', body: err.message };
    case 'SALES_NOT_STARTED': {
      const at = when(err.details, 'salesStart');
      return {
        ...base,
        tone: 'warning',
        title: 'Tickets aren’t on sale yet',
        body: `${at ? `The sale opens ${at}. ` : ''}Nothing was booked and you were not charged. Keep this page open: the Book button opens when the sale starts.`,
        refreshConcert: true,
      };
    }
    case 'SALES_CLOSED': {
      const at = when(err.details, 'salesEnd');
      return {
        ...base,
        title: 'Sales have closed',
        body: `${at ? `Booking for this concert closed ${at}. ` : 'Booking for this concert has closed. '}Nothing was booked and you were not charged.`,
        refreshConcert: true,
      };
    }
    case 'PRICE_CHANGED':
      return {
        ...base,
        tone: 'warning',
        title: 'Prices have changed',
        body: 'The box office changed a price while you were paying, so nothing was booked and you were not charged. We’ve refreshed the prices — check the total and book again.',
        retry: false,
        refreshAvailability: true,
      };
    case 'CONCERT_CANCELLED':
      return {
        ...base,
        title: 'This concert has been cancelled',
        body: 'It can no longer be booked. Nothing was booked and you were not charged.',
        refreshConcert: true,
      };
    case 'CONCERT_NOT_FOUND':
      return { ...base, title: 'This concert is no longer available', body: err.message };
    case 'RATE_LIMITED':
      return {
        ...base,
        tone: 'warning',
        title: 'Too many requests',
        body: 'Lots of fans are booking right now. Please wait a few seconds and try again.',
        retry: true,
      };
    case 'IDEMPOTENCY_KEY_REUSED':
      return {
        ...base,
        title: 'This booking attempt was already used',
        body: 'Please book again; a new attempt will be started.',
        retry: true,
      };
    default:
      return {
        ...base,
        title: 'The booking did not go through',
        body: err.message,
        retry: true,
        refreshAvailability: true,
      };
  }
}

/** An earlier attempt still has no answer, so no new one was started. */
export function describeBlocked(err: ApiError | null): BookingProblem {
  return {
    tone: 'warning',
    title: 'We’re still checking an earlier booking',
    body:
      `${err ? `${err.message} ` : ''}An earlier booking of yours has not been confirmed yet. ` +
      'So that you are never charged twice, we find out what became of it before booking anything new. ' +
      'Please try again in a moment.',
    retry: true,
    fields: {},
    refreshAvailability: false,
  };
}

export function describeUnresolved(err: ApiError): BookingProblem {
  return {
    tone: 'warning',
    title: 'We couldn’t confirm your booking',
    body:
      `${err.message} Your booking may or may not have gone through. Trying again is safe: ` +
      'it is the same booking attempt, so you will never be booked or charged twice.',
    retry: true,
    fields: {},
    refreshAvailability: false,
  };
}
