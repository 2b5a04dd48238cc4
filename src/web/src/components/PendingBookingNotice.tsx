import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Booking } from '../api/types';
import { queryKeys } from '../lib/queryClient';
import { Link } from '../lib/router';
import { useMe } from '../lib/session';
import { getCheckout } from '../lib/useBooking';
import { Alert } from './States';

/**
 * When the app starts with a fan signed in (or a fan signs in), replays the
 * booking attempts an earlier visit left without an answer
 * (lib/pendingBookings.ts). One that turns out booked is announced here;
 * a refused one is dropped quietly (nothing was booked); one still without
 * an answer stays kept for the next try.
 */
export function PendingBookingNotice() {
  const me = useMe();
  const queryClient = useQueryClient();
  const userId = me.data?.id ?? null;
  const [found, setFound] = useState<Booking[]>([]);

  useEffect(() => {
    if (userId === null) return;
    const run = getCheckout().replayAtStart(userId);
    if (!run) return;
    void run
      .then((results) => {
        const booked = results.flatMap((r) => (r.outcome.kind === 'booked' ? [r.outcome.booking] : []));
        if (booked.length === 0) return;
        for (const b of booked) {
          queryClient.setQueryData(queryKeys.booking(b.id), b);
          void queryClient.invalidateQueries({ queryKey: queryKeys.availability(b.concertId) });
        }
        void queryClient.invalidateQueries({ queryKey: queryKeys.myBookings });
        setFound((prev) => [...prev, ...booked.filter((b) => !prev.some((p) => p.id === b.id))]);
      })
      .catch(() => undefined);
  }, [userId, queryClient]);

  if (found.length === 0 || userId === null) return null;
  return (
    <div role="status" className="border-b border-emerald-200 bg-emerald-50">
      <div className="mx-auto max-w-6xl px-4 py-3">
        <Alert
          tone="success"
          title={found.length === 1 ? 'Your earlier booking went through' : 'Your earlier bookings went through'}
        >
          <p>
            We couldn’t confirm {found.length === 1 ? 'a booking' : 'some bookings'} to you last time; we checked, and{' '}
            {found.length === 1 ? 'it is' : 'they are'} confirmed. You were charged once.
          </p>
          <ul className="mt-2 flex flex-wrap gap-3">
            {found.map((b) => (
              <li key={b.id}>
                <Link
                  to={`/bookings/${b.id}`}
                  onClick={() => {
                    setFound((prev) => prev.filter((p) => p.id !== b.id));
                  }}
                  className="font-semibold underline"
                >
                  View booking {found.length > 1 ? b.id : ''}
                </Link>
              </li>
            ))}
            <li>
              <button
                type="button"
                onClick={() => {
                  setFound([]);
                }}
                className="font-semibold underline"
              >
                Dismiss
              </button>
            </li>
          </ul>
        </Alert>
      </div>
    </div>
  );
}
