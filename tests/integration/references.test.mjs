// What no foreign key checks since 018_hot_parents_unlocked.sql: a booking, a fan's quota, a
// booking's line and a refusal name their concert and tier without locking those rows (every
// booking in flight of a concert used to lock the same two). The references still hold: a
// concert or a tier is never deleted, re-keyed or moved, which binds the tables' owner too;
// book() writes from the concert's row and refuses a tier that is not the concert's; the daemon
// cannot move a booking or a quota; and reference_violations and deploy/check-invariants report
// any reference that is broken anyway.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { assertError, assertOk, pollUntil, startStack } from './stack.mjs';
import {
  addConcert, assertInvariant, book, bookingBody, bookingFallbacks, PsqlSession,
} from './lib/booking-helpers.mjs';
import { createFans } from './lib/fans.mjs';

let s;
before(async () => {
  s = await startStack({ rateLimit: 'off', metrics: true });
});
after(async () => {
  await s?.destroy();
});

// book() called as ticketd calls it after a payment went through (booking_store.c): one line of
// `quantity` tickets of `tier` ({ id, name }) for `cents` in all; prints "outcome|available".
function bookCall(concertId, userId, tier, quantity, cents) {
  const id = `bk_${randomBytes(16).toString('hex')}`;
  return `SELECT outcome || '|' || coalesce(o_available::text, '') FROM book('${randomUUID()}', '${id}', '${concertId}',
    '${userId}', 'test request', 'card', ${cents}, ARRAY['${tier.id}'], ARRAY[${quantity}],
    ARRAY[(SELECT bucket_count FROM ticket_tiers WHERE id = '${tier.id}')], true, 'auth_test', 'req-${id}')`;
}

// The backends that wait for a lock `holder` holds, as pg_stat_activity shows them ('' when none).
const waitingFor = (holder) => `SELECT string_agg(left(query, 60), ' | ') FROM pg_stat_activity
  WHERE ${holder.pid} = ANY (pg_blocking_pids(pid))`;

