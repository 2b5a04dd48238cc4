// The scaled-out deployment (issue 7), short version: deploy/cluster up on free loopback ports
// (PostgreSQL primary + streaming standby, two app nodes, HAProxy), then, in order:
// reads and bookings through the load balancer, replica lag and reads on the replica (and their
// fallback to the primary with the standby stopped), /metrics counters against the requests
// sent, an app node stopped during a rush, the primary stopped and the standby promoted during a
// rush. Every rush checks that every client ends with a definite answer and that the confirmed
// bookings on the primary are exactly the ones the clients were told about.
// KEEP_STACK=1 leaves the cluster's directory for a post-mortem.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';

import { REPO, assertError, assertOk, defaultTicketdBin, freePort, httpRequest, sleep } from './stack.mjs';
import { DEFINITE, book, bookingBody, timedBook } from './lib/booking-helpers.mjs';
import { createFans, defaultFan } from './lib/fans.mjs';

const run = promisify(execFile);

let dir;
let env; // deploy/cluster's environment
let c; // cluster.env
let lb; // { port, psql } for the booking helpers: the load balancer, SQL on the primary
let me; // lb's default fan (book(lb, …) signs in as this fan)
let fans; // the rushes' fans: key i is booked by fans[i % fans.length]
const RUSH_FANS = 500; // a few keys each, far below a concert's limit per fan

