// Small pieces the box office's pages share.
import type { ReactNode } from 'react';
import type { AdminConcert, AdminConcertStatus } from '../api/types';
import { salesPhase } from '../lib/serverClock';

const STATUS_LOOK: Record<AdminConcertStatus, { label: string; className: string }> = {
  draft: { label: 'Draft', className: 'bg-slate-100 text-slate-800 ring-slate-400/40' },
  published: { label: 'Published', className: 'bg-indigo-100 text-indigo-900 ring-indigo-500/30' },
  cancelled: { label: 'Cancelled', className: 'bg-rose-100 text-rose-900 ring-rose-600/30' },
};

export function ConcertStatusBadge({ status }: { status: AdminConcertStatus }) {
  const look = (STATUS_LOOK as Partial<Record<string, { label: string; className: string }>>)[status] ?? {
    label: status,
    className: 'bg-slate-100 text-slate-800 ring-slate-400/40',
  };
  return (
    <span className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ring-inset ${look.className}`}>
      {look.label}
    </span>
  );
}

/** Where a concert stands for the box office: its state and, once published, its sales. */
export function concertState(c: AdminConcert, now: number): string {
  if (c.status === 'draft') return 'Not visible to fans';
  if (c.status === 'cancelled') return 'Cancelled, bookings refunded';
  if (now >= Date.parse(c.startsAt)) return 'Started';
  switch (salesPhase(c, now)) {
    case 'before':
      return 'Sales not started';
    case 'closed':
      return 'Sales closed';
    default:
      return 'On sale';
  }
}

export function PageHeading({ title, children, sub }: { title: string; children?: ReactNode; sub?: ReactNode }) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
      <div className="min-w-0">
        <h1 className="text-2xl font-extrabold tracking-tight text-slate-900 sm:text-3xl">{title}</h1>
        {sub && <div className="mt-1 text-slate-600">{sub}</div>}
      </div>
      {children && <div className="flex flex-wrap gap-2">{children}</div>}
    </div>
  );
}

export const buttonPrimary =
  'inline-flex items-center justify-center gap-2 rounded-lg bg-indigo-700 px-4 py-2.5 font-semibold text-white shadow-sm hover:bg-indigo-800 disabled:cursor-not-allowed disabled:bg-slate-300 disabled:text-slate-600';
export const buttonSecondary =
  'inline-flex items-center justify-center gap-2 rounded-lg border border-slate-300 bg-white px-4 py-2.5 font-semibold text-slate-800 hover:bg-slate-50 disabled:opacity-60';
export const buttonDanger =
  'inline-flex items-center justify-center gap-2 rounded-lg border border-rose-300 bg-white px-4 py-2.5 font-semibold text-rose-800 hover:bg-rose-50 disabled:opacity-60';
export const inputClass =
  'mt-1.5 w-full rounded-lg border border-slate-300 bg-white px-3 py-2.5 text-slate-900 shadow-sm outline-none focus:ring-2 focus:ring-indigo-500 aria-[invalid=true]:border-rose-500';
