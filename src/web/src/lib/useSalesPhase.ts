import { useEffect, useState } from 'react';
import { nextPhaseChange, nextTickDelay, salesPhase, serverNow, type SalesPhase, type SalesWindow } from './serverClock';

/** setTimeout's longest delay (about 24.8 days). */
const MAX_DELAY = 0x7fffffff;

export interface SalesClock {
  phase: SalesPhase;
  /** The server's clock at the last render (epoch ms). */
  now: number;
}

/**
 * Where a concert's sales stand on the server's clock (this browser's clock
 * plus `clockOffsetMs`). Before the sale it re-renders on every whole second
 * left (for a countdown) and exactly at the opening instant; after that only
 * when sales close.
 */
export function useSalesPhase(concert: SalesWindow & { clockOffsetMs?: number | null | undefined }): SalesClock {
  const offset = concert.clockOffsetMs ?? null;
  const { status, salesStart, salesEnd } = concert;
  const [now, setNow] = useState(() => serverNow(offset));

  useEffect(() => {
    const window = { status, salesStart, salesEnd };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = () => {
      const current = serverNow(offset);
      setNow(current);
      const next = nextPhaseChange(window, current);
      if (next === null) return;
      const left = next - current;
      const delay = salesPhase(window, current) === 'before' ? nextTickDelay(left) : Math.min(left, MAX_DELAY);
      timer = setTimeout(tick, delay);
    };
    tick();
    return () => {
      clearTimeout(timer);
    };
  }, [offset, status, salesStart, salesEnd]);

  return { phase: salesPhase({ status, salesStart, salesEnd }, now), now };
}
