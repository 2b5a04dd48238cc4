// Whether the server is reachable, as the last request found it: no answer,
// or a 502/503/504, means down; any other answer means up. The banner reads
// it; the API client writes it (see main.tsx).
import { useSyncExternalStore } from 'react';

let down = false;
const listeners = new Set<() => void>();

function set(value: boolean): void {
  if (down === value) return;
  down = value;
  for (const l of listeners) l();
}

export const serverStatus = {
  report: (reachable: boolean): void => {
    set(!reachable);
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
