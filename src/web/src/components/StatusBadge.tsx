import type { BookingStatus } from '../api/types';

const LOOK: Record<BookingStatus, { label: string; className: string }> = {
  confirmed: { label: 'Confirmed', className: 'bg-emerald-100 text-emerald-900 ring-emerald-600/30' },
  cancelled: { label: 'Cancelled', className: 'bg-slate-200 text-slate-800 ring-slate-500/30' },
  payment_failed: { label: 'Payment declined', className: 'bg-rose-100 text-rose-900 ring-rose-600/30' },
  rejected: { label: 'Not booked', className: 'bg-amber-100 text-amber-950 ring-amber-600/30' },
};

export function StatusBadge({ status }: { status: BookingStatus }) {
  // A status this build does not know yet still shows, plainly.
  const look = (LOOK as Partial<Record<string, (typeof LOOK)[BookingStatus]>>)[status] ?? {
    label: status,
    className: 'bg-slate-100 text-slate-800 ring-slate-400/30',
  };
  return (
    <span className={`inline-flex items-center rounded-full px-3 py-1 text-sm font-semibold ring-1 ring-inset ${look.className}`}>
      {look.label}
    </span>
  );
}
