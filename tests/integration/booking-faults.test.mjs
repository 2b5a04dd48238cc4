// Faults during bookings (issue 3 item 5, issue 6 "Faults"): each test injects one fault, then
// measures what was lost. A client that got no definite answer retries with its idempotency key
// until it gets one (201/200/409/402); each key belongs to one fan, who sends every retry of it;
// then every key has at most one booking, the confirmed
// bookings are exactly the keys that ended 201/200, and the inventory invariant holds.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertError, assertOk, pollUntil, sleep, startStack } from './stack.mjs';
import {
  BOOKING_STATEMENT, DEFINITE, DRAIN_CUT, WORKER_DEATH, addConcert, assertInvariant, available, book, bookUntilDefinite,
  bookingBody, holdLocks, inPool, restartTicketdWith, ticketdLogSince, ticketdLogSize, timedBook, waitForWorkers, workers,
} from './lib/booking-helpers.mjs';
import { createFans, defaultFan } from './lib/fans.mjs';

const READ_WORKERS = 2;
const BOOK_WORKERS = 8;
const BASE_ENV = {
  PAYMENT_DECLINE_RATE: '0',
  PAYMENT_LATENCY_MS: '300', // bookings are in flight long enough to be hit
  TICKETD_READ_WORKERS: String(READ_WORKERS),
  TICKETD_BOOK_WORKERS: String(BOOK_WORKERS),
};

let s;
const killed = []; // every worker this file killed, for the log check at the end

before(async () => {
  s = await startStack({ rateLimit: 'off', env: BASE_ENV });
  // Made now, while the database is up: the faults below stop it, and book() signs in as this fan.
  await defaultFan(s);
});
after(async () => {
  await s?.destroy();
});

// A 5xx answer during a fault: JSON SERVICE_UNAVAILABLE with Retry-After, whoever made it.
function assertUnavailable(res, statuses = [502, 503]) {
  assert.ok(statuses.includes(res.status), `status ${res.status} in ${statuses}: ${res.body ?? res.error}`);
  assertError(assert, res, res.status, 'SERVICE_UNAVAILABLE');
  assert.equal(res.headers['retry-after'], '1', `Retry-After on ${res.status}`);
}

// Retries every key without a definite answer; returns the final answer per key.
async function settle(entries) {
  const finals = await inPool(8, entries.map((e) => async () => {
    if (DEFINITE.has(e.first.status)) return { ...e, final: e.first, retries: [] };
    const retries = await bookUntilDefinite(s, e.body, { maxAttempts: 60, deadlineMs: 30000, pauseMs: 200, fan: e.fan });
    return { ...e, final: retries[retries.length - 1], retries };
  }));
  return finals;
}

// Nothing lost, nothing doubled: the database agrees with the answers the clients kept.
async function assertOutcomes(c, tierName, finals) {
  const tier = c.tiers[tierName];
  for (const f of finals) {
    assert.ok([200, 201, 409].includes(f.final.status),
      `key ${f.body.idempotencyKey} ended with a definite answer, not ${f.final.status} ${f.final.body ?? f.final.error}`);
  }
  const rows = await s.psql(`SELECT idempotency_key, id, status FROM bookings WHERE concert_id = '${c.id}'`);
  const byKey = new Map();
  for (const line of rows === '' ? [] : rows.split('\n')) {
    const [key, id, status] = line.split('|');
    assert.ok(!byKey.has(key), `key ${key} has one booking row`);
    byKey.set(key, { id, status });
  }
  let confirmedKeys = 0;
  let tickets = 0;
  for (const f of finals) {
    const row = byKey.get(f.body.idempotencyKey);
    if (f.final.status === 201 || f.final.status === 200) {
      confirmedKeys++;
      const b = f.final.json.data;
      assert.equal(row?.id, b.id, `the answer names the stored booking of ${f.body.idempotencyKey}`);
      assert.equal(row.status, 'confirmed');
      tickets += b.items.reduce((n, it) => n + it.quantity, 0);
    } else {
      assertError(assert, f.final, 409, 'INSUFFICIENT_INVENTORY');
      assert.ok(!row || row.status === 'rejected', `a 409 key has no confirmed booking (${row?.status})`);
    }
  }
  const confirmed = [...byKey.values()].filter((r) => r.status === 'confirmed').length;
  assert.equal(confirmed, confirmedKeys, 'confirmed bookings = keys that ended 201/200');
  assert.equal(byKey.size <= finals.length, true, 'no booking without a client key');
  assert.equal(await available(s, tier.id) + tickets, tier.total, 'sold + left = total');
  await assertInvariant(assert, s);
  return { confirmedKeys, tickets };
}

