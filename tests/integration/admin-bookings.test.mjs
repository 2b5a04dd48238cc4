// The box office's bookings and what a fan sees of the box office's rules (issue 12): searching
// every fan's bookings a page at a time, a booking's audit trail, cancelling for a fan with a
// reason, the sales dashboard, the CSV's content, the sales window by the server's clock, drafts
// and past concerts hidden, and cancelling after the start (the box office only).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { assertError, assertOk, sleep, startStack } from './stack.mjs';
import { addConcert, assertInvariant, book, bookingBody, listedConcerts } from './lib/booking-helpers.mjs';
import { createFans } from './lib/fans.mjs';
import {
  adminGet, asBookable, bucketState, createConcert, dbNowMs, instant, patchConcert, send, tierByName,
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

const adminCancel = (id, body) => send(s, 'POST', `/api/admin/bookings/${id}/cancel`, body, { fan: admin });
const search = async (query) => assertOk(assert, await adminGet(s, admin, `/api/admin/bookings?${query}`));
const person = (f) => ({ id: f.id, email: f.email, name: f.name });

// --- search ------------------------------------------------------------------------------------

test('search by booking reference, by email (any case), by part of a name (any case), by concert and status', async () => {
  const c = await createConcert(s, admin);
  const bc = asBookable(c);
  const [zoe, max] = await createFans(s, 2);
  zoe.name = 'Zoe Quartermaine';
  await s.psql(`UPDATE users SET name = '${zoe.name}' WHERE id = '${zoe.id}'`);
  const z1 = assertOk(assert, await book(s, bookingBody(bc, { GA: 1 }), { fan: zoe }), 201);
  const z2 = assertOk(assert, await book(s, bookingBody(bc, { VIP: 1 }), { fan: zoe }), 201);
  const m1 = assertOk(assert, await book(s, bookingBody(bc, { GA: 2 }), { fan: max }), 201);
  const declined = await book(s, bookingBody(bc, { GA: 1 }, { paymentMethod: 'test_decline' }), { fan: max });
  assertError(assert, declined, 402, 'PAYMENT_FAILED');
  assertOk(assert, await adminCancel(m1.id, { reason: 'Duplicate purchase' }));

  const byRef = await search(`q=${m1.id}`);
  assert.deepEqual(byRef.bookings.map((b) => b.id), [m1.id]);
  const one = byRef.bookings[0];
  assert.equal(one.concertName, c.name);
  assert.deepEqual(one.fan, person(max));
  assert.equal(one.guestName, null);
  assert.equal(one.status, 'cancelled');
  assert.equal(byRef.nextCursor, null);

  assert.deepEqual((await search(`q=${encodeURIComponent(zoe.email.toUpperCase())}`)).bookings.map((b) => b.id), [z2.id, z1.id],
    'newest first');
  assert.deepEqual((await search('q=quarterMAINE')).bookings.map((b) => b.id), [z2.id, z1.id]);
  assert.deepEqual((await search('q=Quarter')).bookings.map((b) => b.fan.id), [zoe.id, zoe.id]);
  assert.deepEqual((await search('q=nobody-matches-this')).bookings, []);

  assert.deepEqual((await search(`concertId=${c.id}`)).bookings.map((b) => b.id).sort(),
    [z1.id, z2.id, m1.id, declined.json.error.details.bookingId].sort());
  assert.deepEqual((await search(`concertId=${c.id}&status=cancelled`)).bookings.map((b) => b.id), [m1.id]);
  assert.deepEqual((await search(`concertId=${c.id}&status=payment_failed`)).bookings.map((b) => b.id),
    [declined.json.error.details.bookingId]);
  assert.deepEqual((await search(`concertId=${c.id}&status=confirmed&q=zoe`)).bookings.map((b) => b.id), [z2.id, z1.id]);
  // A LIKE pattern's own characters are text.
  assert.deepEqual((await search(`concertId=${c.id}&q=%25`)).bookings, []);
});

test('search pages: 7 bookings with limit=3 are 3, 3, 1 with no duplicate and no gap; nextCursor null at the end', async () => {
  const c = await createConcert(s, admin);
  const bc = asBookable(c);
  const made = [];
  for (let i = 0; i < 7; i++) made.push(assertOk(assert, await book(s, bookingBody(bc, { GA: 1 }), { fan }), 201).id);
  const seen = [];
  const sizes = [];
  let cursor = null;
  for (let page = 0; page < 5; page++) {
    const data = await search(`concertId=${c.id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    sizes.push(data.bookings.length);
    seen.push(...data.bookings.map((b) => b.id));
    cursor = data.nextCursor;
    if (cursor === null) break;
    assert.equal(cursor, data.bookings[data.bookings.length - 1].id);
  }
  assert.deepEqual(sizes, [3, 3, 1]);
  assert.equal(cursor, null);
  assert.deepEqual(seen, [...made].reverse(), 'every booking once, newest first');
  // Exactly a page's worth: no next page.
  const six = await search(`concertId=${c.id}&limit=7`);
  assert.equal(six.bookings.length, 7);
  assert.equal(six.nextCursor, null);
});

for (const [what, query, field] of [
  ['limit=0', 'limit=0', 'limit'],
  ['limit=101', 'limit=101', 'limit'],
  ['limit=abc', 'limit=abc', 'limit'],
  ['limit=3x', 'limit=3x', 'limit'],
  ['an unknown status', 'status=done', 'status'],
  ['a cursor that is no id', 'cursor=not%20an%20id', 'cursor'],
  ['a concertId that is no id', 'concertId=a%2Fb', 'concertId'],
]) {
  test(`search with ${what}: 400 INVALID_REQUEST, details.field ${field}`, async () => {
    const res = await adminGet(s, admin, `/api/admin/bookings?${query}`);
    assertError(assert, res, 400, 'INVALID_REQUEST');
    assert.equal(res.json.error.details.field, field);
  });
}

test('a booking made before accounts: found by the name typed at checkout, with its guestName and the placeholder fan', async () => {
  const c = await createConcert(s, admin);
  const ga = tierByName(c, 'GA');
  const id = `bk_${randomBytes(16).toString('hex')}`;
  await s.psql(`INSERT INTO bookings (id, idempotency_key, concert_id, user_id, status, total_cents, payment_method, request, guest_name)
      VALUES ('${id}', gen_random_uuid(), '${c.id}', 'u_legacy', 'confirmed', 1999, 'card', '{}', 'Walk-in Wendy');
    INSERT INTO booking_items (booking_id, tier_id, quantity, price_cents) VALUES ('${id}', '${ga.id}', 1, 1999);
    UPDATE tier_buckets SET available = available - 1 WHERE tier_id = '${ga.id}' AND bucket = 0`);
  const found = await search(`q=${encodeURIComponent('walk-in WENDY')}`);
  assert.deepEqual(found.bookings.map((b) => b.id), [id]);
  assert.equal(found.bookings[0].guestName, 'Walk-in Wendy');
  assert.equal(found.bookings[0].fan.id, 'u_legacy');
  const d = assertOk(assert, await adminCancel(id, { reason: 'Legacy refund' }));
  assert.equal(d.status, 'cancelled');
  assert.equal(d.guestName, 'Walk-in Wendy');
  assert.deepEqual(d.events.map((e) => [e.toStatus, e.actor?.id, e.reason]), [['cancelled', admin.id, 'Legacy refund']]);
  assert.equal((await bucketState(s, ga.id)).available, 50);
  await assertInvariant(assert, s);
});

// --- one booking and cancelling it -------------------------------------------------------------

test('GET /api/admin/bookings/:id: the booking with its fan and its audit trail (created by the fan)', async () => {
  const c = await createConcert(s, admin);
  const b = assertOk(assert, await book(s, bookingBody(asBookable(c), { VIP: 1, GA: 2 }), { fan }), 201);
  const d = assertOk(assert, await adminGet(s, admin, `/api/admin/bookings/${b.id}`));
  assert.equal(d.id, b.id);
  assert.equal(d.status, 'confirmed');
  assert.equal(d.totalAmount, 139.98);
  assert.deepEqual(d.items, b.items);
  assert.deepEqual(d.fan, person(fan));
  assert.equal(d.events.length, 1);
  assert.deepEqual({ ...d.events[0], at: undefined },
    { at: undefined, fromStatus: null, toStatus: 'confirmed', actor: person(fan), reason: null });
});

test('POST /api/admin/bookings/:id/cancel: 200 with the trail naming the admin and the reason; tickets back; the fan sees it', async () => {
  const c = await createConcert(s, admin, { maxTicketsPerFan: 4 });
  const bc = asBookable(c);
  const ga = tierByName(c, 'GA');
  const b = assertOk(assert, await book(s, bookingBody(bc, { GA: 4 }), { fan }), 201);
  assertError(assert, await book(s, bookingBody(bc, { GA: 1 }), { fan }), 409, 'FAN_LIMIT_REACHED');
  const reason = 'Refund agreed on the phone — ticket #4471';
  const d = assertOk(assert, await adminCancel(b.id, { reason }));
  assert.equal(d.status, 'cancelled');
  assert.equal(d.events.length, 2);
  assert.deepEqual({ ...d.events[1], at: undefined },
    { at: undefined, fromStatus: 'confirmed', toStatus: 'cancelled', actor: person(admin), reason });
  assert.deepEqual(d.events[0].actor, person(fan));
  assert.equal(await s.psql(`SELECT reason || '|' || actor_id FROM booking_events WHERE booking_id = '${b.id}' AND to_status = 'cancelled'`),
    `${reason}|${admin.id}`);
  assert.equal((await bucketState(s, ga.id)).available, 50);
  assert.equal(assertOk(assert, await s.get(`/api/bookings/${b.id}`, { fan })).status, 'cancelled');
  // The fan's quota came back with the tickets.
  assertOk(assert, await book(s, bookingBody(bc, { GA: 4 }), { fan }), 201);

  const again = await adminCancel(b.id, { reason: 'Twice' });
  assertError(assert, again, 409, 'BOOKING_NOT_CANCELLABLE');
  assert.deepEqual(again.json.error.details, { status: 'cancelled' });
  await assertInvariant(assert, s);
});

test('admin cancel of a declined booking: 409 BOOKING_NOT_CANCELLABLE with its status', async () => {
  const c = await createConcert(s, admin);
  const declined = await book(s, bookingBody(asBookable(c), { GA: 1 }, { paymentMethod: 'test_decline' }), { fan });
  assertError(assert, declined, 402, 'PAYMENT_FAILED');
  const res = await adminCancel(declined.json.error.details.bookingId, { reason: 'Tidy up' });
  assertError(assert, res, 409, 'BOOKING_NOT_CANCELLABLE');
  assert.deepEqual(res.json.error.details, { status: 'payment_failed' });
});

for (const [what, body] of [
  ['no reason', {}],
  ['an empty reason', { reason: '' }],
  ['a blank reason', { reason: ' \t ' }],
  ['a reason of 501 characters', { reason: 'x'.repeat(501) }],
  ['a reason of 501 two-byte characters', { reason: 'é'.repeat(501) }],
  ['a reason that is a number', { reason: 42 }],
]) {
  test(`admin cancel with ${what}: 400 INVALID_REQUEST reason, the booking stays confirmed`, async () => {
    const c = await createConcert(s, admin);
    const b = assertOk(assert, await book(s, bookingBody(asBookable(c), { GA: 1 }), { fan }), 201);
    const res = await adminCancel(b.id, body);
    assertError(assert, res, 400, 'INVALID_REQUEST');
    assert.equal(res.json.error.details.field, 'reason');
    assert.equal(await s.psql(`SELECT status FROM bookings WHERE id = '${b.id}'`), 'confirmed');
  });
}

test('admin cancel with a reason of exactly 500 characters (multi-byte too): 200, kept whole', async () => {
  const c = await createConcert(s, admin);
  for (const reason of ['y'.repeat(500), 'ü'.repeat(500)]) {
    const b = assertOk(assert, await book(s, bookingBody(asBookable(c), { GA: 1 }), { fan }), 201);
    const d = assertOk(assert, await adminCancel(b.id, { reason }));
    assert.equal(d.events[d.events.length - 1].reason, reason);
  }
});

test('admin cancel of an unknown booking: 404 BOOKING_NOT_FOUND', async () => {
  assertError(assert, await adminCancel(`bk_${'f'.repeat(32)}`, { reason: 'Gone' }), 404, 'BOOKING_NOT_FOUND');
  assertError(assert, await adminCancel('bk_nope', { reason: 'Gone' }), 404, 'BOOKING_NOT_FOUND');
});

// --- the sales dashboard -----------------------------------------------------------------------

test('GET /api/admin/concerts/:id/sales: sold, available, gross and refunds per tier, outcomes, 60 minutes', async () => {
  const c = await createConcert(s, admin);
  const bc = asBookable(c);
  const fans = await createFans(s, 4);
  const b1 = assertOk(assert, await book(s, bookingBody(bc, { VIP: 2 }), { fan: fans[0] }), 201);
  const b2 = assertOk(assert, await book(s, bookingBody(bc, { GA: 3 }), { fan: fans[1] }), 201);
  assertOk(assert, await book(s, bookingBody(bc, { VIP: 1, GA: 1 }), { fan: fans[2] }), 201);
  assertOk(assert, await book(s, bookingBody(bc, { GA: 2 }), { fan: fans[3] }), 201);
  assertError(assert, await book(s, bookingBody(bc, { GA: 1 }, { paymentMethod: 'test_decline' }), { fan: fans[0] }),
    402, 'PAYMENT_FAILED');
  assertOk(assert, await adminCancel(b2.id, { reason: 'Changed their mind' }));
  assert.ok(b1);

  const res = await adminGet(s, admin, `/api/admin/concerts/${c.id}/sales`);
  const r = assertOk(assert, res);
  assert.equal(r.concertId, c.id);
  const byName = Object.fromEntries(r.tiers.map((t) => [t.tierName, t]));
  assert.deepEqual(byName.VIP, { tierId: tierByName(c, 'VIP').id, tierName: 'VIP', price: 100, capacity: 10, sold: 3,
    available: 7, grossAmount: 300, refundedAmount: 0 });
  assert.deepEqual(byName.GA, { tierId: tierByName(c, 'GA').id, tierName: 'GA', price: 19.99, capacity: 50, sold: 3,
    available: 47, grossAmount: 119.94, refundedAmount: 59.97 });
  assert.deepEqual(r.totals, { capacity: 60, sold: 6, available: 54, grossAmount: 419.94, refundedAmount: 59.97 });
  assert.match(res.body, /"grossAmount":419\.94[,}]/);
  assert.deepEqual(r.outcomes, { confirmed: 3, declined: 1, rejected: 0, cancelled: 1 });

  // 60 consecutive minutes ending with the server's current one.
  assert.equal(r.perMinute.length, 60);
  const minutes = r.perMinute.map((m) => Date.parse(m.minute));
  for (let i = 1; i < 60; i++) assert.equal(minutes[i] - minutes[i - 1], 60000);
  // generatedAt and perMinute come from two statements (two now()s): a minute may turn between.
  const generatedMinute = Math.floor(Date.parse(r.generatedAt) / 60000) * 60000;
  assert.ok([generatedMinute, generatedMinute + 60000].includes(minutes[59]), `last minute ${r.perMinute[59].minute}, generated ${r.generatedAt}`);
  // Each booking counts in the minute it was confirmed (the cancelled one was confirmed too).
  const perMinuteDb = await s.psql(`SELECT iso8601(date_trunc('minute', created_at)), count(*) FROM bookings
    WHERE concert_id = '${c.id}' AND status IN ('confirmed', 'cancelled') GROUP BY 1 ORDER BY 1`);
  const expected = Object.fromEntries(perMinuteDb.split('\n').map((l) => l.split('|')).map(([m, n]) => [m, Number(n)]));
  const got = Object.fromEntries(r.perMinute.filter((m) => m.confirmed > 0).map((m) => [m.minute, m.confirmed]));
  assert.deepEqual(got, expected);
  assert.equal(r.perMinute.reduce((n, m) => n + m.confirmed, 0), 4);
});

// --- the CSV's content -------------------------------------------------------------------------

test('GET bookings.csv: a header, a line per confirmed or cancelled booking, quoted fields, no formula', async () => {
  const c = await createConcert(s, admin);
  const bc = asBookable(c);
  const [evil, quote] = await createFans(s, 2);
  await s.psql(`UPDATE users SET name = '=HYPERLINK("http://x.example","pay")' WHERE id = '${evil.id}';
    UPDATE users SET name = 'Ann "The Fan" O''Neil' WHERE id = '${quote.id}'`);
  const b1 = assertOk(assert, await book(s, bookingBody(bc, { VIP: 1, GA: 2 }), { fan: evil }), 201);
  const b2 = assertOk(assert, await book(s, bookingBody(bc, { GA: 1 }), { fan: quote }), 201);
  assertError(assert, await book(s, bookingBody(bc, { GA: 1 }, { paymentMethod: 'test_decline' }), { fan: quote }),
    402, 'PAYMENT_FAILED');
  assertOk(assert, await adminCancel(b2.id, { reason: 'Asked for it' }));

  const res = await adminGet(s, admin, `/api/admin/concerts/${c.id}/bookings.csv`);
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^text\/csv/);
  assert.match(res.headers['content-disposition'] ?? '', /^attachment/);
  const lines = res.body.split('\n');
  assert.equal(lines.pop(), '', 'ends with a newline');
  assert.equal(lines[0], 'booking_id,status,created_at,email,name,guest_name,tickets,items,total');
  assert.equal(lines.length, 3, res.body);
  const created = (b) => b.createdAt;
  assert.equal(lines[1], `"${b1.id}","confirmed","${created(b1)}","${evil.email}","'=HYPERLINK(""http://x.example"",""pay"")","","3","GA x2; VIP x1","139.98"`);
  assert.equal(lines[2], `"${b2.id}","cancelled","${created(b2)}","${quote.email}","Ann ""The Fan"" O'Neil","","1","GA x1","19.99"`);
});

// --- the sales window, by the server's clock ---------------------------------------------------

test('sales not started: 409 SALES_NOT_STARTED with details.salesStart; opened by moving salesStart back: 201', async () => {
  const now = await dbNowMs(s);
  const c = await createConcert(s, admin, { salesStart: instant(now + 3600000) });
  const bc = asBookable(c);
  const early = await book(s, bookingBody(bc, { GA: 1 }), { fan });
  assertError(assert, early, 409, 'SALES_NOT_STARTED');
  assert.equal(early.json.error.details.salesStart, c.salesStart);
  assert.equal(Date.parse(c.salesStart), Math.floor((now + 3600000) / 1000) * 1000);
  assertOk(assert, await patchConcert(s, admin, c.id, { salesStart: instant(now - 60000) }));
  assertOk(assert, await book(s, bookingBody(bc, { GA: 1 }), { fan }), 201);
});

test('a sale opening in 3 s by the server\'s clock: 409 before, 201 once serverTime has passed salesStart', async () => {
  const opens = Math.ceil((await dbNowMs(s) + 3000) / 1000) * 1000;
  const c = await createConcert(s, admin, { salesStart: instant(opens) });
  const bc = asBookable(c);
  const serverTime = async () => Date.parse(assertOk(assert, await s.get(`/api/concerts/${c.id}`, { fan: null })).serverTime);
  const early = await book(s, bookingBody(bc, { GA: 1 }), { fan });
  if (early.status === 201) {
    // Only a machine stalled for seconds gets here: the booking's own clock (book()'s now(),
    // to the second; opens is a whole second) must then be past the opening.
    assert.ok(Date.parse(early.json.data.createdAt) >= opens, `booked before the sale opened: ${early.body}`);
  } else {
    assertError(assert, early, 409, 'SALES_NOT_STARTED');
    assert.equal(Date.parse(early.json.error.details.salesStart), opens);
  }
  // Wait on the server's clock (the page's countdown does the same), bounded.
  for (const until = Date.now() + 15000; await serverTime() < opens; await sleep(100)) {
    assert.ok(Date.now() < until, `serverTime never reached ${instant(opens)}`);
  }
  assertOk(assert, await book(s, bookingBody(bc, { GA: 1 }), { fan }), 201);
});

test('sales closed: after salesEnd, 409 SALES_CLOSED with salesEnd and the concert published', async () => {
  const c = await createConcert(s, admin);
  const bc = asBookable(c);
  assertOk(assert, await book(s, bookingBody(bc, { GA: 1 }), { fan }), 201);
  const now = await dbNowMs(s);
  // salesEnd may not come before salesStart: both move back in one change.
  const d = assertOk(assert, await patchConcert(s, admin, c.id,
    { salesStart: instant(now - 120000), salesEnd: instant(now - 60000) }));
  const late = await book(s, bookingBody(bc, { GA: 1 }), { fan });
  assertError(assert, late, 409, 'SALES_CLOSED');
  assert.deepEqual(late.json.error.details, { salesEnd: d.salesEnd, concertStatus: 'published' });
  // salesEnd alone before salesStart is refused.
  const bad = await patchConcert(s, admin, c.id, { salesEnd: instant(now - 180000) });
  assertError(assert, bad, 400, 'INVALID_REQUEST');
  assert.equal(bad.json.error.details.field, 'salesEnd');
});

test('a draft is nobody\'s but the box office\'s: 404 on the concert, its availability and a booking; not listed', async () => {
  const c = await createConcert(s, admin, { status: 'draft' });
  assertError(assert, await s.get(`/api/concerts/${c.id}`), 404, 'CONCERT_NOT_FOUND');
  assertError(assert, await s.get(`/api/concerts/${c.id}/availability`), 404, 'CONCERT_NOT_FOUND');
  assertError(assert, await book(s, bookingBody(asBookable(c), { GA: 1 }), { fan }), 404, 'CONCERT_NOT_FOUND');
  assert.ok(!(await listedConcerts(s)).some((x) => x.id === c.id));
  assert.equal(await s.psql(`SELECT count(*) FROM bookings WHERE concert_id = '${c.id}'`), '0');
});

// Moves a concert's start `ms` into the past, its sales window with it (the table's checks).
async function startedAgo(id, ms) {
  await s.psql(`UPDATE concerts SET event_date = now() - interval '${ms} milliseconds',
      sales_end = now() - interval '${ms} milliseconds',
      sales_start = now() - interval '${ms} milliseconds' - interval '1 day' WHERE id = '${id}'`);
}

test('the listing: published concerts by start; one that started over 6 hours ago is gone and sells nothing', async () => {
  const recent = await addConcert(s, ['GA:10:5.00'], 'Started an hour ago');
  const old = await addConcert(s, ['GA:10:5.00'], 'Started seven hours ago');
  await startedAgo(recent.id, 3600000);
  await startedAgo(old.id, 7 * 3600000);
  const list = await listedConcerts(s);
  const ids = list.map((x) => x.id);
  assert.ok(ids.includes(recent.id), 'listed until six hours after its start');
  assert.ok(!ids.includes(old.id), 'gone six hours after its start');
  assert.ok(list.every((x) => x.status === 'published'));
  const keys = list.map((x) => [Date.parse(x.eventDate), x.id]);
  const sorted = [...keys].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  assert.deepEqual(keys, sorted, 'ordered by start, then id');
  for (const c of [recent, old]) {
    const res = await book(s, bookingBody(c, { GA: 1 }), { fan });
    assertError(assert, res, 409, 'SALES_CLOSED');
  }
  // Its page still answers, for the fans who hold bookings.
  assertOk(assert, await s.get(`/api/concerts/${old.id}`));
});

test('after the start a fan cannot cancel (409 CANCELLATION_CLOSED) but the box office can', async () => {
  const c = await addConcert(s, ['GA:10:5.00']);
  const b = assertOk(assert, await book(s, bookingBody(c, { GA: 2 }), { fan }), 201);
  await startedAgo(c.id, 60000);
  const own = await send(s, 'POST', `/api/bookings/${b.id}/cancel`, {}, { fan });
  assertError(assert, own, 409, 'CANCELLATION_CLOSED');
  assert.equal(await s.psql(`SELECT status FROM bookings WHERE id = '${b.id}'`), 'confirmed');
  const d = assertOk(assert, await adminCancel(b.id, { reason: 'Fan was ill, refunded as a courtesy' }));
  assert.equal(d.status, 'cancelled');
  assert.equal(d.events[d.events.length - 1].actor.id, admin.id);
  assert.equal(await bucketState(s, c.tiers.GA.id).then((x) => x.available), 10);
  await assertInvariant(assert, s);
});

test('ticketd drains on SIGTERM and its log has no sanitizer report', async () => {
  assert.deepEqual(await s.stopTicketdAndCollectSanitizerReports(), []);
});
