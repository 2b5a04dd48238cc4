// The one-statement booking (017, Q_BOOK_ONE_LINE): a paid booking of one tier is written by a
// single statement, and every case it cannot confirm by itself is left to book(), with nothing
// of its own left behind. That a booking went through book() is read from /metrics
// (ticketd_booking_fallbacks_total); every wait is observed in pg_stat_activity, never timed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertOk, httpRequest, sleep, startStack } from './stack.mjs';
import {
  addConcert, assertInvariant, available, book, bookingBody, holdLocks, PsqlSession,
} from './lib/booking-helpers.mjs';
import { createFans } from './lib/fans.mjs';

let s;

// The tests hold rows a booking waits for until they have seen it wait: generous timeouts, so
// a slow machine makes the wait longer, never a 503.
before(async () => {
  s = await startStack({ rateLimit: 'off', metrics: true,
    env: { DB_LOCK_TIMEOUT_MS: '60000', DB_STATEMENT_TIMEOUT_MS: '60000' } });
});
after(async () => {
  await s?.destroy();
});

async function fallbacks() {
  const res = await httpRequest(s.metricsPort, 'GET', '/metrics', { contract: false });
  assert.equal(res.status, 200, `/metrics: ${res.body}`);
  const line = res.body.split('\n').find((l) => l.startsWith('ticketd_booking_fallbacks_total '));
  assert.ok(line, '/metrics has ticketd_booking_fallbacks_total');
  return Number(line.split(' ')[1]);
}

// Polls an SQL condition until it prints something (bounded: 15 s).
async function sqlUntil(sql, what) {
  for (const deadline = Date.now() + 15000; ; await sleep(20)) {
    const out = (await s.psql(sql)).trim();
    if (out !== '') return out;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
  }
}

// What a booking's rows say, the same for either statement: its row, its lines, its quota
// share, its confirmation email and its creation in the history.
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

test('a one-tier booking is written whole by the one statement, as book() writes a two-tier one', async () => {
  const c = await addConcert(s, ['GA:10:10.00', 'VIP:5:50.00']);
  const [fan] = await createFans(s, 1);
  const before = await fallbacks();

  const body = bookingBody(c, { GA: 2 });
  const one = assertOk(assert, await book(s, body, { fan }), 201);
  const two = assertOk(assert, await book(s, bookingBody(c, { GA: 1, VIP: 1 }), { fan }), 201);
  assert.equal(await fallbacks(), before, 'neither was left to book() by the one statement');

  assert.equal(await written(one.id), 'confirmed|2000|card|t|t|t|t|t|GAx2@1000|1|confirmed by true');
  assert.equal(await written(two.id), 'confirmed|6000|card|t|t|t|t|t|GAx1@1000,VIPx1@5000|1|confirmed by true');
  assert.equal(one.createdAt, await s.psql(`SELECT iso8601(created_at) FROM bookings WHERE id = '${one.id}'`));
  assert.equal(await s.psql(`SELECT booked FROM fan_quotas WHERE concert_id = '${c.id}' AND user_id = '${fan.id}'`), '4');
  assert.deepEqual([await available(s, c.tiers.GA.id), await available(s, c.tiers.VIP.id)], [7, 4]);

  // Its retry is the same booking, answered 200 from the key's record.
  const again = assertOk(assert, await book(s, body, { fan }), 200);
  assert.equal(again.id, one.id);
  assert.equal(await available(s, c.tiers.GA.id), 7);
  await assertInvariant(assert, s);
});

test('a booking that finds every bucket held is left to book(), which waits for one: 201, counted, taken once', async () => {
  const c = await addConcert(s, ['GA:10:10.00']);
  const [fan] = await createFans(s, 1);
  const before = await fallbacks();
  const holder = await holdLocks(s, `SELECT 1 FROM tier_buckets WHERE tier_id = '${c.tiers.GA.id}' FOR UPDATE`);
  const body = bookingBody(c, { GA: 3 });
  const pending = book(s, body, { fan });
  try {
    await sqlUntil(`SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'
      AND query LIKE '%FROM book(%'`, 'book() to wait for the buckets');
  } finally {
    await holder.release();
  }
  const res = assertOk(assert, await pending, 201);
  assert.equal(await fallbacks(), before + 1);
  assert.equal(await s.psql(`SELECT string_agg(id || ' ' || status, ',') FROM bookings
    WHERE idempotency_key = '${body.idempotencyKey}'`), `${res.id} confirmed`);
  assert.equal(await available(s, c.tiers.GA.id), 7);
  assert.equal(await s.psql(`SELECT booked FROM fan_quotas WHERE concert_id = '${c.id}' AND user_id = '${fan.id}'`), '3');
  await assertInvariant(assert, s);
});

// The statement's snapshot is taken before it locks anything. Here the concert is cancelled
// and committed while the statement waits for the fan's quota row, which the cancelling
// transaction holds: only a read of the concert after the locks (one_line_booking_outcome())
// sees it. Trusting the snapshot would confirm a booking of a cancelled concert.
test('a concert cancelled while the booking waits for the fan\'s quota row: 409 SALES_CLOSED, nothing taken', async () => {
  const c = await addConcert(s, ['GA:10:10.00']);
  const [fan] = await createFans(s, 1);
  assertOk(assert, await book(s, bookingBody(c, { GA: 1 }), { fan }), 201);
  const before = await fallbacks();
  const canceller = await PsqlSession.open(s);
  try {
    await canceller.run('BEGIN');
    await canceller.run(`SELECT 1 FROM fan_quotas WHERE concert_id = '${c.id}' FOR UPDATE`);
    const pending = book(s, bookingBody(c, { GA: 2 }), { fan });
    await sqlUntil(`SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'
      AND query LIKE '/* book_one_line */%'`, 'the one statement to wait for the quota row');
    const { err } = await canceller.run(`SELECT cancel_concert('${c.id}', NULL, 'test', 'req_test')`);
    assert.equal(err, '');
    await canceller.run('COMMIT');

    const res = await pending;
    assert.equal(res.status, 409, res.body);
    assert.equal(res.json.error.code, 'SALES_CLOSED');
  } finally {
    await canceller.close();
  }
  assert.equal(await fallbacks(), before + 1, 'the one statement left it to book()');
  assert.equal(await s.psql(`SELECT count(*) FROM bookings WHERE concert_id = '${c.id}' AND status = 'confirmed'`), '0');
  assert.equal(await available(s, c.tiers.GA.id), 10);
  assert.equal(await s.psql(`SELECT booked FROM fan_quotas WHERE concert_id = '${c.id}' AND user_id = '${fan.id}'`), '0');
  await assertInvariant(assert, s);
});
