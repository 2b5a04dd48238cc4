// What an operator does to a running stack: migrations, deploy/add-concert,
// deploy/check-invariants, deploy/stack status and a restart that keeps the data.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { REPO, assertError, assertOk, startStack } from './stack.mjs';
import { book, bookingBody } from './lib/booking-helpers.mjs';

let s;
before(async () => {
  s = await startStack();
});
after(async () => {
  await s?.destroy();
});

test('every migration file is applied once and recorded in schema_migrations', async () => {
  const files = (await readdir(path.join(REPO, 'sql', 'migrations'))).filter((f) => f.endsWith('.sql')).sort();
  assert.ok(files.length > 0);
  const recorded = (await s.psql('SELECT version FROM schema_migrations ORDER BY version')).split('\n');
  assert.deepEqual(recorded, files);

  const again = await s.script('migrate');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /0 migration\(s\) applied/);
  const status = await s.script('migrate', ['--status']);
  assert.equal(status.code, 0, status.stderr);
  assert.deepEqual(status.stdout.trim().split('\n'), files.map((f) => `applied  ${f}`));
});

test('stack.env describes the running stack', async () => {
  for (const k of ['BASE_URL', 'DATABASE_URL', 'PG_PORT', 'PGDATA', 'TICKETD_PID', 'NGINX_PID',
    'TICKETD_READ_SOCKET', 'TICKETD_BOOK_SOCKET', 'TICKETD_LOG', 'ACCESS_LOG']) {
    assert.ok(s.vars[k], `${k} in stack.env`);
  }
  assert.equal(s.vars.BASE_URL, `http://127.0.0.1:${s.port}`);
  const status = await s.script('stack', ['status']);
  assert.equal(status.code, 0, status.stdout + status.stderr);
  assert.match(status.stdout, /postgresql: running/);
  assert.match(status.stdout, /ticketd: +running/);
  assert.match(status.stdout, /nginx: +running/);
  assert.match(status.stdout, /health: +200/);
});

let addedId;

test('deploy/add-concert creates a concert with its tiers and prints its id', async () => {
  const r = await s.script('add-concert', ['Integration Night', "O'Brien's Hall", '2031-01-02T20:00:00Z',
    'VIP:10:99.99', 'GA:20:5.00']);
  assert.equal(r.code, 0, r.stderr);
  addedId = r.stdout.trim();
  assert.match(addedId, /^[A-Za-z0-9_-]{1,64}$/);

  const list = assertOk(assert, await s.get('/api/concerts'));
  const last = list[list.length - 1];
  assert.equal(last.id, addedId, 'the 2031 concert sorts last');
  assert.equal(last.name, 'Integration Night');
  assert.equal(last.venue, "O'Brien's Hall");
  assert.equal(Date.parse(last.eventDate), Date.parse('2031-01-02T20:00:00Z'));

  const res = await s.get(`/api/concerts/${addedId}/availability`);
  const data = assertOk(assert, res);
  const byName = Object.fromEntries(data.tiers.map((t) => [t.tierName, t]));
  assert.deepEqual(Object.keys(byName).sort(), ['GA', 'VIP']);
  assert.equal(byName.VIP.totalQuantity, 10);
  assert.equal(byName.VIP.availableQuantity, 10);
  assert.equal(byName.GA.totalQuantity, 20);
  assert.match(res.body, /"price":99\.99[,}]/);
  assert.match(res.body, /"price":5\.00[,}]/);
  assert.equal(await s.psql(`SELECT max_tickets_per_fan FROM concerts WHERE id = '${addedId}'`), '10', 'the default limit per fan');
});

