// The box office's logic without a page: the server clock and countdown,
// venue-local times, the concert form, the dashboard's rate series.
import { describe, expect, it } from 'vitest';
import { bookingSearchParams } from '../api/admin';
import { matchAdminRoute } from '../admin/routes';
import type { AdminConcert } from '../api/types';
import {
  emptyForm,
  emptyTier,
  formFromConcert,
  parsePriceCents,
  serializeConcertInput,
  serverFieldError,
  toCreateInput,
  toPatchInput,
  validateConcertForm,
  type ConcertForm,
} from '../lib/concertForm';
import { calendarParts, formatEventDate, formatZonedDateTime, zoneAbbreviation } from '../lib/format';
import { chartGeometry, niceCeiling, rateSeries, rateSummary } from '../lib/salesSeries';
import {
  clockOffsetMs,
  countdownParts,
  formatCountdown,
  nextPhaseChange,
  nextTickDelay,
  salesPhase,
  serverNow,
} from '../lib/serverClock';
import {
  instantToLocal,
  instantWithOffset,
  localToInstant,
  normalizeLocal,
  timeZones,
  zoneOffsetMinutes,
} from '../lib/zonedTime';

describe('server clock', () => {
  it('takes the offset at the late end of the round trip, so it is never ahead of the server', () => {
    // The browser's clock is 90 s behind: the server says 18:01:30.000 when we receive at 18:00:00.000.
    const received = Date.parse('2026-12-01T18:00:00.000Z');
    expect(clockOffsetMs('2026-12-01T18:01:30.000Z', received)).toBe(90_000);
    expect(serverNow(90_000, received + 500)).toBe(Date.parse('2026-12-01T18:01:30.500Z'));
  });

  it('has no offset without a usable server time', () => {
    expect(clockOffsetMs(undefined, 0)).toBeNull();
    expect(clockOffsetMs('yesterday', 0)).toBeNull();
    expect(serverNow(null, 1234)).toBe(1234);
  });

  it('knows the sales phase, opening at salesStart exactly and closing at salesEnd', () => {
    const c = { status: 'published', salesStart: '2026-12-01T18:00:05Z', salesEnd: '2026-12-01T20:00:00-00:00' };
    const start = Date.parse(c.salesStart);
    expect(salesPhase(c, start - 1)).toBe('before');
    expect(salesPhase(c, start)).toBe('open');
    expect(salesPhase(c, Date.parse(c.salesEnd) - 1)).toBe('open');
    expect(salesPhase(c, Date.parse(c.salesEnd))).toBe('closed');
    expect(salesPhase({ ...c, status: 'cancelled' }, start)).toBe('cancelled');
    // An older server without a window: open, as it always was.
    expect(salesPhase({}, 0)).toBe('open');
    expect(nextPhaseChange(c, start - 10)).toBe(start);
    expect(nextPhaseChange(c, start)).toBe(Date.parse(c.salesEnd));
    expect(nextPhaseChange(c, Date.parse(c.salesEnd))).toBeNull();
  });

  it('counts down in whole seconds rounded up, never showing 0:00 while closed', () => {
    expect(formatCountdown(1)).toBe('0:01');
    expect(formatCountdown(1000)).toBe('0:01');
    expect(formatCountdown(1001)).toBe('0:02');
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(-5)).toBe('0:00');
    expect(formatCountdown(65_000)).toBe('1:05');
    expect(formatCountdown(3_723_000)).toBe('1:02:03');
    expect(formatCountdown(2 * 86_400_000 + 3 * 3_600_000 + 4 * 60_000 + 5_000)).toBe('2d 03:04:05');
    expect(countdownParts(86_400_000)).toEqual({ days: 1, hours: 0, minutes: 0, seconds: 0 });
  });

  it('ticks on the whole seconds left and lands exactly on the instant', () => {
    expect(nextTickDelay(4_250)).toBe(250);
    expect(nextTickDelay(3_000)).toBe(1000);
    expect(nextTickDelay(400)).toBe(400);
    expect(nextTickDelay(0)).toBe(0);
  });
});

