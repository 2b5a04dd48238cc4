// What nginx adds in front of ticketd: gzip, request ids and the JSON access log, security
// headers, the static front end, its own errors in the API's JSON envelope, rate limiting,
// and a JSON 502 while the daemon is down.
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';

import { assertError, assertOk, sleep, startStack } from './stack.mjs';

let s;
before(async () => {
  // A hashing slot for every sign-in nginx lets through at once (its burst of 10): what is
  // measured is nginx's budget, and on a loaded machine a wait for one of the default 2 slots
  // can outlast its 200 ms and answer 503 instead of 401.
  s = await startStack({ rateLimit: 'on', env: { TICKETD_HASH_SLOTS: '16' } });
});
after(async () => {
  await s?.destroy();
});

function assertSecurityHeaders(res, what) {
  assert.equal(res.headers['x-content-type-options'], 'nosniff', what);
  assert.equal(res.headers['x-frame-options'], 'DENY', what);
  assert.equal(res.headers['referrer-policy'], 'strict-origin-when-cross-origin', what);
  const csp = res.headers['content-security-policy'] ?? '';
  assert.match(csp, /default-src 'self'/, what);
  assert.match(csp, /script-src 'self'(;|$)/, `${what}: scripts only from the origin`);
  assert.match(csp, /frame-ancestors 'none'/, what);
  assert.equal(res.headers.server, 'nginx', `${what}: no version in Server`);
  assert.match(res.headers['x-request-id'] ?? '', /^[0-9a-f]{32}$/, `${what}: X-Request-Id`);
}

