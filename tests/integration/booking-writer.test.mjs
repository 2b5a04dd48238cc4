// The booking writer (src/daemon/writer.c, 019): the paid one-tier bookings of a big tier that
// queue behind each other are written by one statement, and whatever a batch cannot write
// whole goes on its own (the one statement, then book()), with nothing of the batch left
// behind. To make a batch of several, a test holds the first booking's quota row so that the
// writer's statement waits for it, sends the others, sees them all waiting for the writer
// (/metrics: ticketd_booking_writer_waiting) and lets go: they are read together. Nothing is
// timed; the writer waits for row locks as long as a booking does here
// (TICKETD_BOOK_BATCH_LOCK_WAIT_MS), so a slow machine makes waits longer, never an answer
// other than the one asserted.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertOk, metricValue, pollUntil, startStack } from './stack.mjs';
import {
  addConcert, assertInvariant, available, book, bookingBody, bookingFallbacks, holdLocks, writerPid,
} from './lib/booking-helpers.mjs';
import { createFans } from './lib/fans.mjs';

let s;

before(async () => {
  s = await startStack({ rateLimit: 'off', metrics: true,
    env: { TICKETD_BOOK_WORKERS: '16', TICKETD_READ_WORKERS: '4', DB_LOCK_TIMEOUT_MS: '60000',
      DB_STATEMENT_TIMEOUT_MS: '60000', TICKETD_BOOK_BATCH_LOCK_WAIT_MS: '60000' } });
  await writerConnected();
});
after(async () => {
  await s?.destroy();
});

const metric = async (name) => {
  const v = await metricValue(s.metricsPort, name);
  if (v === undefined) throw new Error(`/metrics has no ${name}`);
  return v;
};
const counters = async () => ({
  batches: await metric('ticketd_booking_batches_total'),
  batched: await metric('ticketd_booking_batched_total'),
  returns: await metric('ticketd_booking_batch_returns_total'),
  fallbacks: await bookingFallbacks(s),
  noAnswers: await metric('ticketd_booking_writer_no_answers_total'),
});
const sqlUntil = (sql, what) => pollUntil(async () => (await s.psql(sql)).trim(), what);

// The writer opens its connection without blocking and, until it is open, answers every
// booking "on its own" at once: a test that needs a batch first waits for the connection of
// a writer started after `since` (the database's clock). Its backend shows before the
// connection is the writer's; its one statement shows once the writer prepares it, which it
// does before it reads another booking.
const writerConnected = (since = '-infinity') => sqlUntil(`SELECT 1 FROM pg_stat_activity
  WHERE application_name = 'ticketd-writer' AND backend_start > '${since}'::timestamptz
  AND query LIKE '/* book_batch */%' LIMIT 1`, 'the booking writer\'s connection');

// A tier of 2,000 tickets has 20 buckets: a batch of up to 10.
const BIG = ['GA:2000:10.00'];

// Holds `fan`'s quota row of concert c, sends `first` as that fan and waits until the writer's
// statement waits for the row; then sends `rest` and waits until every one of them waits for
// the writer. Returns the pending answers and release() for the row.
async function queueBehind(c, fan, first, rest) {
  await s.psql(`INSERT INTO fan_quotas VALUES ('${c.id}', '${fan.id}', 0) ON CONFLICT DO NOTHING`);
  const holder = await holdLocks(s, `SELECT 1 FROM fan_quotas WHERE concert_id = '${c.id}'
    AND user_id = '${fan.id}' FOR UPDATE`);
  const head = book(s, first, { fan });
  await sqlUntil(`SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'
    AND query LIKE '/* book_batch */%'`, 'the writer\'s statement to wait for the quota row');
  const queued = rest.map(([body, who]) => book(s, body, { fan: who }));
  await pollUntil(async () => await metric('ticketd_booking_writer_waiting') === 1 + rest.length,
    `${1 + rest.length} workers waiting for the writer`);
  return { head, queued, release: () => holder.release() };
}

