// nginx's microcache of the listing and a concert's availability (conf/microcache.conf, on in
// what deploy/up ships; every other test file runs without it): one answer for every client, at
// most about a second old, one request per entry reaching ticketd, and nothing else cached.
// No assertion here depends on how fast the machine is: a HIT is waited for (it comes as soon as
// two requests fall within one second), a change is polled for, and the requests that reached
// ticketd are bounded by the seconds the burst took.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { assertOk, metricValue, sleep, startStack } from './stack.mjs';
import { addConcert, book, bookingBody } from './lib/booking-helpers.mjs';
import { defaultFan } from './lib/fans.mjs';

let s;
let fan;
before(async () => {
  s = await startStack({ microcache: true, metrics: true, rateLimit: 'off' });
  fan = await defaultFan(s);
});
after(async () => {
  await s?.destroy();
});

// Sends GET urlPath (a fresh one from pathOf(i) each time) until nginx answers from the cache,
// bounded; returns that answer.
async function untilHit(pathOf, opts = {}) {
  for (let i = 0; i < 200; i++) {
    const res = await s.get(pathOf(i), opts);
    assert.equal(res.status, 200, res.body);
    if (res.headers['x-cache'] === 'HIT') return res;
  }
  assert.fail(`no HIT in 200 requests for ${pathOf(0)}`);
}

async function metric(name, labels) {
  return (await metricValue(s.metricsPort, `${name}{${labels}}`)) ?? 0;
}

test('the listing is one entry for every client: signed in or not, with any query string but cursor', async () => {
  const anonymous = await untilHit(() => '/api/concerts', { fan: null });
  const signedIn = await untilHit(() => '/api/concerts', { fan });
  assert.deepEqual(signedIn.json, anonymous.json);
  // A cache buster (a fresh query string each time) still finds the entry.
  const busted = await untilHit(() => `/api/concerts?bust=${randomUUID()}`, { fan: null });
  assert.deepEqual(busted.json, anonymous.json);
  // Each answer still has its own request id (nginx adds it; the cache does not keep it).
  assert.notEqual(signedIn.headers['x-request-id'], anonymous.headers['x-request-id']);
});

test('a page of the listing is an entry of its own (the cursor is part of the key)', async () => {
  await s.psql(`SELECT add_concert('Cached ' || i, 'IT Venue', '2027-03-01T20:00:00Z', ARRAY['GA:10:5.00'], 4)
      FROM generate_series(1, 25) i`);
  // The first page may be a cached copy from before they were added: polled until refreshed.
  let first;
  const until = Date.now() + 20000;
  do {
    first = await s.get('/api/concerts');
    assert.equal(first.status, 200);
    if (first.json.meta.nextCursor) break;
    await sleep(50);
  } while (Date.now() < until);
  const cursor = first.json.meta.nextCursor;
  assert.ok(cursor, 'the new concerts make a second page');
  const second = await untilHit(() => `/api/concerts?cursor=${cursor}`);
  assert.ok(second.json.data.length > 0);
  assert.ok(!second.json.data.some((c) => first.json.data.some((f) => f.id === c.id)), 'another page');
});

test('availability: a booking shows within about a second; until then every client gets the same counts', async () => {
  const c = await addConcert(s, ['GA:50:10.00']);
  const path = `/api/concerts/${c.id}/availability`;
  const left = (res) => res.json.data.tiers[0].availableQuantity;
  assert.equal(left(await untilHit(() => path)), 50);
  assertOk(assert, await book(s, bookingBody(c, { GA: 3 })), 201);
  // Polled: the entry is refreshed a second after it was filled (bounded here at 20 s).
  const until = Date.now() + 20000;
  let res;
  do {
    res = await s.get(path);
    assert.equal(res.status, 200);
    if (left(res) === 47) break;
    assert.equal(left(res), 50, 'the old count or the new one, nothing else');
    await sleep(50);
  } while (Date.now() < until);
  assert.equal(left(res), 47, 'the booking shows once the entry is refreshed');
});

test('a burst of 100 requests at once reaches ticketd about once a second, not 100 times', async () => {
  const c = await addConcert(s, ['GA:50:10.00']);
  const path = `/api/concerts/${c.id}/availability`;
  const label = 'route="concerts.availability",status="200"';
  const before = await metric('ticketd_requests_total', label);
  const t0 = Date.now();
  const answers = await Promise.all(Array.from({ length: 100 }, () => s.get(path, { fan: null })));
  const seconds = (Date.now() - t0) / 1000;
  for (const res of answers) assert.equal(res.status, 200);
  const reached = (await metric('ticketd_requests_total', label)) - before;
  // At most one fill, then one refresh per second the burst lasted (addConcert() read it once,
  // so the entry may be fresh already and none reach it).
  assert.ok(reached <= 1 + Math.ceil(seconds), `${reached} of 100 reached ticketd in ${seconds.toFixed(2)} s`);
  const cached = answers.filter((res) => ['HIT', 'STALE', 'UPDATING'].includes(res.headers['x-cache'])).length;
  assert.ok(cached >= 100 - reached, `${cached} of 100 answered from the cache`);
});

test('nothing else is cached: a concert\'s page, a fan\'s own data, a booking', async () => {
  const c = await addConcert(s, ['GA:50:10.00']);
  for (const path of [`/api/concerts/${c.id}`, '/api/me', '/api/me/bookings', '/api/config']) {
    for (let i = 0; i < 3; i++) {
      const res = await s.get(path, { fan });
      assert.equal(res.status, 200, `${path}: ${res.body}`);
      assert.equal(res.headers['x-cache'], undefined, `${path} has no X-Cache`);
    }
  }
  const booked = await book(s, bookingBody(c, { GA: 1 }));
  assertOk(assert, booked, 201);
  assert.equal(booked.headers['x-cache'], undefined);
  const mine = await s.get(`/api/bookings/${booked.json.data.id}`);
  assert.equal(mine.headers['x-cache'], undefined);
});
