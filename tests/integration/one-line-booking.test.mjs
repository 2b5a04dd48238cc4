// The one-statement booking (017, Q_BOOK_ONE_LINE): a paid booking of one tier of 16 buckets or
// more (1,600 tickets) is written by a single statement, and every case it cannot confirm by
// itself is left to book(), with nothing of its own left behind. That a booking was left to
// book() is read from /metrics (ticketd_booking_fallbacks_total); every wait is observed in
// pg_stat_activity, never timed. The booking writer is off here (TICKETD_BOOK_BATCH_MAX=0): each
// booking is its own statement, as it is when a batch hands it back (booking-writer.test.mjs).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertOk, pollUntil, startStack } from './stack.mjs';
import {
  addConcert, assertInvariant, available, book, bookingBody, bookingFallbacks, BOOKING_STATEMENT, holdLocks, masterPid,
  PsqlSession, writerPid,
} from './lib/booking-helpers.mjs';
import { createFans } from './lib/fans.mjs';
import { childrenOf } from './lib/daemon.mjs';

let s;

// The tests hold rows a booking waits for until they have seen it wait: generous timeouts, so
// a slow machine makes the wait longer, never a 503.
before(async () => {
  s = await startStack({ rateLimit: 'off', metrics: true,
    env: { DB_LOCK_TIMEOUT_MS: '60000', DB_STATEMENT_TIMEOUT_MS: '60000', TICKETD_BOOK_BATCH_MAX: '0' } });
});
after(async () => {
  await s?.destroy();
});

// What an SQL query on `stack` prints, once it prints something (bounded: 15 s).
const sqlUntil = (stack, sql, what) => pollUntil(async () => (await stack.psql(sql)).trim(), what);

// What a booking's rows say, the same for either statement: its row, its lines, its
// confirmation email and its creation in the history (the quota is checked apart).
async function written(id) {
  return s.psql(`SELECT b.status, b.total_cents, b.payment_method, b.payment_ref LIKE 'auth_%',
      b.request <> '', b.request_id IS NOT NULL, b.reject_reason IS NULL, b.created_at = b.updated_at,
      (SELECT string_agg(t.tier_name || 'x' || i.quantity || '@' || i.price_cents, ',' ORDER BY t.tier_name)
       FROM booking_items i JOIN ticket_tiers t ON t.id = i.tier_id WHERE i.booking_id = b.id),
      (SELECT count(*) FROM outbox o WHERE o.booking_id = b.id AND o.kind = 'booking_confirmed'),
      (SELECT string_agg(h.to_status || ' by ' || (h.actor_id = b.user_id), ',') FROM booking_history h
       WHERE h.booking_id = b.id)
    FROM bookings b WHERE b.id = '${id}'`);
}

// A tier of 2,000 tickets has 20 buckets, 1,600 has 16: both big enough for the one statement.
const BIG = ['GA:2000:10.00', 'VIP:1600:50.00'];

test('a one-tier booking is written whole by the one statement, as book() writes a two-tier one', async () => {
  const c = await addConcert(s, BIG);
  const [fan] = await createFans(s, 1);
  const before = await bookingFallbacks(s);

  const body = bookingBody(c, { GA: 2 });
  const one = assertOk(assert, await book(s, body, { fan }), 201);
  const two = assertOk(assert, await book(s, bookingBody(c, { GA: 1, VIP: 1 }), { fan }), 201);
  assert.equal(await bookingFallbacks(s), before, 'neither was left to book() by the one statement');

  assert.equal(await written(one.id), 'confirmed|2000|card|t|t|t|t|t|GAx2@1000|1|confirmed by true');
  assert.equal(await written(two.id), 'confirmed|6000|card|t|t|t|t|t|GAx1@1000,VIPx1@5000|1|confirmed by true');
  assert.equal(one.createdAt, await s.psql(`SELECT iso8601(created_at) FROM bookings WHERE id = '${one.id}'`));
  assert.equal(await s.psql(`SELECT booked FROM fan_quotas WHERE concert_id = '${c.id}' AND user_id = '${fan.id}'`), '4');
  assert.deepEqual([await available(s, c.tiers.GA.id), await available(s, c.tiers.VIP.id)], [1997, 1599]);

  // Its retry is the same booking, answered 200 from the key's record.
  const again = assertOk(assert, await book(s, body, { fan }), 200);
  assert.equal(again.id, one.id);
  assert.equal(await available(s, c.tiers.GA.id), 1997);
  await assertInvariant(assert, s);
});

