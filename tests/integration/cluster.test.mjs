// The scaled-out deployment that fails over by itself (issues 7 and 14): deploy/cluster up on
// free loopback ports (pg_auto_failover: a monitor, a primary and two synchronous standbys with
// ANY 1; HAProxy for the app nodes and for the primary's write port; a PgBouncer per app node in
// transaction pooling; two app nodes with 32 booking workers each), then, in order: the
// replication and its passwords, reads and bookings through the load balancer, reads on a
// standby, /metrics, an app node killed during a rush, a rush through PgBouncer (64 booking
// workers over at most 16 server connections), a standby crashed during a rush (sales go on),
// the primary's postmaster alone killed (its keeper restarts it in place), the primary crashed
// (SIGKILL to its postmaster and its keeper) during a rush (promotion by pg_auto_failover,
// nothing typed), the old primary rejoining as a standby, and a second crash that fails over
// again.
// Every rush checks that every client ends with a definite answer and that the confirmed
// bookings on the primary are exactly the ones the clients were told about (201 or 200), with
// no tier oversold. Reads that must see a write go to the primary: the ANY 1 standby that
// acknowledged a commit may not be the one a read lands on, and it replays at its own pace.
// The cluster is sized for a 2-core machine running it under ASan (every process here shares
// those cores): what the PgBouncer test shows is the ratio of workers to server connections,
// which holds at this size; deploy/cluster as shipped runs 96 booking workers per node.
// Waits are on state: deploy/cluster up and start-node return once HAProxy sends requests to
// the node, and the node-loss test reads from HAProxy when it took the node out.
// KEEP_STACK=1 leaves the cluster's directory for a post-mortem.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { cp, mkdir, mkdtemp, readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';

import { REPO, assertError, assertOk, defaultTicketdBin, freePort, httpRequest, metricValue, sleep } from './stack.mjs';
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

