// The box office under load (issue 12): capacity raised and lowered while 64 fans book the hot
// tier, a concert cancelled in the middle of a rush, the CSV of 100,000 bookings streamed with
// the worker's memory bounded, and the operators' /metrics (tickets per concert, nginx's 502s).
// No sleeps: every wait is on a condition (a counter, a promise), bounded in time.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { assertError, assertOk, metricValue, pollUntil, sleep, startStack } from './stack.mjs';
import { BOOKING_STATEMENT, PsqlSession, assertInvariant, book, bookingBody, workers } from './lib/booking-helpers.mjs';
import { createFans } from './lib/fans.mjs';
import {
  adminGet, asBookable, bucketState, createConcert, patchConcert, soldByBookings, tierByName,
} from './lib/admin-helpers.mjs';

let s;
let admin;
let metricsPort;

before(async () => {
  s = await startStack({
    rateLimit: 'off',
    metrics: true,
    env: {
      PAYMENT_LATENCY_MS: '5',
      // ASan keeps freed memory in a quarantine (256 MiB by default), so a worker's peak RSS
      // would count every byte it ever allocated; without it the peak is what was live at once.
      ASAN_OPTIONS: 'abort_on_error=0:detect_leaks=1:quarantine_size_mb=0',
    },
  });
  metricsPort = s.metricsPort;
  [admin] = await createFans(s, 1, { role: 'admin', prefix: 'admin' });
});
after(async () => {
  await s?.destroy();
});

// A flag lanes wait on instead of spinning: wait() resolves at the next signal().
function signal() {
  let wake;
  let p = new Promise((r) => { wake = r; });
  return {
    wait: () => p,
    signal() {
      wake();
      p = new Promise((r) => { wake = r; });
    },
  };
}

