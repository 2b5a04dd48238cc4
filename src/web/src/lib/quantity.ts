// What a fan may select: 0..10 tickets per tier line (the server's limit),
// never more than the tier has left.
import type { TicketLine, Tier } from '../api/types';
import { toCents } from './money';

export const MAX_PER_LINE = 10;

export type Selection = Readonly<Record<string, number>>;

export function maxSelectable(tier: Pick<Tier, 'availableQuantity'>): number {
  return Math.max(0, Math.min(MAX_PER_LINE, Math.floor(tier.availableQuantity)));
}

export function setQuantity(selection: Selection, tier: Tier, quantity: number): Selection {
  const q = Math.max(0, Math.min(maxSelectable(tier), Math.trunc(quantity)));
  const next = Object.fromEntries(Object.entries(selection).filter(([id]) => id !== tier.id));
  if (q > 0) next[tier.id] = q;
  return next;
}

/**
 * Brings a selection in line with fresh availability: quantities above what
 * is left come down, tiers that disappeared drop out. Returns the same
 * object when nothing changed, so React can skip a render.
 */
export function clampSelection(selection: Selection, tiers: readonly Tier[]): Selection {
  const next: Record<string, number> = {};
  let changed = false;
  for (const [tierId, quantity] of Object.entries(selection)) {
    const tier = tiers.find((t) => t.id === tierId);
    const q = tier ? Math.min(quantity, maxSelectable(tier)) : 0;
    if (q !== quantity) changed = true;
    if (q > 0) next[tierId] = q;
  }
  return changed ? next : selection;
}

/** The ticket lines of a booking request, in the order the tiers are shown. */
export function selectionLines(selection: Selection, tiers: readonly Tier[]): TicketLine[] {
  return tiers
    .filter((t) => (selection[t.id] ?? 0) > 0)
    .map((t) => ({ tierId: t.id, quantity: selection[t.id] ?? 0 }));
}

export function selectionTotalCents(selection: Selection, tiers: readonly Tier[]): number {
  return tiers.reduce((sum, t) => sum + toCents(t.price) * (selection[t.id] ?? 0), 0);
}

export function selectionCount(selection: Selection): number {
  return Object.values(selection).reduce((a, b) => a + b, 0);
}

export type StockTone = 'plenty' | 'low' | 'none';

/** "Sold out", "12 left" when few remain, or "Available". */
export function stockLabel(available: number, total: number): { label: string; tone: StockTone } {
  if (available <= 0) return { label: 'Sold out', tone: 'none' };
  if (available <= 20 || (total > 0 && available / total <= 0.1)) return { label: `${available} left`, tone: 'low' };
  return { label: 'Available', tone: 'plenty' };
}

/** The listing's hint for a whole concert. */
export function concertHint(available: number | undefined, total: number | undefined): 'sold-out' | 'selling-fast' | null {
  if (available === undefined) return null;
  if (available <= 0) return 'sold-out';
  if (total !== undefined && total > 0 && available / total <= 0.25) return 'selling-fast';
  return null;
}