// What a booking wrote, the same whichever statement wrote it.
async function written(id) {
  return s.psql(`SELECT b.status, b.total_cents,
      (SELECT string_agg(i.quantity || '@' || i.price_cents, ',') FROM booking_items i WHERE i.booking_id = b.id),
      (SELECT count(*) FROM outbox o WHERE o.booking_id = b.id AND o.kind = 'booking_confirmed')
    FROM bookings b WHERE b.id = '${id}'`);
}

test('bookings that queued while the writer\'s statement ran are written by the next one, whole', async () => {
  const c = await addConcert(s, BIG);
  const fans = await createFans(s, 4);
  const before = await counters();

  const { head, queued, release } = await queueBehind(c, fans[0], bookingBody(c, { GA: 1 }),
    [[bookingBody(c, { GA: 2 }), fans[1]], [bookingBody(c, { GA: 3 }), fans[2]], [bookingBody(c, { GA: 4 }), fans[3]]]);
  await release();
  const answers = [await head, ...await Promise.all(queued)].map((r) => assertOk(assert, r, 201));

  const after = await counters();
  assert.equal(after.batches - before.batches, 2, 'the first alone, then the three that queued together');
  assert.equal(after.batched - before.batched, 4);
  assert.equal(after.returns, before.returns, 'none handed back');
  assert.equal(after.fallbacks, before.fallbacks);
  for (const [i, a] of answers.entries()) {
    assert.equal(await written(a.id), `confirmed|${1000 * (i + 1)}|${i + 1}@1000|1`);
    assert.equal(a.createdAt, await s.psql(`SELECT iso8601(created_at) FROM bookings WHERE id = '${a.id}'`));
    assert.equal(await s.psql(`SELECT booked FROM fan_quotas WHERE concert_id = '${c.id}'
      AND user_id = '${fans[i].id}'`), String(i + 1));
  }
  assert.equal(await available(s, c.tiers.GA.id), 2000 - 10);
  await assertInvariant(assert, s);
});

test('a batch that cannot write one of its bookings writes none: each goes on its own, the one at its limit is refused', async () => {
  // A small tier's bookings are book()'s, never the writer's: one reaches a fan's limit while
  // the writer is held.
  const c = await addConcert(s, [...BIG, 'SMALL:10:10.00'], 'IT concert', { maxPerFan: 4 });
  const fans = await createFans(s, 4);
  const before = await counters();

  const { head, queued, release } = await queueBehind(c, fans[0], bookingBody(c, { GA: 1 }),
    [[bookingBody(c, { GA: 2 }), fans[1]], [bookingBody(c, { GA: 2 }), fans[2]], [bookingBody(c, { GA: 2 }), fans[3]]]);
  // After its check, before its batch: the third fan reaches the limit with another booking.
  assertOk(assert, await book(s, bookingBody(c, { SMALL: 4 }), { fan: fans[2] }), 201);
  await release();
  const [a, b, refused, d] = [await head, ...await Promise.all(queued)];
  for (const r of [a, b, d]) assertOk(assert, r, 201);
  assert.equal(refused.status, 409, refused.body);
  assert.equal(refused.json.error.code, 'FAN_LIMIT_REACHED');

  const after = await counters();
  assert.equal(after.batches - before.batches, 2);
  assert.equal(after.batched - before.batched, 1, 'only the first was written by a batch');
  assert.equal(after.returns - before.returns, 3, 'the three of the second handed back');
  assert.equal(after.fallbacks - before.fallbacks, 1, 'the refused one left to book() by its own statement');
  assert.equal(await s.psql(`SELECT count(*) FROM bookings WHERE concert_id = '${c.id}' AND status = 'confirmed'`), '4');
  assert.equal(await available(s, c.tiers.GA.id), 2000 - 5);
  await assertInvariant(assert, s);
});

