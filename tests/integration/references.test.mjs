// What no foreign key checks since 018_hot_parents_unlocked.sql: a booking, a fan's quota and a
// booking's line name their concert and tier without locking those rows (every booking in
// flight of a concert used to lock the same two), and the references still hold because a
// concert or a tier is never deleted, re-keyed or moved, which binds the tables' owner too,
// while reference_violations and deploy/check-invariants report any that does not.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertError, assertOk, pollUntil, startStack } from './stack.mjs';
import { addConcert, assertInvariant, book, bookingBody, PsqlSession } from './lib/booking-helpers.mjs';
import { createFans } from './lib/fans.mjs';

let s;
before(async () => {
  s = await startStack({ rateLimit: 'off' });
});
after(async () => {
  await s?.destroy();
});

// A ticketd backend waiting for a lock, as pg_stat_activity shows it ('' when none is).
const LOCK_WAITS = `SELECT string_agg(left(query, 60), ' | ') FROM pg_stat_activity
  WHERE application_name LIKE 'ticketd%' AND wait_event_type = 'Lock'`;

// Sends a request and watches the database until it is answered; a ticketd backend seen waiting
// for a lock first fails the test (the waiter is released by the caller's rollback).
async function answeredWithoutWaiting(observer, request) {
  let answer;
  const sent = request.then((r) => {
    answer = r;
  });
  const seen = await pollUntil(async () => {
    if (answer) return 'answered';
    const waiting = (await observer.run(LOCK_WAITS)).out.trim();
    return waiting === '' ? '' : `waited: ${waiting}`;
  }, 'the booking to be answered or to wait');
  assert.equal(seen, 'answered', 'the booking waited for a lock on its concert or its tier');
  await sent;
  return answer;
}

test('a booking waits for no lock on its concert\'s row or its tiers\' rows', async () => {
  // GA's 20 buckets take the one statement (017), SMALL's one bucket and two tiers take book().
  const c = await addConcert(s, ['GA:2000:10.00', 'SMALL:10:5.00'], 'Unlocked parents');
  const fans = await createFans(s, 4);
  const holder = await PsqlSession.open(s);
  const observer = await PsqlSession.open(s);
  try {
    // What an admin's change holds while it runs, and more: FOR UPDATE conflicts with the
    // KEY SHARE lock a foreign key takes on its parent.
    await holder.run('BEGIN');
    assert.equal((await holder.run(`SELECT count(*) FROM (SELECT FROM concerts WHERE id = '${c.id}' FOR UPDATE) x`)).out.trim(), '1');
    assert.equal((await holder.run(`SELECT count(*) FROM (SELECT FROM ticket_tiers WHERE concert_id = '${c.id}' FOR UPDATE) x`)).out.trim(), '2');

    const cases = [
      ['one tier, the one statement', bookingBody(c, { GA: 2 }), 201],
      ['one small tier, book()', bookingBody(c, { SMALL: 1 }), 201],
      ['two tiers, book()', bookingBody(c, { GA: 1, SMALL: 1 }), 201],
      ['a declined payment, its outcome recorded', bookingBody(c, { GA: 1 }, { paymentMethod: 'test_decline' }), 402],
    ];
    for (const [i, [what, body, status]] of cases.entries()) {
      const res = await answeredWithoutWaiting(observer, book(s, body, { fan: fans[i] }));
      if (status === 201) assertOk(assert, res, 201);
      else assertError(assert, res, 402, 'PAYMENT_FAILED');
      assert.ok(res.json.data?.id ?? res.json.error, what);
    }
  } finally {
    await holder.run('ROLLBACK');
    await holder.close();
    await observer.close();
  }
  assert.equal(await s.psql(`SELECT count(*) FROM bookings WHERE concert_id = '${c.id}' AND status = 'confirmed'`), '3');
  await assertInvariant(assert, s);
});

