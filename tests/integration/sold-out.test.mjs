// Sold out from shared memory (TICKETD_SOLD_OUT_TTL_MS): a tier a booking found with none left
// is answered 409 by the daemon's table without reading the tiers, never wrongly for longer than
// the TTL, never letting an oversell through, and never hiding a confirmed booking from its retry.
//
// Three stacks: `long` (a TTL of a minute: whatever a test asserts about a mark being there
// happens well inside it, and is checked against the time the marking requests were sent),
// `short` (1.5 s: a change made in SQL, which the daemon does not see, shows once it has passed),
// `off` (0: no table) and `queued` (a long TTL and one transaction slot, waited for up to 10 s,
// so that a booking can be seen waiting for its turn). That an answer came from the table is read from /metrics
// (ticketd_sold_out_answers_total), never from timing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { assertError, assertOk, metricValue, pollUntil, sleep, startStack } from './stack.mjs';
import {
  addConcert, assertInvariant, available, book, bookingBody, inPool, post, PsqlSession,
} from './lib/booking-helpers.mjs';
import { asBookable, createConcert, patchConcert, send, soldByBookings, tierByName } from './lib/admin-helpers.mjs';
import { createFans } from './lib/fans.mjs';

const LONG_TTL_MS = 60000;
const SHORT_TTL_MS = 1500;

let long;
let short;
let off;
let queued;
let admin; // of the long stack

// 32 booking workers: the rush below sends 30 at once; four stacks of the default 96 each are
// 400 processes to start on a small machine. Waits are generous (the rush's bookings queue on
// their fans' quota rows and for a transaction slot): a slow machine makes them longer, never
// a 503.
const WORKERS = { TICKETD_BOOK_WORKERS: '32', TICKETD_READ_WORKERS: '4', TICKETD_SLOT_WAIT_MS: '10000',
  DB_LOCK_TIMEOUT_MS: '60000', DB_STATEMENT_TIMEOUT_MS: '60000' };

before(async () => {
  const started = await Promise.allSettled([
    startStack({ rateLimit: 'off', metrics: true, env: { ...WORKERS, TICKETD_SOLD_OUT_TTL_MS: String(LONG_TTL_MS) } }),
    startStack({ rateLimit: 'off', metrics: true, env: { ...WORKERS, TICKETD_SOLD_OUT_TTL_MS: String(SHORT_TTL_MS) } }),
    startStack({ rateLimit: 'off', metrics: true, env: { ...WORKERS, TICKETD_SOLD_OUT_TTL_MS: '0' } }),
    startStack({ rateLimit: 'off', metrics: true, env: { ...WORKERS, TICKETD_SOLD_OUT_TTL_MS: String(LONG_TTL_MS),
      TICKETD_TXN_SLOTS: '1', TICKETD_SLOT_WAIT_MS: '10000', DB_LOCK_TIMEOUT_MS: '60000',
      DB_STATEMENT_TIMEOUT_MS: '60000' } }),
  ]);
  [long, short, off, queued] = started.map((r) => r.value);
  for (const r of started) if (r.status === 'rejected') throw r.reason;
  [admin] = await createFans(long, 1, { role: 'admin', prefix: 'admin' });
});
after(async () => {
  await Promise.allSettled([long?.destroy(), short?.destroy(), off?.destroy(), queued?.destroy()]);
});

// One of the table's counters (ticketd_sold_out_{answers,marks,clears}_total).
async function counter(s, what) {
  const name = `ticketd_sold_out_${what}_total`;
  const n = await metricValue(s.metricsPort, name);
  assert.notEqual(n, undefined, `/metrics has ${name}`);
  return n;
}

// A 409 INSUFFICIENT_INVENTORY saying the tier has none left; returns its error object.
function assertSoldOut(res, tier, requested) {
  assertError(assert, res, 409, 'INSUFFICIENT_INVENTORY');
  const err = res.json.error;
  assert.deepEqual(err.details, { tierId: tier.id, tierName: tier.name, requested, available: 0 });
  return err;
}

