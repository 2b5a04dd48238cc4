// The outbox and its mailer (issue 13): a confirmed booking's email is written in the booking's
// own transaction and sent by the mailer the ticketd master supervises, through a real SMTP
// server on loopback (the stack's mail sink, Debian's aiosmtpd). Declined and rejected keys owe
// nothing; a cancellation owes its own email; a mailer killed with SIGKILL and a relay down for
// a while lose nothing (at least once, the same Message-ID on every attempt).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { assertError, assertOk, startStack } from './stack.mjs';
import { addConcert, book, bookingBody, masterPid, post } from './lib/booking-helpers.mjs';
import { childrenOf } from './lib/daemon.mjs';
import { createFans } from './lib/fans.mjs';
import { readMailbox, waitForMail } from './lib/mail.mjs';
import { decodeTicketCode, publicKeyFrom } from './lib/tickets.mjs';

let s;
let concert;

before(async () => {
  s = await startStack({
    rateLimit: 'off',
    mail: true,
    env: {
      PAYMENT_DECLINE_RATE: '0',
      PAYMENT_LATENCY_MS: '0',
      MAILER_POLL_MS: '100',
      TICKETD_MAIL_FIRST_RETRY_S: '1',
      TICKETD_MAIL_LEASE_S: '3',
    },
  });
  concert = await addConcert(s, ['VIP:100:100.00', 'GA:1000:10.00'], 'Mail Night');
});
after(async () => {
  await s?.destroy();
});

const MESSAGE_ID = /^<outbox-(\d+)\.(bk_[0-9a-f]{32})@ticketd\.example>$/;
const mailDir = () => s.vars.MAIL_DIR;
const forBooking = (msgs, id) => msgs.filter((m) => MESSAGE_ID.exec(m.headers['message-id'] ?? '')?.[2] === id);
const partOf = (m, type) => m.parts.find((p) => (p.headers['content-type'] ?? '').startsWith(type));

// A fan who followed the link of their verification email.
async function verifiedFan() {
  const [fan] = await createFans(s, 1);
  await s.psql(`UPDATE users SET email_verified_at = now() WHERE id = '${fan.id}'`);
  return fan;
}

test('a confirmed booking\'s email reaches the fan: its booking, its concert, a calendar entry, a stable Message-ID', async () => {
  const fan = await verifiedFan();
  const b = assertOk(assert, await book(s, bookingBody(concert, { VIP: 2, GA: 1 }), { fan }), 201);
  const [m] = forBooking(await waitForMail(mailDir(), (msgs) => forBooking(msgs, b.id).length > 0), b.id);

  assert.equal(m.headers.to, `<${fan.email}>`);
  assert.equal(m.headers.from, 'ticketd <tickets@ticketd.example>');
  assert.equal(m.headers.subject, 'Your tickets: Mail Night');
  assert.equal(m.headers['auto-submitted'], 'auto-generated');
  const [, outboxId] = MESSAGE_ID.exec(m.headers['message-id']);
  assert.equal(await s.psql(`SELECT kind || ' ' || (sent_at IS NOT NULL) FROM outbox WHERE id = ${outboxId}`),
    'booking_confirmed true');

  const text = partOf(m, 'text/plain').body.toString('utf8');
  assert.match(text, new RegExp(`your booking ${b.id} is confirmed`));
  assert.match(text, /2 x VIP at 100\.00/);
  assert.match(text, /1 x GA at 10\.00/);
  assert.match(text, /Total: 210\.00/);
  assert.match(text, /Mail Night\nIT Venue\n/);
  assert.match(text, new RegExp(`http://localhost:\\d+/bookings/${b.id}`));

  // A QR image and a code per ticket: the very codes GET /api/bookings/:id/tickets shows (Ed25519
  // is deterministic), each verifiable offline with the published key.
  const images = m.parts.filter((p) => (p.headers['content-type'] ?? '').startsWith('image/png'));
  assert.equal(images.length, 3);
  for (const img of images) assert.equal(img.body.subarray(0, 8).toString('latin1'), '\x89PNG\r\n\x1a\n');
  const codes = [...text.matchAll(/Ticket (\d+), (\w+): (T1\.[A-Za-z0-9_-]+)/g)].map((x) => x[3]);
  const shown = assertOk(assert, await s.get(`/api/bookings/${b.id}/tickets`, { fan }));
  assert.deepEqual(codes, shown.map((t) => t.code));
  const key = publicKeyFrom(assertOk(assert, await s.get('/api/checkin/key', { fan: null })).publicKey);
  assert.deepEqual(codes.map((c) => decodeTicketCode(c, key)),
    [0, 1, 2].map((index) => ({ bookingId: b.id, index, concertId: concert.id })));

  const ics = partOf(m, 'text/calendar').body.toString('utf8');
  assert.match(ics, /^BEGIN:VCALENDAR\r\n/);
  assert.match(ics, /\r\nMETHOD:PUBLISH\r\n/);
  assert.match(ics, new RegExp(`\\r\\nUID:${b.id}@ticketd\\.example\\r\\n`));
  assert.match(ics, /\r\nDTSTART:20270501T200000Z\r\n/);
  assert.match(ics, /\r\nSUMMARY:Mail Night\r\n/);
});