// Whichever bucket the statement draws first, it finds the one no one holds (when the draw is
// a held one, its second look, the next bucket with enough, does).
test('every bucket but one held: the one statement takes from the free one, nothing left to book()', async () => {
  const c = await addConcert(s, BIG);
  const [fan] = await createFans(s, 1);
  const ga = c.tiers.GA.id;
  const free = 7;
  const before = await bookingFallbacks(s);
  const holder = await holdLocks(s, `SELECT 1 FROM tier_buckets WHERE tier_id = '${ga}' AND bucket <> ${free} FOR UPDATE`);
  try {
    for (let i = 0; i < 5; i++) assertOk(assert, await book(s, bookingBody(c, { GA: 2 }), { fan }), 201);
  } finally {
    await holder.release();
  }
  assert.equal(await bookingFallbacks(s), before);
  assert.equal(await s.psql(`SELECT string_agg(bucket || ':' || (capacity - available), ',' ORDER BY bucket)
    FROM tier_buckets WHERE tier_id = '${ga}' AND available < capacity`), `${free}:10`);
  await assertInvariant(assert, s);
});

test('a tier of fewer than 16 buckets is booked by book() alone: held, it is waited for, nothing counted', async () => {
  const c = await addConcert(s, ['GA:1500:10.00']);
  const [fan] = await createFans(s, 1);
  const before = await bookingFallbacks(s);
  const holder = await holdLocks(s, `SELECT 1 FROM tier_buckets WHERE tier_id = '${c.tiers.GA.id}' FOR UPDATE`);
  const pending = book(s, bookingBody(c, { GA: 1 }), { fan });
  try {
    await sqlUntil(s, `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'
      AND query LIKE '%FROM book(%'`, 'book() to wait for the buckets');
  } finally {
    await holder.release();
  }
  assertOk(assert, await pending, 201);
  assert.equal(await bookingFallbacks(s), before, 'the one statement was not tried');
  assert.equal(await available(s, c.tiers.GA.id), 1499);
});

test('a booking that finds every bucket held is left to book(), which waits for one: 201, counted, taken once', async () => {
  const c = await addConcert(s, BIG);
  const [fan] = await createFans(s, 1);
  const before = await bookingFallbacks(s);
  const holder = await holdLocks(s, `SELECT 1 FROM tier_buckets WHERE tier_id = '${c.tiers.GA.id}' FOR UPDATE`);
  const body = bookingBody(c, { GA: 3 });
  const pending = book(s, body, { fan });
  try {
    await sqlUntil(s, `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'
      AND query LIKE '%FROM book(%'`, 'book() to wait for the buckets');
  } finally {
    await holder.release();
  }
  const res = assertOk(assert, await pending, 201);
  assert.equal(await bookingFallbacks(s), before + 1);
  assert.equal(await s.psql(`SELECT string_agg(id || ' ' || status, ',') FROM bookings
    WHERE idempotency_key = '${body.idempotencyKey}'`), `${res.id} confirmed`);
  assert.equal(await available(s, c.tiers.GA.id), 1997);
  assert.equal(await s.psql(`SELECT booked FROM fan_quotas WHERE concert_id = '${c.id}' AND user_id = '${fan.id}'`), '3');
  await assertInvariant(assert, s);
});

// 12 single tickets in 12 of 20 buckets: no bucket holds 10, so the one statement leaves a line
// of 10 to book(), which takes across buckets; the 2 left are then counted exactly.
test('a tier spread thin: a line no bucket can serve is left to book(), which takes across buckets', async () => {
  const c = await addConcert(s, ['GA:2000:10.00']);
  const ga = c.tiers.GA.id;
  const [fan] = await createFans(s, 1);
  await s.psql(`UPDATE tier_buckets SET capacity = (bucket >= 8)::int, available = (bucket >= 8)::int
    WHERE tier_id = '${ga}'`);
  await s.psql(`UPDATE ticket_tiers SET total_quantity = 12 WHERE id = '${ga}'`);
  const before = await bookingFallbacks(s);

  assertOk(assert, await book(s, bookingBody(c, { GA: 10 }), { fan }), 201);
  assert.equal(await bookingFallbacks(s), before + 1);
  assert.equal(await available(s, ga), 2);
  const short = await book(s, bookingBody(c, { GA: 3 }), { fan });
  assert.equal(short.status, 409, short.body);
  assert.equal(short.json.error.code, 'INSUFFICIENT_INVENTORY');
  assert.deepEqual(short.json.error.details, { tierId: ga, tierName: 'GA', requested: 3, available: 2 });
  await assertInvariant(assert, s);
});

// The check before the payment stops counting at 10 (a line's most) once one bucket holds that
// many (CHECK_TIERS_JOIN): here one bucket holds exactly 10 and no other any, so a line of 10
// passes the check and is sold whole, and the next ticket is refused by the check itself (no
// transaction, so nothing left to book()) with the exact count, 0.
test('one bucket holding exactly a line\'s most: 10 pass the check and sell, then 409 with available 0', async () => {
  const c = await addConcert(s, ['GA:2000:10.00']);
  const ga = c.tiers.GA.id;
  const [fan] = await createFans(s, 1);
  await s.psql(`UPDATE tier_buckets SET capacity = 10 * (bucket = 3)::int, available = 10 * (bucket = 3)::int
    WHERE tier_id = '${ga}'`);
  await s.psql(`UPDATE ticket_tiers SET total_quantity = 10 WHERE id = '${ga}'`);

  assertOk(assert, await book(s, bookingBody(c, { GA: 10 }), { fan }), 201);
  assert.equal(await available(s, ga), 0);
  const before = await bookingFallbacks(s);
  const short = await book(s, bookingBody(c, { GA: 1 }), { fan });
  assert.equal(short.status, 409, short.body);
  assert.equal(short.json.error.code, 'INSUFFICIENT_INVENTORY');
  assert.deepEqual(short.json.error.details, { tierId: ga, tierName: 'GA', requested: 1, available: 0 });
  assert.equal(await bookingFallbacks(s), before, 'refused by the check, before any transaction');
  await assertInvariant(assert, s);
});

