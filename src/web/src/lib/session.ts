// Who is signed in, as TanStack Query knows it. The session itself is an
// HttpOnly cookie the browser keeps; the page only asks GET /api/me.
import { useQuery, type QueryClient } from '@tanstack/react-query';
import { getConfig, getMe } from '../api/endpoints';
import type { User } from '../api/types';
import { queryKeys } from './queryClient';

/** data: the fan, null when signed out (a 401 is an answer), undefined while unknown. */
export function useMe() {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: ({ signal }) => getMe(signal),
    staleTime: 60_000,
  });
}

/** What this deployment offers; a failure offers nothing optional. */
export function useConfig() {
  return useQuery({
    queryKey: queryKeys.config,
    queryFn: ({ signal }) => getConfig(signal),
    staleTime: 5 * 60_000,
  });
}

/**
 * After signing in, signing up or signing out: the fan is now `user`, and
 * whatever private data the cache holds belonged to someone else.
 */
export function switchUser(queryClient: QueryClient, user: User | null): void {
  void queryClient.cancelQueries({ queryKey: queryKeys.me });
  queryClient.removeQueries({ queryKey: ['booking'] });
  queryClient.removeQueries({ queryKey: queryKeys.myBookings });
  queryClient.setQueryData(queryKeys.me, user);
  void queryClient.invalidateQueries({ queryKey: queryKeys.me });
}

/** The session ended behind our back (a 401 from a private endpoint). */
export function sessionEnded(queryClient: QueryClient): void {
  queryClient.setQueryData(queryKeys.me, null);
  void queryClient.invalidateQueries({ queryKey: queryKeys.me });
}
