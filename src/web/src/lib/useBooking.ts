// React glue around Checkout: one submission at a time (a double click
// sends one request), progress for the button, and the outcome. One
// Checkout serves the whole app, so the replay at app start and a press of
// Book share their run (lib/checkout.ts).
import { useCallback, useEffect, useRef, useState } from 'react';
import { postBookingBody } from '../api/endpoints';
import type { ApiError } from '../api/client';
import type { BookingInput } from './bookingAttempt';
import { Checkout, type CheckoutOutcome } from './checkout';
import { createPendingStore } from './pendingBookings';

let shared: Checkout | null = null;

/** The app's one Checkout (kept attempts in localStorage). */
export function getCheckout(): Checkout {
  shared ??= new Checkout(postBookingBody, createPendingStore());
  return shared;
}

/** Tests start each case with a fresh one (or their own). */
export function setCheckout(checkout: Checkout | null): void {
  shared = checkout;
}

export type BookingState =
  | { phase: 'idle' }
  | { phase: 'sending'; retry: number; lastError: ApiError | null }
  | { phase: 'done'; outcome: CheckoutOutcome };

export function useBooking() {
  const busy = useRef(false);
  const controller = useRef<AbortController | null>(null);
  const [state, setState] = useState<BookingState>({ phase: 'idle' });

  useEffect(
    () => () => {
      controller.current?.abort();
    },
    [],
  );

  const book = useCallback(async (input: BookingInput, userId: string): Promise<CheckoutOutcome | null> => {
    // A ref, not state: two clicks in one frame both see the same render.
    if (busy.current) return null;
    busy.current = true;
    const abort = new AbortController();
    controller.current = abort;
    setState({ phase: 'sending', retry: 0, lastError: null });
    try {
      const outcome = await getCheckout().submit(
        input,
        userId,
        {
          onRetry: (retry, _delay, err) => {
            setState({ phase: 'sending', retry, lastError: err });
          },
        },
        abort.signal,
      );
      if (!abort.signal.aborted) setState({ phase: 'done', outcome });
      return outcome;
    } catch (err) {
      if (abort.signal.aborted) return null;
      throw err;
    } finally {
      busy.current = false;
    }
  }, []);

  const reset = useCallback(() => {
    setState({ phase: 'idle' });
  }, []);

  return { state, book, reset };
}
