// The bad-input matrix (issue 6) over HTTP through nginx: every malformed or hostile booking
// request gets its exact 4xx and error code, changes nothing in the database, and kills no
// worker. Requests are made as the stack's default fan (lib/fans.mjs), whose own id is the only
// userId a body may name. Bodies are sent as raw bytes with an exact Content-Length. A second part shows what is
// accepted at the edges (last duplicate key wins, trailing blanks, exactly 64 KiB, chunked), and
// a lying Content-Length is cut off by nginx with no worker ever waiting on it.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { after, before, test } from 'node:test';

import { assertError, assertOk, sleep, startStack } from './stack.mjs';
import {
  DRAIN_CUT, WORKER_DEATH, addConcert, assertInvariant, available, book, bookingBody, dbSnapshot, post, rawExchange, uuid,
  workers,
} from './lib/booking-helpers.mjs';
import { createFans, defaultFan } from './lib/fans.mjs';

let s;
let c; // GA 150 x 19.99, VIP 10 x 100.00
let ga;
let pools; // the workers at the start: the same pids must be serving at every check
let me; // the default fan, whom book() signs in as

const BOOK_WORKERS = 2; // fewer than the lying connections below

before(async () => {
  s = await startStack({
    rateLimit: 'off',
    env: { PAYMENT_DECLINE_RATE: '0', PAYMENT_LATENCY_MS: '5', TICKETD_READ_WORKERS: '2', TICKETD_BOOK_WORKERS: String(BOOK_WORKERS) },
  });
  c = await addConcert(s, ['GA:150:19.99', 'VIP:10:100.00']); // one counter row each
  ga = c.tiers.GA;
  me = await defaultFan(s);
  pools = await workers(s);
  assert.equal(pools.book.length, BOOK_WORKERS);
});
after(async () => {
  await s?.destroy();
});

const q = (v) => JSON.stringify(v);

// A booking body as text, with any part replaced by raw JSON text.
function tpl({ concert = q(c.id), user = q(me.id), tickets, tier = q(ga.id), quantity = '1', key = q(uuid()),
  total = '19.99', extra = '' } = {}) {
  const t = tickets ?? `[{"tierId":${tier},"quantity":${quantity}}]`;
  return `{"concertId":${concert},"userId":${user},"tickets":${t},"idempotencyKey":${key},"totalAmount":${total}${extra}}`;
}

// A body whose userId holds raw bytes (invalid UTF-8 and friends cannot be written as text): no
// fan's id, but the bytes are refused before the id is compared.
function withUserBytes(bytes) {
  const [head, tail] = tpl({ user: '"a@@b"' }).split('@@');
  return Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]);
}

function without(field) {
  const o = bookingBody(c, { GA: 1 });
  delete o[field];
  return q(o);
}

const forbidden = { status: 403, code: 'FORBIDDEN', field: 'userId' };

// Each case: [name, body, field] (400 INVALID_REQUEST naming field), or
// [name, body, { status, code, field?, fields?, contentType? }].
async function runCases(t, cases) {
  const before = await dbSnapshot(s);
  for (const [name, body, expect] of cases) {
    const e = typeof expect === 'string' ? { status: 400, code: 'INVALID_REQUEST', field: expect } : expect;
    await t.test(name, async () => {
      const res = await book(s, body, e.contentType === undefined ? {} : { contentType: e.contentType });
      assertError(assert, res, e.status, e.code);
      if (e.field !== undefined) assert.equal(res.json.error.details?.field, e.field, res.body);
      if (e.fields !== undefined) assert.ok(e.fields.includes(res.json.error.details?.field), `field in ${e.fields}: ${res.body}`);
      assert.doesNotMatch(res.body, /SQLSTATE|ERROR:|json_tokener|libpq|\.c:\d+/, 'no internals in the answer');
    });
  }
  assert.deepEqual(await dbSnapshot(s), before, 'nothing changed in the database');
  assert.deepEqual(await workers(s), pools, 'every worker is still the same process');
}

test('malformed JSON is 400 INVALID_REQUEST naming the body', async (t) => {
  const valid = tpl();
  await runCases(t, [
    ['an unterminated object', '{', 'body'],
    ['a missing value', `{"concertId":}`, 'body'],
    ['single quotes', `{'concertId':'${c.id}'}`, 'body'],
    ['unquoted keys', `{concertId:"${c.id}"}`, 'body'],
    ['a trailing comma', valid.replace(/}$/, ',}'), 'body'],
    ['a comment', valid.replace('{', '{/* hi */'), 'body'],
    ['a truncated string', valid.slice(0, 30), 'body'],
    ['an empty body', '', 'body'],
    ['JSON null', 'null', 'body'],
    ['an array', `[${valid}]`, 'body'],
    ['a string', '"booking"', 'body'],
    ['a number', '42', 'body'],
    ['a UTF-8 byte order mark first', `\ufeff${valid}`, 'body'],
    ['a hexadecimal number', tpl({ quantity: '0x1' }), 'body'],
    ['a leading zero', tpl({ quantity: '01' }), 'body'],
    ['a leading plus', tpl({ quantity: '+1' }), 'body'],
    ['a bare word', tpl({ user: 'undefined' }), 'body'],
  ]);
});