// Waits until cond() holds, re-checking at every `event` signal; fails after timeoutMs.
async function until(cond, event, what, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out waiting for ${what}`);
    let timer;
    await Promise.race([event.wait(), new Promise((r) => { timer = setTimeout(r, Math.min(left, 1000)); })]);
    clearTimeout(timer);
  }
}

test('64 fans book the hot tier while an admin raises and lowers its capacity: never oversold, every refusal right', async () => {
  const c = await createConcert(s, admin, { tiers: [{ tierName: 'HOT', price: 10, capacity: 40 }] });
  const hot = c.tiers[0];
  const bc = asBookable(c);
  const fans = await createFans(s, 64);
  const progress = signal(); // a 201, or a lane parked on a sold-out tier
  const capacityChanged = signal();
  let ticketsConfirmed = 0;
  let parked = 0;
  let stop = false;
  const statuses = {};

  async function lane(fan, n) {
    for (let i = 0; !stop; i++) {
      const q = 1 + ((n + i) % 2);
      const res = await book(s, bookingBody(bc, { HOT: q }), { fan });
      const key = `${res.status} ${res.json?.error?.code ?? ''}`.trim();
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (res.status === 201) {
        ticketsConfirmed += q;
        progress.signal();
      } else if (res.status === 409 && res.json.error.code === 'INSUFFICIENT_INVENTORY') {
        parked++;
        progress.signal();
        await capacityChanged.wait();
        parked--;
      } else {
        assert.fail(`a booking answered ${res.status}: ${res.body}`);
      }
    }
  }

  const changes = [];
  async function admin_() {
    let capacity = 40;
    for (let i = 0; i < 16; i++) {
      const seen = ticketsConfirmed;
      // Raise; lower to a little above what is sold; or ask for less than is surely sold.
      const kind = ['raise', 'lower', 'raise', 'below'][i % 4];
      const asked = kind === 'raise' ? capacity + 25 : kind === 'lower' ? seen + 3 : Math.max(0, seen - 1);
      if (kind === 'below' && seen === 0) continue;
      const res = await patchConcert(s, admin, c.id, { tiers: [{ id: hot.id, capacity: asked }] });
      changes.push({ kind, asked, seen, res });
      if (res.status === 200) {
        capacity = asked;
        capacityChanged.signal();
      }
      // Let the fans move before the next change: more tickets sold, or every lane waiting.
      const mark = ticketsConfirmed;
      await until(() => ticketsConfirmed >= mark + 3 || parked === fans.length, progress, `sales after change ${i}`);
    }
  }

  const lanes = fans.map((f, n) => lane(f, n));
  try {
    await admin_();
  } finally {
    stop = true;
    capacityChanged.signal();
    await Promise.allSettled(lanes);
  }
  await Promise.all(lanes); // a lane's failure is the test's

  const sold = await soldByBookings(s, hot.id);
  const st = await bucketState(s, hot.id);
  assert.equal(sold, ticketsConfirmed, 'every 201 is a confirmed booking, and nothing else is');
  assert.ok(sold <= st.total, `oversold: ${sold} sold of ${st.total}`);
  assert.equal(st.capacity, st.total);
  assert.equal(st.available, st.total - sold);
  await assertInvariant(assert, s);

  let refusals = 0;
  for (const { kind, asked, seen, res } of changes) {
    if (res.status === 200) {
      const t = res.json.data.tiers[0];
      assert.equal(t.capacity, asked);
      assert.ok(t.sold >= seen && t.sold <= Math.min(asked, sold), `${kind} to ${asked}: sold ${t.sold} (seen ${seen})`);
      assert.equal(t.available, t.capacity - t.sold);
      continue;
    }
    assertError(assert, res, 409, 'CAPACITY_BELOW_SOLD');
    refusals++;
    const d = res.json.error.details;
    assert.equal(d.tierId, hot.id);
    assert.equal(d.capacity, asked);
    assert.ok(d.sold > asked, `refused ${asked} with sold ${d.sold}`);
    assert.ok(d.sold >= seen && d.sold <= sold, `sold ${d.sold} between ${seen} and ${sold}`);
  }
  assert.ok(refusals >= 3, `every "below" change was refused (${refusals} refusals)`);
  assert.equal(changes.filter((x) => x.kind === 'below' && x.res.status === 200).length, 0);
  assert.ok(changes.filter((x) => x.res.status === 200).length >= 8, 'most changes went through');
  console.log(`# capacity rush: ${sold} tickets sold of ${st.total}, ${changes.length} changes, ${refusals} refused; answers ${JSON.stringify(statuses)}`);
});

// The order of locks a booking and a capacity change take: book() held a bucket, then locked
// the tier's row with KEY SHARE (the foreign keys of its line and of a refusal's tier, until
// 018 dropped them: a booking takes no lock on the tier's row now, references.test.mjs); the
// change locks the tier's row, then every bucket. Its lock on the tier's row must still not
// block a KEY SHARE (anything else that points at the tier with a key), or the two would wait
// for each other until PostgreSQL aborts one (a deadlock, a second lost).
test('a capacity change waits for a booking that holds a bucket without deadlocking it', async () => {
  const c = await createConcert(s, admin, { tiers: [{ tierName: 'GA', price: 10, capacity: 50 }] });
  const ga = c.tiers[0];
  const booking = await PsqlSession.open(s);
  const observer = await PsqlSession.open(s);
  try {
    await booking.run('BEGIN');
    await booking.run(`SELECT available FROM tier_buckets WHERE tier_id = '${ga.id}' AND bucket = 0 FOR UPDATE`);
    const patch = patchConcert(s, admin, c.id, { tiers: [{ id: ga.id, capacity: 60 }] });
    const waiting = `SELECT pid || '|' || xact_start FROM pg_stat_activity WHERE pid <> pg_backend_pid()
      AND query LIKE '%update_concert(%' AND wait_event_type = 'Lock'`;
    let admin1 = '';
    for (const deadline = Date.now() + 15000; admin1 === ''; await sleep(20)) {
      admin1 = (await observer.run(waiting)).out.trim();
      assert.ok(Date.now() < deadline, 'the capacity change never waited for the bucket');
    }
    const { out, err } = await booking.run(`SELECT 1 FROM ticket_tiers WHERE id = '${ga.id}' FOR KEY SHARE`);
    assert.equal(err, '', 'the booking is not a deadlock victim');
    assert.equal(out.trim(), '1');
    // Still the change's first transaction, still waiting: it was not the victim either.
    assert.equal((await observer.run(waiting)).out.trim(), admin1);
    await booking.run('COMMIT');
    const d = assertOk(assert, await patch);
    assert.deepEqual([d.tiers[0].capacity, d.tiers[0].available], [60, 60]);
  } finally {
    await booking.close();
    await observer.close();
  }
});

