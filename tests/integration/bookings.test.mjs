// The booking path through nginx (DESIGN.md "HTTP API" and "The booking path"; issue 3's list):
// never oversell, idempotent under concurrency, declines recorded, cancellation, the audit
// trail, and the contract's error answers. Each test makes its own concert, and every scenario
// ends with the inventory invariant (view inventory_violations empty, deploy/check-invariants).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { assertError, assertOk, sleep, startStack } from './stack.mjs';
import {
  DRAIN_CUT, addConcert, amount, assertInvariant, available, book, bookingBody, dbSnapshot, percentile,
  PsqlSession, post,
} from './lib/booking-helpers.mjs';
import { createFans, defaultFan } from './lib/fans.mjs';

let s; // the main stack: declines off, a short payment so concurrent requests overlap
let declining; // PAYMENT_DECLINE_RATE=1: every payment is declined
let me; // the main stack's default fan, whom book() and s.get() sign in as

before(async () => {
  // Both at once; if one fails to start, the other is still destroyed by after().
  const [main, dec] = await Promise.allSettled([
    startStack({ rateLimit: 'off', env: { PAYMENT_DECLINE_RATE: '0', PAYMENT_LATENCY_MS: '20' } }),
    startStack({
      rateLimit: 'off',
      env: { PAYMENT_DECLINE_RATE: '1', PAYMENT_LATENCY_MS: '5', TICKETD_READ_WORKERS: '2', TICKETD_BOOK_WORKERS: '4' },
    }),
  ]);
  s = main.value;
  declining = dec.value;
  if (main.status === 'rejected') throw main.reason;
  if (dec.status === 'rejected') throw dec.reason;
  me = await defaultFan(s);
});
after(async () => {
  await Promise.allSettled([s?.destroy(), declining?.destroy()]);
});

const BOOKING_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const REQUEST_ID = /^[0-9a-f]{32}$/;

// The booking as the contract shows it (201, 200 and GET).
function assertBooking(b, { concert, status = 'confirmed', userId = me.id, items, totalCents }) {
  for (const k of ['id', 'concertId', 'userId', 'status', 'totalAmount', 'items', 'createdAt', 'updatedAt']) {
    assert.ok(k in b, `booking has ${k}: ${JSON.stringify(b)}`);
  }
  assert.match(b.id, BOOKING_ID);
  assert.equal(b.concertId, concert.id);
  assert.equal(b.userId, userId);
  assert.equal(b.status, status);
  assert.equal(b.totalAmount, amount(totalCents));
  assert.match(b.createdAt, ISO_8601);
  assert.match(b.updatedAt, ISO_8601);
  assert.deepEqual(b.items, items);
}

function item(concert, tierName, quantity) {
  const t = concert.tiers[tierName];
  return { tierId: t.id, tierName, quantity, pricePerTicket: amount(t.priceCents) };
}

async function bookingRows(st, where) {
  const out = await st.psql(`SELECT id, status FROM bookings WHERE ${where} ORDER BY id`);
  return out === '' ? [] : out.split('\n').map((l) => { const [id, status] = l.split('|'); return { id, status }; });
}

// How many deadlocks PostgreSQL has detected so far (its log).
async function deadlocks(st) {
  return ((await readFile(st.vars.PG_LOG, 'utf8').catch(() => '')).match(/deadlock detected/g) ?? []).length;
}

async function events(st, bookingId) {
  const out = await st.psql(`SELECT coalesce(from_status, '-'), to_status, coalesce(request_id, '-')
                              FROM booking_history WHERE booking_id = '${bookingId}' ORDER BY seq`);
  return out === '' ? [] : out.split('\n').map((l) => l.split('|'));
}