test('data after the JSON object is 400 naming the body', async (t) => {
  const valid = tpl();
  await runCases(t, [
    ['a word after it', `${valid} x`, 'body'],
    ['a second object', `${valid}${tpl()}`, 'body'],
    ['a closing brace too many', `${valid}}`, 'body'],
    ['a NUL byte after it', `${valid}\u0000`, 'body'],
  ]);
});

test('deep nesting is 400 naming the body, however deep', async (t) => {
  await runCases(t, [
    ['20 levels in an unknown field', tpl({ extra: `,"x":${'['.repeat(20)}1${']'.repeat(20)}` }), 'body'],
    ['30000 nested arrays', `${'['.repeat(30000)}${']'.repeat(30000)}`, 'body'],
    ['10000 nested objects', `${'{"a":'.repeat(10000)}1${'}'.repeat(10000)}`, 'body'],
    ['deep nesting inside tickets', tpl({ tickets: `[${'['.repeat(50)}${']'.repeat(50)}]` }), 'body'],
  ]);
});

test('NaN and Infinity are refused (400 naming the field or the body)', async (t) => {
  await runCases(t, [
    ['quantity NaN', tpl({ quantity: 'NaN' }), { status: 400, code: 'INVALID_REQUEST', fields: ['tickets[0].quantity', 'body'] }],
    ['quantity Infinity', tpl({ quantity: 'Infinity' }), { status: 400, code: 'INVALID_REQUEST', fields: ['tickets[0].quantity', 'body'] }],
    ['totalAmount NaN', tpl({ total: 'NaN' }), { status: 400, code: 'INVALID_REQUEST', fields: ['totalAmount', 'body'] }],
    ['totalAmount Infinity', tpl({ total: 'Infinity' }), { status: 400, code: 'INVALID_REQUEST', fields: ['totalAmount', 'body'] }],
    ['totalAmount -Infinity', tpl({ total: '-Infinity' }), { status: 400, code: 'INVALID_REQUEST', fields: ['totalAmount', 'body'] }],
  ]);
});

test('huge, negative and fractional numbers are 400 naming the field', async (t) => {
  await runCases(t, [
    ['quantity 0', tpl({ quantity: '0' }), 'tickets[0].quantity'],
    ['quantity -1', tpl({ quantity: '-1' }), 'tickets[0].quantity'],
    ['quantity 11', tpl({ quantity: '11', total: '219.89' }), 'tickets[0].quantity'],
    ['quantity 1.5', tpl({ quantity: '1.5' }), 'tickets[0].quantity'],
    ['quantity 1.0 (not a whole number in JSON)', tpl({ quantity: '1.0' }), 'tickets[0].quantity'],
    ['quantity 1e0', tpl({ quantity: '1e0' }), 'tickets[0].quantity'],
    ['quantity 1e400', tpl({ quantity: '1e400' }), 'tickets[0].quantity'],
    ['quantity 2^64+1', tpl({ quantity: '18446744073709551617' }), 'tickets[0].quantity'],
    ['quantity 10^23', tpl({ quantity: '99999999999999999999999' }), 'tickets[0].quantity'],
    ['quantity -10^23', tpl({ quantity: '-99999999999999999999999' }), 'tickets[0].quantity'],
    ['quantity 2^31 (would wrap to a negative int)', tpl({ quantity: '2147483648' }), 'tickets[0].quantity'],
    ['quantity 2^32+1 (would wrap to 1)', tpl({ quantity: '4294967297' }), 'tickets[0].quantity'],
    ['totalAmount -19.99', tpl({ total: '-19.99' }), 'totalAmount'],
    ['totalAmount with three decimals', tpl({ total: '19.991' }), 'totalAmount'],
    ['totalAmount 10^23', tpl({ total: '99999999999999999999999' }), 'totalAmount'],
    ['totalAmount 10^23 with cents', tpl({ total: '99999999999999999999999.99' }), 'totalAmount'],
    ['totalAmount 1e400', tpl({ total: '1e400' }), 'totalAmount'],
    ['totalAmount in exponent form', tpl({ total: '1.999e1' }), 'totalAmount'],
    ['totalAmount 2^63/100 + 1 cent', tpl({ total: '92233720368547758.08' }), 'totalAmount'],
    ['totalAmount off by a cent', tpl({ total: '19.98' }), 'totalAmount'],
    ['totalAmount with a leading zero (019.99)', tpl({ total: '019.99' }), 'totalAmount'],
    ['totalAmount 00.00', tpl({ total: '00.00' }), 'totalAmount'],
  ]);
});