// Polls an SQL condition from `observer` until it prints something, bounded.
const sqlUntil = (observer, sql, what, timeoutMs = 15000) =>
  pollUntil(async () => (await observer.run(sql)).out.trim(), what, timeoutMs);

// Back to draft is refused once a booking is confirmed (CONCERT_HAS_SALES). A booking of another
// tier in flight while the change runs must either commit first (and the change is refused) or
// find the concert a draft: never a draft holding confirmed bookings that its fans cannot see.
// The change is held inside its transaction by a bucket of GA that a session keeps locked.
test('back to draft while a booking of another tier is in flight: the booking or the change, never both', async () => {
  const c = await createConcert(s, admin);
  const ga = tierByName(c, 'GA');
  const [fan] = await createFans(s, 1);
  const holder = await PsqlSession.open(s);
  const observer = await PsqlSession.open(s);
  try {
    await holder.run('BEGIN');
    await holder.run(`SELECT 1 FROM tier_buckets WHERE tier_id = '${ga.id}' FOR UPDATE`);
    const patch = patchConcert(s, admin, c.id, { status: 'draft', tiers: [{ id: ga.id, capacity: 50 }] });
    await sqlUntil(observer, `SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid()
      AND query LIKE '%update_concert(%' AND wait_event_type = 'Lock'`, 'the change to wait for the bucket');
    let answered = false;
    const booking = book(s, bookingBody(asBookable(c), { VIP: 1 }), { fan });
    booking.then(() => { answered = true; }, () => { answered = true; });
    // The booking answers, or waits for the change.
    for (const deadline = Date.now() + 15000; !answered; await sleep(20)) {
      const waits = (await observer.run(`SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid()
        AND ${BOOKING_STATEMENT} AND wait_event_type = 'Lock'`)).out.trim();
      if (waits !== '') break;
      assert.ok(Date.now() < deadline, 'the booking neither answered nor waited');
    }
    await holder.run('ROLLBACK');
    const [p, b] = await Promise.all([patch, booking]);

    const status = await s.psql(`SELECT status FROM concerts WHERE id = '${c.id}'`);
    const confirmed = Number(await s.psql(`SELECT count(*) FROM bookings WHERE concert_id = '${c.id}' AND status = 'confirmed'`));
    if (b.status === 201) {
      assertError(assert, p, 409, 'CONCERT_HAS_SALES');
      assert.equal(status, 'published');
      assert.equal(confirmed, 1);
    } else {
      assertError(assert, b, 409, 'SALES_CLOSED');
      assert.equal(assertOk(assert, p).status, 'draft');
      assert.equal(confirmed, 0);
    }
    await assertInvariant(assert, s);
  } finally {
    await holder.close();
    await observer.close();
  }
});

