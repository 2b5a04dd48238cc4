// The box office's concerts (issue 12): who may use every /api/admin/* route (401 signed out,
// 403 for a fan, CSRF and JSON rules on the writes), creating a concert (each validation error
// with its field, the venue's time zone), and changing one (tiers, capacity never below sold,
// all-or-nothing, publishing, cancelling with its refunds and audit trail).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertError, assertOk, startStack } from './stack.mjs';
import { assertInvariant, book, bookingBody } from './lib/booking-helpers.mjs';
import { createFans } from './lib/fans.mjs';
import {
  adminGet, asBookable, bucketState, concertInput, createConcert, patchConcert, send, soldByBookings, tierByName,
} from './lib/admin-helpers.mjs';

let s;
let admin;
let fan;

before(async () => {
  s = await startStack({ rateLimit: 'off', env: { PAYMENT_LATENCY_MS: '0' } });
  [admin] = await createFans(s, 1, { role: 'admin', prefix: 'admin' });
  [fan] = await createFans(s, 1);
});
after(async () => {
  await s?.destroy();
});

const UNKNOWN_BOOKING = `bk_${'0'.repeat(32)}`;
const countConcerts = async () => Number(await s.psql('SELECT count(*) FROM concerts'));

// One confirmed booking of a fresh published concert, for the routes that need one.
async function fixture() {
  const c = await createConcert(s, admin);
  const b = assertOk(assert, await book(s, bookingBody(asBookable(c), { GA: 1 }), { fan }), 201);
  return { c, b };
}

// Every admin route with a body an admin would send and the status that admin gets.
function routes(c, b) {
  return [
    ['GET', '/api/admin/concerts', undefined, 200],
    ['POST', '/api/admin/concerts', concertInput(), 201],
    ['GET', `/api/admin/concerts/${c.id}`, undefined, 200],
    ['PATCH', `/api/admin/concerts/${c.id}`, { description: 'Doors at the side' }, 200],
    ['GET', `/api/admin/concerts/${c.id}/sales`, undefined, 200],
    ['GET', `/api/admin/concerts/${c.id}/bookings.csv`, undefined, 200],
    ['GET', `/api/admin/bookings?concertId=${c.id}`, undefined, 200],
    ['GET', `/api/admin/bookings/${b.id}`, undefined, 200],
    ['POST', `/api/admin/bookings/${b.id}/cancel`, { reason: 'Fan asked by phone' }, 200],
  ];
}

test('every /api/admin/* route: 401 UNAUTHENTICATED signed out, and nothing changes', async () => {
  const { c, b } = await fixture();
  const concerts = await countConcerts();
  for (const [method, path, body] of routes(c, b)) {
    assertError(assert, await send(s, method, path, body, { fan: null }), 401, 'UNAUTHENTICATED');
  }
  assert.equal(await countConcerts(), concerts);
  assert.equal(await s.psql(`SELECT status FROM bookings WHERE id = '${b.id}'`), 'confirmed');
  assert.equal(await s.psql(`SELECT description FROM concerts WHERE id = '${c.id}'`), '');
});

test('every /api/admin/* route: 403 FORBIDDEN for a fan (no details), and nothing changes', async () => {
  const { c, b } = await fixture();
  const concerts = await countConcerts();
  for (const [method, path, body] of routes(c, b)) {
    const res = await send(s, method, path, body, { fan });
    assertError(assert, res, 403, 'FORBIDDEN');
    assert.equal(res.json.error.details, undefined, `${method} ${path}`);
  }
  assert.equal(await countConcerts(), concerts);
  assert.equal(await s.psql(`SELECT status FROM bookings WHERE id = '${b.id}'`), 'confirmed');
});

test('every /api/admin/* route answers an admin (200, 201 for a creation)', async () => {
  const { c, b } = await fixture();
  for (const [method, path, body, status] of routes(c, b)) {
    const res = await send(s, method, path, body, { fan: admin });
    assert.equal(res.status, status, `${method} ${path}: ${res.body.slice(0, 300)}`);
  }
  assert.equal(await s.psql(`SELECT status FROM bookings WHERE id = '${b.id}'`), 'cancelled');
});

test('the admin writes from another site: 403 CSRF_REJECTED (Origin or Sec-Fetch-Site), nothing changes', async () => {
  const { c, b } = await fixture();
  const concerts = await countConcerts();
  const writes = [
    ['POST', '/api/admin/concerts', concertInput()],
    ['PATCH', `/api/admin/concerts/${c.id}`, { name: 'Hijacked' }],
    ['POST', `/api/admin/bookings/${b.id}/cancel`, { reason: 'Hijacked' }],
  ];
  for (const [method, path, body] of writes) {
    assertError(assert, await send(s, method, path, body, { fan: admin, headers: { origin: 'https://evil.example' } }),
      403, 'CSRF_REJECTED');
    assertError(assert, await send(s, method, path, body, { fan: admin, headers: { 'sec-fetch-site': 'cross-site' } }),
      403, 'CSRF_REJECTED');
  }
  assert.equal(await countConcerts(), concerts);
  assert.equal(await s.psql(`SELECT name FROM concerts WHERE id = '${c.id}'`), c.name);
  assert.equal(await s.psql(`SELECT status FROM bookings WHERE id = '${b.id}'`), 'confirmed');
});

