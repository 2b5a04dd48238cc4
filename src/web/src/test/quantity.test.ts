import { describe, expect, it } from 'vitest';
import type { Tier } from '../api/types';
import {
  clampSelection,
  concertHint,
  MAX_PER_LINE,
  maxSelectable,
  selectionLines,
  selectionTotalCents,
  setQuantity,
  stockLabel,
} from '../lib/quantity';

const tier = (id: string, available: number, price = 10, total = 100): Tier => ({
  id,
  tierName: id.toUpperCase(),
  price,
  totalQuantity: total,
  availableQuantity: available,
});

describe('quantity caps', () => {
  it('caps a line at 10 and at what is left', () => {
    expect(maxSelectable(tier('ga', 500))).toBe(MAX_PER_LINE);
    expect(maxSelectable(tier('vip', 3))).toBe(3);
    expect(maxSelectable(tier('x', 0))).toBe(0);
    expect(maxSelectable(tier('x', -2))).toBe(0);
  });

  it('setQuantity clamps to 0..max and drops zero lines', () => {
    const ga = tier('ga', 500);
    const vip = tier('vip', 3);
    let s = setQuantity({}, ga, 12);
    expect(s).toEqual({ ga: 10 });
    s = setQuantity(s, vip, 5);
    expect(s).toEqual({ ga: 10, vip: 3 });
    s = setQuantity(s, ga, 0);
    expect(s).toEqual({ vip: 3 });
    expect(setQuantity(s, vip, -1)).toEqual({});
  });

  it('clampSelection follows fresh availability and keeps identity when nothing changes', () => {
    const s = { vip: 4, ga: 2 };
    expect(clampSelection(s, [tier('vip', 10), tier('ga', 10)])).toBe(s);
    expect(clampSelection(s, [tier('vip', 1), tier('ga', 10)])).toEqual({ vip: 1, ga: 2 });
    expect(clampSelection(s, [tier('ga', 0)])).toEqual({});
  });

  it('totals in cents without float drift', () => {
    const tiers = [tier('a', 10, 19.99), tier('b', 10, 0.1)];
    expect(selectionTotalCents({ a: 3, b: 3 }, tiers)).toBe(6027);
    expect(selectionLines({ b: 3, a: 1 }, tiers)).toEqual([
      { tierId: 'a', quantity: 1 },
      { tierId: 'b', quantity: 3 },
    ]);
  });

  it('labels stock', () => {
    expect(stockLabel(0, 100)).toEqual({ label: 'Sold out', tone: 'none' });
    expect(stockLabel(12, 1000)).toEqual({ label: '12 left', tone: 'low' });
    expect(stockLabel(500, 1000).tone).toBe('plenty');
    expect(concertHint(0, 10)).toBe('sold-out');
    expect(concertHint(20, 100)).toBe('selling-fast');
    expect(concertHint(80, 100)).toBeNull();
    expect(concertHint(undefined, undefined)).toBeNull();
  });
});