test('booking workers killed (kill -9) mid-booking: JSON 502s, retries with the same key answer definitely, nothing lost or doubled, workers respawned', async (t) => {
  const c = await addConcert(s, ['GA:60:10.00']);
  const pools = await waitForWorkers(s, { read: READ_WORKERS, book: BOOK_WORKERS });
  assert.equal(pools.book.length, BOOK_WORKERS, 'a full booking pool before');
  const logFrom = await ticketdLogSize(s);

  const fans = await createFans(s, 48);
  const entries = fans.map((fan, i) => ({ fan, body: bookingBody(c, { GA: 1 + (i % 2) }) }));
  const burst = inPool(16, entries.map((e) => async () => { e.first = await timedBook(s, e.body, { fan: e.fan }); }));
  // Three kills while every booking worker holds a request (16 clients, 8 workers, 300 ms payments).
  const victims = [];
  const start = Date.now();
  for (const at of [200, 550, 900]) {
    await sleep(Math.max(0, at - (Date.now() - start)));
    const candidates = (await workers(s)).book.filter((p) => !victims.includes(p));
    const pid = candidates[Math.floor(Math.random() * candidates.length)];
    if (pid) {
      process.kill(pid, 'SIGKILL');
      victims.push(pid);
    }
  }
  await burst;
  killed.push(...victims);
  assert.equal(victims.length, 3, 'three workers killed');

  const fivexx = entries.filter((e) => e.first.status >= 500 || e.first.status === 0);
  for (const e of fivexx) assertUnavailable(e.first);
  assert.ok(fivexx.some((e) => e.first.status === 502), 'a killed request is nginx\'s JSON 502');
  assert.deepEqual(entries.filter((e) => !DEFINITE.has(e.first.status) && e.first.status < 500).map((e) => e.first.status), [],
    'nothing but definite answers and 5xx');

  const finals = await settle(entries);
  for (const f of finals) for (const r of f.retries.slice(0, -1)) assertUnavailable(r);
  const { confirmedKeys, tickets } = await assertOutcomes(c, 'GA', finals);

  const after = await waitForWorkers(s, { read: READ_WORKERS, book: BOOK_WORKERS });
  assert.equal(after.book.length, BOOK_WORKERS, 'the master respawned the booking pool');
  assert.equal(after.read.length, READ_WORKERS, 'the read pool is whole');
  for (const pid of victims) assert.ok(!after.book.includes(pid), `worker ${pid} is gone`);
  const log = await ticketdLogSince(s, logFrom);
  for (const pid of victims) assert.match(log, new RegExp(`book worker ${pid} killed by signal 9`));
  t.diagnostic(`kills: ${victims.length} workers, ${fivexx.length} requests answered 5xx and retried, ` +
    `${confirmedKeys} bookings (${tickets} tickets) of ${entries.length} keys, lost 0, doubled 0`);
});

