import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';

/** Reads are retried only when the server may not have answered; a 404 is an answer. */
export function shouldRetryRead(failureCount: number, error: unknown): boolean {
  return error instanceof ApiError && error.retryable && failureCount < 3;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        retry: shouldRetryRead,
        retryDelay: (attempt) => Math.min(1000 * 2 ** attempt, 8000),
      },
      mutations: { retry: false },
    },
  });
}

export const queryKeys = {
  concerts: ['concerts'] as const,
  /** The listing page by page (under concerts: invalidating the listing invalidates both). */
  concertPages: ['concerts', 'pages'] as const,
  concert: (id: string) => ['concert', id] as const,
  availability: (id: string) => ['availability', id] as const,
  booking: (id: string) => ['booking', id] as const,
  /** Under ['booking', id]: dropped with the booking when the fan changes. */
  tickets: (id: string) => ['booking', id, 'tickets'] as const,
  /** The signed-in fan, or null when signed out. */
  me: ['me'] as const,
  myBookings: ['myBookings'] as const,
  config: ['config'] as const,
};
