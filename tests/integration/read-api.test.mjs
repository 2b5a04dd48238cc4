// The read endpoints of the API contract (DESIGN.md, "HTTP API"), through nginx, against the
// seed data: concert_001 with VIP 100 x 100.00, FRONT_ROW 200 x 50.00, GA 500 x 10.00.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertError, assertOk, startStack } from './stack.mjs';
import { listedConcerts } from './lib/booking-helpers.mjs';

let s;
before(async () => {
  s = await startStack();
});
after(async () => {
  await s?.destroy();
});

const CONCERT_FIELDS = ['createdAt', 'eventDate', 'id', 'name', 'venue'];
const TIER_FIELDS = ['availableQuantity', 'id', 'price', 'tierName', 'totalQuantity'];
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

test('GET /health answers 200 healthy from the read pool', async () => {
  const res = await s.get('/health');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^application\/json\b/);
  assert.equal(res.json.status, 'healthy');
});

test('GET /api/concerts lists the seed concerts ordered by eventDate', async () => {
  const data = await listedConcerts(s);
  assert.ok(Array.isArray(data), 'data is a list');
  assert.ok(data.length >= 3, `at least the three seed concerts, got ${data.length}`);
  for (const c of data) {
    for (const k of CONCERT_FIELDS) assert.ok(k in c, `${k} in ${JSON.stringify(c)}`);
    assert.match(c.eventDate, ISO_8601);
    assert.match(c.createdAt, ISO_8601);
  }
  const dates = data.map((c) => Date.parse(c.eventDate));
  assert.deepEqual(dates, [...dates].sort((a, b) => a - b), 'ordered by eventDate');
  const ids = data.map((c) => c.id);
  for (const id of ['concert_001', 'concert_002', 'concert_003']) assert.ok(ids.includes(id), id);
});

test('GET /api/concerts writes every price with two decimals, and each seed concert in its venue\'s zone', async () => {
  const res = await s.get('/api/concerts');
  const data = assertOk(assert, res);
  // Jazz Night's cheapest tier is BAR at 45.00: never 45 or 45.0 on the wire.
  assert.match(res.body, /"id":"concert_002"[^}]*"minPrice":45\.00[,}]/);
  for (const m of res.body.matchAll(/"minPrice":([0-9.]+)/g)) assert.match(m[1], /^[0-9]+\.[0-9]{2}$/);
  const rock = data.find((c) => c.id === 'concert_001');
  assert.equal(rock.timeZone, 'America/New_York');
  assert.equal(rock.startsAt, '2027-06-15T16:00:00-04:00', 'the seed instant, 20:00 UTC, in New York');
  assert.equal(rock.status, 'published');
  assert.equal(data.find((c) => c.id === 'concert_003').timeZone, 'America/Los_Angeles');
});

test('iso8601_at writes an instant in every zone PostgreSQL knows with that zone\'s offset (west, east, half and quarter hours)', async () => {
  // The venue-local times of every answer come from this one function (014 made it inlinable).
  const wrong = await s.psql(`SELECT coalesce(string_agg(name, ', '), '') FROM (
      SELECT z.name, iso8601_at(i, z.name) AS got,
             to_char(i AT TIME ZONE z.name, 'YYYY-MM-DD"T"HH24:MI:SS')
               || CASE WHEN z.utc_offset < interval '0' THEN '-' ELSE '+' END
               || to_char(abs(extract(epoch FROM z.utc_offset)::integer) / 3600, 'FM00') || ':'
               || to_char(abs(extract(epoch FROM z.utc_offset)::integer) % 3600 / 60, 'FM00') AS want
      FROM pg_timezone_names z, (SELECT now() AS i) n) x WHERE got IS DISTINCT FROM want`);
  assert.equal(wrong, '', 'zones whose offset is written wrongly');
  assert.equal(await s.psql("SELECT iso8601_at('2026-12-01 22:00Z', 'America/St_Johns')"), '2026-12-01T18:30:00-03:30');
  assert.equal(await s.psql("SELECT iso8601_at('2026-12-01 22:00Z', 'Asia/Kathmandu')"), '2026-12-02T03:45:00+05:45');
  assert.equal(await s.psql("SELECT iso8601_at('2026-07-01 12:00Z', 'Europe/London')"), '2026-07-01T13:00:00+01:00');
});