test('JSON is gzipped when the client accepts it, and only then', async () => {
  const zipped = await s.get('/api/concerts', { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(zipped.status, 200);
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.match(zipped.headers.vary ?? '', /Accept-Encoding/i);
  const plain = await s.get('/api/concerts');
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.deepEqual(JSON.parse(gunzipSync(zipped.raw).toString('utf8')), plain.json);
});

test('every API response carries a fresh X-Request-Id, the same one as its access log line', async () => {
  const res = await s.get('/api/concerts/concert_001', { headers: { 'x-request-id': 'client-chosen', 'user-agent': 'it "quoted" agent' } });
  assertOk(assert, res);
  const id = res.headers['x-request-id'];
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.notEqual(id, 'client-chosen');
  const again = await s.get('/api/concerts/concert_001');
  assert.notEqual(again.headers['x-request-id'], id);

  const { entry } = await s.accessLogEntry(id);
  assert.equal(entry.request_id, id);
  assert.equal(entry.method, 'GET');
  assert.equal(entry.uri, '/api/concerts/concert_001');
  assert.equal(entry.status, '200');
  assert.equal(entry.remote_addr, '127.0.0.1');
  assert.equal(entry.user_agent, 'it "quoted" agent');
  assert.match(entry.upstream_addr, /^unix:.*read\.sock$/);
  assert.match(entry.request_time, /^\d+\.\d{3}$/);
  assert.match(entry.upstream_response_time, /^\d+\.\d{3}$/);
  for (const k of ['time', 'bytes']) assert.equal(typeof entry[k], 'string', k);
});

test('an access log line of a request nginx answers itself is valid JSON too', async () => {
  const res = await s.get('/');
  assert.equal(res.status, 200);
  const { entry } = await s.accessLogEntry(res.headers['x-request-id']);
  assert.equal(entry.upstream_response_time, '');
  assert.equal(entry.upstream_addr, '');
  assert.equal(entry.status, '200');
});

test('security headers are on API responses, static pages and errors', async () => {
  assertSecurityHeaders(await s.get('/api/concerts'), 'API 200');
  assertSecurityHeaders(await s.get('/api/concerts/nope'), 'API 404');
  assertSecurityHeaders(await s.get('/'), 'index page');
  assertSecurityHeaders(await s.get('/assets/missing.js'), 'missing asset');
  assertSecurityHeaders(await s.get('/health'), 'health');
});

test('the front end is served at / with index.html never cached', async () => {
  const res = await s.get('/');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^text\/html/);
  assert.equal(res.headers['cache-control'], 'no-cache');
  assert.match(res.body, /<html/i);
});

test('client-side routes fall back to index.html', async () => {
  const index = await s.get('/');
  const res = await s.get('/concerts/concert_001');
  assert.equal(res.status, 200);
  assert.equal(res.headers['cache-control'], 'no-cache');
  assert.equal(res.body, index.body);
});

test('a missing asset is 404 NOT_FOUND in JSON, never index.html', async () => {
  const res = await s.get('/assets/missing-0123abcd.js');
  assertError(assert, res, 404, 'NOT_FOUND');
  assert.equal(res.headers['cache-control'], 'no-store');
});

test('POST to a static page is nginx\'s 405 METHOD_NOT_ALLOWED in JSON', async () => {
  const res = await s.request('POST', '/', { headers: { 'content-length': '2', 'content-type': 'application/json' }, body: '{}' });
  assertError(assert, res, 405, 'METHOD_NOT_ALLOWED');
});

test('a body over 64 KiB is nginx\'s 413 PAYLOAD_TOO_LARGE in JSON', async () => {
  const body = JSON.stringify({ concertId: 'concert_001', pad: 'x'.repeat(70 * 1024) });
  const res = await s.request('POST', '/api/bookings', {
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    body,
  });
  assertError(assert, res, 413, 'PAYLOAD_TOO_LARGE');
  assert.match(res.headers['x-request-id'] ?? '', /^[0-9a-f]{32}$/);
});

test('a malformed request line is nginx\'s 400 INVALID_REQUEST in JSON', async () => {
  const res = await s.raw('GET /api/concerts HTTP/1.1 extra\r\nHost: x\r\n\r\n');
  assert.equal(res.status, 400);
  assert.match(res.headers['content-type'], /^application\/json\b/);
  assert.equal(res.json?.success, false);
  assert.equal(res.json?.error?.code, 'INVALID_REQUEST');
  assert.match(res.headers['x-request-id'] ?? '', /^[0-9a-f]{32}$/);

  const garbage = await s.raw('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n');
  assert.equal(garbage.status, 400);
  assert.equal(garbage.json?.error?.code, 'INVALID_REQUEST');
});

test('a URI over 8 KiB is nginx\'s 414 URI_TOO_LONG in JSON', async () => {
  assertError(assert, await s.get(`/api/concerts/${'a'.repeat(9000)}`), 414, 'URI_TOO_LONG');
});

test('a header over 8 KiB is nginx\'s 400 REQUEST_HEADER_TOO_LARGE in JSON', async () => {
  const res = await s.get('/api/concerts', { headers: { 'x-big': 'b'.repeat(9000) } });
  assertError(assert, res, 400, 'REQUEST_HEADER_TOO_LARGE');
});

test('a burst of bookings from one address is limited with 429 RATE_LIMITED and Retry-After, reads are not', async () => {
  await sleep(2500); // let the booking budget refill after the 413 test
  const body = '{}';
  const opts = { headers: { 'content-type': 'application/json', 'content-length': '2' }, body };
  const posts = await Promise.all(Array.from({ length: 40 }, () => s.request('POST', '/api/bookings', opts)));
  const limited = posts.filter((r) => r.status === 429);
  const passed = posts.filter((r) => r.status !== 429);
  assert.ok(limited.length >= 20, `most of 40 simultaneous bookings are limited (got ${limited.length})`);
  assert.ok(passed.length >= 1, 'the burst allowance lets the first ones through');
  for (const r of limited) {
    assertError(assert, r, 429, 'RATE_LIMITED');
    assert.equal(r.headers['retry-after'], '1');
  }
  // What got through reached the daemon, which rejects an empty booking itself.
  for (const r of passed) assertError(assert, r, 400, 'INVALID_REQUEST');
  const reads = await Promise.all(Array.from({ length: 20 }, () => s.get('/api/concerts')));
  assert.deepEqual(reads.map((r) => r.status), Array(20).fill(200));

  // The budget is per address: a fan on another address (127.0.0.2) still reaches the daemon.
  const other = await s.request('POST', '/api/bookings', { ...opts, localAddress: '127.0.0.2' });
  assertError(assert, other, 400, 'INVALID_REQUEST');
});

test('sign-in has a budget of its own per address (1/s, burst 10): a burst of wrong passwords is 429, reads and bookings are not', async () => {
  // 127.0.0.3: an address no other test used, so its budgets are whole.
  const addr = '127.0.0.3';
  // A different unknown email each: ticketd's own slowing down of one email (its 429 with a
  // longer Retry-After) is not what is measured here.
  const signIn = (i) => {
    const body = JSON.stringify({ email: `nobody-${i}-${Date.now()}@example.com`, password: 'wrong password 123' });
    return s.request('POST', '/api/auth/login', {
      fan: null,
      localAddress: addr,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      body,
    });
  };
  const started = Date.now();
  const posts = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn(i)));
  const seconds = Math.ceil((Date.now() - started) / 1000);
  const limited = posts.filter((r) => r.status === 429);
  const passed = posts.filter((r) => r.status !== 429);
  // At most the burst, one more, and one a second for as long as the 20 took to send and answer
  // (a loaded machine is slow to send them): the rest are 429.
  assert.ok(limited.length >= 1 && passed.length >= 1 && passed.length <= 11 + seconds,
    `the burst allowance (10) lets through at most ${11 + seconds} in ${seconds} s (got ${passed.length})`);
  for (const r of limited) {
    assertError(assert, r, 429, 'RATE_LIMITED');
    assert.equal(r.headers['retry-after'], '1');
  }
  // What got through reached the daemon: an unknown email is the same 401 as a wrong password,
  // or, while more hashes wait than its slots serve in 200 ms, its 503 with Retry-After.
  for (const r of passed) {
    if (r.status === 503) assertError(assert, r, 503, 'SERVICE_UNAVAILABLE');
    else assertError(assert, r, 401, 'INVALID_CREDENTIALS');
  }

  // The same address still reads, and still reaches the daemon with a booking (its own budget).
  const reads = await Promise.all(Array.from({ length: 10 }, () => s.get('/api/concerts', { localAddress: addr })));
  assert.deepEqual(reads.map((r) => r.status), Array(10).fill(200));
  const booking = await s.request('POST', '/api/bookings', {
    localAddress: addr,
    headers: { 'content-type': 'application/json', 'content-length': '2' },
    body: '{}',
  });
  assertError(assert, booking, 400, 'INVALID_REQUEST');
});

test('while ticketd is down nginx answers 502 SERVICE_UNAVAILABLE in JSON, and recovers', async () => {
  const reports = await s.stopTicketdAndCollectSanitizerReports();
  assert.deepEqual(reports, [], 'ticketd logged no sanitizer report');

  const res = await s.get('/api/concerts');
  assertError(assert, res, 502, 'SERVICE_UNAVAILABLE');
  assert.equal(res.headers['retry-after'], '1');
  assertSecurityHeaders(res, '502');

  await s.stack('ticketd-start');
  assertOk(assert, await s.waitFor('/api/concerts', 200));
});