test('seed: 3 concurrent requests for 3 tickets when 5 are left: one 201, two 409 INSUFFICIENT_INVENTORY, 2 left', async () => {
  const c = await addConcert(s, ['VIP:5:100.00']);
  const vip = c.tiers.VIP;
  const fans = await createFans(s, 3);
  const bodies = fans.map(() => bookingBody(c, { VIP: 3 }));
  const answers = await Promise.all(bodies.map((b, i) => book(s, b, { fan: fans[i] })));

  const won = answers.filter((r) => r.status === 201);
  const lost = answers.filter((r) => r.status !== 201);
  assert.equal(won.length, 1, `exactly one 201: ${answers.map((r) => r.status)}`);
  assert.equal(lost.length, 2);
  const b = assertOk(assert, won[0], 201);
  const winner = fans[answers.indexOf(won[0])];
  assertBooking(b, { concert: c, userId: winner.id, items: [item(c, 'VIP', 3)], totalCents: 30000 });
  assert.match(won[0].body, /"totalAmount":300\.00[,}]/, 'money is printed with two decimals');
  assert.match(won[0].body, /"pricePerTicket":100\.00[,}]/);
  for (const r of lost) {
    assertError(assert, r, 409, 'INSUFFICIENT_INVENTORY');
    assert.deepEqual(r.json.error.details, { tierId: vip.id, tierName: 'VIP', requested: 3, available: 2 });
  }

  assert.equal(await available(s, vip.id), 2);
  const avail = assertOk(assert, await s.get(`/api/concerts/${c.id}/availability`));
  assert.deepEqual(avail.tiers.map((t) => [t.id, t.totalQuantity, t.availableQuantity]), [[vip.id, 5, 2]]);
  assert.deepEqual((await bookingRows(s, `concert_id = '${c.id}' AND status = 'confirmed'`)).map((r) => r.id), [b.id]);

  // A loser's retry with its own key is still a 409 (replayed or checked again), never a charge.
  const loser = answers.indexOf(lost[0]);
  const again = await book(s, bodies[loser], { fan: fans[loser] });
  assertError(assert, again, 409, 'INSUFFICIENT_INVENTORY');
  assert.deepEqual(again.json.error.details, { tierId: vip.id, tierName: 'VIP', requested: 3, available: 2 });
  assert.equal(await available(s, vip.id), 2);
  await assertInvariant(assert, s);
});

test('seed: the same request twice is 201 then 200 with meta.duplicate; one booking, inventory taken once', async () => {
  const c = await addConcert(s, ['VIP:5:100.00', 'GA:50:19.99']);
  const body = bookingBody(c, { VIP: 1, GA: 3 });
  const first = await book(s, body);
  const b1 = assertOk(assert, first, 201);
  assertBooking(b1, { concert: c, items: [item(c, 'GA', 3), item(c, 'VIP', 1)].sort((x, y) => x.tierId.localeCompare(y.tierId)), totalCents: 10000 + 5997 });
  assert.equal(first.json.meta, undefined, 'a new booking has no meta');

  const second = await book(s, body);
  const b2 = assertOk(assert, second, 200);
  assert.equal(second.json.meta?.duplicate, true);
  assert.deepEqual({ ...b2, updatedAt: undefined }, { ...b1, updatedAt: undefined }, 'the original booking');

  assert.equal((await bookingRows(s, `idempotency_key = '${body.idempotencyKey}'`)).length, 1);
  assert.equal(await available(s, c.tiers.VIP.id), 4);
  assert.equal(await available(s, c.tiers.GA.id), 47);
  await assertInvariant(assert, s);
});

test('a replay is answered only once the booking is on a synchronous standby (none here: it waits until there is none to wait for)', async () => {
  // After a crash a primary restarted in place shows commits no standby has; a 200 read from one
  // would name a booking the next failover forgets (tests/integration/cluster.test.mjs). Here the
  // primary is told to wait for a standby that never comes: the replay must wait with it.
  const c = await addConcert(s, ['GA:10:10.00']);
  const body = bookingBody(c, { GA: 1 });
  const first = assertOk(assert, await book(s, body), 201);
  const admin = (sql) => s.psqlAs(s.vars.ADMIN_DATABASE_URL, sql);
  const syncRep = (who) => admin(`SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep' AND ${who}`);
  await admin("ALTER SYSTEM SET synchronous_standby_names = 'ticketd_it_absent'");
  let replay;
  let probe;
  try {
    await admin('SELECT pg_reload_conf()');
    // pg_reload_conf() only signals: a commit waits once the checkpointer has read the new
    // setting, at a moment of its own. A commit of our own that waits shows it has.
    probe = admin("SET application_name = 'ticketd_it_probe'; SELECT pg_logical_emit_message(true, 'ticketd_it', 'probe')");
    while ((await syncRep("application_name = 'ticketd_it_probe'")) === '0') await sleep(20);
    let answered = false;
    replay = book(s, body).finally(() => { answered = true; });
    while ((await syncRep("usename = 'ticketd'")) === '0') {
      assert.equal(answered, false, 'the replay was answered while its booking was on no standby');
      await sleep(20);
    }
  } finally {
    await admin('ALTER SYSTEM RESET synchronous_standby_names');
    await admin('SELECT pg_reload_conf()');
    await probe;
  }
  const again = assertOk(assert, await replay, 200);
  assert.equal(again.id, first.id);
  assert.equal(await syncRep("usename = 'ticketd'"), '0');
});