describe('venue-local times', () => {
  it('shows a concert on the venue’s clock with the zone’s abbreviation', () => {
    const iso = '2027-06-15T20:00:00-04:00';
    expect(formatEventDate(iso, 'America/New_York', 'en-US')).toEqual({ date: 'Tue, Jun 15, 2027', time: '8:00 PM EDT' });
    // The same instant at a London venue, in winter and summer time.
    expect(formatEventDate(iso, 'Europe/London', 'en-US').time).toBe('1:00 AM GMT+1');
    expect(formatEventDate('2027-01-15T20:00:00Z', 'America/Los_Angeles', 'en-US').time).toBe('12:00 PM PST');
    expect(formatZonedDateTime(iso, 'America/New_York', 'en-US')).toBe('Tue, Jun 15, 2027, 8:00 PM EDT');
    expect(zoneAbbreviation('2027-01-15T20:00:00Z', 'America/New_York', 'en-US')).toBe('EST');
  });

  it('puts the calendar badge on the venue’s date, not the fan’s', () => {
    // 01:00 UTC on the 16th is still the 15th in New York.
    expect(calendarParts('2027-06-16T01:00:00Z', 'America/New_York')).toEqual({ month: 'JUN', day: '15' });
    expect(calendarParts('2027-06-16T01:00:00Z', 'Asia/Tokyo')).toEqual({ month: 'JUN', day: '16' });
  });

  it('falls back to the fan’s own zone for a missing or unknown zone', () => {
    expect(formatEventDate('2027-06-15T20:00:00Z', 'Mars/Olympus', 'en-US').time).not.toMatch(/Mars/);
    expect(formatEventDate('not a date', 'UTC')).toEqual({ date: 'not a date', time: '' });
  });

  it('converts wall-clock times of a zone to instants and back, across DST', () => {
    const summer = localToInstant('2027-06-15T20:00', 'America/New_York');
    expect(summer).toBe(Date.parse('2027-06-16T00:00:00Z'));
    expect(localToInstant('2027-01-15T20:00', 'America/New_York')).toBe(Date.parse('2027-01-16T01:00:00Z'));
    expect(localToInstant('2027-06-15T20:00:30', 'Asia/Kolkata')).toBe(Date.parse('2027-06-15T14:30:30Z'));
    expect(instantToLocal('2027-06-16T00:00:00Z', 'America/New_York')).toBe('2027-06-15T20:00');
    expect(instantToLocal('2027-06-16T00:00:05.400Z', 'America/New_York')).toBe('2027-06-15T20:00:05');
    expect(instantWithOffset(Date.parse('2027-06-16T00:00:00Z'), 'America/New_York')).toBe('2027-06-15T20:00:00-04:00');
    expect(instantWithOffset(Date.parse('2027-06-16T00:00:00Z'), 'UTC')).toBe('2027-06-16T00:00:00+00:00');
    expect(instantWithOffset(Date.parse('2027-06-16T00:00:00Z'), 'Asia/Kolkata')).toBe('2027-06-16T05:30:00+05:30');
    expect(zoneOffsetMinutes(Date.parse('2027-06-16T00:00:00Z'), 'Asia/Kolkata')).toBe(330);
    expect(localToInstant('2027-06-15T20:00:30.000', 'Asia/Kolkata')).toBe(Date.parse('2027-06-15T14:30:30Z'));
    expect(normalizeLocal('2027-06-15T20:00:00.000')).toBe('2027-06-15T20:00');
    expect(normalizeLocal('2027-06-15T20:00:30.000')).toBe('2027-06-15T20:00:30');
    expect(localToInstant('2027-02-30T20:00', 'UTC')).toBeNull();
    expect(localToInstant('2027-06-15 20:00', 'UTC')).toBeNull();
    // 02:30 does not exist on the spring-forward night: it lands after the gap.
    const gap = localToInstant('2027-03-14T02:30', 'America/New_York');
    expect(gap !== null && instantToLocal(gap, 'America/New_York')).toMatch(/^2027-03-14T0[13]:30$/);
  });

  it('offers the runtime’s IANA zones in the picker', () => {
    const zones = timeZones();
    expect(zones).toContain('America/New_York');
    expect(zones).toContain('UTC');
  });
});

