// Fans have accounts (issue 11) over HTTP through nginx: every row of the contract (register,
// login, logout, me, my bookings) with each error; sessions forged, expired and revoked; the
// CSRF rule; ownership (another fan's booking is not found, another fan's key is 422, and
// nothing changes); the limit per fan held exactly under concurrency and given back by a
// cancellation; and a sign-in flood from one address throttled while another address signs in.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { assertError, assertOk, defaultTicketdBin, httpRequest, pollUntil, startStack } from './stack.mjs';
import {
  addConcert, assertInvariant, available, book, bookingBody, BOOKING_STATEMENT, dbSnapshot, holdLocks, post, uuid,
} from './lib/booking-helpers.mjs';
import { createFans, sessionCookie } from './lib/fans.mjs';

let s; // rate limits off: the contract rows
let limited; // rate limits on: the flood

before(async () => {
  const [a, b] = await Promise.allSettled([
    startStack({ rateLimit: 'off', env: { PAYMENT_LATENCY_MS: '5' } }),
    // As many hashing slots as booking workers: the flood measures nginx's budget, and a wait
    // for one of the default 2 slots can outlast its 200 ms on a loaded machine (503, not 401).
    startStack({ rateLimit: 'on', env: { PAYMENT_LATENCY_MS: '5', TICKETD_BOOK_WORKERS: '4', TICKETD_HASH_SLOTS: '4' } }),
  ]);
  s = a.value;
  limited = b.value;
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
});
after(async () => {
  await Promise.allSettled([s?.destroy(), limited?.destroy()]);
});

const PASSWORD = 'a long enough password';
let counter = 0;
const freshEmail = () => `fan${Date.now()}${counter++}@example.com`;

const register = (st, body, opts = {}) => post(st, '/api/auth/register', body, { fan: null, ...opts });
const login = (st, body, opts = {}) => post(st, '/api/auth/login', body, { fan: null, ...opts });

// The session token a 2xx set, and the cookie to send it back with.
function sessionOf(res) {
  const set = res.headers['set-cookie'];
  assert.ok(Array.isArray(set) && set.length === 1, `one Set-Cookie: ${set}`);
  const m = /^ticketd_session=([A-Za-z0-9_-]{43});/.exec(set[0]);
  assert.ok(m, `a session cookie: ${set[0]}`);
  return { token: m[1], cookie: sessionCookie(m[1]), setCookie: set[0] };
}

const me = (st, cookie) => httpRequest(st.port, 'GET', '/api/me', { headers: cookie ? { cookie } : {} });

async function signUp(st = s, name = 'Ann Lee') {
  const email = freshEmail();
  const res = await register(st, { email, password: PASSWORD, name });
  const user = assertOk(assert, res, 201).user;
  return { ...user, ...sessionOf(res) };
}