test('the same request in another spelling (upper-case key, tiers in another order) is the same request: 200 duplicate', async () => {
  const c = await addConcert(s, ['A:10:10.00', 'B:10:20.00']);
  const body = bookingBody(c, [['A', 1], ['B', 2]]);
  const b1 = assertOk(assert, await book(s, body), 201);
  const respelled = { ...body, idempotencyKey: body.idempotencyKey.toUpperCase(), tickets: [...body.tickets].reverse(), totalAmount: 50 };
  const res = await book(s, respelled);
  const b2 = assertOk(assert, res, 200);
  assert.equal(res.json.meta?.duplicate, true);
  assert.equal(b2.id, b1.id);
  assert.equal(await available(s, c.tiers.A.id), 9);
  assert.equal(await available(s, c.tiers.B.id), 8);
  await assertInvariant(assert, s);
});

test('seed: a declined payment (test_decline) is 402 PAYMENT_FAILED with its bookingId; nothing taken; a retry gets the same 402', async () => {
  const c = await addConcert(s, ['VIP:5:100.00']);
  const body = bookingBody(c, { VIP: 2 }, { paymentMethod: 'test_decline' });
  const first = await book(s, body);
  assertError(assert, first, 402, 'PAYMENT_FAILED');
  const bookingId = first.json.error.details?.bookingId;
  assert.match(bookingId ?? '', BOOKING_ID);
  assert.equal(await available(s, c.tiers.VIP.id), 5, 'inventory unchanged');
  assert.deepEqual(await bookingRows(s, `idempotency_key = '${body.idempotencyKey}'`), [{ id: bookingId, status: 'payment_failed' }]);

  const again = await book(s, body);
  assertError(assert, again, 402, 'PAYMENT_FAILED');
  assert.equal(again.json.error.details.bookingId, bookingId, 'the same booking id');
  assert.equal((await bookingRows(s, `idempotency_key = '${body.idempotencyKey}'`)).length, 1);

  // The recorded booking is visible, without items, and cannot be cancelled.
  const got = assertOk(assert, await s.get(`/api/bookings/${bookingId}`));
  assertBooking(got, { concert: c, status: 'payment_failed', items: [], totalCents: 20000 });
  const cancel = await post(s, `/api/bookings/${bookingId}/cancel`);
  assertError(assert, cancel, 409, 'BOOKING_NOT_CANCELLABLE');
  assert.equal(cancel.json.error.details?.status, 'payment_failed');
  assert.deepEqual(await events(s, bookingId), [['-', 'payment_failed', first.headers['x-request-id']]]);

  // The same key paid by card is another request.
  assertError(assert, await book(s, { ...body, paymentMethod: 'card' }), 422, 'IDEMPOTENCY_KEY_REUSED');
  assert.equal(await available(s, c.tiers.VIP.id), 5);
  await assertInvariant(assert, s);
});

test('20 concurrent requests with one key: one booking row, one 201 and nineteen 200 duplicates with the same id, no 5xx', async () => {
  const c = await addConcert(s, ['VIP:50:100.00']);
  const body = bookingBody(c, { VIP: 2 });
  const answers = await Promise.all(Array.from({ length: 20 }, () => book(s, body)));
  const statuses = answers.map((r) => r.status);
  assert.deepEqual(statuses.filter((x) => x >= 500), [], 'no 5xx');
  assert.equal(statuses.filter((x) => x === 201).length, 1, `one 201: ${statuses}`);
  assert.equal(statuses.filter((x) => x === 200).length, 19, `nineteen 200: ${statuses}`);
  const ids = new Set(answers.map((r) => assertOk(assert, r, r.status).id));
  assert.equal(ids.size, 1, 'every answer names the same booking');
  for (const r of answers.filter((x) => x.status === 200)) assert.equal(r.json.meta?.duplicate, true);

  const rows = await bookingRows(s, `concert_id = '${c.id}'`);
  assert.deepEqual(rows, [{ id: [...ids][0], status: 'confirmed' }]);
  assert.equal(await available(s, c.tiers.VIP.id), 48, 'taken once');
  await assertInvariant(assert, s);
});

