// React glue around BookingAttempts: one submission at a time (a double
// click sends one request), progress for the button, and the outcome.
import { useCallback, useEffect, useRef, useState } from 'react';
import { postBooking } from '../api/endpoints';
import type { ApiError } from '../api/client';
import { BookingAttempts, type AttemptOutcome, type BookingInput } from './bookingAttempt';

export type BookingState =
  | { phase: 'idle' }
  | { phase: 'sending'; retry: number; lastError: ApiError | null }
  | { phase: 'done'; outcome: AttemptOutcome };

export function useBooking(attempts?: BookingAttempts) {
  const attemptsRef = useRef<BookingAttempts | null>(attempts ?? null);
  const busy = useRef(false);
  const controller = useRef<AbortController | null>(null);
  const [state, setState] = useState<BookingState>({ phase: 'idle' });

  useEffect(
    () => () => {
      controller.current?.abort();
    },
    [],
  );

  const book = useCallback(async (input: BookingInput): Promise<AttemptOutcome | null> => {
    // A ref, not state: two clicks in one frame both see the same render.
    if (busy.current) return null;
    busy.current = true;
    attemptsRef.current ??= new BookingAttempts(postBooking);
    const abort = new AbortController();
    controller.current = abort;
    setState({ phase: 'sending', retry: 0, lastError: null });
    try {
      const outcome = await attemptsRef.current.submit(
        input,
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
