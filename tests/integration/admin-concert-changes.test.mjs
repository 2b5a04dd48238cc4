// Changing a concert from the box office (issue 12): renames, reprices before the first sale,
// capacity up and down (never below what is sold), new tiers, all or nothing, the start and the
// time zone, publishing, and cancelling with its refunds and audit trail.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertError, assertOk, startStack } from './stack.mjs';
import { assertInvariant, book, bookingBody } from './lib/booking-helpers.mjs';
import { createFans } from './lib/fans.mjs';
import {
  adminGet, asBookable, bucketState, createConcert, patchConcert, soldByBookings, tierByName,
} from './lib/admin-helpers.mjs';

let s;
let admin;
let fan;

before(async () => {
  s = await startStack({ rateLimit: 'off', env: { PAYMENT_LATENCY_MS: '0', TICKETD_READ_WORKERS: '4', TICKETD_BOOK_WORKERS: '8' } });
  [admin] = await createFans(s, 1, { role: 'admin', prefix: 'admin' });
  [fan] = await createFans(s, 1);
});
after(async () => {
  await s?.destroy();
});

// One confirmed booking of a fresh published concert.
async function fixture() {
  const c = await createConcert(s, admin);
  const b = assertOk(assert, await book(s, bookingBody(asBookable(c), { GA: 1 }), { fan }), 201);
  return { c, b };
}

// --- PATCH /api/admin/concerts/:id -------------------------------------------------------------

test('PATCH renames the concert and reprices a tier before its first sale (200, as stored)', async () => {
  const c = await createConcert(s, admin);
  const vip = tierByName(c, 'VIP');
  const res = await patchConcert(s, admin, c.id, { name: 'Renamed Night', tiers: [{ id: vip.id, price: 120.5, tierName: 'Gold' }] });
  const d = assertOk(assert, res);
  assert.equal(d.name, 'Renamed Night');
  const gold = d.tiers.find((t) => t.id === vip.id);
  assert.deepEqual([gold.tierName, gold.price, gold.capacity], ['Gold', 120.5, 10]);
  assert.equal(await s.psql(`SELECT name FROM concerts WHERE id = '${c.id}'`), 'Renamed Night');
  assert.equal(await s.psql(`SELECT tier_name || ':' || price_cents FROM ticket_tiers WHERE id = '${vip.id}'`), 'Gold:12050');
  // The rest is as it was.
  assert.equal(d.startsAt, c.startsAt);
  assert.equal(d.salesEnd, c.salesEnd);
  assert.deepEqual(tierByName(d, 'GA'), tierByName(c, 'GA'));
});

test('PATCH reprices a tier after a sale: 409 TIER_HAS_SALES with its tierId, the price stays', async () => {
  const c = await createConcert(s, admin);
  const ga = tierByName(c, 'GA');
  assertOk(assert, await book(s, bookingBody(asBookable(c), { GA: 1 }), { fan }), 201);
  const res = await patchConcert(s, admin, c.id, { tiers: [{ id: ga.id, price: 25 }] });
  assertError(assert, res, 409, 'TIER_HAS_SALES');
  assert.deepEqual(res.json.error.details, { tierId: ga.id });
  assert.equal(await s.psql(`SELECT price_cents FROM ticket_tiers WHERE id = '${ga.id}'`), '1999');
  // The same price again is no reprice.
  assertOk(assert, await patchConcert(s, admin, c.id, { tiers: [{ id: ga.id, price: 19.99 }] }));
});

test('PATCH raises a capacity: more tickets sell, the buckets grow, the invariant holds', async () => {
  const c = await createConcert(s, admin, { tiers: [{ tierName: 'GA', price: 10, capacity: 10 }] });
  const ga = tierByName(c, 'GA');
  const bc = asBookable(c);
  assertOk(assert, await book(s, bookingBody(bc, { GA: 10 }), { fan }), 201);
  assertError(assert, await book(s, bookingBody(bc, { GA: 1 }), { fan }), 409, 'INSUFFICIENT_INVENTORY');
  assert.equal((await bucketState(s, ga.id)).buckets, 1);

  const d = assertOk(assert, await patchConcert(s, admin, c.id, { tiers: [{ id: ga.id, capacity: 1000 }] }));
  assert.deepEqual(d.tiers.map((t) => [t.capacity, t.sold, t.available]), [[1000, 10, 990]]);
  const st = await bucketState(s, ga.id);
  assert.deepEqual(st, { buckets: 10, capacity: 1000, available: 990, total: 1000, bucketCount: 10 });
  assert.equal(await s.psql('SELECT count(*) FROM inventory_violations'), '0');

  for (let i = 0; i < 3; i++) assertOk(assert, await book(s, bookingBody(bc, { GA: 10 }), { fan }), 201);
  assert.equal((await bucketState(s, ga.id)).available, 960);
  await assertInvariant(assert, s);
});