test('wrong types and missing fields are 400 naming the field', async (t) => {
  const key = q(uuid());
  await runCases(t, [
    ['concertId a number', tpl({ concert: '5' }), 'concertId'],
    ['concertId null', tpl({ concert: 'null' }), 'concertId'],
    ['concertId an object', tpl({ concert: '{}' }), 'concertId'],
    ['userId a number', tpl({ user: '5' }), 'userId'],
    ['userId true', tpl({ user: 'true' }), 'userId'],
    ['userId an object', tpl({ user: `{"id":${q(me.id)}}` }), 'userId'],
    ['userId an array', tpl({ user: `[${q(me.id)}]` }), 'userId'],
    ['tickets an object', tpl({ tickets: `{"tierId":${q(ga.id)},"quantity":1}` }), 'tickets'],
    ['tickets a string', tpl({ tickets: '"GA"' }), 'tickets'],
    ['tickets null', tpl({ tickets: 'null' }), 'tickets'],
    ['tickets empty', tpl({ tickets: '[]' }), 'tickets'],
    ['eleven ticket lines', tpl({ tickets: q(Array.from({ length: 11 }, (_, i) => ({ tierId: `t${i}`, quantity: 1 }))) }), 'tickets'],
    ['a ticket line that is a number', tpl({ tickets: '[1]' }), 'tickets[0]'],
    ['a ticket line that is null', tpl({ tickets: '[null]' }), 'tickets[0]'],
    ['a second ticket line that is an array', tpl({ tickets: `[{"tierId":${q(ga.id)},"quantity":1},[]]` }), 'tickets[1]'],
    ['tierId a number', tpl({ tier: '5' }), 'tickets[0].tierId'],
    ['tierId null', tpl({ tier: 'null' }), 'tickets[0].tierId'],
    ['tierId missing', tpl({ tickets: '[{"quantity":1}]' }), 'tickets[0].tierId'],
    ['the same tier twice', tpl({ tickets: q([{ tierId: ga.id, quantity: 1 }, { tierId: ga.id, quantity: 1 }]), total: '39.98' }), 'tickets[1].tierId'],
    ['quantity a string', tpl({ quantity: '"1"' }), 'tickets[0].quantity'],
    ['quantity true', tpl({ quantity: 'true' }), 'tickets[0].quantity'],
    ['quantity null', tpl({ quantity: 'null' }), 'tickets[0].quantity'],
    ['quantity an array', tpl({ quantity: '[1]' }), 'tickets[0].quantity'],
    ['quantity missing', tpl({ tickets: `[{"tierId":${q(ga.id)}}]` }), 'tickets[0].quantity'],
    ['idempotencyKey a number', tpl({ key: '5' }), 'idempotencyKey'],
    ['idempotencyKey not a UUID', tpl({ key: '"not-a-uuid"' }), 'idempotencyKey'],
    ['idempotencyKey the nil UUID', tpl({ key: '"00000000-0000-0000-0000-000000000000"' }), 'idempotencyKey'],
    ['idempotencyKey in braces', tpl({ key: q(`{${uuid()}}`) }), 'idempotencyKey'],
    ['idempotencyKey without dashes', tpl({ key: q(uuid().replaceAll('-', '')) }), 'idempotencyKey'],
    ['idempotencyKey one character too long', tpl({ key: q(`${uuid()}0`) }), 'idempotencyKey'],
    ['totalAmount a string', tpl({ total: '"19.99"' }), 'totalAmount'],
    ['totalAmount true', tpl({ total: 'true' }), 'totalAmount'],
    ['totalAmount null', tpl({ total: 'null' }), 'totalAmount'],
    ['totalAmount an array', tpl({ total: '[19.99]' }), 'totalAmount'],
    ['paymentMethod a number', tpl({ extra: ',"paymentMethod":5' }), 'paymentMethod'],
    ['paymentMethod unknown', tpl({ extra: ',"paymentMethod":"bitcoin"' }), 'paymentMethod'],
    ['paymentMethod empty', tpl({ extra: ',"paymentMethod":""' }), 'paymentMethod'],
    ['concertId missing', without('concertId'), 'concertId'],
    ['tickets missing', without('tickets'), 'tickets'],
    ['idempotencyKey missing', without('idempotencyKey'), 'idempotencyKey'],
    ['totalAmount missing', without('totalAmount'), 'totalAmount'],
    ['a concert id that is not a slug', tpl({ concert: q("c'; DROP TABLE bookings;--") }), 'concertId'],
    ['a tier id that is not a slug', tpl({ tier: q('../../etc/passwd') }), 'tickets[0].tierId'],
    ['an unknown concert', tpl({ concert: q('concert_nope'), key }), { status: 404, code: 'CONCERT_NOT_FOUND' }],
  ]);
});