// Books one ticket of `tierName` and asserts that the table answered it (409, counted), for a
// stack whose marks were all made after `since` (performance.now() before the requests that made them):
// a mark lives a TTL from when its request's read began, so any answer back before
// since + TTL saw it. Returns the error object.
async function assertAnsweredByTable(s, c, tierName, since, ttlMs, fan) {
  const before = await counter(s, 'answers');
  const res = await book(s, bookingBody(c, { [tierName]: 1 }), { fan });
  assert.ok(performance.now() < since + ttlMs, 'answered inside the TTL (the test machine stalled for a minute?)');
  const err = assertSoldOut(res, c.tiers[tierName], 1);
  assert.equal(await counter(s, 'answers'), before + 1, 'the 409 came from the table');
  return err;
}

// Sells `tierName` out with single tickets, then books once more (409): afterwards a mark is
// certain (the last booking either hit one or read 0 and made one). Returns the confirmed
// bookings ({ body, id }) and when the first request was sent.
async function sellOut(s, c, tierName, fan) {
  const since = performance.now();
  const confirmed = [];
  for (let i = 0; i < c.tiers[tierName].total; i++) {
    const body = bookingBody(c, { [tierName]: 1 });
    const { id } = assertOk(assert, await book(s, body, { fan }), 201);
    confirmed.push({ body, id });
  }
  assertSoldOut(await book(s, bookingBody(c, { [tierName]: 1 }), { fan }), c.tiers[tierName], 1);
  return { confirmed, since };
}

test('a rush sells a tier out exactly: 20 × 201, 40 × 409 with none left; the next is answered by the table, the same answer the database gives', async () => {
  const c = await addConcert(long, ['GA:20:10.00']);
  const ga = c.tiers.GA;
  const fans = await createFans(long, 6);
  const marksBefore = await counter(long, 'marks');
  const since = performance.now();

  const answers = await inPool(30, Array.from({ length: 60 }, (_, i) => () =>
    book(long, bookingBody(c, { GA: 1 }), { fan: fans[i % fans.length] })));
  const statuses = answers.map((r) => r.status);
  assert.equal(statuses.filter((x) => x === 201).length, 20, `statuses: ${statuses}`);
  assert.equal(statuses.filter((x) => x === 409).length, 40, `statuses: ${statuses}`);
  const fromRush = answers.filter((r) => r.status === 409).map((r) => assertSoldOut(r, ga, 1));

  assert.equal(await soldByBookings(long, ga.id), 20);
  assert.equal(await available(long, ga.id), 0);
  await assertInvariant(assert, long);
  assert.ok(await counter(long, 'marks') > marksBefore, 'a booking that saw 0 left marked the tier');

  const fromTable = await assertAnsweredByTable(long, c, 'GA', since, LONG_TTL_MS, fans[0]);
  // Byte for byte what a 409 of the database's says (the contract checks the shape too).
  assert.deepEqual(fromTable, fromRush[0]);
  assert.equal(await soldByBookings(long, ga.id), 20);
});

test('a tier with tickets left is not marked: a shortage of 3 when 2 remain reads the database every time', async () => {
  const c = await addConcert(long, ['GA:2:10.00']);
  const answersBefore = await counter(long, 'answers');
  for (let i = 0; i < 3; i++) {
    const res = await book(long, bookingBody(c, { GA: 3 }));
    assertError(assert, res, 409, 'INSUFFICIENT_INVENTORY');
    assert.deepEqual(res.json.error.details, { tierId: c.tiers.GA.id, tierName: 'GA', requested: 3, available: 2 });
  }
  assert.equal(await counter(long, 'answers'), answersBefore);
  assertOk(assert, await book(long, bookingBody(c, { GA: 2 })), 201);
});

