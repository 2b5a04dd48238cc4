// Restarts during a rush lose nothing: SIGHUP hands the listening sockets to a new master
// (no request fails, none is served twice), and SIGTERM lets every accepted request finish.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { sleep, startStack } from './stack.mjs';
import { createFans } from './lib/fans.mjs';

let s;
let fans; // the rush's fans, taken in turn: none comes near a concert's limit per fan
let nextFan = 0;

before(async () => {
  // Payments take 50 ms, so a restart always finds requests in flight.  Small pools: every
  // sanitizer-built worker runs LeakSanitizer as it exits, and that is what a drain waits on.
  s = await startStack({
    env: { PAYMENT_LATENCY_MS: '50', TICKETD_BOOK_WORKERS: '12', TICKETD_READ_WORKERS: '4' },
    rateLimit: 'off',
  });
  fans = await createFans(s, 500);
});

after(async () => {
  await s?.destroy();
});

async function masterPid() {
  return Number((await readFile(path.join(s.dir, 'run', 'ticketd.pid'), 'utf8')).trim());
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function newConcert(tickets) {
  return s.psql(`SELECT add_concert('Restart', 'Hall', '2027-05-01T20:00:00Z', ARRAY['GA:${tickets}:10.00'], 100)`);
}

// Each booking as the next fan in turn (a rush is many fans, not one fan's queue).
function book(concertId, quantity = 1) {
  const fan = fans[nextFan++ % fans.length];
  return s.request('POST', '/api/bookings', {
    fan,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      concertId,
      tickets: [{ tierId: `${concertId}_ga`, quantity }],
      idempotencyKey: randomUUID(),
      totalAmount: quantity * 10,
    }),
  });
}

// `clients` loops booking one ticket each until `stop()` says so; returns every status seen.
async function rush(concertId, clients, stop) {
  const statuses = [];
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (!stop()) {
        const r = await book(concertId);
        statuses.push(r.status);
        const reads = await s.get(`/api/concerts/${concertId}/availability`);
        statuses.push(reads.status);
      }
    }),
  );
  return statuses;
}

async function assertLedger(concertId, confirmedAnswers) {
  const confirmed = Number(await s.psql(
    `SELECT count(*) FROM bookings WHERE concert_id = '${concertId}' AND status = 'confirmed'`));
  assert.equal(confirmed, confirmedAnswers, 'every 201 is one confirmed booking, and no more');
  assert.equal(await s.psql('SELECT count(*) FROM inventory_violations'), '0');
}

describe('restarts during a rush', () => {
  test('SIGHUP: a new master takes over the sockets and no request fails', async () => {
    const concertId = await newConcert(100000);
    const oldPid = await masterPid();
    let done = false;
    const running = rush(concertId, 24, () => done);

    await sleep(1500);
    process.kill(oldPid, 'SIGHUP');
    // The old master waits for its successor, then drains and exits.
    const deadline = Date.now() + 60000;
    while (alive(oldPid) && Date.now() < deadline) await sleep(100);
    await sleep(1500);
    done = true;
    const statuses = await running;

    assert.ok(!alive(oldPid), 'the old master exited after draining');
    const newPid = await masterPid();
    assert.notEqual(newPid, oldPid, 'the pidfile names the new master');
    assert.ok(alive(newPid), 'the new master runs');
    const failures = statuses.filter((st) => st !== 201 && st !== 200);
    assert.deepEqual(failures, [], `no request failed across the reload (of ${statuses.length})`);
    await assertLedger(concertId, statuses.filter((st) => st === 201).length);
    assert.match(await s.ticketdLog(), /new master \d+ serves the sockets; draining/);
    assert.equal((await s.get('/health')).status, 200);
  });

  test('SIGTERM: requests already accepted complete before the master exits', async () => {
    const concertId = await newConcert(1000);
    const pid = await masterPid();
    // Ten bookings, each waiting 50 ms on its payment when the signal arrives; twelve idle
    // booking workers take all ten at once.
    const inFlight = Array.from({ length: 10 }, () => book(concertId));
    await sleep(20);
    process.kill(pid, 'SIGTERM');
    const answers = await Promise.all(inFlight);

    const deadline = Date.now() + 60000;
    while (alive(pid) && Date.now() < deadline) await sleep(100);
    assert.ok(!alive(pid), 'the master exited after draining');
    // Every one reached a worker, so every one finished.
    for (const r of answers) assert.equal(r.status, 201, r.body);
    await assertLedger(concertId, answers.filter((r) => r.status === 201).length);
    assert.match(await s.ticketdLog(), /all workers done/);
    await s.stack('ticketd-start');
    await s.waitFor('/health', 200);
  });
});