test('NUL, control characters and invalid UTF-8 in strings are 400 naming the field (or the body)', async (t) => {
  await runCases(t, [
    ['an escaped NUL in userId', tpl({ user: q('a\u0000b') }), 'userId'],
    ['an escaped NUL in concertId', tpl({ concert: q(`${c.id}\u0000x`) }), 'concertId'],
    ['an escaped NUL in tierId', tpl({ tier: q(`${ga.id}\u0000x`) }), 'tickets[0].tierId'],
    ['an escaped NUL in idempotencyKey', tpl({ key: q(`${uuid()}\u0000`) }), 'idempotencyKey'],
    ['an escaped NUL in paymentMethod', tpl({ extra: `,"paymentMethod":${q('card\u0000')}` }), 'paymentMethod'],
    ['a raw NUL byte in a string', withUserBytes([0x00]), 'body'],
    ['a raw newline in a string', withUserBytes([0x0a]), { status: 400, code: 'INVALID_REQUEST', fields: ['userId', 'body'] }],
    ['an escaped control character (BEL)', tpl({ user: q('a\u0007b') }), 'userId'],
    ['an escaped tab', tpl({ user: q('a\tb') }), 'userId'],
    ['a C1 control character (U+0085)', tpl({ user: q('a\u0085b') }), 'userId'],
    ['bytes 0xFF 0xFE', withUserBytes([0xff, 0xfe]), 'body'],
    ['a lone continuation byte', withUserBytes([0x80]), 'body'],
    ['a truncated 4-byte sequence', withUserBytes([0xf0, 0x9f, 0x98]), 'body'],
    ['an overlong "/" (C0 AF)', withUserBytes([0xc0, 0xaf]), 'userId'],
    ['an overlong NUL (C0 80)', withUserBytes([0xc0, 0x80]), 'userId'],
    ['a UTF-8 encoded surrogate (ED A0 80)', withUserBytes([0xed, 0xa0, 0x80]), 'userId'],
    ['a code point above U+10FFFF (F4 90 80 80)', withUserBytes([0xf4, 0x90, 0x80, 0x80]), { status: 400, code: 'INVALID_REQUEST', fields: ['userId', 'body'] }],
    ['invalid UTF-8 in an unknown field', Buffer.concat([Buffer.from(tpl({ extra: ',"note":"' }).slice(0, -1)), Buffer.from([0xff]), Buffer.from('"}')]), 'body'],
  ]);
});

// The contract's userId is a string when present; null is not one (nor is it leaving it out).
test('userId null is 400 naming userId', async () => {
  const before = await dbSnapshot(s);
  const res = await book(s, tpl({ user: 'null' }));
  assertError(assert, res, 400, 'INVALID_REQUEST');
  assert.equal(res.json.error.details?.field, 'userId');
  assert.deepEqual(await dbSnapshot(s), before);
});

// A userId is no longer free text: the booking is the signed-in fan's, and a body may only name
// that fan. Any other clean string, however short or long, is 403 FORBIDDEN naming userId.
test('a userId that is clean text but not the signed-in fan\'s id is 403 FORBIDDEN naming userId', async (t) => {
  const [other] = await createFans(s, 1);
  await runCases(t, [
    ['userId empty', tpl({ user: '""' }), forbidden],
    ['a free-text userId', tpl({ user: q('u') }), forbidden],
    ['another fan\'s id', tpl({ user: q(other.id) }), forbidden],
    ['the fan\'s id in capitals', tpl({ user: q(me.id.toUpperCase()) }), forbidden],
    ['the fan\'s id with a trailing blank', tpl({ user: q(`${me.id} `) }), forbidden],
    ['the fan\'s id and one more character', tpl({ user: q(`${me.id}0`) }), forbidden],
    ['userId of 65 characters', tpl({ user: q('x'.repeat(65)) }), forbidden],
    ['userId of 65 emoji', tpl({ user: q('😀'.repeat(65)) }), forbidden],
    ['userId of 60000 characters', tpl({ user: q('x'.repeat(60000)) }), forbidden],
  ]);
});

