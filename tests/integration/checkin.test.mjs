// Check-in at the door (issue 13) through nginx: POST /api/checkin for staff and admins (401
// signed out, 403 for a fan), each answer with its exact status and code, and admission that
// is exact under concurrency: 20 doors scanning one ticket at once admit it once.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, test } from 'node:test';

import { assertError, assertOk, startStack } from './stack.mjs';
import { addConcert, book, bookingBody, post } from './lib/booking-helpers.mjs';
import { createFans } from './lib/fans.mjs';
import { encodeTicketCode, privateKeyFromSeed } from './lib/tickets.mjs';

let s;
let fan; let staff; let admin;
let concert; let otherConcert;

before(async () => {
  s = await startStack({ rateLimit: 'off', env: { TICKETD_BOOK_WORKERS: '24', TICKETD_READ_WORKERS: '4' } });
  [fan] = await createFans(s, 1);
  [staff] = await createFans(s, 1, { role: 'staff', prefix: 'staff' });
  [admin] = await createFans(s, 1, { role: 'admin', prefix: 'admin' });
  [concert, otherConcert] = await Promise.all([
    addConcert(s, ['VIP:20:100.00', 'GA:50:10.00']),
    addConcert(s, ['GA:10:10.00'], 'Another concert'),
  ]);
});
after(async () => {
  await s?.destroy();
});

const checkin = (body, who = staff, opts = {}) => post(s, '/api/checkin', body, { fan: who, ...opts });
const checkins = (bookingId) => s.psql(`SELECT count(*) FROM checkins WHERE booking_id = '${bookingId}'`);

// A confirmed booking of the fan and its tickets.
async function bookTickets(lines = { GA: 2, VIP: 1 }, c = concert) {
  const booking = assertOk(assert, await book(s, bookingBody(c, lines), { fan }), 201);
  const list = assertOk(assert, await s.get(`/api/bookings/${booking.id}/tickets`, { fan }));
  return { booking, tickets: list };
}