test('an admin cancels a concert in the middle of a rush: no confirmed booking remains, nothing is sold', async () => {
  const c = await createConcert(s, admin, { tiers: [{ tierName: 'HOT', price: 10, capacity: 5000 }] });
  const hot = c.tiers[0];
  const bc = asBookable(c);
  const fans = await createFans(s, 64);
  const progress = signal();
  let confirmed = 0;
  let cancelledAt = Infinity;
  const booked = [];
  const lateConfirmations = [];

  async function lane(fan) {
    for (;;) {
      const sentAt = performance.now();
      const res = await book(s, bookingBody(bc, { HOT: 1 }), { fan });
      if (res.status === 201) {
        booked.push(res.json.data.id);
        confirmed++;
        if (sentAt > cancelledAt) lateConfirmations.push(res.json.data.id);
        progress.signal();
        continue;
      }
      assertError(assert, res, 409, 'SALES_CLOSED');
      // One that raced the cancellation was checked while the concert was still published.
      if (sentAt > cancelledAt) assert.equal(res.json.error.details.concertStatus, 'cancelled');
      return;
    }
  }

  const lanes = fans.map((f) => lane(f));
  const lanesDone = Promise.allSettled(lanes);
  await until(() => confirmed >= 64, progress, '64 confirmed bookings');
  const reason = 'Headliner cancelled';
  const res = await patchConcert(s, admin, c.id, { status: 'cancelled', cancelReason: reason });
  cancelledAt = performance.now();
  assert.equal(assertOk(assert, res).status, 'cancelled');
  await lanesDone;
  await Promise.all(lanes);

  assert.deepEqual(lateConfirmations, [], 'no booking sent after the cancellation was confirmed');
  assert.equal(await s.psql(`SELECT count(*) FROM bookings WHERE concert_id = '${c.id}' AND status = 'confirmed'`), '0');
  assert.equal(await soldByBookings(s, hot.id), 0);
  const st = await bucketState(s, hot.id);
  assert.equal(st.available, st.capacity, 'every ticket back');
  assert.equal(await s.psql(`SELECT coalesce(sum(booked), 0) FROM fan_quotas WHERE concert_id = '${c.id}'`), '0');
  // Every booking a fan was told about is cancelled, with the admin and the reason.
  const events = Number(await s.psql(`SELECT count(*) FROM booking_events e JOIN bookings b ON b.id = e.booking_id
    WHERE b.concert_id = '${c.id}' AND e.to_status = 'cancelled' AND e.actor_id = '${admin.id}' AND e.reason = '${reason}'`));
  assert.equal(events, booked.length);
  assert.equal(Number(await s.psql(`SELECT count(*) FROM bookings WHERE concert_id = '${c.id}' AND status = 'cancelled'`)), booked.length);
  const sales = assertOk(assert, await adminGet(s, admin, `/api/admin/concerts/${c.id}/sales`));
  assert.equal(sales.totals.sold, 0);
  assert.equal(sales.outcomes.confirmed, 0);
  assert.equal(sales.outcomes.cancelled, booked.length);
  await assertInvariant(assert, s);
  console.log(`# cancel during a rush: ${booked.length} bookings confirmed then cancelled`);
});

// --- the CSV of 100,000 bookings ---------------------------------------------------------------

const vmHwmKiB = async (pid) => {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(text)[1]);
};

