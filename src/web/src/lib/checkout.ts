// Booking with lost replies in mind: every press of Book first replays the
// fan's kept attempts (lib/pendingBookings.ts) with their own keys and
// bodies, and only then starts a new one.
//
//  - A kept attempt for the very basket being booked is the same attempt:
//    its replay's answer is this press's answer, and nothing new is sent.
//  - A kept attempt for another basket that turns out booked is shown
//    ("recovered") instead of starting a new attempt: the fan learns it
//    went through and decides again, rather than paying twice.
//  - A kept attempt that is still unanswered blocks new attempts until it is
//    ("blocked"): the server is not answering anyway, and it may yet book.
//  - A definitive answer (2xx or a 4xx about the booking) removes it.
//
// The app also replays at start, once the fan is signed in
// (components/PendingBookingNotice.tsx); both share one run at a time.
import type { ApiError } from '../api/client';
import { serializeBookingRequest } from '../api/endpoints';
import type { Booking, BookingRequest } from '../api/types';
import {
  BookingAttempts,
  DEFAULT_RETRY_POLICY,
  fingerprint,
  sendWithRetries,
  sleep,
  type AttemptEvents,
  type AttemptOutcome,
  type BookingInput,
  type RetryPolicy,
  type Sender,
  type Sleep,
} from './bookingAttempt';
import type { PendingAttempt, PendingStore } from './pendingBookings';

/** Replays happen while a fan waits (or in the background): fewer retries than a new attempt. */
export const REPLAY_RETRY_POLICY: RetryPolicy = { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 4_000 };

export type CheckoutOutcome =
  | AttemptOutcome
  /** An earlier attempt (another basket) turned out booked; nothing new was sent. */
  | { kind: 'recovered'; booking: Booking; attempt: PendingAttempt }
  /** An earlier attempt still has no answer; nothing new was sent. */
  | { kind: 'blocked'; error: ApiError | null; attempt: PendingAttempt };

export interface ReplayResult {
  attempt: PendingAttempt;
  outcome: AttemptOutcome;
  /** Still kept: the answer did not say what became of the booking. */
  kept: boolean;
}

/**
 * After a request of a new attempt: whether the outcome leaves it unknown
 * whether anything was booked. No answer (after the automatic retries) or
 * a 5xx. Any 4xx is the server's word that it booked nothing.
 */
export function leftOpenBySend(o: AttemptOutcome): boolean {
  return o.kind === 'unresolved' || (o.kind === 'rejected' && o.error.status >= 500);
}

/**
 * After a replay: as above, and also a 401 (signed out meanwhile) or a 429
 * (rate limited): those refuse the replay, not the booking, so they say
 * nothing about what became of it.
 */
export function leftOpenByReplay(o: AttemptOutcome): boolean {
  return leftOpenBySend(o) || (o.kind === 'rejected' && (o.error.status === 401 || o.error.status === 429));
}

/** A 5xx is reported to the fan as "we could not confirm", like no answer. */
function asThisPress(o: AttemptOutcome): AttemptOutcome {
  return o.kind === 'rejected' && o.error.status >= 500 ? { ...o, kind: 'unresolved' } : o;
}

export class Checkout {
  private replaying: { userId: string; run: Promise<ReplayResult[]> } | null = null;
  private readonly inFlight = new Set<string>();
  private readonly startedFor = new Set<string>();
  private readonly attempts: BookingAttempts;

  constructor(
    private readonly send: Sender,
    private readonly store: PendingStore,
    options: {
      policy?: RetryPolicy;
      replayPolicy?: RetryPolicy;
      wait?: Sleep;
      makeKey?: () => string;
      now?: () => number;
      serialize?: (req: BookingRequest) => string;
    } = {},
  ) {
    this.serialize = options.serialize ?? serializeBookingRequest;
    this.policy = options.policy ?? DEFAULT_RETRY_POLICY;
    this.replayPolicy = options.replayPolicy ?? REPLAY_RETRY_POLICY;
    this.wait = options.wait ?? sleep;
    this.now = options.now ?? Date.now;
    this.attempts = new BookingAttempts(send, this.policy, this.wait, options.makeKey);
  }

  private readonly policy: RetryPolicy;
  private readonly replayPolicy: RetryPolicy;
  private readonly wait: Sleep;
  private readonly now: () => number;
  private readonly serialize: (req: BookingRequest) => string;

  /** The fan's kept attempts (for tests and for the notice). */
  pending(userId: string): PendingAttempt[] {
    return this.store.list(userId);
  }