// The statement's snapshot is taken before it locks anything. Here the concert changes, and the
// change commits, while the statement waits for the fan's quota row, which the changing
// transaction holds: only a read of the concert after the locks (one_line_booking_outcome())
// sees it. Trusting the snapshot would confirm a booking of a cancelled concert, at an old
// price, or after its sales closed.
const CHANGES = [
  { what: 'the concert cancelled', code: 'SALES_CLOSED',
    sql: (c) => `SELECT cancel_concert('${c.id}', NULL, 'test', 'req_test')` },
  { what: 'the tier repriced', code: 'PRICE_CHANGED',
    sql: (c) => `UPDATE ticket_tiers SET price_cents = price_cents + 100 WHERE id = '${c.tiers.GA.id}'` },
  { what: 'its sales closed', code: 'SALES_CLOSED',
    sql: (c) => `UPDATE concerts SET sales_end = now() WHERE id = '${c.id}'` },
];

for (const change of CHANGES) {
  test(`${change.what} while the booking waits for the fan's quota row: 409 ${change.code}, nothing taken`, async () => {
    const c = await addConcert(s, BIG);
    const [fan] = await createFans(s, 1);
    await s.psql(`INSERT INTO fan_quotas VALUES ('${c.id}', '${fan.id}', 0)`);
    const before = await bookingFallbacks(s);
    const changer = await PsqlSession.open(s);
    try {
      await changer.run('BEGIN');
      await changer.run(`SELECT 1 FROM fan_quotas WHERE concert_id = '${c.id}' FOR UPDATE`);
      const pending = book(s, bookingBody(c, { GA: 2 }), { fan });
      await sqlUntil(s, `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'
        AND query LIKE '/* book_one_line */%'`, 'the one statement to wait for the quota row');
      const { err } = await changer.run(change.sql(c));
      assert.equal(err, '');
      await changer.run('COMMIT');

      const res = await pending;
      assert.equal(res.status, 409, res.body);
      assert.equal(res.json.error.code, change.code);
    } finally {
      await changer.close();
    }
    assert.equal(await bookingFallbacks(s), before + 1, 'the one statement left it to book()');
    assert.equal(await s.psql(`SELECT count(*) FROM bookings WHERE concert_id = '${c.id}' AND status = 'confirmed'`), '0');
    assert.equal(await available(s, c.tiers.GA.id), 2000);
    assert.equal(await s.psql(`SELECT booked FROM fan_quotas WHERE concert_id = '${c.id}' AND user_id = '${fan.id}'`), '0');
    await assertInvariant(assert, s);
  });
}

// DB_PREPARED_STATEMENTS=off (a transaction pooler): the one statement would be parsed and
// planned on every booking, so book() runs. Which one ran is read from the statement seen
// waiting for the fan's quota row. No booking would reach a booking writer, so none runs.
test('with statements sent unnamed, a one-tier booking of a big tier is book()\'s, and no writer runs', async () => {
  const unnamed = await startStack({ rateLimit: 'off', env: { DB_PREPARED_STATEMENTS: 'off' } });
  try {
    assert.ok((await childrenOf(await masterPid(unnamed))).length > 0, 'the master\'s children are read');
    assert.equal(await writerPid(unnamed), 0, 'no writer among the master\'s children');
    const c = await addConcert(unnamed, BIG);
    const [fan] = await createFans(unnamed, 1);
    await unnamed.psql(`INSERT INTO fan_quotas VALUES ('${c.id}', '${fan.id}', 0)`);
    const holder = await holdLocks(unnamed, `SELECT 1 FROM fan_quotas WHERE concert_id = '${c.id}' FOR UPDATE`);
    const pending = book(unnamed, bookingBody(c, { GA: 1 }), { fan });
    let waiting;
    try {
      waiting = await sqlUntil(unnamed, `SELECT left(query, 40) FROM pg_stat_activity
        WHERE wait_event_type = 'Lock' AND ${BOOKING_STATEMENT}`, 'the booking to wait for the quota row');
    } finally {
      await holder.release();
    }
    assert.match(waiting, /^SELECT outcome, o_booking_id/);
    assertOk(assert, await pending, 201);
    assert.equal(await available(unnamed, c.tiers.GA.id), 1999);
  } finally {
    await unnamed.destroy();
  }
});