test('PATCH lowers a capacity to exactly what is sold (200, sold out); below it: 409 CAPACITY_BELOW_SOLD, nothing changed', async () => {
  const c = await createConcert(s, admin, { tiers: [{ tierName: 'GA', price: 10, capacity: 300 }] });
  const ga = tierByName(c, 'GA');
  const bc = asBookable(c);
  for (let i = 0; i < 3; i++) assertOk(assert, await book(s, bookingBody(bc, { GA: 4 }), { fan }), 201);

  const below = await patchConcert(s, admin, c.id, { name: 'Should not stick', tiers: [{ id: ga.id, capacity: 11 }] });
  assertError(assert, below, 409, 'CAPACITY_BELOW_SOLD');
  assert.deepEqual(below.json.error.details, { tierId: ga.id, sold: 12, capacity: 11 });
  assert.equal(await s.psql(`SELECT name FROM concerts WHERE id = '${c.id}'`), c.name);
  assert.deepEqual(await bucketState(s, ga.id), { buckets: 3, capacity: 300, available: 288, total: 300, bucketCount: 3 });

  const exact = assertOk(assert, await patchConcert(s, admin, c.id, { tiers: [{ id: ga.id, capacity: 12 }] }));
  assert.deepEqual(exact.tiers.map((t) => [t.capacity, t.sold, t.available]), [[12, 12, 0]]);
  assert.deepEqual(await bucketState(s, ga.id), { buckets: 3, capacity: 12, available: 0, total: 12, bucketCount: 3 });
  assertError(assert, await book(s, bookingBody(bc, { GA: 1 }), { fan }), 409, 'INSUFFICIENT_INVENTORY');
  await assertInvariant(assert, s);
});

test('PATCH adds a tier (with a new id) and it sells; an unknown tier id is 400 with its field', async () => {
  const c = await createConcert(s, admin);
  const d = assertOk(assert, await patchConcert(s, admin, c.id, { tiers: [{ tierName: 'Balcony', price: 35, capacity: 7 }] }));
  assert.equal(d.tiers.length, 3);
  const balcony = tierByName(d, 'Balcony');
  assert.deepEqual([balcony.price, balcony.capacity, balcony.available], [35, 7, 7]);
  assert.ok(!c.tiers.some((t) => t.id === balcony.id));
  assertOk(assert, await book(s, bookingBody(asBookable(d), { Balcony: 7 }), { fan }), 201);

  const before = await s.psql(`SELECT count(*) FROM ticket_tiers WHERE concert_id = '${c.id}'`);
  const res = await patchConcert(s, admin, c.id, { tiers: [{ id: 'tier_nope', capacity: 5 }] });
  assertError(assert, res, 400, 'INVALID_REQUEST');
  assert.equal(res.json.error.details.field, 'tiers[0].id');
  const dup = await patchConcert(s, admin, c.id, { tiers: [{ tierName: 'BALCONY', price: 1, capacity: 1 }] });
  assertError(assert, dup, 409, 'DUPLICATE_TIER_NAME');
  assert.equal(await s.psql(`SELECT count(*) FROM ticket_tiers WHERE concert_id = '${c.id}'`), before);
  await assertInvariant(assert, s);
});

test('PATCH is all or nothing: a refused tier after an accepted one leaves the concert and both tiers as they were', async () => {
  const c = await createConcert(s, admin);
  const vip = tierByName(c, 'VIP');
  const ga = tierByName(c, 'GA');
  assertOk(assert, await book(s, bookingBody(asBookable(c), { GA: 5 }), { fan }), 201);
  const before = [await bucketState(s, vip.id), await bucketState(s, ga.id)];

  const res = await patchConcert(s, admin, c.id, {
    name: 'Half applied', description: 'should not stay',
    tiers: [{ id: vip.id, capacity: 500, tierName: 'Platinum' }, { id: ga.id, capacity: 4 }],
  });
  assertError(assert, res, 409, 'CAPACITY_BELOW_SOLD');
  assert.deepEqual(res.json.error.details, { tierId: ga.id, sold: 5, capacity: 4 });
  assert.deepEqual([await bucketState(s, vip.id), await bucketState(s, ga.id)], before);
  assert.equal(await s.psql(`SELECT name || '|' || description || '|' || (SELECT tier_name FROM ticket_tiers WHERE id = '${vip.id}')
    FROM concerts WHERE id = '${c.id}'`), `${c.name}||VIP`);
  await assertInvariant(assert, s);
});