test('GET /api/concerts ignores any query parameter but cursor', async () => {
  const plain = await s.get('/api/concerts');
  const withQuery = await s.get('/api/concerts?page=2&x=%20');
  assert.deepEqual(assertOk(assert, withQuery), assertOk(assert, plain));
  assert.deepEqual(withQuery.json.meta, plain.json.meta);
});

test('GET /api/concerts pages 20 at a time by start, then id: the cursors walk every listed concert once', async () => {
  // 45 more, 30 of them at one instant (ties are ordered by id), beside the seeds.
  await s.psql(`SELECT add_concert('Paged ' || i, 'IT Venue',
      (CASE WHEN i <= 30 THEN '2027-03-01T20:00:00Z' ELSE '2027-02-' || lpad((i - 30)::text, 2, '0') || 'T20:00:00Z' END)::timestamptz,
      ARRAY['GA:10:5.00'], 4) FROM generate_series(1, 45) i`);
  const expected = (await s.psql(`SELECT id FROM concerts WHERE status = 'published'
      AND event_date > now() - interval '6 hours' ORDER BY event_date, id`)).split('\n');
  assert.ok(expected.length >= 48, `${expected.length} listed`);

  const pages = [];
  let cursor = null;
  do {
    const res = await s.get(cursor === null ? '/api/concerts' : `/api/concerts?cursor=${cursor}`);
    const page = assertOk(assert, res);
    pages.push(page.map((c) => c.id));
    cursor = res.json.meta.nextCursor;
    if (cursor !== null) assert.equal(cursor, page.at(-1).id, 'the cursor is the last concert of its page');
  } while (cursor !== null && pages.length < 10);
  assert.deepEqual(pages.map((p) => p.length), [...Array(Math.floor(expected.length / 20)).fill(20),
    ...(expected.length % 20 ? [expected.length % 20] : [])], 'full pages of 20, then the rest');
  assert.deepEqual(pages.flat(), expected, 'every listed concert once, by start then id');
  assert.deepEqual((await listedConcerts(s)).map((c) => c.id), expected);
});

test('GET /api/concerts with a cursor that is not an id is 400 INVALID_REQUEST naming cursor; one naming no concert is an empty last page', async () => {
  const bad = await s.get('/api/concerts?cursor=not.a.cursor');
  assertError(assert, bad, 400, 'INVALID_REQUEST');
  assert.equal(bad.json.error.details.field, 'cursor');
  const unknown = await s.get('/api/concerts?cursor=no_such_concert');
  assert.deepEqual(assertOk(assert, unknown), []);
  assert.equal(unknown.json.meta.nextCursor, null);
});

test('GET /api/concerts/concert_001 returns the concert', async () => {
  const data = assertOk(assert, await s.get('/api/concerts/concert_001'));
  for (const k of CONCERT_FIELDS) assert.ok(k in data, `${k} in ${JSON.stringify(data)}`);
  assert.equal(data.id, 'concert_001');
  assert.equal(data.name, 'Rock Festival 2027');
  assert.equal(data.venue, 'Madison Square Garden');
  assert.equal(Date.parse(data.eventDate), Date.parse('2027-06-15T20:00:00Z'));
});

test('GET /api/concerts/concert_001/availability returns the seed tiers, all available', async () => {
  const res = await s.get('/api/concerts/concert_001/availability');
  const data = assertOk(assert, res);
  assert.deepEqual(Object.keys(data).sort(), ['concertId', 'tiers']);
  assert.equal(data.concertId, 'concert_001');
  const byName = Object.fromEntries(data.tiers.map((t) => [t.tierName, t]));
  assert.deepEqual(Object.keys(byName).sort(), ['FRONT_ROW', 'GA', 'VIP']);
  for (const t of data.tiers) {
    assert.deepEqual(Object.keys(t).sort(), TIER_FIELDS);
    assert.match(t.id, /^[A-Za-z0-9_-]{1,64}$/);
    assert.equal(t.availableQuantity, t.totalQuantity, `${t.tierName} untouched`);
  }
  assert.equal(byName.VIP.totalQuantity, 100);
  assert.equal(byName.VIP.price, 100);
  assert.equal(byName.FRONT_ROW.totalQuantity, 200);
  assert.equal(byName.FRONT_ROW.price, 50);
  assert.equal(byName.GA.totalQuantity, 500);
  assert.equal(byName.GA.price, 10);
  // Money is printed with its two decimals, exactly as the contract shows it.
  assert.match(res.body, /"price":100\.00[,}]/);
  assert.match(res.body, /"price":50\.00[,}]/);
  assert.match(res.body, /"price":10\.00[,}]/);
});

