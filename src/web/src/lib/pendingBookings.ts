// Booking attempts whose outcome is not known yet, kept in localStorage so
// that a lost reply is found out on the next visit instead of being paid
// for twice.
//
// An attempt is written here *before* its first request is sent and stays
// until a definitive answer arrives. So a network error, a 5xx after the
// automatic retries, a closed tab or a crash in the middle of "Booking…"
// all leave it here, with its idempotency key and the exact request body;
// replaying that body with that key can only ever give the answer the
// server already gave (or book it once, if the request never arrived).
//
// One list under one key ("ticketd.pendingBookings"), each entry tagged
// with the fan's account id: it is replayed only while that fan is signed
// in. Storage may be unavailable (private mode, blocked, full): the list is
// then kept in memory, which still covers the rest of this visit.

export const PENDING_STORAGE_KEY = 'ticketd.pendingBookings';

/** Older attempts are forgotten: by then My bookings tells the fan the truth anyway. */
export const PENDING_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface PendingAttempt {
  /** The idempotency key of the attempt. */
  key: string;
  /** The exact JSON text sent to POST /api/bookings. */
  body: string;
  /** The signed-in fan's account id (GET /api/me). */
  userId: string;
  concertId: string;
  /** lib/bookingAttempt.ts fingerprint(): "the same basket". */
  fingerprint: string;
  /** When it was written, ms since the epoch. */
  savedAt: number;
}

export interface PendingStore {
  /** The fan's kept attempts, oldest first. */
  list(userId: string): PendingAttempt[];
  save(attempt: PendingAttempt): void;
  remove(key: string): void;
}

function isPending(v: unknown): v is PendingAttempt {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.key === 'string' &&
    o.key !== '' &&
    typeof o.body === 'string' &&
    o.body !== '' &&
    typeof o.userId === 'string' &&
    typeof o.concertId === 'string' &&
    typeof o.fingerprint === 'string' &&
    typeof o.savedAt === 'number' &&
    Number.isFinite(o.savedAt)
  );
}

/** Parses the stored text; anything unreadable is dropped, never an error. */
export function parsePending(text: string | null): PendingAttempt[] {
  if (text === null || text === '') return [];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter(isPending) : [];
  } catch {
    return [];
  }
}

function defaultStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function createPendingStore(
  storage: () => Storage | null = defaultStorage,
  now: () => number = Date.now,
): PendingStore {
  // The fallback when storage throws; also what we wrote last.
  let memory: PendingAttempt[] = [];

  function readAll(): PendingAttempt[] {
    let all = memory;
    try {
      const s = storage();
      if (s) all = parsePending(s.getItem(PENDING_STORAGE_KEY));
    } catch {
      // unreadable storage: memory it is
    }
    const fresh = all.filter((a) => now() - a.savedAt < PENDING_MAX_AGE_MS);
    if (fresh.length !== all.length) writeAll(fresh);
    return fresh;
  }

  function writeAll(list: PendingAttempt[]): void {
    memory = list;
    try {
      const s = storage();
      if (!s) return;
      if (list.length === 0) s.removeItem(PENDING_STORAGE_KEY);
      else s.setItem(PENDING_STORAGE_KEY, JSON.stringify(list));
    } catch {
      // kept in memory only
    }
  }

  return {
    list: (userId) => readAll()
      .filter((a) => a.userId === userId)
      .sort((a, b) => a.savedAt - b.savedAt),
    save: (attempt) => {
      writeAll([...readAll().filter((a) => a.key !== attempt.key), attempt]);
    },
    remove: (key) => {
      const all = readAll();
      if (all.some((a) => a.key === key)) writeAll(all.filter((a) => a.key !== key));
    },
  };
}