test('a confirmed booking retried while its tier is marked sold out gets its 200, never 409', async () => {
  const c = await addConcert(long, ['GA:2:10.00']);
  const { confirmed, since } = await sellOut(long, c, 'GA');
  await assertAnsweredByTable(long, c, 'GA', since, LONG_TTL_MS);

  const again = await book(long, confirmed[0].body);
  const replayed = assertOk(assert, again, 200);
  assert.equal(again.json.meta.duplicate, true);
  assert.equal(replayed.id, confirmed[0].id);
  assert.equal(replayed.status, 'confirmed');
});

test('a fan cancels through the API: the next booking of the sold-out tier is 201 at once', async () => {
  const c = await addConcert(long, ['GA:3:10.00']);
  const { confirmed, since } = await sellOut(long, c, 'GA');
  await assertAnsweredByTable(long, c, 'GA', since, LONG_TTL_MS);
  const clears = await counter(long, 'clears');

  assertOk(assert, await post(long, `/api/bookings/${confirmed[1].id}/cancel`));
  assert.equal(await counter(long, 'clears'), clears + 1);
  assertOk(assert, await book(long, bookingBody(c, { GA: 1 })), 201);
  // And sold out again: the database says so, and marks it.
  assertSoldOut(await book(long, bookingBody(c, { GA: 1 })), c.tiers.GA, 1);
  await assertInvariant(assert, long);
});

test('the box office cancels a booking or raises a capacity through the API: 201 at once each time', async () => {
  const created = await createConcert(long, admin, { tiers: [{ tierName: 'GA', price: 10, capacity: 2 }] });
  const c = asBookable(created);
  const { confirmed, since } = await sellOut(long, c, 'GA');
  await assertAnsweredByTable(long, c, 'GA', since, LONG_TTL_MS);

  assertOk(assert, await send(long, 'POST', `/api/admin/bookings/${confirmed[0].id}/cancel`, { reason: 'the fan called' }, { fan: admin }));
  assertOk(assert, await book(long, bookingBody(c, { GA: 1 })), 201);

  const again = performance.now();
  assertSoldOut(await book(long, bookingBody(c, { GA: 1 })), c.tiers.GA, 1);
  await assertAnsweredByTable(long, c, 'GA', again, LONG_TTL_MS);
  const ga = tierByName(created, 'GA');
  assertOk(assert, await patchConcert(long, admin, created.id, { tiers: [{ id: ga.id, capacity: 3 }] }));
  assertOk(assert, await book(long, bookingBody(c, { GA: 1 })), 201);
  assert.equal(await soldByBookings(long, ga.id), 3);
  await assertInvariant(assert, long);
});

test('a capacity raised in SQL, which the daemon does not see: 409 from the table inside the TTL (a minute)', async () => {
  const c = await addConcert(long, ['GA:2:10.00']);
  const { since } = await sellOut(long, c, 'GA');
  await long.psql(`SELECT outcome FROM change_tier('${c.id}', '${c.tiers.GA.id}', NULL, NULL, 5)`);
  assert.equal(await available(long, c.tiers.GA.id), 3);
  await assertAnsweredByTable(long, c, 'GA', since, LONG_TTL_MS);
  assert.equal(await soldByBookings(long, c.tiers.GA.id), 2);
});

test('a capacity raised in SQL: once the TTL (1.5 s) has passed since the last answer, the next booking is 201', async () => {
  const c = await addConcert(short, ['GA:2:10.00']);
  await sellOut(short, c, 'GA');
  // Every mark began its read before this answer came back: none lives past now + TTL. Measured
  // on the monotonic clock, as the daemon's marks are (a step of the wall clock changes neither).
  const lastAnswer = performance.now();
  await short.psql(`SELECT outcome FROM change_tier('${c.id}', '${c.tiers.GA.id}', NULL, NULL, 3)`);
  await sleep(lastAnswer + SHORT_TTL_MS + 100 - performance.now());
  assertOk(assert, await book(short, bookingBody(c, { GA: 1 })), 201);
  assert.equal(await soldByBookings(short, c.tiers.GA.id), 3);
  await assertInvariant(assert, short);
});

