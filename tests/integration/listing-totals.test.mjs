// The home page's "tickets left" per concert from a summary refreshed about once a second
// (sql/migrations/015_concert_totals.sql, TICKETD_LISTING_TOTALS_MS): a worker that finishes a
// request refreshes it when it is due; the listing believes it while the last refresh is within
// twice that (at least 2 s) of now and sums the buckets otherwise. What the listing read is told
// apart by planting a total no bucket has (as the owner, while the refreshers' lock is held),
// never by timing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertOk, startStack } from './stack.mjs';
import { PsqlSession, addConcert, assertInvariant, book, bookingBody, listedConcerts } from './lib/booking-helpers.mjs';

let on; // refreshed after every request (1 ms): each answered request leads to a refresh
let slow; // every minute: a planted summary stays believed (2 minutes either side of now)
let off; // TICKETD_LISTING_TOTALS_MS=0

before(async () => {
  const started = await Promise.allSettled([
    startStack({ rateLimit: 'off', env: { TICKETD_LISTING_TOTALS_MS: '1' } }),
    startStack({ rateLimit: 'off', env: { TICKETD_LISTING_TOTALS_MS: '60000' } }),
    startStack({ rateLimit: 'off' }),
  ]);
  [on, slow, off] = started.map((r) => r.value);
  for (const r of started) if (r.status === 'rejected') throw r.reason;
});
after(async () => {
  await Promise.allSettled([on?.destroy(), slow?.destroy(), off?.destroy()]);
});

const listed = async (s, id) => (await listedConcerts(s)).find((c) => c.id === id);
const total = async (s, id) => s.psql(`SELECT coalesce((SELECT available FROM concert_totals WHERE concert_id = '${id}')::text, 'none')`);
const refreshedAt = (s) => s.psql("SELECT coalesce((SELECT at::text FROM concert_totals_refreshed), 'never')");

// Holds the refreshers' advisory lock (a refresh in flight finishes first): while it is held,
// every refresh finds it taken and changes nothing, so what a test plants stays.
async function holdRefreshes(s) {
  const sess = await PsqlSession.open(s);
  const { err } = await sess.run("SELECT pg_advisory_lock(hashtext('ticketd.concert_totals'))");
  assert.equal(err, '');
  return sess;
}

// The refresh runs after the answer has gone out: wait for the state it leaves, within 10 s.
async function until(what, check) {
  const deadline = Date.now() + 10000;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `within 10 s: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a booking leads to a refresh: the summary holds every listed concert\'s tickets left, as the buckets do', async () => {
  const c = await addConcert(on, ['GA:40:10.00', 'VIP:10:50.00']);
  assertOk(assert, await book(on, bookingBody(c, { GA: 3, VIP: 1 })), 201);
  // A refresh begun before the booking committed may hold the summary as the booking's own
  // refresh comes (it then skips): any later answered request refreshes again.
  await until('the summary has the concert at 46', async () => {
    await on.get('/health');
    return (await total(on, c.id)) === '46';
  });
  assert.notEqual(await refreshedAt(on), 'never');
  assert.equal(await on.psql(`SELECT count(*) FROM concerts c WHERE c.status = 'published'
                                AND c.event_date > now() - interval '6 hours'
                                AND NOT EXISTS (SELECT FROM concert_totals t WHERE t.concert_id = c.id)`), '0',
    'every listed concert has a total');
  assert.equal((await listed(on, c.id)).availableQuantity, 46);
  await assertInvariant(assert, on);
});

test('while the summary is fresh the listing reads it, not the buckets; refreshed too long ago, the buckets again', async () => {
  const c = await addConcert(slow, ['GA:40:10.00', 'VIP:5:20.00']);
  const held = await holdRefreshes(slow);
  try {
    // Planted by the owner: the listing shows what only the summary says (never above the total).
    await slow.psql(`INSERT INTO concert_totals VALUES ('${c.id}', 12)
                       ON CONFLICT (concert_id) DO UPDATE SET available = 12;
                     INSERT INTO concert_totals_refreshed VALUES (true, now())
                       ON CONFLICT (one) DO UPDATE SET at = now()`);
    assert.equal((await listed(slow, c.id)).availableQuantity, 12);
    await slow.psql(`UPDATE concert_totals SET available = 12345 WHERE concert_id = '${c.id}'`);
    assert.equal((await listed(slow, c.id)).availableQuantity, 45, 'capped at the concert\'s total');
    // A refresh further from now than the window (here 2 minutes) is not believed: the buckets.
    await slow.psql("UPDATE concert_totals SET available = 12 WHERE concert_id = '" + c.id + "'; " +
                    "UPDATE concert_totals_refreshed SET at = now() - interval '30 minutes'");
    assert.equal((await listed(slow, c.id)).availableQuantity, 45);
    await slow.psql("UPDATE concert_totals_refreshed SET at = now() + interval '30 minutes'");
    assert.equal((await listed(slow, c.id)).availableQuantity, 45, 'nor one from a clock far ahead');
    assert.equal(await total(slow, c.id), '12', 'no refresh ran meanwhile');
  } finally {
    await held.close();
  }
});

test('a concert the summary does not have yet is summed from its buckets', async () => {
  const held = await holdRefreshes(slow);
  try {
    await slow.psql(`INSERT INTO concert_totals_refreshed VALUES (true, now())
                       ON CONFLICT (one) DO UPDATE SET at = now()`);
    const c = await addConcert(slow, ['GA:7:10.00']);
    assert.equal(await total(slow, c.id), 'none');
    assert.equal((await listed(slow, c.id)).availableQuantity, 7);
  } finally {
    await held.close();
  }
});

test('the daemon\'s role writes the summary only through refresh_concert_totals()', async () => {
  const appError = async (sql) => on.psqlApp(sql).then(() => '', (e) => String(e.stderr ?? e.message));
  assert.match(await appError("UPDATE concert_totals SET available = 0"), /permission denied/);
  assert.match(await appError("INSERT INTO concert_totals_refreshed (at) VALUES (now())"), /permission denied/);
  assert.match(await on.psqlApp('SELECT refresh_concert_totals(0)'), /^-?[0-9]+$/);
  assert.equal(await on.psql("SELECT has_function_privilege('public', 'refresh_concert_totals(integer)', 'EXECUTE')"), 'f');
});

test('TICKETD_LISTING_TOTALS_MS=0: nothing refreshes the summary; the listing sums the buckets', async () => {
  const c = await addConcert(off, ['GA:20:10.00']);
  assertOk(assert, await book(off, bookingBody(c, { GA: 2 })), 201);
  assert.equal((await listed(off, c.id)).availableQuantity, 18);
  await off.get('/health');
  assert.equal(await refreshedAt(off), 'never');
  assert.equal(await total(off, c.id), 'none');
});