test('deploy/add-concert --max-per-fan sets the concert\'s limit per fan; outside 1..100 it is refused and adds nothing', async () => {
  const r = await s.script('add-concert', ['--max-per-fan', '4', 'Small Room', 'Cellar', '2031-02-03T20:00:00Z', 'GA:20:5.00']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  assert.equal(await s.psql(`SELECT max_tickets_per_fan FROM concerts WHERE id = '${id}'`), '4');

  const before = await s.psql('SELECT count(*) FROM concerts');
  for (const bad of ['0', '101', 'ten', '-1', '']) {
    const refused = await s.script('add-concert', ['--max-per-fan', bad, 'X', 'Y', '2031-01-02T20:00:00Z', 'GA:1:1.00']);
    assert.notEqual(refused.code, 0, `--max-per-fan '${bad}'`);
  }
  assert.equal(await s.psql('SELECT count(*) FROM concerts'), before);
});

test('deploy/add-concert refuses a malformed tier or date and adds nothing', async () => {
  const before = await s.psql('SELECT count(*) FROM concerts');
  const badTier = await s.script('add-concert', ['X', 'Y', '2031-01-02T20:00:00Z', 'VIP:ten:1.00']);
  assert.notEqual(badTier.code, 0);
  assert.match(badTier.stderr, /NAME:CAPACITY:PRICE/);
  const badDate = await s.script('add-concert', ['X', 'Y', 'next tuesday', 'VIP:1:1.00']);
  assert.notEqual(badDate.code, 0);
  const noTiers = await s.script('add-concert', ['X', 'Y', '2031-01-02T20:00:00Z']);
  assert.equal(noTiers.code, 2);
  assert.equal(await s.psql('SELECT count(*) FROM concerts'), before);
});

test('deploy/add-concert refuses what the box office refuses, saying why, and adds nothing', async () => {
  const before = await s.psql('SELECT count(*) FROM concerts');
  const cases = [
    [['X', 'Y', '2020-01-02T20:00:00Z', 'GA:1:1.00'], /startsAt: The concert must start in the future/],
    [['X', 'Y', '2031-01-02T20:00:00Z', 'GA:0:1.00'], /tiers\[0\]\.capacity: A new tier has at least one ticket/],
    [['X', 'Y', '2031-01-02T20:00'], /usage|tier/i],
    [['X', 'Y', '2031-01-02T20:00', 'GA:1:1.00'], /has no time zone: add --time-zone/],
    [['--time-zone', 'Mars/Base', 'X', 'Y', '2031-01-02T20:00', 'GA:1:1.00'], /timeZone: Unknown time zone/],
    [['--time-zone', 'EST', 'X', 'Y', '2031-01-02T20:00', 'GA:1:1.00'], /timeZone: Unknown time zone/],
    [['X', 'Y', '2031-01-02T20:00:00Z', 'VIP:1:1.00', 'vip:2:2.00'], /two tiers are named "vip"/],
    [['X', 'Y', '2031-02-30T20:00:00Z', 'GA:1:1.00'], /startsAt is the local time at the venue/],
    [['--max-per-fan', '101', 'X', 'Y', '2031-01-02T20:00:00Z', 'GA:1:1.00'], /maxTicketsPerFan must be a whole number from 1 to 100/],
  ];
  for (const [args, why] of cases) {
    const r = await s.script('add-concert', args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, why, args.join(' '));
  }
  assert.equal(await s.psql('SELECT count(*) FROM concerts'), before);
});

test('deploy/add-concert takes the local time at the venue with --time-zone, and --draft keeps it unlisted', async () => {
  const r = await s.script('add-concert', ['--time-zone', 'America/New_York', 'Fourth of July', 'Pier 17',
    '2031-07-04T20:00', 'GA:10:25.00']);
  assert.equal(r.code, 0, r.stderr);
  const c = assertOk(assert, await s.get(`/api/concerts/${r.stdout.trim()}`));
  assert.equal(c.timeZone, 'America/New_York');
  assert.equal(c.startsAt, '2031-07-04T20:00:00-04:00');
  assert.equal(c.eventDate, '2031-07-05T00:00:00Z');
  assert.equal(c.status, 'published');

  const d = await s.script('add-concert', ['--draft', '--time-zone', 'Europe/Paris', 'Secret Show', 'Cave',
    '2031-12-01T21:00', 'GA:10:25.00']);
  assert.equal(d.code, 0, d.stderr);
  const id = d.stdout.trim();
  assert.equal(await s.psql(`SELECT status || ' ' || iso8601_at(event_date, time_zone) FROM concerts WHERE id = '${id}'`),
    'draft 2031-12-01T21:00:00+01:00');
  assertError(assert, await s.get(`/api/concerts/${id}`), 404, 'CONCERT_NOT_FOUND');
  const listed = assertOk(assert, await s.get('/api/concerts')).map((x) => x.id);
  assert.ok(!listed.includes(id), 'a draft is not listed');
});

test('deploy/check-invariants passes on a consistent database and fails on a broken one', async () => {
  const ok = await s.script('check-invariants');
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /invariant holds/);

  const tier = await s.psql(`SELECT id FROM ticket_tiers WHERE concert_id = '${addedId}' AND tier_name = 'VIP'`);
  await s.psql(`UPDATE tier_buckets SET available = available - 1
                WHERE (tier_id, bucket) = (SELECT tier_id, min(bucket) FROM tier_buckets WHERE tier_id = '${tier}' GROUP BY tier_id)`);
  const broken = await s.script('check-invariants');
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, new RegExp(tier));

  await s.psql(`UPDATE tier_buckets SET available = available + 1
                WHERE (tier_id, bucket) = (SELECT tier_id, min(bucket) FROM tier_buckets WHERE tier_id = '${tier}' GROUP BY tier_id)`);
  assert.equal((await s.script('check-invariants')).code, 0);
});

test('deploy/check-invariants fails when what a fan holds of a concert is not their quota', async () => {
  const c = await s.psql(`SELECT add_concert('Quota Night', 'Q Hall', '2031-03-04T20:00:00Z', ARRAY['GA:10:5.00'], 5)`);
  const tierId = await s.psql(`SELECT id FROM ticket_tiers WHERE concert_id = '${c}'`);
  const concert = { id: c, tiers: { GA: { id: tierId, priceCents: 500 } } };
  const b = assertOk(assert, await book(s, bookingBody(concert, { GA: 2 })), 201);
  const ok = await s.script('check-invariants');
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /fan quota invariant holds/);

  await s.psql(`UPDATE fan_quotas SET booked = booked + 1 WHERE concert_id = '${c}' AND user_id = '${b.userId}'`);
  assert.equal(await s.psql('SELECT count(*) FROM fan_quota_violations'), '1');
  const broken = await s.script('check-invariants');
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /fan quota/);
  assert.match(broken.stderr, new RegExp(b.userId));

  await s.psql(`UPDATE fan_quotas SET booked = booked - 1 WHERE concert_id = '${c}' AND user_id = '${b.userId}'`);
  assert.equal((await s.script('check-invariants')).code, 0);
});

test('deploy/stack start on a running stack restarts it cleanly and keeps the data', async () => {
  const oldPid = s.vars.TICKETD_PID;
  await s.stack('start');
  const status = await s.script('stack', ['status']);
  assert.equal(status.code, 0, status.stdout);
  assert.doesNotMatch(status.stdout, new RegExp(`pid ${oldPid}\\)`));
  assertOk(assert, await s.get(`/api/concerts/${addedId}`));
  assert.equal((await s.get('/health')).status, 200);
});

test('ticketd drains on SIGTERM and its log has no sanitizer report', async () => {
  const reports = await s.stopTicketdAndCollectSanitizerReports();
  assert.deepEqual(reports, []);
});
