// The fan's ticket selection on a concert page, kept in sessionStorage per
// concert: it survives a reload and a detour through sign-in (which leaves
// the page) and is gone when the tab is closed. Storage may be unavailable
// (private mode, blocked), which is never an error: then nothing is kept.
import type { PaymentMethod } from '../api/types';
import { MAX_PER_LINE, type Selection } from './quantity';

const SELECTION_PREFIX = 'ticketd.selection.';

export interface SavedSelection {
  /** Quantity per tier id, 1..MAX_PER_LINE. */
  tiers: Selection;
  paymentMethod: PaymentMethod;
}

export function selectionKey(concertId: string): string {
  return `${SELECTION_PREFIX}${concertId}`;
}

/** Reads what saveSelection wrote; anything odd in it is dropped. */
export function parseSelection(text: string | null): SavedSelection | null {
  if (text === null) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const tiers: Record<string, number> = {};
  if (typeof o.tiers === 'object' && o.tiers !== null && !Array.isArray(o.tiers)) {
    for (const [id, q] of Object.entries(o.tiers as Record<string, unknown>)) {
      if (typeof q === 'number' && Number.isInteger(q) && q > 0 && q <= MAX_PER_LINE) tiers[id] = q;
    }
  }
  return { tiers, paymentMethod: o.paymentMethod === 'test_decline' ? 'test_decline' : 'card' };
}

function session(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function loadSelection(concertId: string): SavedSelection | null {
  try {
    return parseSelection(session()?.getItem(selectionKey(concertId)) ?? null);
  } catch {
    return null;
  }
}

/** An empty selection removes the entry. */
export function saveSelection(concertId: string, saved: SavedSelection): void {
  try {
    const s = session();
    if (!s) return;
    if (Object.keys(saved.tiers).length === 0) s.removeItem(selectionKey(concertId));
    else s.setItem(selectionKey(concertId), JSON.stringify(saved));
  } catch {
    // not kept: fine
  }
}

export function clearSelection(concertId: string): void {
  try {
    session()?.removeItem(selectionKey(concertId));
  } catch {
    // nothing to clear
  }
}