test('staff admit a ticket: 200 with the ticket, its tier, the fan\'s name, the door and when; one row', async () => {
  const { booking, tickets } = await bookTickets({ GA: 1, VIP: 1 });
  const t = tickets[1];
  const res = await checkin({ code: t.code, concertId: concert.id, door: 'North gate' });
  const a = assertOk(assert, res);
  assert.deepEqual(a.ticket, { bookingId: booking.id, index: 1, tierName: t.tierName });
  assert.deepEqual(a.fan, { name: fan.name });
  assert.equal(a.concertId, concert.id);
  assert.equal(a.door, 'North gate');
  assert.match(a.admittedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(Math.abs(Date.parse(a.admittedAt) - Date.now()) < 60000, 'admitted now');
  assert.equal(await s.psql(`SELECT ticket_index || '|' || door || '|' || staff_id FROM checkins
    WHERE booking_id = '${booking.id}'`), `1|North gate|${staff.id}`);
  // Its sibling is a ticket of its own: not admitted yet.
  assertOk(assert, await checkin({ code: tickets[0].code, concertId: concert.id, door: 'South' }));
  assert.equal(await checkins(booking.id), '2');

  // Served by the booking pool (nginx routes POST /api/checkin there).
  const { entry } = await s.accessLogEntry(res.headers['x-request-id']);
  assert.equal(entry.upstream_addr, `unix:${s.vars.TICKETD_BOOK_SOCKET}`);
});

test('admins are staff: an admin admits too', async () => {
  const { tickets } = await bookTickets({ GA: 1 });
  const a = assertOk(assert, await checkin({ code: tickets[0].code, concertId: concert.id, door: 'Box office' }, admin));
  assert.equal(a.door, 'Box office');
});

test('a second scan is 409 ALREADY_ADMITTED with the first admission\'s time and door; nothing changes', async () => {
  const { booking, tickets } = await bookTickets({ GA: 1 });
  const first = assertOk(assert, await checkin({ code: tickets[0].code, concertId: concert.id, door: 'Door 1' }));
  for (const [who, door] of [[staff, 'Door 1'], [staff, 'Door 2'], [admin, 'Door 3']]) {
    const res = await checkin({ code: tickets[0].code, concertId: concert.id, door }, who);
    assertError(assert, res, 409, 'ALREADY_ADMITTED');
    assert.deepEqual(res.json.error.details, { admittedAt: first.admittedAt, door: 'Door 1' });
  }
  assert.equal(await checkins(booking.id), '1');
});

test('20 doors scan one ticket at the same moment: exactly one 200, 19 × 409 ALREADY_ADMITTED naming it', async () => {
  const { booking, tickets } = await bookTickets({ VIP: 1 });
  const doors = Array.from({ length: 20 }, (_, i) => `Door ${i + 1}`);
  const answers = await Promise.all(doors.map((door) => checkin({ code: tickets[0].code, concertId: concert.id, door })));
  const admitted = answers.filter((r) => r.status === 200);
  const again = answers.filter((r) => r.status === 409);
  assert.equal(admitted.length, 1, `statuses: ${answers.map((r) => r.status)}`);
  assert.equal(again.length, 19, `statuses: ${answers.map((r) => r.status)}`);
  const winner = admitted[0].json.data;
  for (const r of again) {
    assertError(assert, r, 409, 'ALREADY_ADMITTED');
    assert.deepEqual(r.json.error.details, { admittedAt: winner.admittedAt, door: winner.door });
  }
  assert.equal(await checkins(booking.id), '1');
  assert.equal(await s.psql(`SELECT door FROM checkins WHERE booking_id = '${booking.id}'`), winner.door);
});

test('a code with one character changed, cut, lengthened or made up is 400 INVALID_TICKET; nothing is written', async (t) => {
  const { booking, tickets } = await bookTickets({ GA: 1 });
  const code = tickets[0].code;
  const flip = (i) => code.slice(0, i) + (code[i] === 'A' ? 'B' : 'A') + code.slice(i + 1);
  const { privateKey } = generateKeyPairSync('ed25519');
  const bad = {
    'the first character': flip(0),
    'the version': `T2${code.slice(2)}`,
    'a character of the booking': flip(5),
    'a character of the index': flip(30),
    'a character of the signature': flip(100),
    'the last character': flip(code.length - 1),
    'a character outside base64url': `${code.slice(0, 40)}+${code.slice(41)}`,
    'a byte above 0x7f': `${code.slice(0, 40)}é${code.slice(41)}`,
    truncated: code.slice(0, -1),
    lengthened: `${code}A`,
    empty: '',
    'made up': 'T1.' + 'A'.repeat(139),
    'signed with another key': encodeTicketCode({ bookingId: booking.id, index: 0, concertId: concert.id }, privateKey),
  };
  for (const [name, forged] of Object.entries(bad)) {
    await t.test(name, async () => {
      assert.notEqual(forged, code);
      const res = await checkin({ code: forged, concertId: concert.id, door: 'North gate' });
      assertError(assert, res, 400, 'INVALID_TICKET');
      assert.equal(res.json.error.details, undefined);
    });
  }
  assert.equal(await checkins(booking.id), '0');
  // The genuine code still admits: nothing above used it up.
  assertOk(assert, await checkin({ code, concertId: concert.id, door: 'North gate' }));
});

test('a code signed with the stack\'s own key that names no ticket is 400 INVALID_TICKET too', async (t) => {
  // What only someone holding the secret could make: the index range and the booking are the
  // database's to check (the key file is the test stack's, readable by the test).
  const sk = privateKeyFromSeed(await readFile(s.vars.TICKETD_TICKET_KEY_FILE));
  const { booking } = await bookTickets({ GA: 2, VIP: 1 });
  const declined = await book(s, bookingBody(concert, { GA: 1 }, { paymentMethod: 'test_decline' }), { fan });
  assertError(assert, declined, 402, 'PAYMENT_FAILED');
  const cases = {
    'index 3 of a booking of 3': { bookingId: booking.id, index: 3, concertId: concert.id },
    'index 255': { bookingId: booking.id, index: 255, concertId: concert.id },
    'no such booking': { bookingId: 'bk_00000000000000000000000000000000', index: 0, concertId: concert.id },
    'a declined booking': { bookingId: declined.json.error.details.bookingId, index: 0, concertId: concert.id },
    'the booking under another concert': { bookingId: booking.id, index: 0, concertId: otherConcert.id },
  };
  for (const [name, claim] of Object.entries(cases)) {
    await t.test(name, async () => {
      const res = await checkin({ code: encodeTicketCode(claim, sk), concertId: claim.concertId, door: 'D' });
      assertError(assert, res, 400, 'INVALID_TICKET');
    });
  }
  assert.equal(await checkins(booking.id), '0');
  // The control: the same crafting with a real ticket admits it.
  const good = encodeTicketCode({ bookingId: booking.id, index: 2, concertId: concert.id }, sk);
  assertOk(assert, await checkin({ code: good, concertId: concert.id, door: 'D' }));
});

test('a door set to another concert: 409 WRONG_CONCERT naming the ticket\'s; the ticket stays unused', async () => {
  const { booking, tickets } = await bookTickets({ GA: 1 });
  const res = await checkin({ code: tickets[0].code, concertId: otherConcert.id, door: 'Hall B' });
  assertError(assert, res, 409, 'WRONG_CONCERT');
  assert.deepEqual(res.json.error.details, { concertId: concert.id });
  assert.equal(await checkins(booking.id), '0');
  assertOk(assert, await checkin({ code: tickets[0].code, concertId: concert.id, door: 'Hall A' }));
});

test('a cancelled booking\'s ticket is 409 TICKET_CANCELLED', async () => {
  const { booking, tickets } = await bookTickets({ GA: 2 });
  assertOk(assert, await post(s, `/api/bookings/${booking.id}/cancel`, {}, { fan }));
  for (const t of tickets) {
    const res = await checkin({ code: t.code, concertId: concert.id, door: 'Gate' });
    assertError(assert, res, 409, 'TICKET_CANCELLED');
    assert.equal(res.json.error.details, undefined);
  }
  assert.equal(await checkins(booking.id), '0');
});

test('once a ticket is admitted, its booking cannot be cancelled (409 TICKETS_ADMITTED), by the fan or the box office', async () => {
  const { booking, tickets } = await bookTickets({ GA: 2 });
  const before = await s.psql(`SELECT sum(available) FROM tier_buckets WHERE tier_id = '${concert.tiers.GA.id}'`);
  assertOk(assert, await checkin({ code: tickets[1].code, concertId: concert.id, door: 'Gate' }));
  // A refund after entry would be a free ticket, and its seat would be sold again.
  assertError(assert, await post(s, `/api/bookings/${booking.id}/cancel`, {}, { fan }), 409, 'TICKETS_ADMITTED');
  assertError(assert, await post(s, `/api/admin/bookings/${booking.id}/cancel`, { reason: 'asked at the door' },
    { fan: admin }), 409, 'TICKETS_ADMITTED');
  assert.equal(await s.psql(`SELECT status FROM bookings WHERE id = '${booking.id}'`), 'confirmed');
  assert.equal(await s.psql(`SELECT sum(available) FROM tier_buckets WHERE tier_id = '${concert.tiers.GA.id}'`), before);
  // The other ticket still gets in.
  assertOk(assert, await checkin({ code: tickets[0].code, concertId: concert.id, door: 'Gate' }));
});

test('signed out 401 UNAUTHENTICATED, a fan 403 FORBIDDEN, cross-site 403 CSRF_REJECTED, not JSON 415; nothing written', async () => {
  const { booking, tickets } = await bookTickets({ GA: 1 });
  const body = { code: tickets[0].code, concertId: concert.id, door: 'Gate' };
  assertError(assert, await checkin(body, null), 401, 'UNAUTHENTICATED');
  const forbidden = await checkin(body, fan);
  assertError(assert, forbidden, 403, 'FORBIDDEN');
  assert.equal(forbidden.json.error.details, undefined);
  assertError(assert, await checkin(body, staff, { headers: { origin: 'https://evil.example' } }), 403, 'CSRF_REJECTED');
  assertError(assert, await checkin(body, staff, { contentType: 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  assert.equal(await checkins(booking.id), '0');
  // A fan cannot admit their own ticket either; staff then can.
  assertOk(assert, await checkin(body, staff));
});

test('a bad body is 400 INVALID_REQUEST naming the field; GET is 405', async (t) => {
  const { booking, tickets } = await bookTickets({ GA: 1 });
  const good = { code: tickets[0].code, concertId: concert.id, door: 'Gate' };
  const cases = [
    ['not JSON', '{"code":', 'body'],
    ['an array', [good], 'body'],
    ['no code', { concertId: good.concertId, door: 'Gate' }, 'code'],
    ['a number for code', { ...good, code: 7 }, 'code'],
    ['no concertId', { code: good.code, door: 'Gate' }, 'concertId'],
    ['a concertId that is no id', { ...good, concertId: 'a b' }, 'concertId'],
    ['no door', { code: good.code, concertId: good.concertId }, 'door'],
    ['an empty door', { ...good, door: '' }, 'door'],
    ['a blank door', { ...good, door: '   ' }, 'door'],
    ['a door of 65 characters', { ...good, door: 'd'.repeat(65) }, 'door'],
    ['a door with a newline', { ...good, door: 'Gate\n2' }, 'door'],
  ];
  for (const [name, body, field] of cases) {
    await t.test(name, async () => {
      const res = await checkin(body);
      assertError(assert, res, 400, 'INVALID_REQUEST');
      assert.equal(res.json.error.details.field, field);
    });
  }
  assert.equal(await checkins(booking.id), '0');
  const get = await s.get('/api/checkin', { fan: staff });
  assertError(assert, get, 405, 'METHOD_NOT_ALLOWED');
  assert.equal(get.headers.allow, 'POST');
  // 64 characters of door are fine.
  assert.equal(assertOk(assert, await checkin({ ...good, door: 'é'.repeat(64) })).door, 'é'.repeat(64));
});

test('deploy/add-admin --staff makes door staff who sign in and admit, and reach no box office route', async () => {
  const email = `door-${Date.now()}@example.com`;
  const made = await s.script('add-admin', ['--staff', email, 'Door Keeper']);
  assert.equal(made.code, 0, made.stderr);
  assert.match(made.stdout, new RegExp(`^staff ${email} `, 'm'));
  const password = /^password: (\S+)$/m.exec(made.stdout)?.[1];
  assert.ok(password, made.stdout);
  const login = await post(s, '/api/auth/login', { email, password }, { fan: null });
  const { user } = assertOk(assert, login);
  assert.equal(user.role, 'staff');
  const cookie = login.headers['set-cookie'][0].split(';')[0];
  const door = { cookie };

  const { tickets } = await bookTickets({ GA: 1 });
  assertOk(assert, await checkin({ code: tickets[0].code, concertId: concert.id, door: 'Gate' }, door));
  assertError(assert, await s.get('/api/admin/concerts', { fan: door }), 403, 'FORBIDDEN');
  // An existing fan's account becomes staff only with --promote.
  const refused = await s.script('add-admin', ['--staff', fan.email]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /--promote makes it staff/);
});

// Last: stops ticketd. The sanitizer build reports leaks and memory errors when workers exit.
test('no sanitizer report from the code paths above', async () => {
  const reports = await s.stopTicketdAndCollectSanitizerReports();
  assert.deepEqual(reports, []);
});