// Sends a request (HTTP or SQL) and watches the database until it is answered; a backend seen
// waiting for a lock `holder` holds fails the test first (the holder's rollback releases it).
async function answeredWithoutWaiting(observer, holder, request) {
  let answer;
  const sent = request.then((r) => {
    answer = r;
  });
  const seen = await pollUntil(async () => {
    if (answer) return 'answered';
    const waiting = (await observer.run(waitingFor(holder))).out.trim();
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
  const caller = await PsqlSession.open(s);
  try {
    // What an admin's change holds while it runs, and more: FOR UPDATE conflicts with the
    // KEY SHARE lock a foreign key takes on its parent.
    await holder.run('BEGIN');
    assert.equal((await holder.run(`SELECT count(*) FROM (SELECT FROM concerts WHERE id = '${c.id}' FOR UPDATE) x`)).out.trim(), '1');
    assert.equal((await holder.run(`SELECT count(*) FROM (SELECT FROM ticket_tiers WHERE concert_id = '${c.id}' FOR UPDATE) x`)).out.trim(), '2');

    const fallbacksBefore = await bookingFallbacks(s);
    const cases = [
      ['one tier, the one statement', bookingBody(c, { GA: 2 }), 201],
      ['one small tier, book()', bookingBody(c, { SMALL: 1 }), 201],
      ['two tiers, book()', bookingBody(c, { GA: 1, SMALL: 1 }), 201],
      ['a declined payment, its outcome recorded', bookingBody(c, { GA: 1 }, { paymentMethod: 'test_decline' }), 402],
    ];
    for (const [i, [what, body, status]] of cases.entries()) {
      const res = await answeredWithoutWaiting(observer, holder, book(s, body, { fan: fans[i] }));
      if (status === 201) assertOk(assert, res, 201);
      else assertError(assert, res, 402, 'PAYMENT_FAILED');
      assert.ok(res.json.data?.id ?? res.json.error, what);
    }
    assert.equal(await bookingFallbacks(s), fallbacksBefore, 'the one statement confirmed its booking itself');

    // book() refusing for want of tickets names the tier (reject_tier_id): SMALL has 8 left. The
    // check before the payment would turn 9 away, so book() is called as ticketd calls it.
    const refused = await answeredWithoutWaiting(observer, holder, caller.run(bookCall(c.id, fans[3].id, c.tiers.SMALL, 9, 4500)));
    assert.equal(refused.err, '');
    assert.equal(refused.out.trim(), 'rejected|8');
  } finally {
    await holder.run('ROLLBACK');
    await holder.close();
    await observer.close();
    await caller.close();
  }
  assert.equal(await s.psql(`SELECT count(*) FROM bookings WHERE concert_id = '${c.id}' AND status = 'confirmed'`), '3');
  assert.equal(await s.psql(`SELECT reject_tier_id FROM bookings WHERE concert_id = '${c.id}' AND reject_reason = 'inventory'`),
    c.tiers.SMALL.id);
  await assertInvariant(assert, s);
});

test('book() refuses a concert or a tier that is not there, or a tier of another concert, as the keys did, and writes nothing', async (t) => {
  const c = await addConcert(s, ['GA:10:5.00'], 'Checked');
  const other = await addConcert(s, ['GA:10:5.00'], 'Checked too');
  const [fan] = await createFans(s, 1);
  const cases = {
    'a concert that is not there': [bookCall('c_nowhere', fan.id, c.tiers.GA, 1, 500), /ERROR: {2}no concert c_nowhere/],
    'a tier that is not there': [bookCall(c.id, fan.id, { ...c.tiers.GA, id: 't_nowhere' }, 1, 500), /ERROR: {2}a tier of \{t_nowhere\} is not of concert/],
    'a tier of another concert': [bookCall(c.id, fan.id, other.tiers.GA, 1, 500), new RegExp(`ERROR: {2}a tier of \\{${other.tiers.GA.id}\\} is not of concert ${c.id}`)],
  };
  for (const [what, [sql, message]] of Object.entries(cases)) {
    await t.test(what, async () => {
      await assert.rejects(s.psqlApp(sql), (err) => {
        assert.match(err.stderr, message);
        return true;
      });
    });
  }
  assert.equal(await s.psql(`SELECT count(*) FROM bookings WHERE user_id = '${fan.id}'`), '0');
  assert.equal(await s.psql(`SELECT count(*) FROM fan_quotas WHERE user_id = '${fan.id}'`), '0');
  await assertInvariant(assert, s);
});

test('the daemon cannot move a booking or a quota to another concert', async () => {
  const c = await addConcert(s, ['GA:10:5.00'], 'Fixed');
  const other = await addConcert(s, ['GA:10:5.00'], 'Fixed too');
  const [fan] = await createFans(s, 1);
  const b = assertOk(assert, await book(s, bookingBody(c, { GA: 1 }), { fan }), 201);
  await assert.rejects(s.psqlApp(`UPDATE bookings SET concert_id = '${other.id}' WHERE id = '${b.id}'`), (err) => {
    assert.match(err.stderr, /ERROR: {2}a booking's creation \(id, key, fan, concert, created_at, request_id\) is never changed/);
    return true;
  });
  await assert.rejects(s.psqlApp(`UPDATE fan_quotas SET concert_id = '${other.id}' WHERE user_id = '${fan.id}'`), (err) => {
    assert.match(err.stderr, /ERROR: {2}permission denied for table fan_quotas/);
    return true;
  });
  assert.equal(await s.psql(`SELECT concert_id FROM bookings WHERE id = '${b.id}'`), c.id);
  assert.equal(await s.psql(`SELECT concert_id || ' ' || booked FROM fan_quotas WHERE user_id = '${fan.id}'`), `${c.id} 1`);
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

test('deploy/check-invariants fails on a quota, a line or a refusal whose concert or tier is missing or another\'s, and names it', async () => {
  const c = await addConcert(s, ['GA:10:5.00'], 'Referenced');
  const other = await addConcert(s, ['GA:10:5.00'], 'Someone else');
  const [fan] = await createFans(s, 1);
  const b = assertOk(assert, await book(s, bookingBody(c, { GA: 1 }), { fan }), 201);
  await assertInvariant(assert, s);

  const otherTier = other.tiers.GA.id;
  const broken = [
    { what: 'a quota of no concert', key: 'c_nowhere',
      breakIt: `INSERT INTO fan_quotas (concert_id, user_id, booked) VALUES ('c_nowhere', '${fan.id}', 0)`,
      repair: 'DELETE FROM fan_quotas WHERE concert_id = \'c_nowhere\'',
      row: new RegExp(`^fan_quotas\\|c_nowhere ${fan.id}\\|concert c_nowhere$`) },
    { what: 'a line of no tier', key: 't_nowhere',
      breakIt: `INSERT INTO booking_items (booking_id, tier_id, quantity, price_cents) VALUES ('${b.id}', 't_nowhere', 1, 500)`,
      repair: 'DELETE FROM booking_items WHERE tier_id = \'t_nowhere\'',
      row: new RegExp(`^booking_items\\|${b.id} t_nowhere\\|tier t_nowhere$`) },
    { what: 'a line of another concert\'s tier', key: otherTier,
      breakIt: `INSERT INTO booking_items (booking_id, tier_id, quantity, price_cents) VALUES ('${b.id}', '${otherTier}', 1, 500)`,
      repair: `DELETE FROM booking_items WHERE tier_id = '${otherTier}'`,
      row: new RegExp(`^booking_items\\|${b.id} ${otherTier}\\|tier ${otherTier} of concert ${other.id}, not ${c.id}$`) },
    { what: 'a refusal naming no tier', key: 't_gone',
      breakIt: `UPDATE bookings SET reject_tier_id = 't_gone' WHERE id = '${b.id}'`,
      repair: `UPDATE bookings SET reject_tier_id = NULL WHERE id = '${b.id}'`,
      row: new RegExp(`^bookings\\|${b.id}\\|refused for tier t_gone$`) },
  ];
  for (const { what, key, breakIt, repair, row } of broken) {
    await s.psql(breakIt);
    try {
      const rows = await s.psql('SELECT * FROM reference_violations');
      assert.match(rows, row, what);
      const check = await s.script('check-invariants');
      assert.equal(check.code, 1, what);
      assert.match(check.stderr, /invariant broken for 1 reference\(s\)/, what);
      assert.ok(check.stderr.includes(key), `${what}: check-invariants names ${key}`);
    } finally {
      await s.psql(repair);
    }
  }
  const ok = await s.script('check-invariants');
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /references hold/);
});