  /**
   * Replays every kept attempt of the fan, oldest first, each with its own
   * key and exact body. Stops at the first that gets no answer (the server
   * is not answering; the rest wait for the next time). Callers at the same
   * time share one run and its results.
   */
  replayPending(userId: string): Promise<ReplayResult[]> {
    if (this.replaying?.userId === userId) return this.replaying.run;
    const before = this.replaying?.run ?? Promise.resolve([]);
    const run = before
      .catch(() => [])
      .then(() => this.runReplays(userId))
      .finally(() => {
        if (this.replaying?.run === run) this.replaying = null;
      });
    this.replaying = { userId, run };
    return run;
  }

  /** The replay when the app starts (or a fan signs in): once per fan and visit; null after that. */
  replayAtStart(userId: string): Promise<ReplayResult[]> | null {
    if (this.startedFor.has(userId)) return null;
    this.startedFor.add(userId);
    return this.replayPending(userId);
  }

  private async runReplays(userId: string): Promise<ReplayResult[]> {
    const results: ReplayResult[] = [];
    for (const attempt of this.store.list(userId)) {
      // This visit's own attempt, still being sent: not a lost one.
      if (this.inFlight.has(attempt.key)) continue;
      this.inFlight.add(attempt.key);
      let outcome: AttemptOutcome;
      try {
        outcome = await sendWithRetries(this.send, attempt.key, attempt.body, this.replayPolicy, this.wait);
      } finally {
        this.inFlight.delete(attempt.key);
      }
      const kept = leftOpenByReplay(outcome);
      if (!kept) {
        this.store.remove(attempt.key);
        if (this.attempts.openKey === attempt.key) this.attempts.abandon();
      }
      results.push({ attempt, outcome, kept });
      if (outcome.kind === 'unresolved') break;
    }
    return results;
  }

  /** Books `input` for the signed-in fan `userId`: replays first, then (maybe) a new attempt. */
  async submit(
    input: BookingInput,
    userId: string,
    events: AttemptEvents = {},
    signal?: AbortSignal,
  ): Promise<CheckoutOutcome> {
    const fp = fingerprint(input);
    const replays = await this.replayPending(userId);

    const same = replays.find((r) => r.attempt.fingerprint === fp);
    if (same) return asThisPress(same.outcome);

    const booked = replays.find((r) => r.outcome.kind === 'booked');
    if (booked?.outcome.kind === 'booked') return { kind: 'recovered', booking: booked.outcome.booking, attempt: booked.attempt };

    // Refused for the fan rather than for the booking (signed out, rate limited): the new one would be too.
    const refused = replays.find((r) => r.kept && r.outcome.kind === 'rejected' && r.outcome.error.status < 500);
    if (refused) return asThisPress(refused.outcome);

    const waiting = this.store.list(userId).filter((a) => !this.inFlight.has(a.key));
    const open = waiting.find((a) => a.fingerprint !== fp);
    if (open) {
      const last = replays.find((r) => r.attempt.key === open.key)?.outcome;
      return { kind: 'blocked', error: last && last.kind !== 'booked' ? last.error : null, attempt: open };
    }
    // A kept attempt for this basket not replayed yet (e.g. only just written by another tab): it is this attempt.
    const sameWaiting = waiting.find((a) => a.fingerprint === fp);
    if (sameWaiting) return this.track(sameWaiting, events, signal);

    // A new attempt (or the one this visit left open for this basket: same key).
    const key = this.attempts.keyFor(input);
    const body = this.serialize({ ...input, idempotencyKey: key });
    const attempt: PendingAttempt = { key, body, userId, concertId: input.concertId, fingerprint: fp, savedAt: this.now() };
    return this.track(attempt, events, signal);
  }

  /**
   * Sends an attempt, written to the store ahead of its first request: a
   * reply lost in any way (no answer, a 5xx, the tab closed, the page went
   * away mid-request) leaves it there. A definitive answer removes it.
   */
  private async track(attempt: PendingAttempt, events: AttemptEvents, signal?: AbortSignal): Promise<CheckoutOutcome> {
    const { key } = attempt;
    this.store.save(attempt);
    this.inFlight.add(key);
    let outcome: AttemptOutcome;
    try {
      outcome = await sendWithRetries(this.send, key, attempt.body, this.policy, this.wait, events, signal);
    } finally {
      this.inFlight.delete(key);
    }
    if (!leftOpenBySend(outcome)) {
      this.store.remove(key);
      if (this.attempts.openKey === key) this.attempts.abandon();
    }
    return asThisPress(outcome);
  }
}