test('a retry queued behind its first attempt goes in the next batch and replays it', async () => {
  const c = await addConcert(s, BIG);
  const fans = await createFans(s, 2);
  const body = bookingBody(c, { GA: 2 });
  const before = await counters();

  const { head, queued, release } = await queueBehind(c, fans[0], bookingBody(c, { GA: 1 }),
    [[body, fans[1]], [body, fans[1]]]);
  await release();
  assertOk(assert, await head, 201);
  const [one, two] = await Promise.all(queued);
  const statuses = [one.status, two.status].sort();
  assert.deepEqual(statuses, [200, 201], `${one.body} ${two.body}`);
  assert.equal(one.json.data.id, two.json.data.id, 'one booking, answered twice');

  const after = await counters();
  assert.equal(after.batches - before.batches, 3, 'the key twice in one statement never');
  assert.equal(after.batched - before.batched, 3, 'the replay is the batch\'s "duplicate"');
  assert.equal(await s.psql(`SELECT count(*) FROM bookings WHERE idempotency_key = '${body.idempotencyKey}'`), '1');
  assert.equal(await available(s, c.tiers.GA.id), 2000 - 3);
  await assertInvariant(assert, s);
});

test('the writer killed while bookings wait for it: each is written once, by its batch or on its own', async () => {
  const c = await addConcert(s, BIG);
  const fans = await createFans(s, 2);
  const first = bookingBody(c, { GA: 1 });
  const before = await counters();

  const { head, queued, release } = await queueBehind(c, fans[0], first, [[bookingBody(c, { GA: 2 }), fans[1]]]);
  const pid = await writerPid(s);
  assert.ok(pid > 0, 'the writer runs');
  const killedAt = (await s.psql('SELECT now()')).trim();
  process.kill(pid, 'SIGKILL');
  // The second is written at once (on its own, or by the next writer); the first waits for its
  // key, which the killed writer's statement holds until the row is let go and it commits.
  const second = assertOk(assert, (await Promise.all(queued))[0], 201);
  await release();
  const again = await head;
  assert.ok([200, 201].includes(again.status), again.body);
  // The first's worker had its answer cut off. The second's was either cut off too or, if its
  // worker's connection still waited in the socket's backlog, read by the new writer.
  assert.ok(await metric('ticketd_booking_writer_no_answers_total') - before.noAnswers >= 1,
    'the first\'s worker stopped waiting and wrote its own');
  assert.equal(await s.psql(`SELECT count(*) FROM bookings WHERE idempotency_key = '${first.idempotencyKey}'
    AND status = 'confirmed'`), '1');
  assert.equal(await written(second.id), 'confirmed|2000|2@1000|1');
  assert.equal(await available(s, c.tiers.GA.id), 2000 - 3);
  await assertInvariant(assert, s);

  // The master starts another writer, and the next booking is batched again.
  const next = await pollUntil(async () => { const p = await writerPid(s); return p !== pid && p; }, 'a new writer');
  assert.ok(next > 0);
  await writerConnected(killedAt);
  const batches = await metric('ticketd_booking_batches_total');
  assertOk(assert, await book(s, bookingBody(c, { GA: 1 }), { fan: fans[1] }), 201);
  assert.ok(await metric('ticketd_booking_batches_total') > batches, 'written by the new writer');
  assert.ok((await counters()).batches > before.batches);
});

test('the database restarted: the writer replaces its connection by itself, and the next booking is batched, not failed', async () => {
  const c = await addConcert(s, BIG);
  const [fan] = await createFans(s, 1);
  const restartedAt = (await s.psql('SELECT now()')).trim();
  await s.stack('db-restart');
  // The writer watches its idle connection: the server's goodbye makes it connect again,
  // without a booking having to fail on the closed one first.
  await writerConnected(restartedAt);
  const before = await counters();
  assertOk(assert, await book(s, bookingBody(c, { GA: 2 }), { fan }), 201);
  const after = await counters();
  assert.equal(after.batches - before.batches, 1, 'written by the writer');
  assert.equal(after.returns - before.returns, 0, 'not handed back');
  assert.equal(await available(s, c.tiers.GA.id), 2000 - 2);
  await assertInvariant(assert, s);
});
