// The dashboard's chart: confirmed bookings per minute over the last hour,
// drawn as a small SVG by hand (no chart library in the bundle).
import type { SalesMinute } from '../api/types';

export const SERIES_MINUTES = 60;

export interface RatePoint {
  /** The minute's start, epoch ms (UTC). */
  at: number;
  confirmed: number;
}

const MINUTE = 60_000;

/**
 * The last `minutes` minutes ending at the minute of `generatedAt`, oldest
 * first, one point per minute: minutes the server left out are 0, entries
 * outside the window or unreadable are dropped, a minute given twice
 * counts once (the last).
 */
export function rateSeries(perMinute: readonly SalesMinute[], generatedAt: string, minutes = SERIES_MINUTES): RatePoint[] {
  let end = Date.parse(generatedAt);
  if (Number.isNaN(end)) {
    const times = perMinute.map((m) => Date.parse(m.minute)).filter((t) => !Number.isNaN(t));
    end = times.length ? Math.max(...times) : 0;
  }
  const last = Math.floor(end / MINUTE) * MINUTE;
  const first = last - (minutes - 1) * MINUTE;
  const byMinute = new Map<number, number>();
  for (const m of perMinute) {
    const t = Date.parse(m.minute);
    if (Number.isNaN(t) || !Number.isFinite(m.confirmed)) continue;
    const at = Math.floor(t / MINUTE) * MINUTE;
    if (at < first || at > last) continue;
    byMinute.set(at, Math.max(0, m.confirmed));
  }
  const points: RatePoint[] = [];
  for (let at = first; at <= last; at += MINUTE) points.push({ at, confirmed: byMinute.get(at) ?? 0 });
  return points;
}

/** A round top for the y axis: 1, 2, 5, 10, 20, 50, … at or above `max` (at least 1). */
export function niceCeiling(max: number): number {
  if (!(max > 1)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) {
    if (step * magnitude >= max) return step * magnitude;
  }
  return 10 * magnitude;
}

export interface ChartGeometry {
  /** The line, an SVG path ("M0,100 L5,80 …"). */
  line: string;
  /** The same line closed down to the axis, for the shaded area. */
  area: string;
  /** The y axis' top value. */
  top: number;
}

/** The path of the series in a width × height box (y grows downwards, 0 at the bottom). */
export function chartGeometry(points: readonly RatePoint[], width: number, height: number): ChartGeometry {
  const top = niceCeiling(Math.max(0, ...points.map((p) => p.confirmed)));
  if (points.length === 0) return { line: '', area: '', top };
  const step = points.length > 1 ? width / (points.length - 1) : 0;
  const round = (n: number) => Math.round(n * 100) / 100;
  const coords = points.map((p, i) => [round(i * step), round(height - (p.confirmed / top) * height)] as const);
  const line = coords.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x},${y}`).join(' ');
  const lastX = coords[coords.length - 1]?.[0] ?? 0;
  const area = `${line} L${lastX},${height} L0,${height} Z`;
  return { line, area, top };
}

/** The busiest minute, and the current (last, still filling) minute's count. */
export function rateSummary(points: readonly RatePoint[]): { peak: number; peakAt: number | null; current: number; total: number } {
  let peak = 0;
  let peakAt: number | null = null;
  let total = 0;
  for (const p of points) {
    total += p.confirmed;
    if (p.confirmed > peak) {
      peak = p.confirmed;
      peakAt = p.at;
    }
  }
  return { peak, peakAt, current: points[points.length - 1]?.confirmed ?? 0, total };
}