test('PATCH publishes a draft: it becomes visible and bookable', async () => {
  const c = await createConcert(s, admin, { status: 'draft' });
  assertError(assert, await s.get(`/api/concerts/${c.id}`), 404, 'CONCERT_NOT_FOUND');
  const d = assertOk(assert, await patchConcert(s, admin, c.id, { status: 'published' }));
  assert.equal(d.status, 'published');
  assert.equal(assertOk(assert, await s.get(`/api/concerts/${c.id}`)).status, 'published');
  assertOk(assert, await book(s, bookingBody(asBookable(c), { VIP: 1 }), { fan }), 201);
});

test('PATCH back to draft with a confirmed booking: 409 CONCERT_HAS_SALES, it stays published', async () => {
  const { c } = await fixture();
  assertError(assert, await patchConcert(s, admin, c.id, { status: 'draft' }), 409, 'CONCERT_HAS_SALES');
  assert.equal(await s.psql(`SELECT status FROM concerts WHERE id = '${c.id}'`), 'published');
  // Without sales it may go back.
  const empty = await createConcert(s, admin);
  assert.equal(assertOk(assert, await patchConcert(s, admin, empty.id, { status: 'draft' })).status, 'draft');
});

test('PATCH status cancelled without a cancelReason (or a blank one): 400 cancelReason, nothing cancelled', async () => {
  const { c, b } = await fixture();
  for (const body of [{ status: 'cancelled' }, { status: 'cancelled', cancelReason: '  ' }]) {
    const res = await patchConcert(s, admin, c.id, body);
    assertError(assert, res, 400, 'INVALID_REQUEST');
    assert.equal(res.json.error.details.field, 'cancelReason');
  }
  assert.equal(await s.psql(`SELECT status FROM concerts WHERE id = '${c.id}'`), 'published');
  assert.equal(await s.psql(`SELECT status FROM bookings WHERE id = '${b.id}'`), 'confirmed');
});

test('PATCH cancels a concert: every confirmed booking cancelled with the admin and the reason, tickets back, sales closed', async () => {
  const c = await createConcert(s, admin);
  const bc = asBookable(c);
  const fans = await createFans(s, 3);
  const booked = [];
  for (const f of fans) booked.push(assertOk(assert, await book(s, bookingBody(bc, { VIP: 2, GA: 3 }), { fan: f }), 201));
  const declined = await book(s, bookingBody(bc, { GA: 1 }, { paymentMethod: 'test_decline' }), { fan });
  assertError(assert, declined, 402, 'PAYMENT_FAILED');

  const reason = 'The venue flooded';
  const d = assertOk(assert, await patchConcert(s, admin, c.id, { status: 'cancelled', cancelReason: reason }));
  assert.equal(d.status, 'cancelled');
  assert.deepEqual(d.tiers.map((t) => [t.tierName, t.sold, t.available, t.capacity]), [['VIP', 0, 10, 10], ['GA', 0, 50, 50]]);
  for (const t of c.tiers) {
    const st = await bucketState(s, t.id);
    assert.equal(st.available, st.capacity, `${t.tierName}: every ticket back`);
  }

  for (const [i, b] of booked.entries()) {
    const detail = assertOk(assert, await adminGet(s, admin, `/api/admin/bookings/${b.id}`));
    assert.equal(detail.status, 'cancelled');
    const last = detail.events[detail.events.length - 1];
    assert.equal(last.fromStatus, 'confirmed');
    assert.equal(last.toStatus, 'cancelled');
    assert.equal(last.reason, reason);
    assert.deepEqual(last.actor, { id: admin.id, email: admin.email, name: admin.name });
    assert.equal(detail.events[0].actor.id, fans[i].id, 'the fan made it');
    assert.equal(assertOk(assert, await s.get(`/api/bookings/${b.id}`, { fan: fans[i] })).status, 'cancelled');
  }
  // The declined key stays what it was.
  assert.equal(await s.psql(`SELECT status FROM bookings WHERE id = '${declined.json.error.details.bookingId}'`), 'payment_failed');
  assert.equal(await s.psql(`SELECT count(*) FROM bookings WHERE concert_id = '${c.id}' AND status = 'confirmed'`), '0');
  assert.equal(await s.psql(`SELECT coalesce(sum(booked), 0) FROM fan_quotas WHERE concert_id = '${c.id}'`), '0');

  const late = await book(s, bookingBody(bc, { GA: 1 }), { fan });
  assertError(assert, late, 409, 'SALES_CLOSED');
  assert.equal(late.json.error.details.concertStatus, 'cancelled');
  assert.equal(await soldByBookings(s, tierByName(c, 'GA').id), 0);
  await assertInvariant(assert, s);
});

