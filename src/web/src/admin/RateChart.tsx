// Confirmed bookings per minute over the last hour: a hand-drawn SVG.
import { useId } from 'react';
import { chartGeometry, rateSummary, type RatePoint } from '../lib/salesSeries';

const W = 600;
const H = 160;

const clock = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

export function RateChart({ points }: { points: RatePoint[] }) {
  const titleId = useId();
  const descId = useId();
  const { line, area, top } = chartGeometry(points, W, H);
  const summary = rateSummary(points);
  const first = points[0];
  const last = points[points.length - 1];
  const description =
    summary.total === 0
      ? 'No confirmed bookings in the last hour.'
      : `${summary.total} confirmed bookings in the last hour; busiest minute ${summary.peak}` +
        `${summary.peakAt !== null ? ` at ${clock.format(summary.peakAt)}` : ''}; this minute so far ${summary.current}.`;

  return (
    <figure className="rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200 sm:p-6">
      <figcaption className="flex flex-wrap items-baseline justify-between gap-2">
        <span className="text-lg font-bold text-slate-900">Confirmed bookings per minute</span>
        <span className="text-sm text-slate-600">
          peak <strong className="tabular-nums text-slate-900">{summary.peak}</strong>/min · this minute{' '}
          <strong className="tabular-nums text-slate-900" data-testid="rate-current">{summary.current}</strong>
        </span>
      </figcaption>
      <svg
        viewBox={`-36 -10 ${W + 46} ${H + 34}`}
        role="img"
        aria-labelledby={`${titleId} ${descId}`}
        className="mt-4 h-auto w-full"
      >
        <title id={titleId}>Confirmed bookings per minute, last hour</title>
        <desc id={descId}>{description}</desc>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={0} x2={W} y1={H - f * H} y2={H - f * H} className="stroke-slate-200" strokeWidth={1} />
            <text x={-8} y={H - f * H + 4} textAnchor="end" className="fill-slate-500 text-[11px]">
              {Math.round(top * f)}
            </text>
          </g>
        ))}
        <path d={area} className="fill-indigo-500/15" />
        <path d={line} fill="none" className="stroke-indigo-600" strokeWidth={2} strokeLinejoin="round" vectorEffect="non-scaling-stroke" />
        {first && (
          <text x={0} y={H + 20} className="fill-slate-500 text-[11px]">
            {clock.format(first.at)}
          </text>
        )}
        {last && (
          <text x={W} y={H + 20} textAnchor="end" className="fill-slate-500 text-[11px]">
            now
          </text>
        )}
      </svg>
    </figure>
  );
}