test('TICKETD_SOLD_OUT_TTL_MS=0: every booking asks the database, nothing is marked', async () => {
  const c = await addConcert(off, ['GA:1:10.00']);
  await sellOut(off, c, 'GA');
  assertSoldOut(await book(off, bookingBody(c, { GA: 1 })), c.tiers.GA, 1);
  assert.equal(await counter(off, 'marks'), 0);
  assert.equal(await counter(off, 'answers'), 0);
});

// A sell-out's queue: the bookings that passed their check while tickets were left, paid, and
// wait for a transaction. One slot here: A holds it, waiting for the buckets a session holds; B
// has passed its check (2 left) and waits for the slot. The session then takes both tickets and
// commits, A finds none and marks the tier, and B, at its turn, is answered by the mark, paid
// back, with no transaction run: no rejection recorded under its key, as book() would have.
test('a paid booking waiting for its turn when the tier is marked sold out: 409 from the table, no transaction', async () => {
  const c = await addConcert(queued, ['GA:2:10.00']);
  const ga = c.tiers.GA;
  const [fanA, fanB, fanX] = await createFans(queued, 3);
  const observer = await PsqlSession.open(queued);
  const holder = await PsqlSession.open(queued);
  try {
    await holder.run('BEGIN');
    await holder.run(`SELECT 1 FROM tier_buckets WHERE tier_id = '${ga.id}' FOR UPDATE`);
    const answersBefore = await counter(queued, 'answers');

    const bodyA = bookingBody(c, { GA: 2 });
    const sentA = book(queued, bodyA, { fan: fanA });
    await pollUntil(async () => (await observer.run(`SELECT count(*) FROM pg_stat_activity
      WHERE ${holder.pid} = ANY (pg_blocking_pids(pid))`)).out.trim() === '1', 'A waiting for the buckets');

    // B's check has run once a backend other than A's ran it after B was sent.
    const { out: since } = await observer.run('SELECT clock_timestamp()');
    const bodyB = bookingBody(c, { GA: 1 });
    const sentB = book(queued, bodyB, { fan: fanB });
    await pollUntil(async () => (await observer.run(`SELECT count(*) FROM pg_stat_activity
      WHERE query LIKE 'WITH f AS (%' AND state = 'idle' AND query_start > '${since.trim()}'`)).out.trim() === '1',
    'B checked');

    // X takes both tickets and commits, which lets A go on.
    const { out: took } = await holder.run(`SELECT outcome FROM book('${randomUUID()}', 'bk_${fanX.id.slice(2)}',
      '${c.id}', '${fanX.id}', 'test', 'card', 2000, ARRAY['${ga.id}'], ARRAY[2],
      ARRAY[(SELECT bucket_count FROM ticket_tiers WHERE id = '${ga.id}')], true, 'auth_test', 'req_x'); COMMIT`);
    assert.equal(took.trim(), 'confirmed');

    const [a, b] = await Promise.all([sentA, sentB]);
    assertSoldOut(a, ga, 2);
    assertSoldOut(b, ga, 1);
    assert.equal(await counter(queued, 'answers'), answersBefore + 1, "B's 409 came from the table");
    assert.equal(await queued.psql(`SELECT count(*) FROM bookings WHERE idempotency_key = '${bodyB.idempotencyKey}'`), '0');
    assert.equal(await queued.psql(`SELECT status FROM bookings WHERE idempotency_key = '${bodyA.idempotencyKey}'`), 'rejected');
    assert.equal(await soldByBookings(queued, ga.id), 2);
    await assertInvariant(assert, queued);
  } finally {
    await holder.close();
    await observer.close();
  }
});