test('any PATCH of a cancelled concert: 409 CONCERT_CANCELLED, nothing changes', async () => {
  const c = await createConcert(s, admin);
  assertOk(assert, await patchConcert(s, admin, c.id, { status: 'cancelled', cancelReason: 'Tour called off' }));
  const ga = tierByName(c, 'GA');
  for (const body of [{ status: 'published' }, { name: 'Back on' }, { tiers: [{ id: ga.id, capacity: 99 }] },
    { status: 'cancelled', cancelReason: 'Again' }]) {
    assertError(assert, await patchConcert(s, admin, c.id, body), 409, 'CONCERT_CANCELLED');
  }
  assert.equal(await s.psql(`SELECT status || '|' || name FROM concerts WHERE id = '${c.id}'`), `cancelled|${c.name}`);
  assert.equal((await bucketState(s, ga.id)).capacity, 50);
});

// --- the start, the doors and the time zone ----------------------------------------------------

test('PATCH startsAt: the instant moves, and sales that closed at the start still close at the start', async () => {
  const c = await createConcert(s, admin, { doorsAt: '2027-06-15T19:00' });
  assert.equal(c.salesEnd, c.startsAt);
  const d = assertOk(assert, await patchConcert(s, admin, c.id, { startsAt: '2027-06-20T21:30' }));
  assert.equal(d.startsAt, '2027-06-20T21:30:00-04:00');
  assert.equal(d.eventDate, '2027-06-21T01:30:00Z');
  assert.equal(d.salesEnd, d.startsAt);
  assert.equal(d.doorsAt, '2027-06-15T19:00:00-04:00', 'the doors stay where they were');
  assert.equal(await s.psql(`SELECT sales_end = event_date FROM concerts WHERE id = '${c.id}'`), 't');
});

test('PATCH timeZone keeps the local time at the venue: 20:00 in Paris is 18:00Z', async () => {
  const c = await createConcert(s, admin, { doorsAt: '2027-06-15T19:00' });
  const d = assertOk(assert, await patchConcert(s, admin, c.id, { timeZone: 'Europe/Paris' }));
  assert.equal(d.timeZone, 'Europe/Paris');
  assert.equal(d.startsAt, '2027-06-15T20:00:00+02:00');
  assert.equal(d.eventDate, '2027-06-15T18:00:00Z');
  assert.equal(d.doorsAt, '2027-06-15T19:00:00+02:00');
  assert.equal(d.salesEnd, d.startsAt);
  // Shown by the public API in the venue's zone too.
  assert.equal(assertOk(assert, await s.get(`/api/concerts/${c.id}`)).startsAt, '2027-06-15T20:00:00+02:00');
});

test('PATCH keeps a salesEnd that was set when the start moves; doorsAt null clears the doors', async () => {
  const c = await createConcert(s, admin, { doorsAt: '2027-06-15T19:00', salesEnd: '2027-06-14T12:00:00-04:00' });
  const d = assertOk(assert, await patchConcert(s, admin, c.id, { startsAt: '2027-06-16T20:00', doorsAt: null }));
  assert.equal(d.salesEnd, '2027-06-14T12:00:00-04:00');
  assert.equal(d.doorsAt, null);
  assert.equal(await s.psql(`SELECT doors_at IS NULL FROM concerts WHERE id = '${c.id}'`), 't');
});

// Each refused change: [what, body, details.field].
const INVALID_CHANGES = [
  ['a start in the past', { startsAt: '2021-01-01T20:00' }, 'startsAt'],
  ['a start with an offset', { startsAt: '2027-06-15T20:00:00+02:00' }, 'startsAt'],
  ['doors after the start', { doorsAt: '2027-06-15T21:00' }, 'doorsAt'],
  ['an unknown time zone', { timeZone: 'Mars/Base' }, 'timeZone'],
  ['a zone abbreviation', { timeZone: 'EST' }, 'timeZone'],
  ['a start before the sales close', { startsAt: '2027-06-01T20:00' }, 'salesEnd'],
  ['an empty name', { name: '' }, 'name'],
  ['maxTicketsPerFan 0', { maxTicketsPerFan: 0 }, 'maxTicketsPerFan'],
  ['an unknown member', { tier: [] }, 'body'],
  ['a tier reprice with 3 decimals', { tiers: [{ price: 1.005 }] }, 'tiers[0].price'],
];

for (const [what, body, field] of INVALID_CHANGES) {
  test(`PATCH with ${what}: 400 INVALID_REQUEST, details.field ${field}, nothing changes`, async () => {
    const c = await createConcert(s, admin, { salesEnd: '2027-06-10T12:00:00-04:00' });
    const res = await patchConcert(s, admin, c.id, body);
    assertError(assert, res, 400, 'INVALID_REQUEST');
    assert.equal(res.json.error.details.field, field, res.body);
    const now = assertOk(assert, await adminGet(s, admin, `/api/admin/concerts/${c.id}`));
    assert.deepEqual({ ...now, updatedAt: undefined }, { ...c, updatedAt: undefined });
  });
}

test('ticketd drains on SIGTERM and its log has no sanitizer report', async () => {
  assert.deepEqual(await s.stopTicketdAndCollectSanitizerReports(), []);
});