test('the CSV of 100,000 bookings streams through nginx with the read worker\'s peak memory bounded', async () => {
  const N = 100000;
  const t00 = performance.now();
  const c = await createConcert(s, admin, { tiers: [{ tierName: 'GA', price: 10, capacity: N }] });
  const ga = c.tiers[0];
  // 1,000 fans with 100 one-ticket bookings each, straight in SQL, consistent with the counters
  // (sold out) and the fans' quotas, so the invariants still hold.
  await s.psql(`
    INSERT INTO users (id, email, name, password_hash)
      SELECT 'u_' || md5('csv' || g), 'csv-' || g || '@example.com', 'CSV Fan ' || g, '!'
      FROM generate_series(0, 999) g;
    INSERT INTO bookings (id, idempotency_key, concert_id, user_id, status, total_cents, payment_method, request, created_at, updated_at)
      SELECT 'bk_' || md5('csvb' || g), gen_random_uuid(), '${c.id}', 'u_' || md5('csv' || (g % 1000)), 'confirmed', 1000,
             'card', '{}', now() - (${N} - g) * interval '1 millisecond', now()
      FROM generate_series(1, ${N}) g;
    INSERT INTO booking_items (booking_id, tier_id, quantity, price_cents)
      SELECT 'bk_' || md5('csvb' || g), '${ga.id}', 1, 1000 FROM generate_series(1, ${N}) g;
    INSERT INTO fan_quotas (concert_id, user_id, booked)
      SELECT '${c.id}', 'u_' || md5('csv' || g), 100 FROM generate_series(0, 999) g;
    UPDATE tier_buckets SET available = 0 WHERE tier_id = '${ga.id}';
    ANALYZE bookings; ANALYZE booking_items`);
  const inserted = performance.now();
  await assertInvariant(assert, s);
  console.log(`# CSV fixture: ${N} bookings inserted in ${Math.round(inserted - t00)} ms, invariants checked in ${Math.round(performance.now() - inserted)} ms`);

  const { read } = await workers(s);
  assert.ok(read.length > 0, 'read workers');
  const before = new Map();
  for (const pid of read) before.set(pid, await vmHwmKiB(pid));

  const t0 = performance.now();
  const res = await adminGet(s, admin, `/api/admin/concerts/${c.id}/bookings.csv`);
  const ms = performance.now() - t0;
  assert.equal(res.status, 200);
  const lines = res.body.split('\n');
  assert.equal(lines.pop(), '');
  assert.equal(lines.length, N + 1, 'the header and a line per booking');
  assert.ok(!res.body.includes('# export incomplete'), 'the export completed');
  assert.equal(new Set(lines.slice(1).map((l) => l.slice(0, 40))).size, N, 'no booking twice');
  assert.equal(lines[1].split(',')[0], `"bk_${await s.psql("SELECT md5('csvb1')")}"`, 'oldest first');

  let worst = { pid: 0, grew: -1, peak: 0 };
  for (const pid of read) {
    const after_ = await vmHwmKiB(pid).catch(() => 0);
    const grew = after_ - (before.get(pid) ?? 0);
    if (grew > worst.grew) worst = { pid, grew, peak: after_ };
  }
  const csvMiB = res.raw.length / 1048576;
  console.log(`# CSV of ${N} bookings: ${csvMiB.toFixed(1)} MiB in ${Math.round(ms)} ms; read worker ${worst.pid} ` +
    `peak RSS (VmHWM) ${(worst.peak / 1024).toFixed(1)} MiB, grew ${(worst.grew / 1024).toFixed(1)} MiB during the download`);
  assert.ok(worst.peak < 64 * 1024, `peak RSS ${worst.peak} KiB < 64 MiB`);
  // Holding the file would take at least its size: the worker grew by far less.
  assert.ok(worst.grew < (res.raw.length / 1024) / 2, `grew ${worst.grew} KiB for a ${Math.round(res.raw.length / 1024)} KiB file`);
});

// --- /metrics on the operators' port -----------------------------------------------------------

const metric = (name, labels) => metricValue(metricsPort, `${name}{${labels}}`);

test('/metrics: tickets sold and available per published concert; a draft has no gauge', async () => {
  const c = await createConcert(s, admin);
  const draft = await createConcert(s, admin, { status: 'draft' });
  const [fan] = await createFans(s, 1);
  assertOk(assert, await book(s, bookingBody(asBookable(c), { VIP: 2, GA: 5 }), { fan }), 201);
  assert.equal(await metric('ticketd_concert_tickets_sold', `concert="${c.id}"`), 7);
  assert.equal(await metric('ticketd_concert_tickets_available', `concert="${c.id}"`), 53);
  assert.equal(await metric('ticketd_concert_tickets_sold', `concert="${draft.id}"`), undefined);
});

test('/metrics counts the 502s nginx answered while ticketd was down; ticketd stops with no sanitizer report', async () => {
  const before = await metric('ticketd_nginx_gateway_errors_total', 'status="502"');
  assert.equal(typeof before, 'number');
  const reports = await s.stopTicketdAndCollectSanitizerReports();
  for (let i = 0; i < 3; i++) assertError(assert, await s.get('/api/concerts', { fan: null }), 502, 'SERVICE_UNAVAILABLE');
  await s.stack('ticketd-start');
  assert.equal(await metric('ticketd_nginx_gateway_errors_total', 'status="502"'), before + 3);
  assert.deepEqual(reports, []);
});
