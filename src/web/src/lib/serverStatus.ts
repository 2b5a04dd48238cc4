// Whether the last thing we heard from the server was "I'm down" (network
// error, 502/503/504 or another 5xx). The banner reads it; the query client
// and the booking flow write it.
import { useSyncExternalStore } from 'react';
import { ApiError } from '../api/client';

let down = false;
const listeners = new Set<() => void>();

function set(value: boolean): void {
  if (down === value) return;
  down = value;
  for (const l of listeners) l();
}

export const serverStatus = {
  reportError: (err: unknown): void => {
    if (err instanceof ApiError && err.serverUnavailable) set(true);
  },
  reportSuccess: (): void => {
    set(false);
  },
  isDown: (): boolean => down,
  subscribe: (listener: () => void): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export function useServerDown(): boolean {
  return useSyncExternalStore(serverStatus.subscribe, serverStatus.isDown, serverStatus.isDown);
}