function nth<T>(list: readonly T[], i: number): T {
  const item = list[i];
  if (item === undefined) throw new Error(`no item ${i}`);
  return item;
}

const NOW = Date.parse('2026-12-01T18:00:00Z');

function validForm(): ConcertForm {
  return {
    ...emptyForm('America/New_York'),
    name: ' Rock Festival 2027 ',
    venue: 'Madison Square Garden',
    startsAt: '2027-06-15T20:00',
    doorsAt: '2027-06-15T18:30',
    salesStart: '2026-12-01T13:00',
    tiers: [
      { ...emptyTier(), tierName: 'VIP', price: '150', capacity: '100' },
      { ...emptyTier(), tierName: 'GA', price: '85.5', capacity: '5000' },
    ],
  };
}

const existing: AdminConcert = {
  id: 'c1',
  name: 'Rock Festival 2027',
  venue: 'Madison Square Garden',
  description: '',
  timeZone: 'America/New_York',
  startsAt: '2027-06-15T20:00:00-04:00',
  doorsAt: null,
  salesStart: '2026-11-02T10:00:00-05:00',
  salesEnd: '2027-06-15T20:00:00-04:00',
  maxTicketsPerFan: 10,
  status: 'published',
  createdAt: '2026-10-01T00:00:00Z',
  updatedAt: '2026-10-01T00:00:00Z',
  tiers: [
    { id: 't_vip', tierName: 'VIP', price: 150, capacity: 100, sold: 40, available: 60 },
    { id: 't_ga', tierName: 'GA', price: 85, capacity: 5000, sold: 0, available: 5000 },
  ],
};

