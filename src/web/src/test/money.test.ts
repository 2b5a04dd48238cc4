import { describe, expect, it } from 'vitest';
import { serializeBookingRequest } from '../api/endpoints';
import { centsToDecimal, formatCents, toCents } from '../lib/money';
import { matchRoute } from '../lib/router';

describe('money', () => {
  it('converts prices to cents and back to two-decimal text', () => {
    expect(toCents(19.99)).toBe(1999);
    expect(toCents(0.29)).toBe(29);
    expect(centsToDecimal(23000)).toBe('230.00');
    expect(centsToDecimal(5)).toBe('0.05');
    expect(centsToDecimal(1999)).toBe('19.99');
    expect(() => centsToDecimal(1.5)).toThrow(RangeError);
    expect(formatCents(123456)).toBe('$1,234.56');
  });

  it('serializes a booking with totalAmount as a two-decimal number, and no userId (the session says who)', () => {
    const body = serializeBookingRequest({
      concertId: 'c1',
      tickets: [{ tierId: 'vip', quantity: 2 }, { tierId: 'ga', quantity: 3 }],
      idempotencyKey: '550e8400-e29b-41d4-a716-446655440000',
      totalCents: 23000,
      paymentMethod: 'test_decline',
    });
    expect(body).toContain('"totalAmount":230.00');
    const parsed = JSON.parse(body) as Record<string, unknown>;
    expect(parsed).toEqual({
      concertId: 'c1',
      tickets: [{ tierId: 'vip', quantity: 2 }, { tierId: 'ga', quantity: 3 }],
      idempotencyKey: '550e8400-e29b-41d4-a716-446655440000',
      paymentMethod: 'test_decline',
      totalAmount: 230,
    });
  });
});

describe('routes', () => {
  it('matches the three pages and rejects malformed ids', () => {
    expect(matchRoute('/')).toEqual({ name: 'concerts' });
    expect(matchRoute('/concerts/abc-123')).toEqual({ name: 'concert', id: 'abc-123' });
    expect(matchRoute('/bookings/b_9/')).toEqual({ name: 'booking', id: 'b_9' });
    expect(matchRoute('/concerts/a%20b')).toEqual({ name: 'not-found' });
    expect(matchRoute('/concerts/' + 'x'.repeat(65))).toEqual({ name: 'not-found' });
    expect(matchRoute('/nope')).toEqual({ name: 'not-found' });
  });
});
