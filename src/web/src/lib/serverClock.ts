// The server's clock as the page sees it. A concert goes on sale at an
// instant of the server's clock, not of this browser's (which may be
// minutes off), so the page keeps the difference between the two.

/**
 * The offset to add to Date.now() to get the server's clock, from a
 * response stamped `serverTime` and received at `receivedAt` (local ms).
 *
 * The server stamped its time at some moment between sending the request
 * and receiving the answer, so the true offset lies in
 * [serverTime − receivedAt, serverTime − sentAt]. We take the lower end:
 * the page's idea of the server's clock is then never ahead of the real
 * one, so a button that opens "at the instant" never opens early (it may
 * open up to one round trip late, a few milliseconds). null when the
 * server sent no usable time.
 */
export function clockOffsetMs(serverTime: string | undefined, receivedAt: number): number | null {
  if (serverTime === undefined) return null;
  const server = Date.parse(serverTime);
  if (Number.isNaN(server)) return null;
  return server - receivedAt;
}

/** The server's "now" in epoch ms, given an offset (0 when unknown). */
export function serverNow(offsetMs: number | null | undefined, localNow = Date.now()): number {
  return localNow + (offsetMs ?? 0);
}

export type SalesPhase = 'before' | 'open' | 'closed' | 'cancelled';

export interface SalesWindow {
  status?: string | undefined;
  salesStart?: string | undefined;
  salesEnd?: string | undefined;
}

function instant(iso: string | undefined): number | null {
  if (iso === undefined) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/**
 * Where a concert's sales stand at the server instant `now`. A concert
 * without a sales window (an older server) is open, as it always was.
 * The window is [salesStart, salesEnd): open at salesStart exactly.
 */
export function salesPhase(concert: SalesWindow, now: number): SalesPhase {
  if (concert.status === 'cancelled') return 'cancelled';
  const start = instant(concert.salesStart);
  const end = instant(concert.salesEnd);
  if (start !== null && now < start) return 'before';
  if (end !== null && now >= end) return 'closed';
  return 'open';
}

/**
 * The next instant at which salesPhase may change, after `now`; null when
 * it never will again.
 */
export function nextPhaseChange(concert: SalesWindow, now: number): number | null {
  const start = instant(concert.salesStart);
  const end = instant(concert.salesEnd);
  if (concert.status === 'cancelled') return null;
  if (start !== null && now < start) return start;
  if (end !== null && now < end) return end;
  return null;
}

export interface CountdownParts {
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/**
 * Whole units left in `ms`, rounded up to the second: a countdown shows
 * "0:01" until the very instant, never "0:00" while it is still closed.
 */
export function countdownParts(ms: number): CountdownParts {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return {
    days: Math.floor(total / 86_400),
    hours: Math.floor((total % 86_400) / 3_600),
    minutes: Math.floor((total % 3_600) / 60),
    seconds: total % 60,
  };
}

const two = (n: number) => String(n).padStart(2, '0');

/** "2d 03:04:05", "1:02:03", "4:05", "0:09". */
export function formatCountdown(ms: number): string {
  const { days, hours, minutes, seconds } = countdownParts(ms);
  if (days > 0) return `${days}d ${two(hours)}:${two(minutes)}:${two(seconds)}`;
  if (hours > 0) return `${hours}:${two(minutes)}:${two(seconds)}`;
  return `${minutes}:${two(seconds)}`;
}

/**
 * How long to wait before the countdown must be drawn again: to the next
 * whole second of what is left, or to the target itself if that is sooner,
 * so the display flips exactly when the sale opens.
 */
export function nextTickDelay(msLeft: number): number {
  if (msLeft <= 0) return 0;
  const toSecond = msLeft % 1000;
  return toSecond === 0 ? Math.min(1000, msLeft) : toSecond;
}