describe('the concert form', () => {
  it('accepts a valid form and writes its body with exact prices', () => {
    const form = validForm();
    expect(validateConcertForm(form, NOW)).toEqual({});
    const input = toCreateInput(form, 'published');
    expect(input).toMatchObject({
      name: 'Rock Festival 2027',
      timeZone: 'America/New_York',
      startsAt: '2027-06-15T20:00',
      doorsAt: '2027-06-15T18:30',
      salesStart: '2026-12-01T13:00:00-05:00',
      status: 'published',
      maxTicketsPerFan: 10,
    });
    expect(input.salesEnd).toBeUndefined();
    const text = serializeConcertInput(input);
    expect(text).toContain('"tiers":[{"tierName":"VIP","capacity":100,"price":150.00},{"tierName":"GA","capacity":5000,"price":85.50}]');
    expect(JSON.parse(text)).toMatchObject({ name: 'Rock Festival 2027', tiers: [{ price: 150 }, { price: 85.5 }] });
  });

  it('names each mistake by the server’s field path', () => {
    const form: ConcertForm = {
      ...validForm(),
      name: '  ',
      timeZone: 'Mars/Olympus',
      startsAt: '2026-11-30T20:00',
      maxTicketsPerFan: '101',
      tiers: [
        { ...emptyTier(), tierName: 'VIP', price: '10.999', capacity: '0' },
        { ...emptyTier(), tierName: 'vip', price: '-1', capacity: '1.5' },
      ],
    };
    const errors = validateConcertForm(form, NOW);
    expect(Object.keys(errors).sort()).toEqual(
      [
        'name',
        'timeZone',
        'maxTicketsPerFan',
        'tiers[0].price',
        'tiers[0].capacity',
        'tiers[1].tierName',
        'tiers[1].price',
        'tiers[1].capacity',
      ].sort(),
    );
    const past = validateConcertForm({ ...validForm(), startsAt: '2026-12-01T12:59' }, NOW);
    expect(past.startsAt).toMatch(/future/);
  });

  it('checks the order of doors, sales window and start', () => {
    const base = validForm();
    expect(validateConcertForm({ ...base, doorsAt: '2027-06-15T20:01' }, NOW).doorsAt).toMatch(/before the start/);
    expect(validateConcertForm({ ...base, salesEnd: '2026-12-01T12:00' }, NOW).salesEnd).toMatch(/after they open/);
    expect(validateConcertForm({ ...base, salesEnd: '2027-06-15T20:01' }, NOW).salesEnd).toMatch(/at the latest/);
    expect(validateConcertForm({ ...base, salesEnd: '2027-06-15T20:00' }, NOW)).toEqual({});
    expect(validateConcertForm({ ...base, tiers: [] }, NOW).tiers).toMatch(/at least one/);
  });

  it('reads prices as exact cents', () => {
    expect(parsePriceCents('85')).toBe(8500);
    expect(parsePriceCents('85.5')).toBe(8550);
    expect(parsePriceCents(' 0.07 ')).toBe(7);
    expect(parsePriceCents('19.99')).toBe(1999);
    for (const bad of ['', '-1', '1.999', '1e3', '1,50', '.5', 'abc']) expect(parsePriceCents(bad)).toBeNull();
  });

  it('edits: shows the concert on the venue’s clock and sends only what changed', () => {
    const form = formFromConcert(existing);
    expect(form.startsAt).toBe('2027-06-15T20:00');
    expect(form.salesStart).toBe('2026-11-02T10:00');
    expect(form.tiers.map((t) => [t.id, t.price, t.capacity, t.sold])).toEqual([
      ['t_vip', '150.00', '100', 40],
      ['t_ga', '85.00', '5000', 0],
    ]);
    // A start in the past is fine while it does not change (editing a running sale).
    expect(validateConcertForm(form, NOW, existing)).toEqual({});
    expect(toPatchInput(existing, form)).toEqual({});

    const edited: ConcertForm = {
      ...form,
      venue: 'Barclays Center',
      salesEnd: '2027-06-15T19:00',
      tiers: [
        { ...nth(form.tiers, 0), capacity: '120' },
        { ...nth(form.tiers, 1), price: '90' },
        { ...emptyTier(), tierName: 'Balcony', price: '45', capacity: '300' },
      ],
    };
    expect(validateConcertForm(edited, NOW, existing)).toEqual({});
    const patch = toPatchInput(existing, edited);
    expect(patch).toEqual({
      venue: 'Barclays Center',
      salesEnd: '2027-06-15T19:00:00-04:00',
      tiers: [
        { id: 't_vip', capacity: 120 },
        { id: 't_ga', priceCents: 9000 },
        { tierName: 'Balcony', priceCents: 4500, capacity: 300 },
      ],
    });
    expect(serializeConcertInput(patch)).toBe(
      '{"venue":"Barclays Center","salesEnd":"2027-06-15T19:00:00-04:00","tiers":[{"id":"t_vip","capacity":120},{"id":"t_ga","price":90.00},{"tierName":"Balcony","capacity":300,"price":45.00}]}',
    );
  });

  it('refuses what the server would: capacity below sold, a new price for a tier with sales', () => {
    const form = formFromConcert(existing);
    const errors = validateConcertForm(
      { ...form, tiers: [{ ...nth(form.tiers, 0), capacity: '39', price: '160' }, nth(form.tiers, 1)] },
      NOW,
      existing,
    );
    expect(errors['tiers[0].capacity']).toMatch(/40 already sold/);
    expect(errors['tiers[0].price']).toMatch(/cannot change/);
  });

  it('maps the server’s refusals onto the form', () => {
    const form = formFromConcert(existing);
    expect(serverFieldError('VALIDATION_ERROR', 'starts in the past', { field: 'startsAt' }, form)).toEqual({ startsAt: 'starts in the past' });
    expect(serverFieldError('DUPLICATE_TIER_NAME', 'dup', { tierName: 'GA' }, form)).toEqual({ 'tiers[1].tierName': 'Another tier has this name.' });
    expect(serverFieldError('CAPACITY_BELOW_SOLD', 'x', { tierId: 't_vip', sold: 40, capacity: 30 }, form)['tiers[0].capacity']).toMatch(/40 sold/);
    expect(serverFieldError('TIER_HAS_SALES', 'x', { tierId: 't_vip' }, form)).toHaveProperty(['tiers[0].price']);
    expect(serverFieldError('SOMETHING', 'Nope', {}, form)).toEqual({ form: 'Nope' });
  });
});

