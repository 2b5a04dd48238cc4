// Signed tickets (issue 13) through nginx: GET /api/bookings/:id/tickets for the owner, staff
// and admins (404 for anyone else, 409 for a void booking), GET /api/checkin/key, and a code
// checked offline in node with nothing but that public key. Then the key file: made by the
// stack once and kept, refused when others can read it, and ticketd without one (503).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';

import { assertError, assertOk, defaultTicketdBin, startStack } from './stack.mjs';
import { addConcert, book, bookingBody, post, restartTicketdWith } from './lib/booking-helpers.mjs';
import { startDaemon } from './lib/daemon.mjs';
import { fcgiGet } from './lib/fcgi.mjs';
import { createFans } from './lib/fans.mjs';
import { decodeTicketCode, publicKeyFrom } from './lib/tickets.mjs';

const run = promisify(execFile);

let s;
let fan; let other; let staff; let admin;
let concert;

before(async () => {
  s = await startStack({ rateLimit: 'off', env: { TICKETD_BOOK_WORKERS: '24', TICKETD_READ_WORKERS: '4' } });
  [fan, other] = await createFans(s, 2);
  [staff] = await createFans(s, 1, { role: 'staff', prefix: 'staff' });
  [admin] = await createFans(s, 1, { role: 'admin', prefix: 'admin' });
  concert = await addConcert(s, ['VIP:20:100.00', 'GA:50:10.00']);
});
after(async () => {
  await s?.destroy();
});

const tickets = (id, who) => s.get(`/api/bookings/${id}/tickets`, { fan: who });

async function publicKey() {
  const key = assertOk(assert, await s.get('/api/checkin/key', { fan: null }));
  return { ...key, keyObject: publicKeyFrom(key.publicKey) };
}

async function confirmedBooking(lines = { GA: 2, VIP: 1 }, who = fan) {
  return assertOk(assert, await book(s, bookingBody(concert, lines), { fan: who }), 201);
}

test('the public key is public: {algorithm Ed25519, publicKey (32 bytes, base64url), codePrefix T1.}', async () => {
  const key = await publicKey();
  assert.equal(key.algorithm, 'Ed25519');
  assert.equal(key.codePrefix, 'T1.');
  assert.equal(Buffer.from(key.publicKey, 'base64url').length, 32);
  // The same for a signed-in fan: one key for everyone.
  assert.equal(assertOk(assert, await s.get('/api/checkin/key', { fan })).publicKey, key.publicKey);
});

test('quantity 3 is three tickets, by tier id then place; each code verifies offline in node with the public key alone', async () => {
  const booking = await confirmedBooking({ GA: 2, VIP: 1 });
  const list = assertOk(assert, await tickets(booking.id, fan));
  assert.equal(list.length, 3);
  assert.deepEqual(list.map((t) => t.index), [0, 1, 2]);
  // Tier ids in byte order: add_concert names them <concert>_ga and <concert>_vip.
  const byId = [...booking.items].sort((a, b) => (a.tierId < b.tierId ? -1 : 1));
  const expected = byId.flatMap((it) => Array(it.quantity).fill([it.tierId, it.tierName]));
  assert.deepEqual(list.map((t) => [t.tierId, t.tierName]), expected);

  const { keyObject } = await publicKey();
  for (const t of list) {
    assert.ok(t.code.length <= 160, `${t.code.length} characters: small enough for a QR code`);
    // No server involved from here on: node:crypto and the published key.
    assert.deepEqual(decodeTicketCode(t.code, keyObject),
      { bookingId: booking.id, index: t.index, concertId: concert.id });
  }
  assert.equal(new Set(list.map((t) => t.code)).size, 3, 'three different codes');
  // The format's own length for a bk_ id and an 18-character concert id.
  assert.equal(list[0].code.length, 142);
});

test('codes are signed when shown, the same each time, and nothing is stored per ticket', async () => {
  const booking = await confirmedBooking({ GA: 1 });
  const a = assertOk(assert, await tickets(booking.id, fan));
  const b = assertOk(assert, await tickets(booking.id, fan));
  assert.deepEqual(a, b);
  assert.equal(await s.psql(`SELECT count(*) FROM checkins WHERE booking_id = '${booking.id}'`), '0');
  // book() (the rush path) writes no ticket rows: the only new table is checkins.
  const book = await s.psql("SELECT prosrc FROM pg_proc WHERE proname = 'book'");
  assert.doesNotMatch(book, /checkins/);
});

test('the owner, staff and an admin get the same tickets; another fan 404 (as for none), signed out 401', async () => {
  const booking = await confirmedBooking({ VIP: 2 });
  const mine = assertOk(assert, await tickets(booking.id, fan));
  assert.deepEqual(assertOk(assert, await tickets(booking.id, staff)), mine);
  assert.deepEqual(assertOk(assert, await tickets(booking.id, admin)), mine);

  const theirs = await tickets(booking.id, other);
  assertError(assert, theirs, 404, 'BOOKING_NOT_FOUND');
  assert.doesNotMatch(theirs.body, /T1\./, 'no code leaks');
  const none = await tickets('bk_00000000000000000000000000000000', other);
  assertError(assert, none, 404, 'BOOKING_NOT_FOUND');
  assert.deepEqual(theirs.json, none.json, 'another fan\'s booking looks like no booking');
  assertError(assert, await tickets(booking.id, null), 401, 'UNAUTHENTICATED');
  assertError(assert, await tickets('bad!id', fan), 400, 'INVALID_REQUEST');
  assertError(assert, await s.request('POST', `/api/bookings/${booking.id}/tickets`, { fan }), 405, 'METHOD_NOT_ALLOWED');
});