test('HEAD /api/concerts answers 200 without a body', async () => {
  const res = await s.request('HEAD', '/api/concerts');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^application\/json\b/);
  assert.equal(res.raw.length, 0);
});

test('an unknown concert is 404 CONCERT_NOT_FOUND', async () => {
  assertError(assert, await s.get('/api/concerts/concert_999'), 404, 'CONCERT_NOT_FOUND');
});

test('availability of an unknown concert is 404 CONCERT_NOT_FOUND', async () => {
  assertError(assert, await s.get('/api/concerts/concert_999/availability'), 404, 'CONCERT_NOT_FOUND');
});

test('a malformed concert id is 400 INVALID_REQUEST', async () => {
  assertError(assert, await s.get('/api/concerts/bad%20id'), 400, 'INVALID_REQUEST');
  assertError(assert, await s.get('/api/concerts/bad%27id'), 400, 'INVALID_REQUEST');
  assertError(assert, await s.get('/api/concerts/bad%20id/availability'), 400, 'INVALID_REQUEST');
});

test('a concert id longer than 64 characters is 400 INVALID_REQUEST', async () => {
  assertError(assert, await s.get(`/api/concerts/${'a'.repeat(65)}`), 400, 'INVALID_REQUEST');
  // 64 is still a well-formed id: it is simply not there.
  assertError(assert, await s.get(`/api/concerts/${'a'.repeat(64)}`), 404, 'CONCERT_NOT_FOUND');
});

test('unknown routes under /api are 404 NOT_FOUND', async () => {
  for (const p of ['/api', '/api/', '/api/nope', '/api/concerts/concert_001/extra', '/api/concerts/concert_001/availability/x']) {
    assertError(assert, await s.get(p), 404, 'NOT_FOUND');
  }
});

test('a wrong method on a known route is 405 METHOD_NOT_ALLOWED with Allow', async () => {
  const cases = [
    ['DELETE', '/api/concerts', 'GET'],
    ['POST', '/api/concerts', 'GET'],
    ['PUT', '/api/concerts/concert_001', 'GET'],
    ['POST', '/api/concerts/concert_001/availability', 'GET'],
    ['GET', '/api/bookings', 'POST'],
    ['POST', '/health', 'GET'],
    ['GET', '/api/auth/login', 'POST'],
    ['GET', '/api/auth/register', 'POST'],
    ['GET', '/api/auth/logout', 'POST'],
    ['POST', '/api/me', 'GET'],
    ['POST', '/api/me/bookings', 'GET'],
    ['POST', '/api/config', 'GET'],
  ];
  for (const [method, p, allow] of cases) {
    const res = await s.request(method, p, method === 'GET' ? {} : { headers: { 'content-length': '0' } });
    assertError(assert, res, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(res.headers.allow, allow, `${method} ${p}`);
  }
});

test('reads need no session: the same answers signed out as signed in', async () => {
  for (const p of ['/api/concerts', '/api/concerts/concert_001', '/api/concerts/concert_001/availability', '/api/config']) {
    // serverTime is the clock at each answer: everything else is the same.
    const { serverTime: a, ...signedOut } = assertOk(assert, await s.get(p, { fan: null }));
    const { serverTime: b, ...signedIn } = assertOk(assert, await s.get(p));
    assert.deepEqual(signedOut, signedIn, p);
    assert.equal(typeof a, typeof b, p);
  }
  assertError(assert, await s.get('/api/concerts/concert_999', { fan: null }), 404, 'CONCERT_NOT_FOUND');
});

test('GET /api/config says test payments are on (deploy/stack turns them on for test stacks)', async () => {
  const res = await s.get('/api/config', { fan: null });
  assert.deepEqual(assertOk(assert, res), { testPayments: true });
});

test('ticketd drains on SIGTERM and its log has no sanitizer report', async () => {
  const reports = await s.stopTicketdAndCollectSanitizerReports();
  assert.deepEqual(reports, []);
});