test('the database restarted during a rush: fast JSON 503s with Retry-After, then bookings again; retries settle, nothing lost or doubled', async (t) => {
  const c = await addConcert(s, ['GA:199:10.00']); // one counter row: at most 12 x 15 tickets below
  const entries = [];
  let stop = false;
  let downAt = Infinity;
  let upAt = Infinity;
  const fans = await createFans(s, 12);
  const t0 = Date.now();
  // Each client (one fan) books key after key; a 5xx is retried with the same key (after a short pause,
  // as Retry-After asks) until it is definite or the rush is over.
  async function client(n) {
    for (let i = 0; i < 15 && !stop && Date.now() - t0 < 30000; i++) {
      const e = { fan: fans[n], body: bookingBody(c, { GA: 1 }), answers: [] };
      entries.push(e);
      for (let a = 0; a < 100 && !stop; a++) {
        const at = Date.now();
        const res = await timedBook(s, e.body, { fan: e.fan });
        res.at = at;
        e.answers.push(res);
        if (DEFINITE.has(res.status)) break;
        await sleep(200);
      }
      e.first = e.answers[e.answers.length - 1] ?? { status: 0, headers: {} };
    }
  }
  const clients = Promise.all(Array.from({ length: 12 }, (_, n) => client(n)));
  await sleep(800);
  await s.stack('db-stop');
  downAt = Date.now();
  // While it is down: a booking and /health answer 503 at once.
  const probe = await timedBook(s, bookingBody(c, { GA: 1 }));
  assertUnavailable(probe, [503]);
  assert.ok(probe.ms < 5000, `a booking during the outage answered in ${probe.ms.toFixed(0)} ms`);
  const health = await s.get('/health');
  assert.equal(health.status, 503);
  assert.equal(health.json?.status, 'unhealthy');
  await sleep(1500);
  await s.stack('db-start');
  upAt = Date.now();
  await sleep(3000); // the workers reconnect (backoff at most 2 s) and bookings succeed again
  stop = true;
  await clients;

  const answers = entries.flatMap((e) => e.answers);
  const slowest = Math.max(...answers.map((r) => r.ms));
  assert.ok(slowest < 5000, `no request took 5 s or more (slowest ${slowest.toFixed(0)} ms)`);
  const fivexx = answers.filter((r) => !DEFINITE.has(r.status));
  for (const r of fivexx) assertUnavailable(r, [503]);
  assert.ok(fivexx.length > 0, 'the rush saw the outage');
  assert.ok(answers.some((r) => r.at > upAt && r.status === 201), 'bookings succeed again after the restart');
  assert.ok(answers.every((r) => r.status !== 409), 'plenty of tickets: no 409');
  const retried = entries.filter((e) => e.answers.length > 1 && DEFINITE.has(e.first.status)).length;
  assert.ok(retried > 0, 'some keys got a 503 and then a definite answer with the same key');

  const finals = await settle(entries);
  const { confirmedKeys, tickets } = await assertOutcomes(c, 'GA', finals);
  assert.equal(confirmedKeys, entries.length, 'every key ended booked');
  t.diagnostic(`db restart: ${entries.length} keys, ${answers.length} requests, ${fivexx.length} answered 503 ` +
    `(outage ${upAt - downAt} ms), ${retried} keys settled by retrying, ` +
    `slowest ${slowest.toFixed(0)} ms, ${confirmedKeys} bookings (${tickets} tickets), lost 0, doubled 0`);
});