describe('the dashboard’s rate series', () => {
  const generatedAt = '2026-12-01T18:04:30.500Z';

  it('is 60 minutes ending at the current one, oldest first, gaps as 0', () => {
    const points = rateSeries(
      [
        { minute: '2026-12-01T18:02:00Z', confirmed: 120 },
        { minute: '2026-12-01T18:04:00Z', confirmed: 7 },
        { minute: '2026-12-01T16:00:00Z', confirmed: 99 }, // outside the hour
        { minute: 'garbage', confirmed: 5 },
      ],
      generatedAt,
    );
    expect(points).toHaveLength(60);
    expect(points[0]?.at).toBe(Date.parse('2026-12-01T17:05:00Z'));
    expect(points[59]).toEqual({ at: Date.parse('2026-12-01T18:04:00Z'), confirmed: 7 });
    expect(points[57]).toEqual({ at: Date.parse('2026-12-01T18:02:00Z'), confirmed: 120 });
    expect(points.reduce((n, p) => n + p.confirmed, 0)).toBe(127);
    expect(rateSummary(points)).toEqual({ peak: 120, peakAt: Date.parse('2026-12-01T18:02:00Z'), current: 7, total: 127 });
  });

  it('rounds the axis up to 1, 2, 5 × 10ⁿ', () => {
    expect([0, 1, 2, 3, 7, 10, 11, 120, 501].map(niceCeiling)).toEqual([1, 1, 2, 5, 10, 10, 20, 200, 1000]);
  });

  it('draws the line in the box, the peak at the top', () => {
    const g = chartGeometry(
      [
        { at: 0, confirmed: 0 },
        { at: 60_000, confirmed: 10 },
        { at: 120_000, confirmed: 5 },
      ],
      200,
      100,
    );
    expect(g.top).toBe(10);
    expect(g.line).toBe('M0,100 L100,0 L200,50');
    expect(g.area).toBe('M0,100 L100,0 L200,50 L200,100 L0,100 Z');
    expect(chartGeometry([], 200, 100).line).toBe('');
  });
});

describe('the box office’s addresses', () => {
  it('routes /admin and below', () => {
    expect(matchAdminRoute('/admin')).toEqual({ name: 'concerts' });
    expect(matchAdminRoute('/admin/')).toEqual({ name: 'concerts' });
    expect(matchAdminRoute('/admin/concerts/new')).toEqual({ name: 'new-concert' });
    expect(matchAdminRoute('/admin/concerts/c_1')).toEqual({ name: 'concert', id: 'c_1' });
    expect(matchAdminRoute('/admin/concerts/c_1/sales')).toEqual({ name: 'sales', id: 'c_1' });
    expect(matchAdminRoute('/admin/bookings')).toEqual({ name: 'bookings' });
    expect(matchAdminRoute('/admin/bookings/bk_9')).toEqual({ name: 'booking', id: 'bk_9' });
    expect(matchAdminRoute('/admin/concerts/a%20b')).toEqual({ name: 'not-found' });
    expect(matchAdminRoute('/admin/nothing')).toEqual({ name: 'not-found' });
  });

  it('searches with only the parameters given', () => {
    expect(bookingSearchParams({})).toBe('');
    expect(bookingSearchParams({ q: '  alex@example.com ', status: '', concertId: 'c1', limit: 50 })).toBe(
      'concertId=c1&q=alex%40example.com&limit=50',
    );
    expect(bookingSearchParams({ q: '   ', cursor: 'bk_2', status: 'cancelled' })).toBe('status=cancelled&cursor=bk_2');
  });
});