async function cluster(...args) {
  try {
    const { stdout, stderr } = await run(path.join(REPO, 'deploy', 'cluster'), args, { env, maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    if (typeof err.code !== 'number') throw err;
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

async function clusterOk(...args) {
  const r = await cluster(...args);
  assert.equal(r.code, 0, `deploy/cluster ${args.join(' ')}:\n${r.stderr}`);
  return r;
}

async function psql(url, sql) {
  const { stdout } = await run('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', url, '-c', sql]);
  return stdout.trim();
}

const portOf = (url) => Number(new URL(url).port);

// The operators' metrics port is not the public API: conf/openapi.yaml does not describe it.
async function metric(port, name, labels) {
  const res = await httpRequest(port, 'GET', '/metrics', { contract: false });
  assert.equal(res.status, 200, `/metrics: ${res.body}`);
  const want = `${name}{${labels}} `;
  const line = res.body.split('\n').find((l) => l.startsWith(want));
  return line ? Number(line.slice(want.length)) : 0;
}

// A fresh concert, added on the primary; polls the load balancer (reads: the replica) until it
// shows up with every tier it was made with, bounded. (Waiting for what the test needs, not for a
// 200: the replica replays at its own pace.)
async function addConcert(tiers) {
  const arr = tiers.map((t) => `'${t}'`).join(',');
  const id = await lb.psql(`SELECT add_concert('Cluster IT', 'IT Venue', '2027-05-01T20:00:00Z', ARRAY[${arr}], 100)`);
  const until = Date.now() + 10000;
  for (;;) {
    const res = await httpRequest(lb.port, 'GET', `/api/concerts/${id}/availability`);
    if (res.status === 200 && res.json.data.tiers.length === tiers.length) {
      const byName = {};
      for (const t of res.json.data.tiers) {
        byName[t.tierName] = { id: t.id, name: t.tierName, priceCents: Math.round(t.price * 100), total: t.totalQuantity };
      }
      return { id, tiers: byName };
    }
    if (Date.now() > until) throw new Error(`concert ${id} not visible through the LB: ${res.status}`);
    await sleep(50);
  }
}

// One client (one fan): the same body (one idempotency key) until a definite answer, bounded.
async function client(body, fan, log, { deadlineMs = 30000, pauseMs = 100 } = {}) {
  const until = Date.now() + deadlineMs;
  for (let i = 0; i < 200 && Date.now() < until; i++) {
    const t0 = Date.now();
    const res = await timedBook(lb, body, { fan });
    log.push({ t0, t1: Date.now(), status: res.status, key: body.idempotencyKey, id: res.json?.data?.id });
    if (DEFINITE.has(res.status)) return res;
    await sleep(pauseMs);
  }
  return { status: 0 };
}

// A rush: `lanes` clients, each booking again and again (a fresh key each time, retried until
// definite) until stop() is called, bounded by capMs. Returns { done, stop, answers, log }.
function rush(concert, lanes, { capMs = 60000, quantity = (i) => 1 + (i % 3), ...opts } = {}) {
  const log = [];
  const answers = [];
  let stopAt = Date.now() + capMs;
  let n = 0;
  const lane = async (l) => {
    await sleep(l * 30);
    while (Date.now() < stopAt) {
      const i = n++;
      answers.push(await client(bookingBody(concert, { GA: quantity(i) }), fans[i % fans.length], log, opts));
    }
  };
  const done = Promise.all(Array.from({ length: lanes }, (_, l) => lane(l)));
  return { done, stop: (afterMs) => { stopAt = Math.min(stopAt, Date.now() + afterMs); }, answers, log };
}

// The longest stretch without a 201 answer between `from` and the last answer: how long
// bookings were unavailable.
function longestGap(log, from) {
  const ok = log.filter((e) => e.status === 201).map((e) => e.t1).sort((x, y) => x - y);
  let prev = from;
  let gap = 0;
  for (const t of ok) {
    if (t < from) continue;
    gap = Math.max(gap, t - prev);
    prev = t;
  }
  return gap;
}

// The rush's books: every client definite (201/200/409), and the primary holds exactly the
// confirmed bookings the clients were told about, with no inventory violation.
async function assertRushBooks(concert, answers, log) {
  const statuses = answers.map((r) => r.status);
  for (const st of statuses) assert.ok([200, 201, 409].includes(st), `a definite answer, got ${st}: ${statuses}`);
  const told = new Set(log.filter((e) => e.status === 201 || e.status === 200).map((e) => e.id));
  const keys = new Set(log.filter((e) => e.status === 201 || e.status === 200).map((e) => e.key));
  assert.equal(told.size, keys.size, 'one booking per idempotency key');
  const rows = await lb.psql(`SELECT id FROM bookings WHERE concert_id = '${concert.id}' AND status = 'confirmed' ORDER BY id`);
  const inDb = new Set(rows === '' ? [] : rows.split('\n'));
  assert.deepEqual([...inDb].sort(), [...told].sort(), 'confirmed on the primary = answered 201/200');
  assert.equal(await lb.psql('SELECT count(*) FROM inventory_violations'), '0');
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ticketd-cluster-'));
  const ports = new Set();
  const port = async () => {
    let p;
    do p = await freePort(); while (ports.has(p));
    ports.add(p);
    return String(p);
  };
  env = {
    ...process.env,
    CLUSTER_DIR: dir,
    LB_PORT: await port(),
    NODE1_PORT: await port(),
    NODE2_PORT: await port(),
    NODE1_METRICS: await port(),
    NODE2_METRICS: await port(),
    PRIMARY_PORT: await port(),
    STANDBY_PORT: await port(),
    TICKETD_BIN: defaultTicketdBin(),
    RATE_LIMIT: 'off',
    PAYMENT_DECLINE_RATE: '0',
    PAYMENT_LATENCY_MS: '10',
    TICKETD_READ_WORKERS: '3',
    TICKETD_BOOK_WORKERS: '8',
  };
  const up = await cluster('up');
  if (up.code !== 0) throw new Error(`deploy/cluster up failed (exit ${up.code}):\n${up.stderr}`);
  c = {};
  for (const line of (await readFile(path.join(dir, 'cluster.env'), 'utf8')).split('\n')) {
    const m = /^([A-Z0-9_]+)='(.*)'$/.exec(line);
    if (m) c[m[1]] = m[2];
  }
  lb = { port: portOf(c.LB_URL), psql: (sql) => psql(c.APP_DATABASE_URL, sql) };
  // On the primary before any failover; the standby replicates them.
  me = await defaultFan(lb);
  fans = await createFans(lb, RUSH_FANS);
});

after(async () => {
  if (!dir) return;
  if (process.env.TEST_LOG_DIR) {
    const dest = path.join(process.env.TEST_LOG_DIR, 'cluster');
    await mkdir(dest, { recursive: true });
    for (const sub of ['log', 'node1/log', 'node2/log', 'pg']) {
      const from = path.join(dir, sub);
      for (const f of await readdir(from).catch(() => [])) {
        if (!/\.log$/.test(f)) continue;
        await cp(path.join(from, f), path.join(dest, `${sub.replace('/', '-')}-${f}`), { dereference: true }).catch(() => {});
      }
    }
  }
  if (process.env.KEEP_STACK) {
    await cluster('down');
    process.stderr.write(`# KEEP_STACK: cluster kept in ${dir}\n`);
    return;
  }
  await cluster('destroy');
});

test('reads and bookings through the load balancer, on both nodes; nginx sees the client behind HAProxy', async () => {
  const list = assertOk(assert, await httpRequest(lb.port, 'GET', '/api/concerts'));
  assert.ok(list.length >= 1);
  const concert = await addConcert(['VIP:10:100.00']);
  const res = await book(lb, bookingBody(concert, { VIP: 2 }));
  const b = assertOk(assert, res, 201);
  // The lookup goes to the primary: visible at once, whatever the replica's lag.
  const got = assertOk(assert, await httpRequest(lb.port, 'GET', `/api/bookings/${b.id}`, { headers: { cookie: me.cookie } }));
  assert.equal(got.status, 'confirmed');
  assert.equal(got.userId, me.id);

  // Round robin: both nodes answer; the client's own address reaches the access log.
  for (let i = 0; i < 4; i++) {
    const r = await httpRequest(lb.port, 'GET', '/api/concerts', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    assert.equal(r.status, 200);
  }
  await sleep(1300); // nginx flushes its access log every second
  for (const n of [1, 2]) {
    const text = await readFile(path.join(c[`NODE${n}_DIR`], 'log', 'access.log'), 'utf8');
    const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.ok(lines.some((e) => e.uri === '/api/concerts' && e.remote_addr === '203.0.113.9'),
      `node ${n} logged the client behind HAProxy`);
  }
});

test('replica: lag measured, reads served by the standby, and by the primary while it is stopped', async () => {
  const concert = await addConcert(['GA:50:10.00']);
  const lags = [];
  for (let i = 0; i < 5; i++) {
    const b = assertOk(assert, await book(lb, bookingBody(concert, { GA: 1 })), 201);
    const t0 = performance.now();
    const until = Date.now() + 5000;
    while ((await psql(c.REPLICA_URL, `SELECT count(*) FROM bookings WHERE id = '${b.id}'`)) !== '1') {
      assert.ok(Date.now() < until, 'booking replicated within 5 s');
      await sleep(2);
    }
    lags.push(performance.now() - t0);
  }
  const p0 = performance.now();
  await psql(c.REPLICA_URL, 'SELECT 1');
  const probeMs = performance.now() - p0;
  // PostgreSQL's own measure: commit on the primary -> replayed on the standby.
  const replay = await psql(c.PRIMARY_ADMIN_URL,
    'SELECT coalesce(round(extract(epoch FROM replay_lag) * 1000, 1)::text, \'0\') FROM pg_stat_replication');
  process.stderr.write(`# replica lag: booking answered 201 -> visible on the standby (psql polling, each probe a new psql): ` +
    `${lags.map((l) => l.toFixed(0)).join(', ')} ms (one probe alone: ${probeMs.toFixed(0)} ms); pg_stat_replication.replay_lag ${replay} ms\n`);

  const replicaConns = Number(await psql(c.STANDBY_ADMIN_URL,
    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ticketd-replica'"));
  assert.ok(replicaConns > 0, 'the read pools hold connections on the standby');
  // pg_stat_activity is live (the statistics views are flushed lazily): the read pools' backends
  // on the standby ran queries after t0.
  const t0 = await psql(c.STANDBY_ADMIN_URL, 'SELECT now()');
  for (let i = 0; i < 10; i++) assert.equal((await httpRequest(lb.port, 'GET', '/api/concerts')).status, 200);
  const busy = Number(await psql(c.STANDBY_ADMIN_URL,
    `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ticketd-replica' AND query_start > '${t0}'`));
  assert.ok(busy > 0, `the listings ran on the standby (${busy} backends)`);

  await clusterOk('stop-standby');
  try {
    // Each read worker notices the lost replica on its next query; after that, 20 reads in a
    // row answer 200 from the primary (bounded: 15 s).
    const until = Date.now() + 15000;
    let streak = 0;
    const seen = [];
    while (streak < 20) {
      assert.ok(Date.now() < until, `20 reads in a row 200 with the standby stopped (seen ${seen.join(',')})`);
      const r = await httpRequest(lb.port, 'GET', `/api/concerts/${concert.id}/availability`);
      seen.push(r.status);
      if (r.status === 200) streak++;
      else {
        assert.equal(r.status, 503, `only 503 (Retry-After) while a worker switches: ${r.body}`);
        streak = 0;
        await sleep(100);
      }
    }
    assert.equal(assertOk(assert, await httpRequest(lb.port, 'GET', `/api/concerts/${concert.id}/availability`)).tiers[0].availableQuantity, 45);
  } finally {
    await clusterOk('start-standby');
  }
});

test('/metrics: only on the operators\' port; concerts.list 200 grows by exactly the requests sent', async () => {
  const node1 = portOf(c.NODE1_URL);
  const mport = portOf(c.METRICS_URL);
  assertError(assert, await httpRequest(node1, 'GET', '/metrics'), 404, 'NOT_FOUND');
  assertError(assert, await httpRequest(lb.port, 'GET', '/metrics'), 404, 'NOT_FOUND');
  assertError(assert, await httpRequest(mport, 'GET', '/api/concerts', { contract: false }), 404, 'NOT_FOUND');

  const label = 'route="concerts.list",status="200"';
  const before = await metric(mport, 'ticketd_requests_total', label);
  const N = 25;
  for (let i = 0; i < N; i++) assert.equal((await httpRequest(node1, 'GET', '/api/concerts')).status, 200);
  assert.equal(await metric(mport, 'ticketd_requests_total', label), before + N);
  const body = (await httpRequest(mport, 'GET', '/metrics', { contract: false })).body;
  for (const name of ['ticketd_request_duration_seconds_bucket', 'ticketd_bookings_total', 'ticketd_workers']) {
    assert.ok(body.includes(name), `${name} in /metrics`);
  }
});

test('an app node killed (SIGKILL) during a rush: every client definite, no 5xx once HAProxy noticed, nothing lost', async () => {
  const concert = await addConcert(['GA:100000:10.00']);
  const r = rush(concert, 10);
  await sleep(1000);
  const tStop0 = Date.now();
  await clusterOk('stop-node', '2', '--kill');
  const tStop1 = Date.now();
  r.stop(5000); // the rush goes on 5 s after the node is gone
  await r.done;
  const { answers, log } = r;
  const failed = log.filter((e) => !DEFINITE.has(e.status));
  const lastFail = failed.length ? Math.max(...failed.map((e) => e.t1)) : tStop0;
  process.stderr.write(`# node loss (SIGKILL): stop-node took ${tStop1 - tStop0} ms; ${failed.length} non-definite answer(s) ` +
    `(${[...new Set(failed.map((e) => e.status))]}); last ${Math.max(0, lastFail - tStop0)} ms after the stop began; ${log.length} requests, ${answers.length} clients; ` +
    `longest stretch without a 201: ${longestGap(log, tStop0 - 500)} ms\n`);
  const late = failed.filter((e) => e.t0 > tStop1 + 3000);
  assert.deepEqual(late.map((e) => e.status), [], 'no 5xx 3 s after the node was down');
  await assertRushBooks(concert, answers, log);
  assert.equal(answers.filter((x) => x.status === 201 || x.status === 200).length, answers.length, 'every client booked (plenty of tickets)');
  assert.ok(log.some((e) => e.t0 > tStop1 + 3000 && e.status === 201), 'bookings 3 s after the node loss');
});

test('primary stopped and standby promoted during a rush: bookings resume within seconds, nothing lost', async () => {
  const concert = await addConcert(['GA:100000:10.00']);
  const r = rush(concert, 8, { deadlineMs: 45000, pauseMs: 200 });
  await sleep(1000);
  const tP0 = Date.now();
  await clusterOk('promote');
  const tP1 = Date.now();
  r.stop(4000); // the rush goes on 4 s after the promotion
  await r.done;
  const { answers, log } = r;
  const firstAfter = log.filter((e) => e.status === 201 && e.t0 >= tP1).map((e) => e.t1);
  const failed = log.filter((e) => !DEFINITE.has(e.status));
  const lastFail = failed.length ? Math.max(...failed.map((e) => e.t1)) : tP0;
  process.stderr.write(`# promotion: promote took ${tP1 - tP0} ms; first 201 begun after it ` +
    `${firstAfter.length ? Math.min(...firstAfter) - tP1 : 'none'} ms later; ${failed.length} non-definite answer(s) ` +
    `(${[...new Set(failed.map((e) => e.status))]}), the last ${Math.max(0, lastFail - tP0)} ms after the primary was stopped; ` +
    `longest stretch without a 201: ${longestGap(log, tP0 - 500)} ms; ${log.length} requests, ${answers.length} clients\n`);
  assert.ok(firstAfter.length > 0, 'bookings resumed after the promotion');
  assert.ok(lastFail - tP0 < 20000, 'no failures 20 s after the failover began');
  assert.equal(await psql(c.REPLICA_URL, 'SELECT pg_is_in_recovery()'), 'f', 'the standby is the primary now');
  await assertRushBooks(concert, answers, log);
  // Bookings through the load balancer work on the new primary.
  assertOk(assert, await book(lb, bookingBody(concert, { GA: 1 })), 201);
});