test('a key reused with another body, or by another fan, is 422 IDEMPOTENCY_KEY_REUSED and changes nothing', async () => {
  const c = await addConcert(s, ['VIP:10:100.00', 'GA:10:10.00']);
  const body = bookingBody(c, { VIP: 1 });
  const b = assertOk(assert, await book(s, body), 201);
  const [other] = await createFans(s, 1);
  const before = await dbSnapshot(s);
  const variants = {
    quantity: bookingBody(c, { VIP: 2 }, { idempotencyKey: body.idempotencyKey }),
    tier: bookingBody(c, { GA: 1 }, { idempotencyKey: body.idempotencyKey }),
    'payment method': { ...body, paymentMethod: 'test_decline' },
    'total (checked as part of the request)': { ...body, totalAmount: 99 },
    // A known key is answered from its record, before the concert is looked up: not 404.
    'a concert that does not exist': { ...body, concertId: 'concert_nosuch0000' },
  };
  let ownMessage;
  for (const [what, v] of Object.entries(variants)) {
    const res = await book(s, v);
    assertError(assert, res, 422, 'IDEMPOTENCY_KEY_REUSED');
    assert.ok(res.json.error.message, what);
    ownMessage = res.json.error.message;
  }
  // The same key and body from another fan is another request, and reveals nothing of the first.
  for (const v of [body, { ...body, userId: other.id }]) {
    const res = await book(s, v, { fan: other });
    assertError(assert, res, 422, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(res.json.error.details, undefined, 'no details of the other fan\'s booking');
    assert.equal(res.json.error.message, ownMessage, 'the answer the key\'s owner gets for another body');
    assert.doesNotMatch(res.body, new RegExp(`${b.id}|${me.id}`), 'neither the booking nor its fan');
  }
  assert.deepEqual(await dbSnapshot(s), before, 'nothing changed');
  // The original request still replays.
  assert.equal(assertOk(assert, await book(s, body), 200).id, b.id);
  await assertInvariant(assert, s);
});

test('40 concurrent multi-tier bookings in opposite tier orders: no 5xx, no deadlock, the short tier decides', async () => {
  // A has 2 buckets and plenty; B (one bucket) runs out after 25, so 15 bookings take A's ticket
  // and must put it back in the same transaction.
  const c = await addConcert(s, ['A:200:10.00', 'B:25:20.00']);
  const deadlocksBefore = await deadlocks(s);
  const fans = await createFans(s, 40);
  const bodies = Array.from({ length: 40 }, (_, i) =>
    bookingBody(c, i % 2 === 0 ? [['A', 1], ['B', 1]] : [['B', 1], ['A', 1]]));
  const answers = await Promise.all(bodies.map((b, i) => book(s, b, { fan: fans[i] })));
  const statuses = answers.map((r) => r.status);
  assert.deepEqual(statuses.filter((x) => x !== 201 && x !== 409), [], `only 201 and 409: ${statuses}`);
  assert.equal(statuses.filter((x) => x === 201).length, 25, 'B decides: 25 bookings');
  for (const r of answers.filter((x) => x.status === 409)) {
    assertError(assert, r, 409, 'INSUFFICIENT_INVENTORY');
    assert.equal(r.json.error.details.tierId, c.tiers.B.id);
    assert.equal(r.json.error.details.requested, 1);
    assert.equal(r.json.error.details.available, 0);
  }
  assert.equal(await available(s, c.tiers.A.id), 175);
  assert.equal(await available(s, c.tiers.B.id), 0);
  assert.equal(await deadlocks(s), deadlocksBefore, 'PostgreSQL detected no deadlock');
  assert.doesNotMatch(await s.ticketdLog(), /retrying after 40P01/, 'ticketd retried no deadlock');
  await assertInvariant(assert, s);
});

test('bookings one after another on a 500-ticket tier (5 counter rows) all succeed, each taking exactly its tickets', async () => {
  // A tier over 200 tickets spreads its inventory over several bucket rows; every booking must
  // take from exactly one of them (or several, exactly), concurrency or not.
  const c = await addConcert(s, ['GA:500:10.00']);
  assert.equal(await s.psql(`SELECT count(*) FROM tier_buckets WHERE tier_id = '${c.tiers.GA.id}'`), '5');
  const statuses = [];
  const fans = await createFans(s, 30);
  for (let i = 0; i < 30; i++) {
    const res = await book(s, bookingBody(c, { GA: 2 }), { fan: fans[i] });
    statuses.push(res.status);
    if (res.status !== 201) assertOk(assert, res, 201);
  }
  assert.deepEqual(statuses, Array(30).fill(201));
  assert.equal(await available(s, c.tiers.GA.id), 440);
  await assertInvariant(assert, s);
});

test('take_tickets_in_order leaves no stray row lock: two bookings that each lose their bucket to a committed rival do not deadlock', async () => {
  // A deterministic interleaving of what a rush does at random. Tier T has buckets b0 and b1.
  // A1 and A2 (other bookings) hold b0 and b1 and will empty them. B and C lock the tier's
  // buckets in order and wait on b0. A1 commits, then A2: if a failed decrement kept its row
  // locked, B and C would deadlock (40P01); both must simply find no tickets.
  const c = await addConcert(s, ['T:200:10.00']);
  const tier = c.tiers.T.id;
  assert.equal(await s.psql(`SELECT count(*) FROM tier_buckets WHERE tier_id = '${tier}'`), '2');
  const [obs, a1, a2, b, cc] = await Promise.all(Array.from({ length: 5 }, () => PsqlSession.open(s)));
  try {
    await a1.run('BEGIN');
    await a1.run(`UPDATE tier_buckets SET available = 0 WHERE tier_id = '${tier}' AND bucket = 0`);
    await a2.run('BEGIN');
    await a2.run(`UPDATE tier_buckets SET available = 0 WHERE tier_id = '${tier}' AND bucket = 1`);
    await b.run('BEGIN');
    const pb = b.run(`SELECT count(*) FROM take_tickets_in_order('${tier}', 50)`).then((r) => ['B', r]);
    await b.waitUntilBlocked(obs);
    await cc.run('BEGIN');
    const pc = cc.run(`SELECT count(*) FROM take_tickets_in_order('${tier}', 50)`).then((r) => ['C', r]);
    await cc.waitUntilBlocked(obs);
    await a1.run('COMMIT');
    await sleep(300);
    await a2.run('COMMIT');
    // Whichever finishes first rolls back, so the other can finish too.
    const first = await Promise.race([pb, pc]);
    await (first[0] === 'B' ? b : cc).run('ROLLBACK');
    const second = await (first[0] === 'B' ? pc : pb);
    await (second[0] === 'B' ? b : cc).run('ROLLBACK');
    for (const [who, r] of [first, second]) {
      assert.doesNotMatch(r.err, /deadlock detected/, `${who} deadlocked: ${r.err}`);
      assert.equal(r.err, '', `${who}: ${r.err}`);
      assert.equal(r.out.trim(), '0', `${who} found no tickets`);
    }
  } finally {
    await Promise.all([obs, a1, a2, b, cc].map((x) => x.close()));
    // A1 and A2 stood in for bookings: give the tier its tickets back.
    await s.psql(`UPDATE tier_buckets SET available = capacity WHERE tier_id = '${tier}'`);
  }
  await assertInvariant(assert, s);
});

test('a rush of 64 concurrent clients with quantities 1-4 on a 300-ticket tier sells out exactly, no 5xx', async (t) => {
  const c = await addConcert(s, ['GA:300:25.00']);
  const ga = c.tiers.GA;
  let sold = 0;
  const latencies = [];
  const others = [];
  let requests = 0;
  const fans = await createFans(s, 64); // one fan per client: a fan's own bookings queue on its quota row
  const deadlocksBefore = await deadlocks(s);
  const deadline = Date.now() + 60000;
  const t0 = performance.now();
  async function client(n) {
    let want = 1 + (n % 4);
    for (let i = 0; i < 60 && Date.now() < deadline; i++) {
      const body = bookingBody(c, { GA: want });
      const r0 = performance.now();
      const res = await book(s, body, { fan: fans[n] });
      latencies.push(performance.now() - r0);
      requests++;
      if (res.status === 201) {
        sold += res.json.data.items[0].quantity;
        want = 1 + ((n + i) % 4);
        continue;
      }
      others.push(res);
      if (res.status !== 409) return;
      const left = res.json?.error?.details?.available ?? 0;
      if (left === 0) return;
      want = Math.min(want - 1 || 1, left, 4);
    }
  }
  await Promise.all(Array.from({ length: 64 }, (_, n) => client(n)));
  const seconds = (performance.now() - t0) / 1000;

  assert.deepEqual(others.filter((r) => r.status >= 500).map((r) => r.status), [], 'no 5xx');
  for (const r of others) assertError(assert, r, 409, 'INSUFFICIENT_INVENTORY');
  const left = await available(s, ga.id);
  const soldInDb = Number(await s.psql(`SELECT coalesce(sum(i.quantity), 0) FROM booking_items i JOIN bookings b ON b.id = i.booking_id
                                        WHERE b.status = 'confirmed' AND i.tier_id = '${ga.id}'`));
  assert.equal(left, 0, 'sold out');
  assert.equal(soldInDb, 300, 'sold + left = total');
  assert.equal(sold, 300, 'the 201 answers add up to the tier');
  // A quick look that kept a row it did not use, then the buckets locked in order, could deadlock
  // here (013_probes_hold_nothing.sql).
  assert.equal(await deadlocks(s), deadlocksBefore, 'PostgreSQL detected no deadlock');
  await assertInvariant(assert, s);

  latencies.sort((a, b) => a - b);
  const bookings = Number(await s.psql(`SELECT count(*) FROM bookings WHERE concert_id = '${c.id}' AND status = 'confirmed'`));
  t.diagnostic(`rush: ${requests} requests, ${bookings} bookings in ${seconds.toFixed(2)} s ` +
    `(${(bookings / seconds).toFixed(0)} bookings/s), p50 ${percentile(latencies, 50).toFixed(0)} ms, ` +
    `p99 ${percentile(latencies, 99).toFixed(0)} ms, 409s ${others.length}, oversold ${soldInDb - 300 > 0 ? soldInDb - 300 : 0}`);
});

test('GET /api/bookings/:id: 200 with updatedAt, 404 BOOKING_NOT_FOUND, 400 for a malformed id', async () => {
  const c = await addConcert(s, ['VIP:5:100.00']);
  const [reader, other] = await createFans(s, 2);
  const body = bookingBody(c, { VIP: 2 }, { userId: reader.id });
  const created = assertOk(assert, await book(s, body, { fan: reader }), 201);
  const res = await s.get(`/api/bookings/${created.id}`, { fan: reader });
  const got = assertOk(assert, res);
  assertBooking(got, { concert: c, userId: reader.id, items: [item(c, 'VIP', 2)], totalCents: 20000 });
  assert.equal(got.id, created.id);
  assert.equal(got.createdAt, created.createdAt);
  assert.equal(got.updatedAt, got.createdAt, 'not updated yet');
  assert.equal(res.json.meta, undefined);

  // Another fan's booking is not found, exactly like one that does not exist; signed out is 401.
  assertError(assert, await s.get(`/api/bookings/${created.id}`, { fan: other }), 404, 'BOOKING_NOT_FOUND');
  assertError(assert, await s.get(`/api/bookings/${created.id}`, { fan: null }), 401, 'UNAUTHENTICATED');
  assertError(assert, await s.get('/api/bookings/bk_00000000000000000000000000000000'), 404, 'BOOKING_NOT_FOUND');
  for (const bad of ['bad.id', `${'b'.repeat(65)}`, 'a%20b', "x'y", '%C3%A9']) {
    const r = await s.get(`/api/bookings/${bad}`);
    assertError(assert, r, 400, 'INVALID_REQUEST');
    assert.equal(r.json.error.details?.field, 'id', bad);
  }
  await assertInvariant(assert, s);
});

test('cancel: 200 cancelled and the tickets are back; twice is 409 BOOKING_NOT_CANCELLABLE; unknown 404; malformed 400', async () => {
  const c = await addConcert(s, ['VIP:5:100.00']);
  const body = bookingBody(c, { VIP: 5 });
  const created = await book(s, body);
  const b = assertOk(assert, created, 201);
  assert.equal(await available(s, c.tiers.VIP.id), 0);
  assertError(assert, await book(s, bookingBody(c, { VIP: 1 })), 409, 'INSUFFICIENT_INVENTORY');

  const cancel = await post(s, `/api/bookings/${b.id}/cancel`);
  const cancelled = assertOk(assert, cancel);
  assertBooking(cancelled, { concert: c, status: 'cancelled', items: [item(c, 'VIP', 5)], totalCents: 50000 });
  assert.equal(cancelled.id, b.id);
  assert.equal(await available(s, c.tiers.VIP.id), 5, 'tickets back');
  const avail = assertOk(assert, await s.get(`/api/concerts/${c.id}/availability`));
  assert.equal(avail.tiers[0].availableQuantity, 5);
  const got = assertOk(assert, await s.get(`/api/bookings/${b.id}`));
  assert.equal(got.status, 'cancelled');
  assert.ok(Date.parse(got.updatedAt) >= Date.parse(got.createdAt));

  const twice = await post(s, `/api/bookings/${b.id}/cancel`);
  assertError(assert, twice, 409, 'BOOKING_NOT_CANCELLABLE');
  assert.equal(twice.json.error.details?.status, 'cancelled');
  assert.equal(await available(s, c.tiers.VIP.id), 5, 'not returned twice');

  // The key still replays its booking, as it is now.
  const replay = await book(s, body);
  assert.equal(assertOk(assert, replay, 200).status, 'cancelled');
  // The freed tickets can be sold again.
  assertOk(assert, await book(s, bookingBody(c, { VIP: 5 })), 201);

  assertError(assert, await post(s, '/api/bookings/bk_00000000000000000000000000000000/cancel'), 404, 'BOOKING_NOT_FOUND');
  const bad = await post(s, '/api/bookings/not.an.id/cancel');
  assertError(assert, bad, 400, 'INVALID_REQUEST');
  assert.equal(bad.json.error.details?.field, 'id');

  // The audit trail: create and cancel, each with the X-Request-Id nginx gave the request.
  const createId = created.headers['x-request-id'];
  const cancelId = cancel.headers['x-request-id'];
  assert.match(createId, REQUEST_ID);
  assert.match(cancelId, REQUEST_ID);
  assert.deepEqual(await events(s, b.id), [['-', 'confirmed', createId], ['confirmed', 'cancelled', cancelId]]);
  await assertInvariant(assert, s);
});

test('the audit trail is append-only', async () => {
  const c = await addConcert(s, ['VIP:5:100.00']);
  const b = assertOk(assert, await book(s, bookingBody(c, { VIP: 1 })), 201);
  await assert.rejects(s.psql(`UPDATE booking_events SET to_status = 'cancelled' WHERE booking_id = '${b.id}'`), /append-only/);
  await assert.rejects(s.psql(`DELETE FROM booking_events WHERE booking_id = '${b.id}'`), /append-only/);
  assert.equal((await events(s, b.id)).length, 1);
});

test('money: totalAmount must equal the server\'s sum in cents (400 field totalAmount); 19.99 x 3 is exactly 59.97', async () => {
  const c = await addConcert(s, ['GA:50:19.99', 'VIP:10:115.00']);
  const before = await dbSnapshot(s);
  for (const total of [59.96, 59.98, 60, 0, 5997]) {
    const res = await book(s, bookingBody(c, { GA: 3 }, { totalAmount: total }));
    assertError(assert, res, 400, 'INVALID_REQUEST');
    assert.equal(res.json.error.details?.field, 'totalAmount', `total ${total}`);
    assert.equal(res.json.error.details?.expected, 59.97);
    assert.match(res.body, /"expected":59\.97[,}]/);
  }
  assert.deepEqual(await dbSnapshot(s), before, 'nothing changed');

  const ok = await book(s, bookingBody(c, { GA: 3 }, { totalAmount: 59.97 }));
  assert.equal(assertOk(assert, ok, 201).totalAmount, 59.97);
  assert.match(ok.body, /"totalAmount":59\.97[,}]/);
  // 230 as an integer, 230.0 and 230.00 are the same amount.
  for (const text of ['230', '230.0', '230.00']) {
    const body = JSON.stringify(bookingBody(c, { VIP: 2 }, { totalAmount: 0 })).replace('"totalAmount":0', `"totalAmount":${text}`);
    const res = await book(s, body);
    assert.equal(assertOk(assert, res, 201).totalAmount, 230, text);
    assert.match(res.body, /"totalAmount":230\.00[,}]/);
  }
  await assertInvariant(assert, s);
});