// The same question as it was for userId (a free-text field where json-c's decoding shows):
// userId is now compared with the fan's id, so the lone surrogate is asked of a registration's
// name, the one free text a client still sends.
// json-c decodes an escaped surrogate that is not half of a pair to U+FFFD, so the decoded name
// cannot show it: the body's text is checked, and the answer names the body.
test('a lone surrogate escape (\\ud800) in a string is refused, a pair is not', async (t) => {
  for (const [name, escaped] of [['a lone high surrogate', 'a\\ud800b'], ['a lone low surrogate', 'a\\udc00'],
    ['a high surrogate before a non-surrogate escape', '\\ud800\\u0041'], ['a high surrogate at the end', 'x\\ud83c']]) {
    await t.test(name, async () => {
      const tag = uuid().slice(0, 8);
      const res = await post(s, '/api/auth/register',
        `{"email":"surrogate-${tag}@example.com","password":"correct horse battery","name":"${escaped}"}`, { fan: null });
      assertError(assert, res, 400, 'INVALID_REQUEST');
      assert.equal(res.json.error.details?.field, 'body');
      assert.equal(await s.psql(`SELECT count(*) FROM users WHERE email = 'surrogate-${tag}@example.com'`), '0');
    });
  }
  await t.test('a surrogate pair (an emoji) and an escaped backslash before "ud800" are fine', async () => {
    const tag = uuid().slice(0, 8);
    const res = await post(s, '/api/auth/register',
      `{"email":"pair-${tag}@example.com","password":"correct horse battery","name":"\\ud83c\\udfb5 \\\\ud800"}`, { fan: null });
    assert.equal(res.status, 201, res.body);
    assert.equal(res.json.data.user.name, '\u{1F3B5} \\ud800');
  });
  assert.deepEqual(await workers(s), pools);
});

// A tier name is up to 64 characters: 64 euro signs are 192 bytes, more than the 409's message
// once held (it was cut mid-character, and the JSON was no longer UTF-8).
test('a tier name of 64 three-byte characters comes back whole in the 409\'s message and details', async () => {
  const name = '\u20ac'.repeat(64);
  // add_concert() takes ASCII tier names; the table takes any 64 characters.
  const sold = await addConcert(s, ['EURO:1:5.00']);
  await s.psql(`UPDATE ticket_tiers SET tier_name = '${name}' WHERE id = '${sold.tiers.EURO.id}'`);
  const res = await book(s, q(bookingBody(sold, { EURO: 2 })));
  assertError(assert, res, 409, 'INSUFFICIENT_INVENTORY');
  new TextDecoder('utf-8', { fatal: true }).decode(res.raw);
  assert.equal(res.json.error.message, `Insufficient tickets available for ${name}`);
  assert.equal(res.json.error.details.tierName, name);
  assert.equal(await available(s, sold.tiers.EURO.id), 1);
});

test('very long strings are 400 naming the field', async (t) => {
  await runCases(t, [
    ['concertId of 65 characters', tpl({ concert: q('c'.repeat(65)) }), 'concertId'],
    ['tierId of 65 characters', tpl({ tier: q('t'.repeat(65)) }), 'tickets[0].tierId'],
    ['idempotencyKey of 60000 characters', tpl({ key: q('k'.repeat(60000)) }), 'idempotencyKey'],
    ['paymentMethod of 60000 characters', tpl({ extra: `,"paymentMethod":${q('p'.repeat(60000))}` }), 'paymentMethod'],
  ]);
});

