// The box office's concerts (issue 12): who may use every /api/admin/* route (401 signed out,
// 403 for a fan, CSRF and JSON rules on the writes), creating a concert (each validation error
// with its field, the venue's time zone) and the box office's listing. Changing a concert is
// admin-concert-changes.test.mjs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertError, assertOk, startStack } from './stack.mjs';
import { book, bookingBody } from './lib/booking-helpers.mjs';
import { createFans } from './lib/fans.mjs';
import { adminGet, asBookable, concertInput, createConcert, send, tierByName } from './lib/admin-helpers.mjs';

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

test('ticketd drains on SIGTERM and its log has no sanitizer report', async () => {
  assert.deepEqual(await s.stopTicketdAndCollectSanitizerReports(), []);
});