test('the admin writes with a body that is not JSON: 415 UNSUPPORTED_MEDIA_TYPE, nothing changes', async () => {
  const { c, b } = await fixture();
  const concerts = await countConcerts();
  const writes = [
    ['POST', '/api/admin/concerts', concertInput()],
    ['PATCH', `/api/admin/concerts/${c.id}`, { name: 'Form post' }],
    ['POST', `/api/admin/bookings/${b.id}/cancel`, { reason: 'Form post' }],
  ];
  for (const [method, path, body] of writes) {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      assertError(assert, await send(s, method, path, body, { fan: admin, contentType }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
  }
  assert.equal(await countConcerts(), concerts);
  assert.equal(await s.psql(`SELECT name FROM concerts WHERE id = '${c.id}'`), c.name);
  assert.equal(await s.psql(`SELECT status FROM bookings WHERE id = '${b.id}'`), 'confirmed');
});

// --- POST /api/admin/concerts ------------------------------------------------------------------

test('POST /api/admin/concerts: 201 with the concert, its tiers and their ids; a draft by default', async () => {
  const input = concertInput({ description: 'Two sets', doorsAt: '2027-06-15T18:30' });
  delete input.status;
  const res = await send(s, 'POST', '/api/admin/concerts', input, { fan: admin });
  const c = assertOk(assert, res, 201);
  assert.match(c.id, /^[A-Za-z0-9_-]{1,64}$/);
  assert.equal(c.status, 'draft');
  assert.equal(c.name, 'Box Office Night');
  assert.equal(c.description, 'Two sets');
  assert.equal(c.doorsAt, '2027-06-15T18:30:00-04:00');
  assert.equal(c.maxTicketsPerFan, 100);
  assert.deepEqual(c.tiers.map((t) => [t.tierName, t.price, t.capacity, t.sold, t.available]),
    [['VIP', 100, 10, 0, 10], ['GA', 19.99, 50, 0, 50]]);
  assert.equal(new Set(c.tiers.map((t) => t.id)).size, 2);
  assert.match(res.body, /"price":19\.99[,}]/);
  const stored = await s.psql(`SELECT string_agg(id || ':' || tier_name || ':' || price_cents || ':' || total_quantity, ',' ORDER BY price_cents DESC)
    FROM ticket_tiers WHERE concert_id = '${c.id}'`);
  assert.equal(stored, c.tiers.map((t) => `${t.id}:${t.tierName}:${Math.round(t.price * 100)}:${t.capacity}`).join(','));
  // Sales open now and close at the start by default.
  assert.equal(c.salesEnd, c.startsAt);
  const admins = assertOk(assert, await adminGet(s, admin, `/api/admin/concerts/${c.id}`));
  assert.deepEqual(admins, c);
});

test('the start is local time at the venue: 20:00 in New York in June is -04:00 (00:00Z), in January -05:00', async () => {
  const summer = await createConcert(s, admin, { startsAt: '2027-06-15T20:00' });
  assert.equal(summer.startsAt, '2027-06-15T20:00:00-04:00');
  assert.equal(summer.eventDate, '2027-06-16T00:00:00Z');
  assert.equal(summer.timeZone, 'America/New_York');
  assert.equal(await s.psql(`SELECT to_char(event_date AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM concerts WHERE id = '${summer.id}'`),
    '2027-06-16 00:00');
  const winter = await createConcert(s, admin, { startsAt: '2027-01-15T20:00:00' });
  assert.equal(winter.startsAt, '2027-01-15T20:00:00-05:00');
  assert.equal(winter.eventDate, '2027-01-16T01:00:00Z');
  // The public API shows the same instant.
  const pub = assertOk(assert, await s.get(`/api/concerts/${summer.id}`));
  assert.equal(pub.startsAt, '2027-06-15T20:00:00-04:00');
  assert.equal(pub.eventDate, '2027-06-16T00:00:00Z');
});

// Each refusal: [what, body changes, details.field].
const INVALID_CREATIONS = [
  ['no name', { name: undefined }, 'name'],
  ['no venue', { venue: undefined }, 'venue'],
  ['no timeZone', { timeZone: undefined }, 'timeZone'],
  ['no startsAt', { startsAt: undefined }, 'startsAt'],
  ['no tiers', { tiers: undefined }, 'tiers'],
  ['an empty tiers array', { tiers: [] }, 'tiers'],
  ['a start in the past', { startsAt: '2020-06-15T20:00' }, 'startsAt'],
  ['an unknown time zone', { timeZone: 'Mars/Base' }, 'timeZone'],
  ['a zone abbreviation', { timeZone: 'EST' }, 'timeZone'],
  ['startsAt with an offset', { startsAt: '2027-06-15T20:00:00-04:00' }, 'startsAt'],
  ['startsAt in UTC (Z)', { startsAt: '2027-06-15T20:00:00Z' }, 'startsAt'],
  ['doors after the start', { doorsAt: '2027-06-15T20:30' }, 'doorsAt'],
  ['sales closing after the start', { salesEnd: '2027-06-16T00:00:01Z' }, 'salesEnd'],
  ['sales closing before they open', { salesStart: '2027-05-02T10:00:00-04:00', salesEnd: '2027-05-01T10:00:00-04:00' }, 'salesEnd'],
  ['salesStart without an offset', { salesStart: '2027-05-01T10:00:00' }, 'salesStart'],
  ['a new tier of capacity 0', { tiers: [{ tierName: 'GA', price: 10, capacity: 0 }] }, 'tiers[0].capacity'],
  ['a price with 3 decimals', { tiers: [{ tierName: 'GA', price: 10.005, capacity: 5 }] }, 'tiers[0].price'],
  ['a new tier without a name', { tiers: [{ price: 10, capacity: 5 }] }, 'tiers[0].tierName'],
  ['a new tier without a price', { tiers: [{ tierName: 'GA', capacity: 5 }] }, 'tiers[0].price'],
  ['a new tier without a capacity', { tiers: [{ tierName: 'GA', price: 10 }] }, 'tiers[0].capacity'],
  ['maxTicketsPerFan 0', { maxTicketsPerFan: 0 }, 'maxTicketsPerFan'],
  ['maxTicketsPerFan 101', { maxTicketsPerFan: 101 }, 'maxTicketsPerFan'],
  ['an unknown member', { colour: 'red' }, 'body'],
  ['status cancelled', { status: 'cancelled' }, 'status'],
  ['an unknown status', { status: 'live' }, 'status'],
  ['a blank name', { name: '   ' }, 'name'],
];

for (const [what, change, field] of INVALID_CREATIONS) {
  test(`POST /api/admin/concerts with ${what}: 400 INVALID_REQUEST, details.field ${field}, nothing created`, async () => {
    const body = concertInput(change);
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete body[k];
    const before = await countConcerts();
    const res = await send(s, 'POST', '/api/admin/concerts', body, { fan: admin });
    assertError(assert, res, 400, 'INVALID_REQUEST');
    assert.equal(res.json.error.details?.field, field, res.body);
    assert.equal(await countConcerts(), before);
  });
}

test('POST /api/admin/concerts with tiers "VIP" and "vip": 409 DUPLICATE_TIER_NAME naming it, nothing created', async () => {
  const before = await countConcerts();
  const res = await send(s, 'POST', '/api/admin/concerts',
    concertInput({ tiers: [{ tierName: 'VIP', price: 10, capacity: 5 }, { tierName: 'vip', price: 20, capacity: 5 }] }),
    { fan: admin });
  assertError(assert, res, 409, 'DUPLICATE_TIER_NAME');
  assert.equal(res.json.error.details.tierName.toLowerCase(), 'vip');
  assert.equal(await countConcerts(), before);
});

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

test('an unknown concert: 404 CONCERT_NOT_FOUND on GET, PATCH, sales and CSV; a malformed id is 400', async () => {
  for (const [method, path, body] of [
    ['GET', '/api/admin/concerts/concert_nope'],
    ['PATCH', '/api/admin/concerts/concert_nope', { name: 'X' }],
    ['GET', '/api/admin/concerts/concert_nope/sales'],
    ['GET', '/api/admin/concerts/concert_nope/bookings.csv'],
  ]) {
    assertError(assert, await send(s, method, path, body, { fan: admin }), 404, 'CONCERT_NOT_FOUND');
  }
  const bad = await send(s, 'GET', '/api/admin/concerts/not%20a%20slug', undefined, { fan: admin });
  assertError(assert, bad, 400, 'INVALID_REQUEST');
  assert.equal(bad.json.error.details.field, 'id');
  assertError(assert, await send(s, 'GET', `/api/admin/bookings/${UNKNOWN_BOOKING}`, undefined, { fan: admin }), 404, 'BOOKING_NOT_FOUND');
});

test('GET /api/admin/concerts lists drafts, published and cancelled concerts by start, with sales per tier', async () => {
  const draft = await createConcert(s, admin, { status: 'draft', startsAt: '2027-03-01T19:00' });
  const { c } = await fixture();
  const list = assertOk(assert, await adminGet(s, admin, '/api/admin/concerts'));
  const ids = list.map((x) => x.id);
  assert.ok(ids.includes(draft.id), 'the draft is listed');
  const starts = list.map((x) => Date.parse(x.eventDate));
  assert.deepEqual(starts, [...starts].sort((a, b) => a - b), 'ordered by start');
  const mine = list.find((x) => x.id === c.id);
  assert.equal(tierByName(mine, 'GA').sold, 1);
  assert.equal(tierByName(mine, 'GA').available, 49);
});