test('a body over 64 KiB is nginx\'s 413 PAYLOAD_TOO_LARGE in JSON; a wrong Content-Type is 415', async (t) => {
  const valid = tpl();
  await runCases(t, [
    ['65537 bytes', valid + ' '.repeat(65537 - valid.length), { status: 413, code: 'PAYLOAD_TOO_LARGE' }],
    ['1 MiB', valid + ' '.repeat(1024 * 1024), { status: 413, code: 'PAYLOAD_TOO_LARGE' }],
    ['text/plain', valid, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', contentType: 'text/plain' }],
    ['no Content-Type', valid, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', contentType: null }],
    ['application/jsonx', valid, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', contentType: 'application/jsonx' }],
    ['application/x-www-form-urlencoded', valid, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', contentType: 'application/x-www-form-urlencoded' }],
    ['multipart/form-data', valid, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', contentType: 'multipart/form-data; boundary=x' }],
    ['application/vnd.api+json', valid, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', contentType: 'application/vnd.api+json' }],
  ]);

  // A chunked body over the limit: nginx counts it too.
  const before = await dbSnapshot(s);
  const big = 'x'.repeat(70000);
  const res = await rawExchange(s.port, `POST /api/bookings HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n` +
    `Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`);
  assert.equal(res.status, 413);
  assert.match(res.headers['content-type'] ?? '', /^application\/json\b/);
  assert.equal(res.json?.error?.code, 'PAYLOAD_TOO_LARGE');
  assert.deepEqual(await dbSnapshot(s), before);
});

test('other methods on /api/bookings are 405 METHOD_NOT_ALLOWED with Allow: POST', async () => {
  const before = await dbSnapshot(s);
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
    const res = await s.request(method, '/api/bookings', { headers: { 'content-length': '0' } });
    assertError(assert, res, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(res.headers.allow, 'POST', method);
  }
  assert.deepEqual(await dbSnapshot(s), before);
});

// nginx answers these itself; they must still be the API's JSON envelope.
async function nginxCase(bytes, status, code) {
  const res = await rawExchange(s.port, bytes);
  assert.equal(res.status, status, `${JSON.stringify(bytes.slice(0, 60))}: ${res.body.slice(0, 200)}`);
  assert.match(res.headers['content-type'] ?? '', /^application\/json\b/);
  assert.equal(res.json?.success, false);
  assert.equal(res.json?.error?.code, code);
  assert.match(res.headers['x-request-id'] ?? '', /^[0-9a-f]{32}$/);
  return res;
}

test('malformed requests and oversized headers are nginx\'s own 400/414 in JSON, and reach no worker', async (t) => {
  const before = await dbSnapshot(s);
  const body = tpl();
  const cases = [
    ['extra words in the request line', 'POST /api/bookings HTTP/1.1 x\r\nHost: t\r\n\r\n', 400, 'INVALID_REQUEST'],
    ['garbage instead of a request line', 'GARBAGE\r\n\r\n', 400, 'INVALID_REQUEST'],
    ['a binary request line', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n', 400, 'INVALID_REQUEST'],
    ['an invalid method', 'P@ST /api/bookings HTTP/1.1\r\nHost: t\r\n\r\n', 400, 'INVALID_REQUEST'],
    ['HTTP/1.1 without Host', 'POST /api/bookings HTTP/1.1\r\nContent-Length: 0\r\n\r\n', 400, 'INVALID_REQUEST'],
    ['a NUL in the path', 'GET /api/bookings/%00 HTTP/1.1\r\nHost: t\r\n\r\n', 400, 'INVALID_REQUEST'],
    ['Content-Length not a number', 'POST /api/bookings HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n', 400, 'INVALID_REQUEST'],
    ['Content-Length negative', 'POST /api/bookings HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n', 400, 'INVALID_REQUEST'],
    ['Content-Length twice', `POST /api/bookings HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nContent-Length: ${body.length}\r\n\r\n${body}`, 400, 'INVALID_REQUEST'],
    ['Content-Length and chunked (smuggling)', `POST /api/bookings HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 400, 'INVALID_REQUEST'],
    ['an invalid chunk size', 'POST /api/bookings HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n', 400, 'INVALID_REQUEST'],
    ['a header line over 8 KiB', `POST /api/bookings HTTP/1.1\r\nHost: t\r\nX-Big: ${'b'.repeat(9000)}\r\nContent-Length: 0\r\n\r\n`, 400, 'REQUEST_HEADER_TOO_LARGE'],
    ['a cookie over 8 KiB', `POST /api/bookings HTTP/1.1\r\nHost: t\r\nCookie: c=${'b'.repeat(9000)}\r\nContent-Length: 0\r\n\r\n`, 400, 'REQUEST_HEADER_TOO_LARGE'],
    ['headers over 32 KiB in all', `POST /api/bookings HTTP/1.1\r\nHost: t\r\n${Array.from({ length: 8 }, (_, i) => `X-H${i}: ${'h'.repeat(6000)}\r\n`).join('')}Content-Length: 0\r\n\r\n`, 400, 'REQUEST_HEADER_TOO_LARGE'],
    ['a URI over 8 KiB', `POST /api/bookings?${'a'.repeat(9000)} HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n`, 414, 'URI_TOO_LONG'],
  ];
  const answered = []; // request ids of answers nginx made without a worker
  for (const [name, bytes, status, code] of cases) {
    await t.test(name, async () => {
      const res = await nginxCase(bytes, status, code);
      answered.push(res.headers['x-request-id']);
    });
  }
  // The access log (flushed every second) shows no upstream for any of them.
  const entries = await accessLogEntries(answered);
  for (const id of answered) assert.equal(entries.get(id)?.upstream_addr, '', `request ${id} reached no worker`);
  assert.deepEqual(await dbSnapshot(s), before);
  assert.deepEqual(await workers(s), pools);
});

test('a Transfer-Encoding other than chunked is nginx\'s 501 NOT_IMPLEMENTED in JSON, not an HTML page', async (t) => {
  const before = await dbSnapshot(s);
  for (const te of ['gzip, chunked', 'gzip', 'compress']) {
    await t.test(te, async () => {
      await nginxCase(`POST /api/bookings HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: ${te}\r\nConnection: close\r\n\r\n0\r\n\r\n`, 501, 'NOT_IMPLEMENTED');
    });
  }
  assert.deepEqual(await dbSnapshot(s), before);
});

test('an unsupported HTTP version is answered in JSON too', async () => {
  await nginxCase('POST /api/bookings HTTP/9.9\r\nHost: t\r\n\r\n', 505, 'HTTP_VERSION_NOT_SUPPORTED');
});

test('a lying Content-Length and a stalled header are cut off by nginx (408 in the log); no worker waits, others book meanwhile', async (t) => {
  const before = await dbSnapshot(s);
  const tag = uuid().slice(0, 8);
  const LIARS = BOOK_WORKERS * 3;
  const t0 = performance.now();
  const open = (i, bytes) => new Promise((resolve) => {
    const sock = net.connect(s.port, '127.0.0.1');
    const chunks = [];
    const guard = setTimeout(() => sock.destroy(), 20000);
    sock.on('connect', () => sock.write(bytes)); // and never anything more, never a half-close
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(guard);
      resolve({ i, ms: performance.now() - t0, reply: Buffer.concat(chunks).toString('utf8') });
    });
  });
  const liars = Array.from({ length: LIARS }, (_, i) => open(i,
    `POST /api/bookings?lying=${tag}-${i} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"concertI`));
  const stalled = open('header', `POST /api/bookings?stalled=${tag} HTTP/1.1\r\nHost: t\r\nContent-Type: appl`);
  await sleep(300);

  // While they hang, the booking pool (BOOK_WORKERS workers, fewer than the liars) serves others.
  const meanwhile = [];
  const others = await createFans(s, BOOK_WORKERS * 2);
  for (let round = 0; round < 3; round++) {
    const answers = await Promise.all(others.map(async (fan) => {
      const r0 = performance.now();
      const res = await book(s, bookingBody(c, { GA: 1 }), { fan });
      return { res, ms: performance.now() - r0 };
    }));
    meanwhile.push(...answers);
    assertOk(assert, await s.get(`/api/concerts/${c.id}/availability`));
  }
  const sentAt = performance.now() - t0;
  for (const { res, ms } of meanwhile) {
    assertOk(assert, res, 201);
    assert.ok(ms < 3000, `a booking during the hang answered in ${ms.toFixed(0)} ms`);
  }
  assert.ok(sentAt < 9000, 'the other bookings were done before nginx cut the liars off');

  const closed = await Promise.all([...liars, stalled]);
  for (const r of closed) {
    assert.ok(r.ms > 9000 && r.ms < 16000, `connection ${r.i} closed by nginx after ~10 s (${r.ms.toFixed(0)} ms)`);
    assert.ok(r.reply === '' || /^HTTP\/1\.1 408/.test(r.reply), `no answer, or a 408: ${r.reply.slice(0, 80)}`);
  }
  const uris = Array.from({ length: LIARS }, (_, i) => `/api/bookings?lying=${tag}-${i}`);
  const logged = await accessLog((e) => e.uri, uris);
  for (const uri of uris) {
    assert.equal(logged.get(uri)?.status, '408', `${uri} is logged as 408`);
    assert.equal(logged.get(uri).upstream_addr, '', 'the request never reached a worker');
  }
  t.diagnostic(`lying Content-Length: ${LIARS} connections cut off at ~${Math.round(closed[0].ms)} ms; ` +
    `${meanwhile.length} bookings served meanwhile by ${BOOK_WORKERS} workers`);

  const after = await dbSnapshot(s);
  assert.equal(after.bookings, before.bookings + meanwhile.length, 'only the honest bookings were written');
  assert.equal(after.available, before.available - meanwhile.length);
  assert.deepEqual(await workers(s), pools);
  await assertInvariant(assert, s);
});

// Access log entries by a predicate on each entry, read until all `want` keys are found.
async function accessLog(keyOf, want, timeoutMs = 6000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(s.vars.ACCESS_LOG, 'utf8').catch(() => '');
    const found = new Map();
    for (const line of text.split('\n')) {
      if (!line) continue;
      const entry = JSON.parse(line);
      if (want.includes(keyOf(entry))) found.set(keyOf(entry), entry);
    }
    if (found.size === want.length || Date.now() > until) return found;
    await sleep(250);
  }
}
const accessLogEntries = (ids) => accessLog((e) => e.request_id, ids);

// What the strict parser still accepts, exactly as documented: each is one booking.
test('accepted at the edges: last duplicate key wins, unknown fields and trailing blanks are ignored, exactly 64 KiB, chunked, charset', async (t) => {
  const before = await dbSnapshot(s);
  let count = 0;
  async function accepted(name, body, check, opts) {
    count++;
    await t.test(name, async () => {
      const res = Buffer.isBuffer(body) || typeof body === 'string' || body === undefined
        ? await book(s, body, opts) : await body();
      const b = assertOk(assert, res, 201);
      await check?.(b, res);
      assert.equal(assertOk(assert, await s.get(`/api/bookings/${b.id}`)).status, 'confirmed', 'stored');
    });
  }
  const k1 = uuid();
  const k2 = uuid();
  await accepted('a duplicate totalAmount: the last one counts', tpl({ total: '5', extra: ',"totalAmount":19.99' }),
    (b) => assert.equal(b.totalAmount, 19.99));
  await t.test('a duplicate totalAmount whose last value is wrong is 400 totalAmount', async () => {
    const res = await book(s, tpl({ extra: ',"totalAmount":5' }));
    assertError(assert, res, 400, 'INVALID_REQUEST');
    assert.equal(res.json.error.details?.field, 'totalAmount');
  });
  await accepted('a duplicate quantity: the last one counts', tpl({ tickets: `[{"tierId":${q(ga.id)},"quantity":50,"quantity":1}]` }),
    (b) => assert.equal(b.items[0].quantity, 1));
  await accepted('a duplicate idempotencyKey: the last one is the key', tpl({ key: q(k1), extra: `,"idempotencyKey":${q(k2)}` }), async (b) => {
    assert.equal(await s.psql(`SELECT idempotency_key FROM bookings WHERE id = '${b.id}'`), k2);
    assert.equal(await s.psql(`SELECT count(*) FROM bookings WHERE idempotency_key = '${k1}'`), '0');
  });
  await accepted('unknown fields, however long, are ignored', tpl({ extra: `,"note":${q('n'.repeat(60000))},"meta":{"a":[[1]]}` }));
  await accepted('blank characters after the object', `${tpl()} \r\n\t\n`);
  // (64 emoji and an escaped surrogate pair in userId were accepted here while userId was free
  // text; a userId is now the fan's id, u_ and 32 hex digits, so neither can be one: they are
  // 403 FORBIDDEN like any other string that is not the fan's id, in the test above.)
  await accepted('userId missing: the booking is the signed-in fan\'s', without('userId'), (b) => assert.equal(b.userId, me.id));
  await accepted('userId the signed-in fan\'s own id', tpl(), (b) => assert.equal(b.userId, me.id));
  await accepted('the fan\'s id written with escapes is the same string', tpl({ user: `"\\u0075${me.id.slice(1)}"` }),
    (b) => assert.equal(b.userId, me.id));
  await accepted('exactly 64 KiB', (() => { const v = tpl(); return v + ' '.repeat(65536 - Buffer.byteLength(v)); })());
  await accepted('a chunked body', async () => {
    const v = tpl();
    return rawExchange(s.port, `POST /api/bookings HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nCookie: ${me.cookie}\r\n` +
      `Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n${v.length.toString(16)}\r\n${v}\r\n0\r\n\r\n`);
  });
  await accepted('Content-Type with a charset', tpl(), undefined, { contentType: 'application/json; charset=utf-8' });
  await accepted('Content-Type in capitals', tpl(), undefined, { contentType: 'APPLICATION/JSON' });
  assert.equal((await dbSnapshot(s)).bookings, before.bookings + count, 'one booking each');
  assert.deepEqual(await workers(s), pools);
  await assertInvariant(assert, s);
});

test('no worker died during the whole matrix, and ticketd logged no sanitizer report', async (t) => {
  assert.deepEqual(await workers(s), pools);
  assert.equal([...(await s.ticketdLog()).matchAll(WORKER_DEATH)].length, 0, 'no worker death in the log');
  assert.equal(await available(s, ga.id) <= 150, true);
  const reports = await s.stopTicketdAndCollectSanitizerReports();
  assert.deepEqual(reports, []);
  if (DRAIN_CUT.test(await s.ticketdLog())) t.diagnostic('warning: the drain deadline cut workers off: leak checks incomplete');
});