test('a cancelled booking\'s tickets are void: 409 BOOKING_NOT_CONFIRMED (status cancelled); a declined one has none', async () => {
  const booking = await confirmedBooking({ GA: 1 });
  assertOk(assert, await tickets(booking.id, fan));
  assertOk(assert, await post(s, `/api/bookings/${booking.id}/cancel`, {}, { fan }));
  const res = await tickets(booking.id, fan);
  assertError(assert, res, 409, 'BOOKING_NOT_CONFIRMED');
  assert.deepEqual(res.json.error.details, { status: 'cancelled' });

  const declined = await book(s, bookingBody(concert, { GA: 1 }, { paymentMethod: 'test_decline' }), { fan });
  assertError(assert, declined, 402, 'PAYMENT_FAILED');
  const none = await tickets(declined.json.error.details.bookingId, fan);
  assertError(assert, none, 409, 'BOOKING_NOT_CONFIRMED');
  assert.deepEqual(none.json.error.details, { status: 'payment_failed' });
});

test('the stack made its key once (0600, the daemon\'s user\'s, in its secrets) and keeps it: codes survive a restart; the key is in no log', async () => {
  const file = s.vars.TICKETD_TICKET_KEY_FILE;
  assert.equal(path.basename(file), 'ticket.key');
  assert.equal(path.basename(path.dirname(file)), 'secrets');
  const st = await stat(file);
  assert.equal(st.mode & 0o777, 0o600);
  // Read by the daemon after it drops to its user (as root: the ticketd user), and nobody else.
  if (process.getuid() === 0) assert.notEqual(st.uid, 0, 'owned by the daemon\'s user');
  assert.equal(st.size, 32);
  const booking = await confirmedBooking({ GA: 1 });
  const before = assertOk(assert, await tickets(booking.id, fan));

  await restartTicketdWith(s);
  assert.deepEqual(assertOk(assert, await tickets(booking.id, fan)), before);

  const seed = await readFile(file);
  const logs = await s.ticketdLog();
  for (const form of [seed.toString('hex'), seed.toString('base64'), seed.toString('base64url')]) {
    assert.ok(!logs.includes(form), 'the seed is in no log');
  }
});

// ticketd on its own (no database, no nginx) for the key file's rules: prepare(dir) makes its
// files and returns its settings, then fn(daemon, dir) runs.
async function withDaemon(prepare, fn) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ticketd-key-'));
  let d;
  try {
    const env = await prepare(dir);
    d = startDaemon({ bin: defaultTicketdBin(), dir, env: { TICKETD_READ_WORKERS: '1', TICKETD_BOOK_WORKERS: '1', ...env } });
    return await fn(d, dir);
  } finally {
    d?.killAll();
    await rm(dir, { recursive: true, force: true });
  }
}

test('--generate-ticket-key writes 32 bytes at 0600, prints the public key ticketd then publishes, and never overwrites', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ticketd-key-'));
  try {
    const file = path.join(dir, 'k');
    const { stdout } = await run(defaultTicketdBin(), ['--generate-ticket-key', file]);
    const printed = stdout.trim();
    assert.match(printed, /^[A-Za-z0-9_-]{43}$/);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const seed = await readFile(file);
    assert.equal(seed.length, 32);

    const again = await run(defaultTicketdBin(), ['--generate-ticket-key', file]).catch((e) => e);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /File exists/);
    assert.deepEqual(await readFile(file), seed, 'the key is unchanged');

    await withDaemon(async () => ({ TICKETD_TICKET_KEY_FILE: file }), async (d, ddir) => {
      await d.waitForLog(/serving:/);
      const res = await fcgiGet(path.join(ddir, 'read.sock'), '/api/checkin/key');
      assert.equal(res.status, 200);
      assert.equal(JSON.parse(res.body).data.publicKey, printed);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a key file others can read, one of the wrong size, or none at that path: ticketd refuses to start and says why', async () => {
  const cases = [
    [0o644, 32, /open to every user \(mode 0644\): chmod 600 it/],
    [0o660, 32, /writable by its group/],
    [0o600, 31, /must hold exactly 32 bytes, not 31/],
  ];
  for (const [mode, size, why] of cases) {
    const prepare = async (dir) => {
      await writeFile(path.join(dir, 'k'), Buffer.alloc(size, 7));
      await chmod(path.join(dir, 'k'), mode);
      return { TICKETD_TICKET_KEY_FILE: path.join(dir, 'k') };
    };
    await withDaemon(prepare, async (d) => {
      const { code } = await d.waitForExit();
      assert.equal(code, 1, `mode ${mode.toString(8)}, ${size} bytes: ${d.log()}`);
      assert.match(d.log(), why);
      assert.doesNotMatch(d.log(), /serving:/, 'no worker ever served');
    });
  }
  await withDaemon((dir) => ({ TICKETD_TICKET_KEY_FILE: path.join(dir, 'missing') }), async (d) => {
    assert.equal((await d.waitForExit()).code, 1);
    assert.match(d.log(), /cannot open ticket key .*missing: No such file/);
  });
});

test('without a key file ticketd serves, and the ticket routes answer 503 SERVICE_UNAVAILABLE', async () => {
  await withDaemon(async () => ({ TICKETD_TICKET_KEY_FILE: '' }), async (d, dir) => {
    await d.waitForLog(/serving:/);
    assert.match(d.log(), /TICKETD_TICKET_KEY_FILE is not set/);
    const key = await fcgiGet(path.join(dir, 'read.sock'), '/api/checkin/key');
    assert.equal(key.status, 503);
    assert.equal(JSON.parse(key.body).error.code, 'SERVICE_UNAVAILABLE');
    const health = await fcgiGet(path.join(dir, 'read.sock'), '/health');
    assert.equal(health.status, 503, 'serving (its database is down here)');
  });
});