test('the database down when ticketd starts: /health and bookings 503 with Retry-After; when it comes up, bookings succeed', async () => {
  const c = await addConcert(s, ['VIP:5:100.00']);
  await s.stack('ticketd-stop');
  await s.stack('db-stop');
  try {
    await restartTicketdWith(s, BASE_ENV);
    // "starting" first, until every worker has tried to connect and found the database down.
    const health = await pollUntil(async () => {
      const r = await s.get('/health');
      return r.json?.status === 'unhealthy' && r;
    }, '/health to answer unhealthy', 10000, 100);
    assert.equal(health.status, 503);
    assert.equal(health.headers['retry-after'], '1');
    assertUnavailable(await s.get(`/api/concerts/${c.id}`), [503]);
    const body = bookingBody(c, { VIP: 2 });
    const down = await timedBook(s, body);
    assertUnavailable(down, [503]);
    assert.ok(down.ms < 5000, `answered in ${down.ms.toFixed(0)} ms`);
  } finally {
    await s.stack('db-start');
  }
  await s.waitFor('/health', 200, 20000);
  const body = bookingBody(c, { VIP: 2 });
  const answers = await bookUntilDefinite(s, body, { maxAttempts: 40, deadlineMs: 15000, pauseMs: 250 });
  for (const r of answers.slice(0, -1)) assertUnavailable(r, [503]);
  assertOk(assert, answers[answers.length - 1], 201);
  assert.equal(await available(s, c.tiers.VIP.id), 3);
  await assertInvariant(assert, s);
  await waitForWorkers(s, { read: READ_WORKERS, book: BOOK_WORKERS });
});

test('a slow payment (latency 2000 ms, timeout 500 ms) is the worker\'s JSON 504 PAYMENT_TIMEOUT, nothing taken, no worker stuck', async () => {
  await restartTicketdWith(s, { ...BASE_ENV, PAYMENT_LATENCY_MS: '2000', PAYMENT_TIMEOUT_MS: '500' });
  await s.waitFor('/health', 200, 15000);
  const pools = await waitForWorkers(s, { read: READ_WORKERS, book: BOOK_WORKERS });
  const c = await addConcert(s, ['VIP:5:100.00']);
  const body = bookingBody(c, { VIP: 2 });

  const res = await timedBook(s, body);
  assertError(assert, res, 504, 'PAYMENT_TIMEOUT');
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8', 'the worker\'s answer, not nginx\'s');
  assert.ok(res.ms >= 450 && res.ms < 1900, `answered after the 500 ms timeout, before the 2000 ms payment (${res.ms.toFixed(0)} ms)`);
  const { entry } = await s.accessLogEntry(res.headers['x-request-id']);
  assert.equal(entry.upstream_status, '504');
  assert.match(entry.upstream_addr, /book\.sock$/);
  assert.equal(await s.psql(`SELECT count(*) FROM bookings WHERE idempotency_key = '${body.idempotencyKey}'`), '0');
  assert.equal(await available(s, c.tiers.VIP.id), 5);

  // The retry times out the same way; a full pool's worth at once all come back promptly.
  assertError(assert, await book(s, body), 504, 'PAYMENT_TIMEOUT');
  for (let round = 0; round < 2; round++) {
    const many = await Promise.all(Array.from({ length: BOOK_WORKERS }, () => timedBook(s, bookingBody(c, { VIP: 1 }))));
    for (const r of many) {
      assertError(assert, r, 504, 'PAYMENT_TIMEOUT');
      assert.ok(r.ms < 4000, `round ${round}: answered in ${r.ms.toFixed(0)} ms`);
    }
  }
  assert.equal(await s.psql(`SELECT count(*) FROM bookings WHERE concert_id = '${c.id}'`), '0');
  assert.equal(await available(s, c.tiers.VIP.id), 5);
  const after = await workers(s);
  assert.deepEqual(after.book, pools.book, 'the same booking workers: none died or hung');
  await assertInvariant(assert, s);
});