// HAProxy's status of one server ('UP', 'DOWN', 'UP 1/2', ...), from its statistics socket.
function lbServerStatus(proxy, server) {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath: c.HAPROXY_STATS, path: '/;csv', timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => {
        const line = body.split('\n').map((l) => l.split(',')).find((f) => f[0] === proxy && f[1] === server);
        if (line) resolve(line[17]);
        else reject(new Error(`HAProxy has no server ${proxy}/${server}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error('HAProxy statistics: no answer in 5 s')));
    req.on('error', reject);
  });
}

// The operators' metrics port is not the public API: conf/openapi.yaml does not describe it.
async function metric(port, name, labels) {
  return (await metricValue(port, `${name}{${labels}}`)) ?? 0;
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
  const oversold = await lb.psql(`SELECT count(*) FROM ticket_tiers t WHERE t.concert_id = '${concert.id}' AND
    (SELECT coalesce(sum(i.quantity), 0) FROM booking_items i JOIN bookings b ON b.id = i.booking_id
      WHERE i.tier_id = t.id AND b.status = 'confirmed') > t.total_quantity`);
  assert.equal(oversold, '0', 'no tier sold beyond its total');
  return { confirmed: inDb.size, told: told.size };
}

// Every request of a rush that did not get a definite answer (503s while the database is away).
const notDefinite = (log) => log.filter((e) => !DEFINITE.has(e.status));

async function primaryNumber() {
  return (await clusterOk('primary')).stdout.trim();
}

// The recovery table of the closing note, printed once at the end.
const table = [];
function row(fault, load, recoverMs, failed, lost, oversold) {
  table.push({ fault, load, recover: recoverMs === null ? '-' : `${(recoverMs / 1000).toFixed(1)} s`, failed, lost, oversold });
}
const BOOK_WORKERS = 32; // per node: 64 over the PgBouncers' 2 x 8 server connections
const BOUNCER_POOL = 8;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ticketd-cluster-'));
  const ports = new Set();
  const port = async () => {
    let p;
    do p = await freePort(); while (ports.has(p));
    ports.add(p);
    return String(p);
  };
  env = { ...process.env, CLUSTER_DIR: dir, TICKETD_BIN: defaultTicketdBin(), SKIP_WEB: '1' };
  for (const v of ['LB_PORT', 'NODE1_PORT', 'NODE2_PORT', 'NODE1_METRICS', 'NODE2_METRICS', 'MONITOR_PORT',
    'PG1_PORT', 'PG2_PORT', 'PG3_PORT', 'WRITE_PORT', 'BOUNCER1_PORT', 'BOUNCER2_PORT']) env[v] = await port();
  Object.assign(env, {
    CLUSTER_POOLER: 'pgbouncer',
    MICROCACHE: 'off', // /metrics counts every listing request ticketd answers
    BOUNCER_POOL_SIZE: String(BOUNCER_POOL),
    RATE_LIMIT: 'off',
    PAYMENT_DECLINE_RATE: '0',
    PAYMENT_LATENCY_MS: '50',
    TICKETD_READ_WORKERS: '3',
    TICKETD_BOOK_WORKERS: String(BOOK_WORKERS),
  });
  const up = await cluster('up');
  if (up.code !== 0) throw new Error(`deploy/cluster up failed (exit ${up.code}):\n${up.stderr}`);
  c = {};
  for (const line of (await readFile(path.join(dir, 'cluster.env'), 'utf8')).split('\n')) {
    const m = /^([A-Z0-9_]+)='(.*)'$/.exec(line);
    if (m) c[m[1]] = m[2];
  }
  // SQL on whichever node is primary (libpq's target_session_attrs=read-write), as a superuser:
  // the application role's connections are what the PgBouncer test counts.
  lb = { port: portOf(c.LB_URL), psql: (sql) => psql(c.PRIMARY_DB_ADMIN_URL, sql) };
  // On the primary before any failover; the standbys replicate them.
  me = await defaultFan(lb);
  fans = await createFans(lb, RUSH_FANS);
});

after(async () => {
  if (table.length) {
    process.stderr.write('# recovery table\n# | fault | load | time to recover | requests failed | bookings lost | oversold |\n' +
      '# | --- | --- | --- | --- | --- | --- |\n' +
      table.map((r) => `# | ${r.fault} | ${r.load} | ${r.recover} | ${r.failed} | ${r.lost} | ${r.oversold} |\n`).join(''));
  }
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

test('synchronous replication: ANY 1 of two streaming standbys, scram-sha-256 everywhere', async () => {
  assert.equal(await psql(c.PRIMARY_ADMIN_URL, 'SHOW synchronous_standby_names'),
    'ANY 1 (pgautofailover_standby_2, pgautofailover_standby_3)');
  assert.equal(await psql(c.PRIMARY_ADMIN_URL,
    "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND sync_state = 'quorum'"), '2');
  assert.equal(await psql(c.PRIMARY_ADMIN_URL, 'SHOW synchronous_commit'), 'on');
  // No password, no connection: not even the application's role gets in without one.
  const noPw = c.PG1_URL.replace(/:[^:@/]+@/, '@');
  await assert.rejects(run('psql', ['-X', '-w', '-At', noPw, '-c', 'SELECT 1'], { env: { ...process.env, PGPASSFILE: '/dev/null' } }));
  for (const n of [1, 2, 3]) {
    const hba = await psql(c[`PG${n}_ADMIN_URL`], "SELECT string_agg(DISTINCT auth_method, ',') FROM pg_hba_file_rules WHERE type = 'host'");
    assert.equal(hba, 'scram-sha-256', `pg${n}: TCP needs a scram-sha-256 password`);
  }
});

test('reads and bookings through the load balancer, on both nodes; nginx sees the client behind HAProxy', async () => {
  const list = assertOk(assert, await httpRequest(lb.port, 'GET', '/api/concerts'));
  assert.ok(list.length >= 1);
  const concert = await addConcert(['VIP:10:100.00']);
  const res = await book(lb, bookingBody(concert, { VIP: 2 }));
  const b = assertOk(assert, res, 201);
  // The lookup goes to the primary: visible at once, whatever the standbys' lag.
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

test('reads: listings run on a standby; a booking is on a standby when it is answered 201', async () => {
  const concert = await addConcert(['GA:50:10.00']);
  const lags = [];
  for (let i = 0; i < 5; i++) {
    const b = assertOk(assert, await book(lb, bookingBody(concert, { GA: 1 })), 201);
    // Synchronous (ANY 1): at least one standby has flushed it by now; replay is its own pace.
    const t0 = performance.now();
    const until = Date.now() + 5000;
    while ((await psql(c.REPLICA_URL, `SELECT count(*) FROM bookings WHERE id = '${b.id}'`)) !== '1') {
      assert.ok(Date.now() < until, 'booking replayed on a standby within 5 s');
      await sleep(2);
    }
    lags.push(performance.now() - t0);
  }
  process.stderr.write(`# standby replay after a 201 (psql polling): ${lags.map((l) => l.toFixed(0)).join(', ')} ms\n`);
  const conns = Number(await psql(c.PRIMARY_ADMIN_URL,
    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ticketd-replica'"));
  assert.equal(conns, 0, 'the read pools do not read on the primary while a standby is up');
  for (let i = 0; i < 10; i++) assert.equal((await httpRequest(lb.port, 'GET', '/api/concerts')).status, 200);
  let onStandbys = 0;
  for (const n of [1, 2, 3]) {
    const u = c[`PG${n}_ADMIN_URL`];
    if ((await psql(u, 'SELECT pg_is_in_recovery()')) !== 't') continue;
    onStandbys += Number(await psql(u, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ticketd-replica'"));
  }
  assert.ok(onStandbys > 0, 'the read pools hold connections on a standby');
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

test('an app node killed (SIGKILL) during a rush: every client definite, no 5xx once HAProxy took it out, nothing lost', async () => {
  const concert = await addConcert(['GA:100000:10.00']);
  assert.equal(await lbServerStatus('ticketd_nodes', 'node2'), 'UP');
  const r = rush(concert, 10);
  await sleep(1000);
  const tStop0 = Date.now();
  await clusterOk('stop-node', '2', '--kill');
  const tStop1 = Date.now();
  // The moment HAProxy took the node out (two failed checks): from then on it sends nothing
  // there, so nothing may fail.
  let tOut = null;
  const until = Date.now() + 30000;
  while (tOut === null && Date.now() < until) {
    if ((await lbServerStatus('ticketd_nodes', 'node2')).startsWith('DOWN')) tOut = Date.now();
    else await sleep(50);
  }
  assert.ok(tOut !== null, 'HAProxy took node 2 out within 30 s');
  r.stop(3000); // the rush goes on 3 s after that
  await r.done;
  const { answers, log } = r;
  const failed = notDefinite(log);
  const lastFail = failed.length ? Math.max(...failed.map((e) => e.t1)) : tStop0;
  process.stderr.write(`# node loss (SIGKILL): stop-node took ${tStop1 - tStop0} ms; HAProxy took the node out ` +
    `${tOut - tStop0} ms after the stop began; ${failed.length} non-definite answer(s) ` +
    `(${[...new Set(failed.map((e) => e.status))]}); last ${Math.max(0, lastFail - tStop0)} ms after the stop began; ${log.length} requests, ${answers.length} clients; ` +
    `longest stretch without a 201: ${longestGap(log, tStop0 - 500)} ms\n`);
  const late = failed.filter((e) => e.t0 > tOut);
  assert.deepEqual(late.map((e) => e.status), [], 'no 5xx once HAProxy took the node out');
  await assertRushBooks(concert, answers, log);
  assert.equal(answers.filter((x) => x.status === 201 || x.status === 200).length, answers.length, 'every client booked (plenty of tickets)');
  assert.ok(log.some((e) => e.t0 > tOut && e.status === 201), 'bookings once HAProxy took the node out');
  row('app node SIGKILL', '10 clients', longestGap(log, tStop0 - 500), failed.length, 0, 0);
  await clusterOk('start-node', '2'); // returns once HAProxy sends node 2 requests again
  assert.equal(await lbServerStatus('ticketd_nodes', 'node2'), 'UP');
});

test('PgBouncer: a rush of 24 clients on 2 x 32 booking workers is served over at most 16 server connections', async () => {
  const concert = await addConcert(['GA:100000:10.00']);
  const pool = 2 * Number(c.BOUNCER_POOL_SIZE);
  // More clients at once than server connections, fewer than workers; few enough that none
  // waits PgBouncer's query_wait_timeout (5 s) for a connection on a loaded 2-core machine
  // (48 did, once, at about 30 bookings/s through the unnamed statements).
  const LANES = 24;
  assert.ok(LANES > pool && LANES <= 2 * BOOK_WORKERS);
  const r = rush(concert, LANES, { capMs: 8000 });
  let maxServer = 0;
  let maxActive = 0;
  const samples = [];
  const sampler = (async () => {
    const until = Date.now() + 8000;
    while (Date.now() < until) {
      const [all, active] = (await psql(c.PRIMARY_ADMIN_URL,
        "SELECT count(*) || ' ' || count(*) FILTER (WHERE state <> 'idle') FROM pg_stat_activity WHERE usename = 'ticketd'")).split(' ').map(Number);
      maxServer = Math.max(maxServer, all);
      maxActive = Math.max(maxActive, active);
      samples.push(all);
      await sleep(100);
    }
  })();
  await Promise.all([r.done, sampler]);
  const { answers, log } = r;
  const workers = 2 * BOOK_WORKERS;
  process.stderr.write(`# PgBouncer (transaction pooling): ${log.length} requests from ${LANES} clients on ${workers} booking workers ` +
    `; server connections of the application role on the primary: at most ${maxServer} ` +
    `(${maxActive} active at once; pool ${pool}; ${samples.length} samples)\n`);
  assert.ok(maxServer <= pool, `server connections ${maxServer} <= ${pool}`);
  assert.ok(maxServer > 0, 'the sampler saw the pool');
  assert.deepEqual(notDefinite(log).map((e) => e.status), [], 'every request definite');
  await assertRushBooks(concert, answers, log);
  assert.ok(log.length > workers, `more bookings (${log.length}) than workers`);
});

test('a standby crashed (SIGKILL) during a rush: sales go on, nothing lost; it catches up again', async () => {
  const concert = await addConcert(['GA:100000:10.00']);
  const primary = await primaryNumber();
  const standby = ['1', '2', '3'].find((n) => n !== primary);
  const r = rush(concert, 8);
  await sleep(1000);
  const tC = Date.now();
  await clusterOk('crash-pg', standby);
  r.stop(5000);
  await r.done;
  const { answers, log } = r;
  const failed = notDefinite(log);
  process.stderr.write(`# standby pg${standby} crashed: ${failed.length} non-definite answer(s); ${log.length} requests; ` +
    `longest stretch without a 201: ${longestGap(log, tC - 500)} ms; synchronous_standby_names now ` +
    `${await psql(c.PRIMARY_ADMIN_URL, 'SHOW synchronous_standby_names')}\n`);
  assert.deepEqual(failed.map((e) => e.status), [], 'no request failed: the other standby acknowledges');
  assert.ok(log.some((e) => e.t0 > tC + 1000 && e.status === 201), 'bookings after the standby was lost');
  const books = await assertRushBooks(concert, answers, log);
  row('standby SIGKILL', '8 clients', longestGap(log, tC - 500), failed.length, books.told - books.confirmed, 0);
  await clusterOk('start-pg', standby);
  await clusterOk('wait-pg', standby, 'secondary', '120');
});

// The primary's whole node crashes during a rush; pg_auto_failover promotes a standby by itself.
// Returns the crashed node's number.
async function primaryCrash(label, command = 'crash-primary', fault = `primary SIGKILL (${label})`) {
  const concert = await addConcert(['GA:3000:10.00']);
  const r = rush(concert, 8, { deadlineMs: 60000, pauseMs: 200, capMs: 90000 });
  await sleep(1500);
  const tC0 = Date.now();
  const crashed = (await clusterOk(command)).stdout.trim();
  const tC1 = Date.now();
  // The rush goes on until bookings have resumed for 3 s (bounded by capMs).
  const until = Date.now() + 60000;
  while (Date.now() < until && !r.log.some((e) => e.status === 201 && e.t0 >= tC1 + 3000)) await sleep(100);
  r.stop(0);
  await r.done;
  const { answers, log } = r;
  const firstAfter = log.filter((e) => e.status === 201 && e.t0 >= tC1).map((e) => e.t1);
  const rto = firstAfter.length ? Math.min(...firstAfter) - tC0 : null;
  const failed = notDefinite(log);
  const promoted = await primaryNumber();
  process.stderr.write(`# ${label}: ${command} hit pg${crashed}; pg${promoted} is the primary after it; ` +
    `time from the crash to the first new 201: ${rto === null ? 'none' : `${rto} ms`}; ${failed.length} non-definite answer(s) ` +
    `(${[...new Set(failed.map((e) => e.status))]}); ${log.length} requests, ${answers.length} clients\n`);
  assert.ok(rto !== null, 'bookings resumed after the crash');
  // The goal is 30 s (measured 17-23 s here, README); the bound asserted is the seed's 60 s, so
  // a slow shared machine does not fail the suite on timing alone.
  assert.ok(rto <= 60000, `time to the first 201 after the crash ${rto} ms <= 60 s`);
  if (command === 'crash-primary') assert.notEqual(promoted, crashed, 'a standby is the primary now');
  const books = await assertRushBooks(concert, answers, log);
  process.stderr.write(`# ${label}: ${books.told} bookings answered 201/200, ${books.confirmed} confirmed on the new primary: ` +
    `${books.told - books.confirmed} lost, 0 oversold\n`);
  row(fault, '8 clients', rto, failed.length, books.told - books.confirmed, 0);
  assertOk(assert, await book(lb, bookingBody(concert, { GA: 1 })), 201);
  return { crashed, promoted };
}

test('the primary\'s postmaster alone SIGKILLed during a rush: its keeper restarts it, bookings resume, 0 lost', async () => {
  const { crashed, promoted } = await primaryCrash('postmaster restart', 'crash-postmaster', 'primary postmaster SIGKILL (keeper alive)');
  // pg_autoctl restarts it in place (crash recovery from its own WAL); should the restart
  // take longer than the monitor's patience, a standby is promoted instead: either is
  // correct, and the formation is whole again before the next test.
  if (promoted !== crashed) await clusterOk('wait-pg', crashed, 'secondary', '150');
  else await clusterOk('wait-pg', crashed, 'primary', '150');
});

test('primary crashed (SIGKILL) during a rush: automatic promotion, bookings resume, 0 lost, 0 oversold; the old primary rejoins', async () => {
  const { crashed } = await primaryCrash('failover');
  const t0 = Date.now();
  await clusterOk('start-pg', crashed);
  await clusterOk('wait-pg', crashed, 'secondary', '150');
  process.stderr.write(`# pg${crashed} rejoined as a standby (pg_rewind) in ${Date.now() - t0} ms\n`);
  assert.equal(await psql(c[`PG${crashed}_ADMIN_URL`], 'SELECT pg_is_in_recovery()'), 't');
  assert.equal(await psql(c.PRIMARY_ADMIN_URL,
    "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND sync_state = 'quorum'"), '2');
});

test('a second crash fails over again; the crashed primary rejoins', async () => {
  const { crashed } = await primaryCrash('failover back');
  await clusterOk('start-pg', crashed);
  await clusterOk('wait-pg', crashed, 'secondary', '150');
});
