import { useEffect, useState } from 'react';
import { nextTickDelay, serverNow } from './serverClock';

/** setTimeout's longest delay (about 24.8 days). */
const MAX_DELAY = 0x7fffffff;

/**
 * The server's clock, re-rendered exactly at `target` (then no more); with
 * `everySecond`, also on every whole second left before it (a countdown).
 * No target: a fixed reading, taken when the component mounted.
 */
export function useServerClock(
  offsetMs: number | null | undefined,
  target: number | null,
  everySecond = false,
): number {
  const [now, setNow] = useState(() => serverNow(offsetMs));

  useEffect(() => {
    if (target === null) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = () => {
      const current = serverNow(offsetMs);
      setNow(current);
      const left = target - current;
      if (left > 0) timer = setTimeout(tick, everySecond ? nextTickDelay(left) : Math.min(left, MAX_DELAY));
    };
    tick();
    return () => {
      clearTimeout(timer);
    };
  }, [offsetMs, target, everySecond]);

  return now;
}