test('a row lock held elsewhere (DB_LOCK_TIMEOUT_MS=500): the booking is 503 with Retry-After within ~1 s and changes nothing', async (t) => {
  await restartTicketdWith(s, { ...BASE_ENV, PAYMENT_LATENCY_MS: '5', DB_LOCK_TIMEOUT_MS: '500' });
  await s.waitFor('/health', 200, 15000);
  const c = await addConcert(s, ['VIP:5:100.00']);
  const vip = c.tiers.VIP;
  const body = bookingBody(c, { VIP: 2 });

  const holder = await holdLocks(s, `SELECT * FROM tier_buckets WHERE tier_id = '${vip.id}' FOR UPDATE`);
  let res;
  try {
    res = await timedBook(s, body);
  } finally {
    await holder.release();
  }
  assertUnavailable(res, [503]);
  assert.ok(res.ms < 2000, `answered in ${res.ms.toFixed(0)} ms (lock timeout 500 ms)`);
  t.diagnostic(`lock held: 503 after ${res.ms.toFixed(0)} ms`);
  assert.equal(await s.psql(`SELECT count(*) FROM bookings WHERE idempotency_key = '${body.idempotencyKey}'`), '0');
  assert.equal(await available(s, vip.id), 5);
  await assertInvariant(assert, s);

  // Once the lock is gone the same key books.
  assertOk(assert, await book(s, body), 201);
  assert.equal(await available(s, vip.id), 3);
  await assertInvariant(assert, s);
});

// One transaction slot, held by a booking that waits for the buckets a session locks: the next
// booking waits TICKETD_SLOT_WAIT_MS for a slot, then is 503 with Retry-After, having taken and
// recorded nothing; the first one books once the lock is gone. The wait is set above its default
// (2 s), so that an answer before it had passed would show the setting ignored.
const SLOT_WAIT_MS = 2500;
test(`no transaction slot free within TICKETD_SLOT_WAIT_MS (${SLOT_WAIT_MS} ms): 503 with Retry-After once it has passed, nothing taken or recorded`, async () => {
  await restartTicketdWith(s, { ...BASE_ENV, PAYMENT_LATENCY_MS: '5', TICKETD_TXN_SLOTS: '1',
    TICKETD_SLOT_WAIT_MS: String(SLOT_WAIT_MS), DB_LOCK_TIMEOUT_MS: '60000' });
  try {
    await s.waitFor('/health', 200, 15000);
    const c = await addConcert(s, ['VIP:5:100.00']);
    const vip = c.tiers.VIP;
    const [fanA, fanB] = await createFans(s, 2);
    const bodyA = bookingBody(c, { VIP: 2 });
    const bodyB = bookingBody(c, { VIP: 1 });

    const holder = await holdLocks(s, `SELECT * FROM tier_buckets WHERE tier_id = '${vip.id}' FOR UPDATE`);
    let sentA;
    let b;
    try {
      sentA = book(s, bodyA, { fan: fanA });
      await pollUntil(async () => await s.psql(`SELECT count(*) FROM pg_stat_activity
        WHERE wait_event_type = 'Lock' AND ${BOOKING_STATEMENT}`) === '1', 'the first booking waiting for the buckets');
      b = await timedBook(s, bodyB, { fan: fanB });
    } finally {
      await holder.release();
    }
    assertUnavailable(b, [503]);
    assert.ok(b.ms >= SLOT_WAIT_MS, `answered after ${b.ms.toFixed(0)} ms, not before the wait was over`);
    assert.equal(await s.psql(`SELECT count(*) FROM bookings WHERE idempotency_key = '${bodyB.idempotencyKey}'`), '0');
    assertOk(assert, await sentA, 201);
    assert.equal(await available(s, vip.id), 3);
    await assertInvariant(assert, s);
  } finally {
    await restartTicketdWith(s, BASE_ENV);
    await s.waitFor('/health', 200, 15000);
  }
});

test('ticketd drains on SIGTERM, logged no sanitizer report, and only the workers this file killed died', async (t) => {
  const reports = await s.stopTicketdAndCollectSanitizerReports();
  assert.deepEqual(reports, []);
  if (DRAIN_CUT.test(await s.ticketdLog())) t.diagnostic('warning: the drain deadline cut workers off: leak checks incomplete');
  const deaths = [...(await s.ticketdLog()).matchAll(WORKER_DEATH)].map((m) => Number(m[2])).sort();
  assert.deepEqual(deaths, [...killed].sort());
});