test('a tier of another concert is 400 naming tickets[i].tierId by its position in the request', async () => {
  const c = await addConcert(s, ['VIP:5:100.00']);
  const other = await addConcert(s, ['VIP:5:100.00']);
  const before = await dbSnapshot(s);
  const first = await book(s, { ...bookingBody(c, { VIP: 1 }), tickets: [{ tierId: other.tiers.VIP.id, quantity: 1 }] });
  assertError(assert, first, 400, 'INVALID_REQUEST');
  assert.equal(first.json.error.details?.field, 'tickets[0].tierId');
  const second = await book(s, {
    ...bookingBody(c, { VIP: 1 }),
    tickets: [{ tierId: c.tiers.VIP.id, quantity: 1 }, { tierId: 'aaa_not_a_tier', quantity: 1 }],
    totalAmount: 200,
  });
  assertError(assert, second, 400, 'INVALID_REQUEST');
  assert.equal(second.json.error.details?.field, 'tickets[1].tierId', 'the position in the request, not in sorted order');
  assert.deepEqual(await dbSnapshot(s), before);
  await assertInvariant(assert, s);
});

test('an unknown concert is 404 CONCERT_NOT_FOUND', async () => {
  const c = await addConcert(s, ['VIP:5:100.00']);
  const before = await dbSnapshot(s);
  const res = await book(s, { ...bookingBody(c, { VIP: 1 }), concertId: 'concert_does_not_exist' });
  assertError(assert, res, 404, 'CONCERT_NOT_FOUND');
  assert.deepEqual(await dbSnapshot(s), before);
});

