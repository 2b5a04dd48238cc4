// What the door page shows for one scan: POST /api/checkin's answer turned
// into a verdict the person at the door reads at arm's length. Green only
// for a ticket admitted now; everything else is red (don't let them in) or,
// when the server gave no verdict at all, amber (scan again).
import { ApiError } from '../api/client';
import type { Admission } from '../api/types';
import { formatEventDate, tierLabel } from '../lib/format';

export type Verdict = 'admit' | 'refuse' | 'retry';

export interface DoorAnswer {
  verdict: Verdict;
  /** The big word(s): "ADMITTED", "ALREADY ADMITTED", … */
  headline: string;
  /** One line under it: the tier and the fan, or why not. */
  detail: string;
  /** The server's code, or null for an admission. */
  code: string | null;
  /** A signed-out door has to sign in again before anything else works. */
  signedOut?: boolean;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

export function admittedAnswer(a: Admission): DoorAnswer {
  const who = a.fan.name.trim() === '' ? '' : ` — ${a.fan.name}`;
  return {
    verdict: 'admit',
    headline: 'ADMITTED',
    detail: `${tierLabel(a.ticket.tierName)}${who}`,
    code: null,
  };
}

/** A refusal or failure of POST /api/checkin in words; times in `timeZone` (the venue's) when known. */
export function refusedAnswer(err: unknown, timeZone?: string): DoorAnswer {
  if (!(err instanceof ApiError)) {
    return { verdict: 'retry', headline: 'NOT CHECKED', detail: 'Something went wrong. Scan again.', code: null };
  }
  switch (err.code) {
    case 'ALREADY_ADMITTED': {
      const at = text(err.details.admittedAt);
      const door = text(err.details.door);
      // The time on the venue's clock ("8:14 PM EDT"): tonight's date goes without saying.
      const when = at === null ? 'before' : `at ${formatEventDate(at, timeZone).time || at}`;
      return {
        verdict: 'refuse',
        headline: 'ALREADY ADMITTED',
        detail: `This ticket was admitted ${when}${door === null ? '' : ` at ${door}`}.`,
        code: err.code,
      };
    }
    case 'TICKET_CANCELLED':
      return {
        verdict: 'refuse',
        headline: 'TICKET CANCELLED',
        detail: 'Its booking was cancelled, so this ticket is void.',
        code: err.code,
      };
    case 'WRONG_CONCERT':
      return {
        verdict: 'refuse',
        headline: 'WRONG CONCERT',
        detail: 'This ticket is for another concert.',
        code: err.code,
      };
    case 'INVALID_TICKET':
      return {
        verdict: 'refuse',
        headline: 'INVALID TICKET',
        detail: 'This is not a ticket we issued (or it was altered).',
        code: err.code,
      };
    case 'UNAUTHENTICATED':
      return {
        verdict: 'retry',
        headline: 'SIGNED OUT',
        detail: 'Sign in again to check tickets.',
        code: err.code,
        signedOut: true,
      };
    case 'FORBIDDEN':
      return { verdict: 'retry', headline: 'NOT ALLOWED', detail: 'This account is not door staff.', code: err.code };
    case 'INVALID_REQUEST': {
      const field = text(err.details.field);
      const detail =
        field === 'door'
          ? 'The door name is not valid (1 to 64 characters).'
          : field === 'concertId'
            ? 'Choose the concert again.'
            : err.message;
      return { verdict: 'retry', headline: 'NOT CHECKED', detail, code: err.code };
    }
    default:
      // A network error, a timeout, a 5xx: the ticket was not judged. Scanning again is safe:
      // a ticket is admitted once, a second scan of an admitted one says so.
      return { verdict: 'retry', headline: 'NOT CHECKED', detail: `${err.message} Scan again.`, code: err.code };
  }
}