test('a concert or a tier is never deleted, given another id or moved, even by the tables\' owner', async (t) => {
  const c = await addConcert(s, ['GA:10:5.00'], 'Kept');
  const other = await addConcert(s, ['GA:10:5.00'], 'Kept too');
  const tier = c.tiers.GA.id;
  const refused = {
    'a concert deleted': `DELETE FROM concerts WHERE id = '${c.id}'`,
    'every concert truncated': 'TRUNCATE concerts CASCADE',
    'a concert given another id': `UPDATE concerts SET id = 'c_renamed' WHERE id = '${c.id}'`,
    'a tier deleted': `DELETE FROM ticket_tiers WHERE id = '${tier}'`,
    'every tier truncated': 'TRUNCATE ticket_tiers CASCADE',
    'a tier given another id': `UPDATE ticket_tiers SET id = 't_renamed' WHERE id = '${tier}'`,
    'a tier moved to another concert': `UPDATE ticket_tiers SET concert_id = '${other.id}' WHERE id = '${tier}'`,
  };
  for (const [what, sql] of Object.entries(refused)) {
    await t.test(what, async () => {
      await assert.rejects(s.psql(sql), (err) => {
        assert.match(err.stderr, /ERROR: {2}(concerts|ticket_tiers) rows are never deleted, given another id or moved to another concert/);
        return true;
      });
    });
  }
  // Everything else about them still changes (the box office's edits).
  await s.psql(`UPDATE concerts SET name = 'Kept, renamed' WHERE id = '${c.id}'`);
  await s.psql(`UPDATE ticket_tiers SET tier_name = 'General' WHERE id = '${tier}'`);
  assert.equal(await s.psql(`SELECT name FROM concerts WHERE id = '${c.id}'`), 'Kept, renamed');
  assert.equal(await s.psql(`SELECT concert_id || ' ' || tier_name FROM ticket_tiers WHERE id = '${tier}'`), `${c.id} General`);
  assert.equal(await s.psql('SELECT count(*) FROM concerts WHERE id = \'c_renamed\''), '0');
});

test('deploy/check-invariants fails on a quota or a line whose concert or tier is missing or another\'s, and names it', async () => {
  const c = await addConcert(s, ['GA:10:5.00'], 'Referenced');
  const other = await addConcert(s, ['GA:10:5.00'], 'Someone else');
  const [fan] = await createFans(s, 1);
  const b = assertOk(assert, await book(s, bookingBody(c, { GA: 1 }), { fan }), 201);
  await assertInvariant(assert, s);

  const broken = [
    ['a quota of no concert', `INSERT INTO fan_quotas (concert_id, user_id, booked) VALUES ('c_nowhere', '${fan.id}', 0)`,
      `DELETE FROM fan_quotas WHERE concert_id = 'c_nowhere'`, /fan_quotas\|c_nowhere \S+\|concert c_nowhere/],
    ['a line of no tier', `INSERT INTO booking_items (booking_id, tier_id, quantity, price_cents) VALUES ('${b.id}', 't_nowhere', 1, 500)`,
      `DELETE FROM booking_items WHERE tier_id = 't_nowhere'`, new RegExp(`booking_items\\|${b.id} t_nowhere\\|tier t_nowhere$`)],
    ['a line of another concert\'s tier',
      `INSERT INTO booking_items (booking_id, tier_id, quantity, price_cents) VALUES ('${b.id}', '${other.tiers.GA.id}', 1, 500)`,
      `DELETE FROM booking_items WHERE tier_id = '${other.tiers.GA.id}'`,
      new RegExp(`booking_items\\|${b.id} ${other.tiers.GA.id}\\|tier ${other.tiers.GA.id} of concert ${other.id}, not ${c.id}`)],
  ];
  for (const [what, breakIt, repair, row] of broken) {
    await s.psql(breakIt);
    try {
      const rows = await s.psql('SELECT * FROM reference_violations');
      assert.match(rows, row, what);
      assert.equal(rows.split('\n').length, 1, what);
      const check = await s.script('check-invariants');
      assert.equal(check.code, 1, what);
      assert.match(check.stderr, /invariant broken for 1 reference\(s\)/, what);
    } finally {
      await s.psql(repair);
    }
  }
  const ok = await s.script('check-invariants');
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /references hold/);
});