test('an address not yet verified gets the confirmation without the tickets: they are on the booking\'s page', async () => {
  const [fan] = await createFans(s, 1);
  const b = assertOk(assert, await book(s, bookingBody(concert, { GA: 2 }), { fan }), 201);
  const [m] = forBooking(await waitForMail(mailDir(), (msgs) => forBooking(msgs, b.id).length > 0), b.id);
  assert.equal(m.headers.subject, 'Your tickets: Mail Night');
  assert.equal(m.parts.filter((p) => (p.headers['content-type'] ?? '').startsWith('image/png')).length, 0);
  const text = partOf(m, 'text/plain').body.toString('utf8');
  assert.doesNotMatch(text, /T1\./, 'no ticket code in the email');
  assert.match(text, /once you confirm this address/);
  assert.ok(partOf(m, 'text/calendar'), 'the calendar entry still');
});

test('a declined payment and a refused booking owe no email', async () => {
  const [fan] = await createFans(s, 1);
  const declined = await book(s, bookingBody(concert, { GA: 1 }, { paymentMethod: 'test_decline' }), { fan });
  assertError(assert, declined, 402, 'PAYMENT_FAILED');
  const bookingId = declined.json.error.details.bookingId;
  // The declined key is recorded, and owes nothing, now or later: no row is ever written.
  assert.equal(await s.psql(`SELECT status FROM bookings WHERE id = '${bookingId}'`), 'payment_failed');
  assert.equal(await s.psql(`SELECT count(*) FROM outbox WHERE booking_id = '${bookingId}'`), '0');
  assert.equal(await s.psql(`SELECT count(*) FROM outbox o JOIN bookings b ON b.id = o.booking_id
                             WHERE b.status NOT IN ('confirmed', 'cancelled')`), '0');
  assert.equal(await s.psql('SELECT count(*) FROM outbox_violations'), '0');
});

test('a cancellation sends its own email: refunded, the tickets void, the calendar entry cancelled', async () => {
  const [fan] = await createFans(s, 1);
  const b = assertOk(assert, await book(s, bookingBody(concert, { GA: 3 }), { fan }), 201);
  assertOk(assert, await post(s, `/api/bookings/${b.id}/cancel`, {}, { fan }));
  const msgs = await waitForMail(mailDir(), (all) => forBooking(all, b.id).some((m) => /cancelled/i.test(m.headers.subject)));
  const m = forBooking(msgs, b.id).find((x) => /cancelled/i.test(x.headers.subject));
  assert.equal(m.headers.subject, 'Booking cancelled: Mail Night');
  const text = partOf(m, 'text/plain').body.toString('utf8');
  assert.match(text, /is cancelled and 30\.00 is refunded/);
  assert.match(text, /TICKETS ARE VOID/);
  assert.match(partOf(m, 'text/calendar').body.toString('utf8'), /\r\nMETHOD:CANCEL\r\n[\s\S]*\r\nSTATUS:CANCELLED\r\n/);
  assert.equal(partOf(m, 'image/png'), undefined, 'no tickets in a cancellation');
  assert.equal(await s.psql(`SELECT count(*) FROM outbox WHERE booking_id = '${b.id}'`), '2');
});

// The children of the stack's master whose name is the mailer's.
async function mailerPids() {
  const out = [];
  for (const pid of await childrenOf(await masterPid(s))) {
    if ((await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() === 'ticketd-mailer') out.push(Number(pid));
  }
  return out;
}

test('the relay down for a while and the mailer killed with SIGKILL: every confirmed booking\'s email arrives', async () => {
  await s.stack('mail-stop');
  const fans = await createFans(s, 12);
  const ids = [];
  for (const fan of fans) ids.push(assertOk(assert, await book(s, bookingBody(concert, { GA: 1 }), { fan }), 201).id);
  const list = ids.map((i) => `'${i}'`).join(',');

  // The mailer tries, fails, and keeps the emails owed (never marked sent).
  const until = Date.now() + 30000;
  while (await s.psql(`SELECT count(*) FROM outbox WHERE booking_id IN (${list}) AND last_error IS NOT NULL`) !== '12') {
    assert.ok(Date.now() < until, 'the mailer tried every email while the relay was down');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(await s.psql(`SELECT count(*) FROM outbox WHERE booking_id IN (${list}) AND sent_at IS NOT NULL`), '0');

  // Killed, respawned by the master; the relay back: everything owed goes out.
  const [pid] = await mailerPids();
  assert.ok(pid, 'the master runs a mailer');
  process.kill(pid, 'SIGKILL');
  await s.stack('mail-start');
  const msgs = await waitForMail(mailDir(), (all) => ids.every((id) => forBooking(all, id).length > 0), 60000);
  for (const id of ids) {
    const mine = forBooking(msgs, id);
    // At least once; a resend is the same message, recognisable by its Message-ID.
    assert.equal(new Set(mine.map((m) => m.headers['message-id'])).size, 1, id);
  }
  const again = await mailerPids();
  assert.equal(again.length, 1, 'a new mailer');
  assert.notEqual(again[0], pid);
  assert.equal(await s.psql(`SELECT count(*) FROM outbox WHERE booking_id IN (${list}) AND sent_at IS NULL`), '0');
  assert.equal(await s.psql('SELECT count(*) FROM outbox_violations'), '0');
});

test('the mailer never blocks a booking: bookings confirm while the relay is down', async () => {
  await s.stack('mail-stop');
  try {
    const fans = await createFans(s, 5);
    for (const fan of fans) assertOk(assert, await book(s, bookingBody(concert, { GA: 1 }), { fan }), 201);
  } finally {
    await s.stack('mail-start');
  }
  assert.ok((await readMailbox(mailDir())).length > 0);
});