test('a body that is not JSON (text/plain) is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
  const c = await addConcert(s, ['VIP:5:100.00']);
  const before = await dbSnapshot(s);
  const res = await book(s, bookingBody(c, { VIP: 1 }), { contentType: 'text/plain' });
  assertError(assert, res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  assert.deepEqual(await dbSnapshot(s), before);
});

test('a body over 64 KiB is nginx\'s 413 PAYLOAD_TOO_LARGE in JSON', async () => {
  const c = await addConcert(s, ['VIP:5:100.00']);
  const before = await dbSnapshot(s);
  const res = await book(s, bookingBody(c, { VIP: 1 }, { pad: 'x'.repeat(65 * 1024) }));
  assertError(assert, res, 413, 'PAYLOAD_TOO_LARGE');
  assert.match(res.headers['x-request-id'] ?? '', REQUEST_ID);
  assert.deepEqual(await dbSnapshot(s), before);
});

test('GET /api/bookings is 405 METHOD_NOT_ALLOWED with Allow: POST', async () => {
  const res = await s.get('/api/bookings');
  assertError(assert, res, 405, 'METHOD_NOT_ALLOWED');
  assert.equal(res.headers.allow, 'POST');
});

test('a declared decline rate: with PAYMENT_DECLINE_RATE=1 every booking is 402, deterministically, and nothing is taken', async () => {
  const d = declining;
  const c = await addConcert(d, ['VIP:20:100.00', 'GA:20:10.00']);
  const fans = await createFans(d, 8);
  const bodies = Array.from({ length: 8 }, (_, i) => bookingBody(c, i % 2 ? { VIP: 1 } : { GA: 2, VIP: 1 }));
  const first = await Promise.all(bodies.map((b, i) => book(d, b, { fan: fans[i] })));
  const again = await Promise.all(bodies.map((b, i) => book(d, b, { fan: fans[i] })));
  for (let i = 0; i < bodies.length; i++) {
    assertError(assert, first[i], 402, 'PAYMENT_FAILED');
    assertError(assert, again[i], 402, 'PAYMENT_FAILED');
    assert.match(first[i].json.error.details?.bookingId ?? '', BOOKING_ID);
    assert.equal(again[i].json.error.details.bookingId, first[i].json.error.details.bookingId, 'a retry is the same decline');
  }
  assert.equal(await available(d, c.tiers.VIP.id), 20);
  assert.equal(await available(d, c.tiers.GA.id), 20);
  const statuses = await d.psql(`SELECT status, count(*) FROM bookings WHERE concert_id = '${c.id}' GROUP BY status`);
  assert.equal(statuses, 'payment_failed|8');
  assert.equal(await d.psql(`SELECT count(*) FROM booking_items i JOIN bookings b ON b.id = i.booking_id WHERE b.concert_id = '${c.id}'`), '0');
  await assertInvariant(assert, d);
});

test('both daemons drain on SIGTERM and logged no sanitizer report', async (t) => {
  const [a, b] = await Promise.all([s.stopTicketdAndCollectSanitizerReports(), declining.stopTicketdAndCollectSanitizerReports()]);
  assert.deepEqual(a, []);
  assert.deepEqual(b, []);
  for (const st of [s, declining]) {
    if (DRAIN_CUT.test(await st.ticketdLog())) t.diagnostic(`warning: the drain deadline cut workers off in ${st.dir}: leak checks incomplete`);
  }
});