test('register: 201 with the user and an HttpOnly, SameSite=Lax session cookie; the email is normalised', async () => {
  const email = freshEmail();
  const res = await register(s, { email: `  ${email.toUpperCase()} `, password: PASSWORD, name: ' Ann Lee ' });
  const { user } = assertOk(assert, res, 201);
  assert.match(user.id, /^u_[0-9a-f]{32}$/);
  assert.deepEqual({ ...user, id: undefined }, { id: undefined, email, name: 'Ann Lee', role: 'fan', emailVerified: false });
  const { setCookie, cookie, token } = sessionOf(res);
  assert.match(setCookie, /; Path=\//);
  assert.match(setCookie, /; HttpOnly/);
  assert.match(setCookie, /; SameSite=Lax/);
  assert.match(setCookie, /; Max-Age=2592000/);
  assert.doesNotMatch(setCookie, /Secure/, 'not over plain HTTP');
  assert.deepEqual(assertOk(assert, await me(s, cookie)), user);
  // The database keeps the token's hash, never the token; the password as Argon2id.
  assert.equal(await s.psql(`SELECT count(*) FROM sessions WHERE token_hash = '${token}'`), '0');
  assert.equal(await s.psql(`SELECT count(*) FROM sessions WHERE user_id = '${user.id}'`), '1');
  assert.match(await s.psql(`SELECT password_hash FROM users WHERE id = '${user.id}'`), /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
});

test('register: 400 INVALID_REQUEST naming the field, and nothing is created', async (t) => {
  const users = await s.psql('SELECT count(*) FROM users');
  const cases = [
    ['email malformed', { email: 'not-an-email', password: PASSWORD, name: 'A' }, 'email'],
    ['email without a dot in the domain', { email: 'a@localhost', password: PASSWORD, name: 'A' }, 'email'],
    ['email missing', { password: PASSWORD, name: 'A' }, 'email'],
    ['email a number', { email: 5, password: PASSWORD, name: 'A' }, 'email'],
    ['password of 9 bytes', { email: freshEmail(), password: '123456789', name: 'A' }, 'password'],
    ['password of 129 bytes', { email: freshEmail(), password: 'p'.repeat(129), name: 'A' }, 'password'],
    ['password missing', { email: freshEmail(), name: 'A' }, 'password'],
    ['name empty', { email: freshEmail(), password: PASSWORD, name: '' }, 'name'],
    ['name of 101 characters', { email: freshEmail(), password: PASSWORD, name: 'n'.repeat(101) }, 'name'],
    ['name missing', { email: freshEmail(), password: PASSWORD }, 'name'],
    ['not JSON', '{', 'body'],
  ];
  for (const [name, body, field] of cases) {
    await t.test(name, async () => {
      const res = await register(s, body);
      assertError(assert, res, 400, 'INVALID_REQUEST');
      assert.equal(res.json.error.details.field, field);
      assert.equal(res.headers['set-cookie'], undefined, 'no session');
    });
  }
  assert.equal(await s.psql('SELECT count(*) FROM users'), users);
});

test('register: 10 and 128 bytes of password and 100 characters of name are accepted', async () => {
  for (const password of ['p'.repeat(10), 'p'.repeat(128)]) {
    assertOk(assert, await register(s, { email: freshEmail(), password, name: 'é'.repeat(100) }), 201);
  }
});

test('register: an email taken (in any case) is 409 EMAIL_TAKEN', async () => {
  const email = freshEmail();
  assertOk(assert, await register(s, { email, password: PASSWORD, name: 'A' }), 201);
  const again = await register(s, { email: email.toUpperCase(), password: 'another password', name: 'B' });
  assertError(assert, again, 409, 'EMAIL_TAKEN');
  assert.equal(again.headers['set-cookie'], undefined);
  assert.equal(await s.psql(`SELECT count(*) FROM users WHERE email = '${email}'`), '1');
});

test('register and login refuse a non-JSON body (415) and a cross-site origin (403 CSRF_REJECTED)', async () => {
  const body = { email: freshEmail(), password: PASSWORD, name: 'A' };
  assertError(assert, await register(s, body, { contentType: 'application/x-www-form-urlencoded' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  assertError(assert, await register(s, body, { headers: { origin: 'https://evil.example' } }), 403, 'CSRF_REJECTED');
  assertError(assert, await login(s, body, { headers: { 'sec-fetch-site': 'cross-site' } }), 403, 'CSRF_REJECTED');
  assertError(assert, await login(s, body, { headers: { origin: 'null' } }), 403, 'CSRF_REJECTED');
  assert.equal(await s.psql(`SELECT count(*) FROM users WHERE email = '${body.email}'`), '0');
  // The site's own origin passes.
  const own = `http://127.0.0.1:${s.port}`;
  assertOk(assert, await register(s, body, { headers: { origin: own, host: `127.0.0.1:${s.port}` } }), 201);
});

test('login: 200 with a new session; unknown email and wrong password are the same 401 INVALID_CREDENTIALS', async () => {
  const fan = await signUp();
  const res = await login(s, { email: fan.email.toUpperCase(), password: PASSWORD });
  const { user } = assertOk(assert, res, 200);
  assert.equal(user.id, fan.id);
  const second = sessionOf(res);
  assert.notEqual(second.token, fan.token, 'a new session');
  assert.equal(assertOk(assert, await me(s, second.cookie)).id, fan.id);

  const wrong = await login(s, { email: fan.email, password: 'not the password' });
  const unknown = await login(s, { email: freshEmail(), password: 'not the password' });
  const malformed = await login(s, { email: 'nobody', password: 'not the password' });
  for (const r of [wrong, unknown, malformed]) {
    assertError(assert, r, 401, 'INVALID_CREDENTIALS');
    assert.equal(r.headers['set-cookie'], undefined);
  }
  assert.equal(wrong.json.error.message, unknown.json.error.message, 'the same words');
});

test('login: after 5 failures an email must wait (429 RATE_LIMITED with retryAfter), known or not; the right password too', async () => {
  const fan = await signUp();
  const stranger = freshEmail();
  for (const email of [fan.email, stranger]) {
    // Five failures are answered as failures: nobody waits yet.
    for (let i = 0; i < 5; i++) {
      assertError(assert, await login(s, { email, password: 'not the password' }), 401, 'INVALID_CREDENTIALS');
    }
    assert.equal(await s.psql(`SELECT failures FROM login_failures WHERE email = '${email}'`), '5');
    // Ten failures just now: the wait is 32 s (set in the database, so the test does not race it).
    await s.psql(`UPDATE login_failures SET failures = 10, last_failed_at = now() WHERE email = '${email}'`);
    const held = await login(s, { email, password: PASSWORD });
    assertError(assert, held, 429, 'RATE_LIMITED');
    const wait = held.json.error.details.retryAfter;
    assert.equal(wait, Number(held.headers['retry-after']));
    assert.ok(wait > 20 && wait <= 32, `retryAfter ${wait}`);
    assert.equal(held.headers['set-cookie'], undefined);
  }
  // Another fan is not slowed down by it.
  const other = await signUp();
  assertOk(assert, await login(s, { email: other.email, password: PASSWORD }), 200);
  // Once the wait is over (moved into the past, not waited for), the right password works and
  // clears the failures.
  await s.psql(`UPDATE login_failures SET last_failed_at = now() - interval '40 seconds' WHERE email = '${fan.email}'`);
  assertOk(assert, await login(s, { email: fan.email, password: PASSWORD }), 200);
  assert.equal(await s.psql(`SELECT count(*) FROM login_failures WHERE email = '${fan.email}'`), '0');
});

test('logout: 204, the cookie cleared and the session revoked on the server; without a session 401', async () => {
  const fan = await signUp();
  const res = await post(s, '/api/auth/logout', {}, { fan });
  assert.equal(res.status, 204);
  assert.equal(res.body, '');
  assert.match(res.headers['set-cookie'][0], /^ticketd_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax/);
  assertError(assert, await me(s, fan.cookie), 401, 'UNAUTHENTICATED');
  assert.notEqual(await s.psql(`SELECT revoked_at FROM sessions WHERE user_id = '${fan.id}'`), '');
  assertError(assert, await post(s, '/api/auth/logout', {}, { fan }), 401, 'UNAUTHENTICATED');
  assertError(assert, await post(s, '/api/auth/logout', {}, { fan: null }), 401, 'UNAUTHENTICATED');
  assertError(assert, await post(s, '/api/auth/logout', {}, { fan, contentType: 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
});

test('me: 200 {id,email,name,role}; 401 for no, a forged, a malformed, a duplicated, an expired and an idle session', async (t) => {
  const fan = await signUp();
  assert.deepEqual(Object.keys(assertOk(assert, await me(s, fan.cookie))).sort(), ['email', 'emailVerified', 'id', 'name', 'role']);
  const [old, idle] = await createFans(s, 2);
  await s.psql(`UPDATE sessions SET created_at = now() - interval '30 days 1 second' WHERE user_id = '${old.id}';
                UPDATE sessions SET last_seen_at = now() - interval '7 days 1 second' WHERE user_id = '${idle.id}'`);
  const forged = sessionCookie('A'.repeat(43));
  const cases = [
    ['none', undefined],
    ['forged (well-formed, unknown)', forged],
    ['malformed', 'ticketd_session=short'],
    ['duplicated', `${fan.cookie}; ${fan.cookie}`],
    ['past its 30 days', old.cookie],
    ['idle for 7 days', idle.cookie],
  ];
  for (const [name, cookie] of cases) {
    await t.test(name, async () => assertError(assert, await me(s, cookie), 401, 'UNAUTHENTICATED'));
  }
  // A cookie among others is found, however long the others are (up to nginx's 8 KiB line).
  assert.equal(assertOk(assert, await me(s, `theme=dark; ${fan.cookie}; lang=en`)).id, fan.id);
  assert.equal(assertOk(assert, await me(s, `other=${'x'.repeat(6000)}; ${fan.cookie}`)).id, fan.id);
});

test('a session seen long ago is touched (idle expiry moves on), not on every request', async () => {
  const [fan] = await createFans(s, 1);
  await s.psql(`UPDATE sessions SET last_seen_at = now() - interval '1 hour' WHERE user_id = '${fan.id}'`);
  assertOk(assert, await me(s, fan.cookie));
  const seen = await s.psql(`SELECT last_seen_at > now() - interval '1 minute' FROM sessions WHERE user_id = '${fan.id}'`);
  assert.equal(seen, 't');
});

test('bookings: 401 without a session, 403 CSRF_REJECTED cross-site, 403 FORBIDDEN for another userId; nothing changes', async () => {
  const c = await addConcert(s, ['GA:10:10.00']);
  const [fan] = await createFans(s, 1);
  const before = await dbSnapshot(s);
  assertError(assert, await book(s, bookingBody(c, { GA: 1 }), { fan: null }), 401, 'UNAUTHENTICATED');
  assertError(assert, await book(s, bookingBody(c, { GA: 1 }), { fan: { cookie: sessionCookie('B'.repeat(43)) } }), 401, 'UNAUTHENTICATED');
  assertError(assert, await book(s, bookingBody(c, { GA: 1 }), { fan, headers: { origin: 'https://evil.example' } }), 403, 'CSRF_REJECTED');
  const forbidden = await book(s, bookingBody(c, { GA: 1 }, { userId: 'u_0123456789abcdef0123456789abcdef' }), { fan });
  assertError(assert, forbidden, 403, 'FORBIDDEN');
  assert.equal(forbidden.json.error.details.field, 'userId');
  assert.deepEqual(await dbSnapshot(s), before);
  // Naming oneself is fine.
  const b = assertOk(assert, await book(s, bookingBody(c, { GA: 1 }, { userId: fan.id }), { fan }), 201);
  assert.equal(b.userId, fan.id);
});

// A booking reads its session with its check, in one statement (src/store/statements.c,
// Q_BOOKING_CHECK): the account rules still decide, and 401 still comes before the body's 400.
test('bookings: an old, idle or revoked session is 401 and records nothing, also for a known key or a sold-out tier; a bad body is 401 signed out, else 400', async () => {
  const c = await addConcert(s, ['GA:10:10.00']);
  const soldOut = await addConcert(s, ['GA:1:10.00']);
  const [old, idle, out, fan, rival] = await createFans(s, 5);
  const kept = bookingBody(c, { GA: 1 });
  assertOk(assert, await book(s, kept, { fan: out }), 201);
  assert.equal((await post(s, '/api/auth/logout', {}, { fan: out })).status, 204);
  await s.psql(`UPDATE sessions SET created_at = now() - interval '30 days 1 second' WHERE user_id = '${old.id}';
                UPDATE sessions SET last_seen_at = now() - interval '7 days 1 second' WHERE user_id = '${idle.id}'`);
  // The second concert's one ticket is gone, and a rival's 409 has marked the tier.
  assertOk(assert, await book(s, bookingBody(soldOut, { GA: 1 }), { fan }), 201);
  assertError(assert, await book(s, bookingBody(soldOut, { GA: 1 }), { fan: rival }), 409, 'INSUFFICIENT_INVENTORY');
  const before = await dbSnapshot(s);
  const forged = { cookie: sessionCookie('C'.repeat(43)) };
  // Tickets left: these go through the check's statement.
  for (const f of [old, idle, out, forged]) {
    assertError(assert, await book(s, bookingBody(c, { GA: 1 }), { fan: f }), 401, 'UNAUTHENTICATED');
  }
  assertError(assert, await book(s, kept, { fan: out }), 401, 'UNAUTHENTICATED');
  // None left: the mark's path within its TTL (the session read alone), else the check's.
  for (const f of [old, idle, out, forged]) {
    assertError(assert, await book(s, bookingBody(soldOut, { GA: 1 }), { fan: f }), 401, 'UNAUTHENTICATED');
  }
  const bad = { ...bookingBody(c, { GA: 1 }), tickets: [] };
  assertError(assert, await book(s, bad, { fan: null }), 401, 'UNAUTHENTICATED');
  assertError(assert, await book(s, bad, { fan: idle }), 401, 'UNAUTHENTICATED');
  const invalid = await book(s, bad, { fan });
  assertError(assert, invalid, 400, 'INVALID_REQUEST');
  assert.equal(invalid.json.error.details.field, 'tickets');
  // Another fan's userId and a bad field: the field first, as the fan is known only after the body.
  assertError(assert, await book(s, { ...bad, userId: rival.id }, { fan }), 400, 'INVALID_REQUEST');
  assert.deepEqual(await dbSnapshot(s), before, 'nothing changed');
  // The owner's replay of the kept key, signed in again, is still its booking.
  const token = randomBytes(32).toString('base64url');
  await s.psql(`INSERT INTO sessions (token_hash, user_id)
    VALUES ('${createHash('sha256').update(token).digest('hex')}', '${out.id}')`);
  const again = assertOk(assert, await book(s, kept, { fan: { cookie: sessionCookie(token) } }), 200);
  assert.equal(again.userId, out.id);
});

test('a booking touches a session seen long ago, as any request does', async () => {
  const c = await addConcert(s, ['GA:10:10.00']);
  const [fan] = await createFans(s, 1);
  await s.psql(`UPDATE sessions SET last_seen_at = now() - interval '1 hour' WHERE user_id = '${fan.id}'`);
  assertOk(assert, await book(s, bookingBody(c, { GA: 1 }), { fan }), 201);
  const seen = await s.psql(`SELECT last_seen_at > now() - interval '1 minute' FROM sessions WHERE user_id = '${fan.id}'`);
  assert.equal(seen, 't');
});

test('ownership: fan B can neither read, cancel nor replay fan A\'s booking (404 / 422), and nothing changes; an admin can', async () => {
  const c = await addConcert(s, ['GA:10:10.00']);
  const [a, b] = await createFans(s, 2);
  const [admin] = await createFans(s, 1, { role: 'admin', prefix: 'admin' });
  const body = bookingBody(c, { GA: 2 });
  const booking = assertOk(assert, await book(s, body, { fan: a }), 201);
  const before = await dbSnapshot(s);

  assertError(assert, await s.get(`/api/bookings/${booking.id}`, { fan: b }), 404, 'BOOKING_NOT_FOUND');
  assertError(assert, await s.get(`/api/bookings/${booking.id}`, { fan: null }), 401, 'UNAUTHENTICATED');
  assertError(assert, await post(s, `/api/bookings/${booking.id}/cancel`, {}, { fan: b }), 404, 'BOOKING_NOT_FOUND');
  const replay = await book(s, body, { fan: b });
  assertError(assert, replay, 422, 'IDEMPOTENCY_KEY_REUSED');
  assert.doesNotMatch(replay.body, new RegExp(booking.id), 'reveals nothing');
  // The very answer a booking that does not exist gets.
  const none = await s.get('/api/bookings/bk_00000000000000000000000000000000', { fan: b });
  assert.deepEqual((await s.get(`/api/bookings/${booking.id}`, { fan: b })).json, none.json);
  assert.deepEqual(await dbSnapshot(s), before, 'nothing changed');
  assert.equal(await s.psql(`SELECT status FROM bookings WHERE id = '${booking.id}'`), 'confirmed');

  assert.equal(assertOk(assert, await s.get(`/api/bookings/${booking.id}`, { fan: a })).id, booking.id);
  assert.equal(assertOk(assert, await s.get(`/api/bookings/${booking.id}`, { fan: admin })).userId, a.id);
  assert.equal(assertOk(assert, await post(s, `/api/bookings/${booking.id}/cancel`, {}, { fan: admin })).status, 'cancelled');
  await assertInvariant(assert, s);
});

test('my bookings: newest first, 20 a page with meta.nextCursor, only one\'s own, 401 signed out', async () => {
  const c = await addConcert(s, ['GA:100:10.00']);
  const [fan, other] = await createFans(s, 2);
  assertOk(assert, await book(s, bookingBody(c, { GA: 1 }), { fan: other }), 201);
  const made = [];
  for (let i = 0; i < 23; i++) made.push(assertOk(assert, await book(s, bookingBody(c, { GA: 1 }), { fan }), 201).id);
  const declined = await book(s, bookingBody(c, { GA: 1 }, { paymentMethod: 'test_decline' }), { fan });
  assertError(assert, declined, 402, 'PAYMENT_FAILED');
  made.push(declined.json.error.details.bookingId);

  const first = await s.get('/api/me/bookings', { fan });
  const page1 = assertOk(assert, first);
  assert.equal(page1.length, 20);
  assert.ok(first.json.meta.nextCursor);
  const second = await s.get(`/api/me/bookings?cursor=${first.json.meta.nextCursor}`, { fan });
  const page2 = assertOk(assert, second);
  assert.equal(page2.length, 4);
  assert.equal(second.json.meta.nextCursor, null);
  const ids = [...page1, ...page2].map((b) => b.id);
  assert.deepEqual(ids, [...made].reverse(), 'newest first, each once');
  assert.ok([...page1, ...page2].every((b) => b.userId === fan.id));
  assert.equal(page1[0].status, 'payment_failed');

  assertError(assert, await s.get('/api/me/bookings', { fan: null }), 401, 'UNAUTHENTICATED');
  const bad = await s.get('/api/me/bookings?cursor=not.a.cursor', { fan });
  assertError(assert, bad, 400, 'INVALID_REQUEST');
  assert.equal(bad.json.error.details.field, 'cursor');
  // Another fan's booking as a cursor leads nowhere.
  const foreign = assertOk(assert, await s.get(`/api/me/bookings?cursor=${ids[0]}`, { fan: other }));
  assert.deepEqual(foreign, []);
});

test('limit per fan: 20 concurrent one-ticket bookings by one fan at limit 4 confirm exactly 4; 16 are 409 FAN_LIMIT_REACHED; inventory exact', async () => {
  const c = await addConcert(s, ['GA:100:10.00'], 'Limited', { maxPerFan: 4 });
  const [fan, other] = await createFans(s, 2);
  const answers = await Promise.all(Array.from({ length: 20 }, () => book(s, bookingBody(c, { GA: 1 }), { fan })));
  const statuses = answers.map((r) => r.status).sort();
  assert.equal(statuses.filter((x) => x === 201).length, 4, `statuses: ${statuses}`);
  assert.equal(statuses.filter((x) => x === 409).length, 16, `statuses: ${statuses}`);
  for (const r of answers.filter((x) => x.status === 409)) {
    assertError(assert, r, 409, 'FAN_LIMIT_REACHED');
    assert.equal(r.json.error.details.limit, 4);
    assert.equal(r.json.error.details.requested, 1);
  }
  assert.equal(await available(s, c.tiers.GA.id), 96);
  assert.equal(await s.psql(`SELECT booked FROM fan_quotas WHERE concert_id = '${c.id}' AND user_id = '${fan.id}'`), '4');
  // The limit is the fan's, not the concert's.
  assertOk(assert, await book(s, bookingBody(c, { GA: 4 }), { fan: other }), 201);
  // Before any payment: a request over the limit is refused at once.
  const over = await book(s, bookingBody(c, { GA: 5 }), { fan: other });
  assertError(assert, over, 409, 'FAN_LIMIT_REACHED');
  assert.deepEqual(over.json.error.details, { limit: 4, alreadyBooked: 4, requested: 5 });
  await assertInvariant(assert, s);
});

test('a cancellation gives the quota back; a refusal before payment recorded nothing, so its key books later', async () => {
  const c = await addConcert(s, ['GA:10:10.00'], 'Quota', { maxPerFan: 3 });
  const [fan] = await createFans(s, 1);
  const first = assertOk(assert, await book(s, bookingBody(c, { GA: 3 }), { fan }), 201);
  const refusedBody = bookingBody(c, { GA: 1 });
  const refused = await book(s, refusedBody, { fan });
  assertError(assert, refused, 409, 'FAN_LIMIT_REACHED');
  assert.deepEqual(refused.json.error.details, { limit: 3, alreadyBooked: 3, requested: 1 });
  assert.equal(await s.psql(`SELECT count(*) FROM bookings WHERE idempotency_key = '${refusedBody.idempotencyKey}'`), '0');
  assertOk(assert, await post(s, `/api/bookings/${first.id}/cancel`, {}, { fan }));
  assert.equal(await s.psql(`SELECT booked FROM fan_quotas WHERE concert_id = '${c.id}' AND user_id = '${fan.id}'`), '0');
  assertOk(assert, await book(s, refusedBody, { fan }), 201);
  assertOk(assert, await book(s, bookingBody(c, { GA: 2 }), { fan }), 201);
  assertError(assert, await book(s, bookingBody(c, { GA: 1 }), { fan }), 409, 'FAN_LIMIT_REACHED');
  await assertInvariant(assert, s);
});

test('a fan-limit refusal inside the transaction is recorded: its retry replays the same 409, never a charge', async () => {
  const c = await addConcert(s, ['GA:10:10.00'], 'Race', { maxPerFan: 2 });
  const [fan] = await createFans(s, 1);
  // The fan's quota row, held: both bookings pass the check before payment (nothing is held
  // yet), then both wait in book() on the row; released once both wait, one wins and the other
  // finds the limit reached inside the transaction. No timing: the test waits for the waits.
  await s.psql(`INSERT INTO fan_quotas VALUES ('${c.id}', '${fan.id}', 0)`);
  const holder = await holdLocks(s, `SELECT * FROM fan_quotas WHERE concert_id = '${c.id}' FOR UPDATE`);
  const bodies = [bookingBody(c, { GA: 2 }), bookingBody(c, { GA: 2 })];
  const pending = bodies.map((b) => book(s, b, { fan }));
  try {
    await waitUntil(async () => Number(await s.psql(`SELECT count(*) FROM pg_stat_activity
      WHERE wait_event_type = 'Lock' AND ${BOOKING_STATEMENT}`)) === 2, 'both bookings waiting on the quota row');
  } finally {
    await holder.release();
  }
  const answers = await Promise.all(pending);
  assert.deepEqual(answers.map((r) => r.status).sort(), [201, 409]);
  const lost = bodies[answers.findIndex((r) => r.status === 409)];
  assert.equal(await s.psql(`SELECT status || ' ' || reject_reason FROM bookings WHERE idempotency_key = '${lost.idempotencyKey}'`),
    'rejected fan_limit');
  const again = await book(s, lost, { fan });
  assertError(assert, again, 409, 'FAN_LIMIT_REACHED');
  assert.deepEqual(again.json.error.details, { limit: 2, alreadyBooked: 2, requested: 2 });
  assert.equal(await available(s, c.tiers.GA.id), 8);
  await assertInvariant(assert, s);
});

// Polls cond (bounded: 10 s) until it holds.
const waitUntil = (cond, what) => pollUntil(cond, what, 10000);

test('test payments off: paymentMethod test_decline is 400 naming paymentMethod, and GET /api/config says so', async () => {
  assert.equal(assertOk(assert, await s.get('/api/config')).testPayments, true, 'deploy/stack turns them on');
  const off = await startStack({ rateLimit: 'off', env: { PAYMENT_TEST_METHODS: 'off' } });
  try {
    assert.equal(assertOk(assert, await off.get('/api/config')).testPayments, false);
    const c = await addConcert(off, ['GA:10:10.00']);
    const res = await book(off, bookingBody(c, { GA: 1 }, { paymentMethod: 'test_decline' }));
    assertError(assert, res, 400, 'INVALID_REQUEST');
    assert.equal(res.json.error.details.field, 'paymentMethod');
    assertOk(assert, await book(off, bookingBody(c, { GA: 1 })), 201);
  } finally {
    await off.destroy();
  }
});

test('a sign-in flood from one address is throttled by nginx while another address signs in', async () => {
  const bob = await signUp(limited, 'Bob');
  // Every attempt names another unknown email: the daemon's own per-email wait never starts,
  // so each 429 here is nginx's (1/s with a burst of 10 per address).
  const started = Date.now();
  const flood = await Promise.all(Array.from({ length: 30 }, () =>
    login(limited, { email: freshEmail(), password: 'wrong password!' })));
  const seconds = Math.ceil((Date.now() - started) / 1000);
  const throttled = flood.filter((r) => r.status === 429);
  // nginx lets through at most the burst, one more, and one a second while the flood lasts,
  // however slowly a loaded machine sends it: the rest must be 429.
  const admissible = 10 + 1 + seconds;
  assert.ok(throttled.length > 0 && throttled.length >= 30 - admissible,
    `at most ${admissible} of 30 let through in ${seconds} s: ${flood.map((r) => r.status)}`);
  for (const r of throttled) {
    assertError(assert, r, 429, 'RATE_LIMITED');
    assert.equal(r.json.error.details, undefined, 'nginx\'s answer');
  }
  // The rest reached the daemon: 401, or its 503 while more hashes wait than its slots serve.
  for (const r of flood.filter((x) => x.status !== 429)) {
    if (r.status === 503) assertError(assert, r, 503, 'SERVICE_UNAVAILABLE');
    else assertError(assert, r, 401, 'INVALID_CREDENTIALS');
  }
  // 127.0.0.2 is another address: it signs in at once.
  const res = await httpRequest(limited.port, 'POST', '/api/auth/login', {
    localAddress: '127.0.0.2',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: bob.email, password: PASSWORD }),
  });
  assert.equal(assertOk(assert, res, 200).user.id, bob.id);
});

test('the idempotency key of a signed-out attempt is not burnt: the same key later, signed in, books', async () => {
  const c = await addConcert(s, ['GA:10:10.00']);
  const body = bookingBody(c, { GA: 1 }, { idempotencyKey: uuid() });
  assertError(assert, await book(s, body, { fan: null }), 401, 'UNAUTHENTICATED');
  assertOk(assert, await book(s, body), 201);
});

test('failed sign-ins slow down the address that made them, not the fan signing in from elsewhere', async () => {
  const fan = await signUp();
  for (let i = 0; i < 5; i++) {
    assertError(assert, await login(s, { email: fan.email, password: 'not the password' }), 401, 'INVALID_CREDENTIALS');
  }
  await s.psql(`UPDATE login_failures SET failures = 10, last_failed_at = now() WHERE email = '${fan.email}'`);
  assertError(assert, await login(s, { email: fan.email, password: PASSWORD }), 429, 'RATE_LIMITED');
  // The fan, on another address, is not held up by the stranger's guesses.
  const res = await httpRequest(s.port, 'POST', '/api/auth/login', {
    localAddress: '127.0.0.2',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: fan.email, password: PASSWORD }),
  });
  assertOk(assert, res, 200);
  assert.equal(await s.psql(`SELECT string_agg(address, ',') FROM login_failures WHERE email = '${fan.email}'`), '127.0.0.1');
});

test('behind a TLS-ending balancer (TICKETD_PUBLIC_ORIGIN=https://…): the public origin passes, the cookie is __Host- and Secure', async () => {
  const site = await startStack({ rateLimit: 'off', env: { TICKETD_PUBLIC_ORIGIN: 'https://tickets.example' } });
  try {
    const origin = { origin: 'https://tickets.example' };
    const email = freshEmail();
    const res = await register(site, { email, password: PASSWORD, name: 'A' }, { headers: origin });
    assertOk(assert, res, 201);
    const set = res.headers['set-cookie'][0];
    assert.match(set, /^__Host-ticketd_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=2592000; HttpOnly; SameSite=Lax; Secure$/);
    const token = /=([^;]+);/.exec(set)[1];
    assertOk(assert, await me(site, `__Host-ticketd_session=${token}`));
    // The plain name is not read there (a sibling subdomain could set that one).
    assertError(assert, await me(site, `ticketd_session=${token}`), 401, 'UNAUTHENTICATED');
    // What nginx itself serves (plain HTTP on 127.0.0.1) is not the site's origin.
    const local = await login(site, { email, password: PASSWORD }, { headers: { origin: `http://127.0.0.1:${site.port}` } });
    assertError(assert, local, 403, 'CSRF_REJECTED');
    assertOk(assert, await login(site, { email, password: PASSWORD }, { headers: origin }), 200);
  } finally {
    await site.destroy();
  }
});

test('a setting that is no origin is refused at start', async () => {
  const r = await new Promise((resolve) => {
    // Settings are read before anything is opened: a bad one ends the start (kill guards a start).
    execFile(defaultTicketdBin(), [], {
      env: { ...process.env, TICKETD_PUBLIC_ORIGIN: 'tickets.example/path', TICKETD_READ_SOCKET: '/nonexistent/r.sock' },
      timeout: 10000,
    }, (err, stdout, stderr) => resolve({ code: err?.code ?? 0, stderr }));
  });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /TICKETD_PUBLIC_ORIGIN must be scheme:\/\/host\[:port\]/);
});

test('every route that changes state refuses a cross-site request with 403 CSRF_REJECTED, and nothing changes', async (t) => {
  const c = await addConcert(s, ['GA:10:10.00']);
  const [fan] = await createFans(s, 1);
  const booking = assertOk(assert, await book(s, bookingBody(c, { GA: 1 }), { fan }), 201);
  const evil = { headers: { origin: 'https://evil.example' } };
  const before = await dbSnapshot(s);
  const users = await s.psql('SELECT count(*) FROM users');
  const routes = [
    ['register', () => register(s, { email: freshEmail(), password: PASSWORD, name: 'A' }, evil)],
    ['login', () => login(s, { email: fan.email, password: PASSWORD }, evil)],
    ['logout', () => post(s, '/api/auth/logout', {}, { fan, ...evil })],
    ['booking', () => book(s, bookingBody(c, { GA: 1 }), { fan, ...evil })],
    ['cancel', () => post(s, `/api/bookings/${booking.id}/cancel`, {}, { fan, ...evil })],
  ];
  for (const [name, send] of routes) {
    await t.test(name, async () => assertError(assert, await send(), 403, 'CSRF_REJECTED'));
  }
  assert.deepEqual(await dbSnapshot(s), before);
  assert.equal(await s.psql('SELECT count(*) FROM users'), users);
  assert.equal(assertOk(assert, await me(s, fan.cookie)).id, fan.id, 'still signed in');
  assert.equal(assertOk(assert, await s.get(`/api/bookings/${booking.id}`, { fan })).status, 'confirmed');
});

test('no session token nor password reaches a log', async () => {
  const password = 'a password to find in no log';
  const email = freshEmail();
  const res = await register(s, { email, password, name: 'Logged' });
  const { token } = sessionOf(res);
  assertOk(assert, await me(s, sessionCookie(token)));
  assertOk(assert, await login(s, { email, password }), 200);
  const logs = [await s.ticketdLog(), await readFile(s.vars.ACCESS_LOG, 'utf8').catch(() => ''),
    await readFile(s.vars.PG_LOG, 'utf8').catch(() => '')].join('\n');
  assert.ok(!logs.includes(token), 'the token is in no log');
  assert.ok(!logs.includes(password), 'the password is in no log');
});

test('deploy/add-admin: a new admin gets a password once; an existing account only with --promote, a new password and its sessions ended', async () => {
  const email = freshEmail();
  const made = await s.script('add-admin', [email, 'Box Office']);
  assert.equal(made.code, 0, made.stderr);
  const password = /^password: (\S+)$/m.exec(made.stdout)?.[1];
  assert.ok(password, made.stdout);
  const { user } = assertOk(assert, await login(s, { email, password }), 200);
  assert.equal(user.role, 'admin');

  // A fan who signed up with an address an operator might later promote.
  const fan = await signUp();
  const refused = await s.script('add-admin', [fan.email]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /--promote/);
  assert.equal(assertOk(assert, await me(s, fan.cookie)).role, 'fan');

  const promoted = await s.script('add-admin', ['--promote', fan.email]);
  assert.equal(promoted.code, 0, promoted.stderr);
  assertError(assert, await me(s, fan.cookie), 401, 'UNAUTHENTICATED');
  assertError(assert, await login(s, { email: fan.email, password: PASSWORD }), 401, 'INVALID_CREDENTIALS');
  const fresh = /^password: (\S+)$/m.exec(promoted.stdout)?.[1];
  assert.equal(assertOk(assert, await login(s, { email: fan.email, password: fresh }), 200).user.role, 'admin');
});
