// A deploy/cluster for a test file (cluster.test.mjs, cluster-direct.test.mjs): clusterSuite()
// registers the before hook that brings it up on free loopback ports and the after hook that
// prints the recovery table, keeps its logs and destroys it, and returns the helpers the tests
// share. What before() learns (the cluster's env, the load balancer, the fans) is on the
// returned object once the hook has run.
// Every rush checks that every client ends with a definite answer and that the confirmed
// bookings on the primary are exactly the ones the clients were told about (201 or 200), with
// no tier oversold. Reads that must see a write go to the primary: the ANY 1 standby that
// acknowledged a commit may not be the one a read lands on, and it replays at its own pace.
// KEEP_STACK=1 leaves the cluster's directory for a post-mortem.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { cp, mkdir, mkdtemp, readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { promisify } from 'node:util';

import { REPO, assertOk, defaultTicketdBin, freePorts, httpRequest, metricValue, sleep } from '../stack.mjs';
import { DEFINITE, book, bookingBody, timedBook } from './booking-helpers.mjs';
import { createFans, defaultFan } from './fans.mjs';

export const run = promisify(execFile);

export async function psql(url, sql) {
  const { stdout } = await run('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', url, '-c', sql]);
  return stdout.trim();
}

export const portOf = (url) => Number(new URL(url).port);

// The operators' metrics port is not the public API: conf/openapi.yaml does not describe it.
export async function metric(port, name, labels) {
  return (await metricValue(port, labels ? `${name}{${labels}}` : name)) ?? 0;
}

// Every request of a rush that did not get a definite answer (503s while the database is away).
export const notDefinite = (log) => log.filter((e) => !DEFINITE.has(e.status));

// The longest stretch without a 201 answer between `from` and the last answer: how long
// bookings were unavailable.
export function longestGap(log, from) {
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

const RUSH_FANS = 500; // a few keys each, far below a concert's limit per fan

// name: what the cluster's logs are called under TEST_LOG_DIR. settings: deploy/cluster's
// variables (CLUSTER_POOLER, TICKETD_BOOK_WORKERS, ...), over the ones every test cluster has.
// onUp(k), if given, runs at the end of the before hook: a file's own before hook would not
// wait for this one (node 20 starts them together).
export function clusterSuite(name, settings, onUp = () => {}) {
  const k = {
    dir: null,
    env: null, // deploy/cluster's environment
    c: null, // cluster.env
    lb: null, // { port, psql } for the booking helpers: the load balancer, SQL on the primary
    me: null, // lb's default fan (book(lb, …) signs in as this fan)
    fans: null, // the rushes' fans: key i is booked by fans[i % fans.length]
  };
  const table = [];

  k.cluster = async (...args) => {
    try {
      const { stdout, stderr } = await run(path.join(REPO, 'deploy', 'cluster'), args, { env: k.env, maxBuffer: 1 << 24 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      if (typeof err.code !== 'number') throw err;
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };

  k.clusterOk = async (...args) => {
    const r = await k.cluster(...args);
    assert.equal(r.code, 0, `deploy/cluster ${args.join(' ')}:\n${r.stderr}`);
    return r;
  };

  k.primaryNumber = async () => (await k.clusterOk('primary')).stdout.trim();

  // HAProxy's status of one server ('UP', 'DOWN', 'UP 1/2', ...), from its statistics socket.
  k.lbServerStatus = (proxy, server) => new Promise((resolve, reject) => {
    const req = http.get({ socketPath: k.c.HAPROXY_STATS, path: '/;csv', timeout: 5000 }, (res) => {
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

  // A fresh concert, added on the primary; polls the load balancer (reads: the replica) until it
  // shows up with every tier it was made with, bounded. (Waiting for what the test needs, not for
  // a 200: the replica replays at its own pace.)
  k.addConcert = async (tiers) => {
    const arr = tiers.map((t) => `'${t}'`).join(',');
    const id = await k.lb.psql(`SELECT add_concert('Cluster IT', 'IT Venue', '2027-05-01T20:00:00Z', ARRAY[${arr}], 100)`);
    const until = Date.now() + 10000;
    for (;;) {
      const res = await httpRequest(k.lb.port, 'GET', `/api/concerts/${id}/availability`);
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
  };

  // One client (one fan): the same body (one idempotency key) until a definite answer, bounded.
  async function client(body, fan, log, { deadlineMs = 30000, pauseMs = 100 } = {}) {
    const until = Date.now() + deadlineMs;
    for (let i = 0; i < 200 && Date.now() < until; i++) {
      const t0 = Date.now();
      const res = await timedBook(k.lb, body, { fan });
      log.push({ t0, t1: Date.now(), status: res.status, key: body.idempotencyKey, id: res.json?.data?.id });
      if (DEFINITE.has(res.status)) return res;
      await sleep(pauseMs);
    }
    return { status: 0 };
  }

  // A rush: `lanes` clients, each booking again and again (a fresh key each time, retried until
  // definite) until stop() is called, bounded by capMs. Returns { done, stop, answers, log }.
  k.rush = (concert, lanes, { capMs = 60000, quantity = (i) => 1 + (i % 3), ...opts } = {}) => {
    const log = [];
    const answers = [];
    let stopAt = Date.now() + capMs;
    let n = 0;
    const lane = async (l) => {
      await sleep(l * 30);
      while (Date.now() < stopAt) {
        const i = n++;
        answers.push(await client(bookingBody(concert, { GA: quantity(i) }), k.fans[i % k.fans.length], log, opts));
      }
    };
    const done = Promise.all(Array.from({ length: lanes }, (_, l) => lane(l)));
    return { done, stop: (afterMs) => { stopAt = Math.min(stopAt, Date.now() + afterMs); }, answers, log };
  };

  // The rush's books: every client definite (201/200/409), and the primary holds exactly the
  // confirmed bookings the clients were told about, with no inventory violation.
  k.assertRushBooks = async (concert, answers, log) => {
    const statuses = answers.map((r) => r.status);
    for (const st of statuses) assert.ok([200, 201, 409].includes(st), `a definite answer, got ${st}: ${statuses}`);
    const told = new Set(log.filter((e) => e.status === 201 || e.status === 200).map((e) => e.id));
    const keys = new Set(log.filter((e) => e.status === 201 || e.status === 200).map((e) => e.key));
    assert.equal(told.size, keys.size, 'one booking per idempotency key');
    const rows = await k.lb.psql(`SELECT id FROM bookings WHERE concert_id = '${concert.id}' AND status = 'confirmed' ORDER BY id`);
    const inDb = new Set(rows === '' ? [] : rows.split('\n'));
    assert.deepEqual([...inDb].sort(), [...told].sort(), 'confirmed on the primary = answered 201/200');
    assert.equal(await k.lb.psql('SELECT count(*) FROM inventory_violations'), '0');
    const oversold = await k.lb.psql(`SELECT count(*) FROM ticket_tiers t WHERE t.concert_id = '${concert.id}' AND
      (SELECT coalesce(sum(i.quantity), 0) FROM booking_items i JOIN bookings b ON b.id = i.booking_id
        WHERE i.tier_id = t.id AND b.status = 'confirmed') > t.total_quantity`);
    assert.equal(oversold, '0', 'no tier sold beyond its total');
    return { confirmed: inDb.size, told: told.size };
  };

  // A line of the recovery table of the closing note, printed once at the end.
  k.row = (fault, load, recoverMs, failed, lost, oversold) => {
    table.push({ fault, load, recover: recoverMs === null ? '-' : `${(recoverMs / 1000).toFixed(1)} s`, failed, lost, oversold });
  };

  // The primary's whole node crashes during a rush; pg_auto_failover promotes a standby by itself.
  // Returns the crashed node's number and the primary's after it.
  k.primaryCrash = async (label, command = 'crash-primary', fault = `primary SIGKILL (${label})`) => {
    const concert = await k.addConcert(['GA:3000:10.00']);
    const r = k.rush(concert, 8, { deadlineMs: 60000, pauseMs: 200, capMs: 90000 });
    await sleep(1500);
    const tC0 = Date.now();
    const crashed = (await k.clusterOk(command)).stdout.trim();
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
    const promoted = await k.primaryNumber();
    process.stderr.write(`# ${label}: ${command} hit pg${crashed}; pg${promoted} is the primary after it; ` +
      `time from the crash to the first new 201: ${rto === null ? 'none' : `${rto} ms`}; ${failed.length} non-definite answer(s) ` +
      `(${[...new Set(failed.map((e) => e.status))]}); ${log.length} requests, ${answers.length} clients\n`);
    assert.ok(rto !== null, 'bookings resumed after the crash');
    // The goal is 30 s (measured 17-23 s here, README); the bound asserted is the seed's 60 s, so
    // a slow shared machine does not fail the suite on timing alone.
    assert.ok(rto <= 60000, `time to the first 201 after the crash ${rto} ms <= 60 s`);
    if (command === 'crash-primary') assert.notEqual(promoted, crashed, 'a standby is the primary now');
    const books = await k.assertRushBooks(concert, answers, log);
    process.stderr.write(`# ${label}: ${books.told} bookings answered 201/200, ${books.confirmed} confirmed on the new primary: ` +
      `${books.told - books.confirmed} lost, 0 oversold\n`);
    k.row(fault, '8 clients', rto, failed.length, books.told - books.confirmed, 0);
    assertOk(assert, await book(k.lb, bookingBody(concert, { GA: 1 })), 201);
    return { crashed, promoted };
  };

  before(async () => {
    k.dir = await mkdtemp(path.join(os.tmpdir(), 'ticketd-cluster-'));
    k.env = { ...process.env, CLUSTER_DIR: k.dir, TICKETD_BIN: defaultTicketdBin(), SKIP_WEB: '1' };
    const portVars = ['LB_PORT', 'NODE1_PORT', 'NODE2_PORT', 'NODE1_METRICS', 'NODE2_METRICS', 'MONITOR_PORT',
      'PG1_PORT', 'PG2_PORT', 'PG3_PORT', 'WRITE_PORT', 'BOUNCER1_PORT', 'BOUNCER2_PORT'];
    const ports = await freePorts(portVars.length);
    portVars.forEach((v, i) => { k.env[v] = String(ports[i]); });
    Object.assign(k.env, {
      MICROCACHE: 'off', // /metrics counts every listing request ticketd answers
      RATE_LIMIT: 'off',
      PAYMENT_DECLINE_RATE: '0',
      PAYMENT_LATENCY_MS: '50',
      TICKETD_READ_WORKERS: '3',
    }, settings);
    const up = await k.cluster('up');
    if (up.code !== 0) throw new Error(`deploy/cluster up failed (exit ${up.code}):\n${up.stderr}`);
    k.c = {};
    for (const line of (await readFile(path.join(k.dir, 'cluster.env'), 'utf8')).split('\n')) {
      const m = /^([A-Z0-9_]+)='(.*)'$/.exec(line);
      if (m) k.c[m[1]] = m[2];
    }
    // SQL on whichever node is primary (libpq's target_session_attrs=read-write), as a superuser:
    // the application role's connections are what the PgBouncer test counts.
    k.lb = { port: portOf(k.c.LB_URL), psql: (sql) => psql(k.c.PRIMARY_DB_ADMIN_URL, sql) };
    // On the primary before any failover; the standbys replicate them.
    k.me = await defaultFan(k.lb);
    k.fans = await createFans(k.lb, RUSH_FANS);
    await onUp(k);
  });

  after(async () => {
    if (table.length) {
      process.stderr.write('# recovery table\n# | fault | load | time to recover | requests failed | bookings lost | oversold |\n' +
        '# | --- | --- | --- | --- | --- | --- |\n' +
        table.map((r) => `# | ${r.fault} | ${r.load} | ${r.recover} | ${r.failed} | ${r.lost} | ${r.oversold} |\n`).join(''));
    }
    if (!k.dir) return;
    if (process.env.TEST_LOG_DIR) {
      const dest = path.join(process.env.TEST_LOG_DIR, name);
      await mkdir(dest, { recursive: true });
      for (const sub of ['log', 'node1/log', 'node2/log', 'pg']) {
        const from = path.join(k.dir, sub);
        for (const f of await readdir(from).catch(() => [])) {
          if (!/\.log$/.test(f)) continue;
          await cp(path.join(from, f), path.join(dest, `${sub.replace('/', '-')}-${f}`), { dereference: true }).catch(() => {});
        }
      }
    }
    if (process.env.KEEP_STACK) {
      await k.cluster('down');
      process.stderr.write(`# KEEP_STACK: cluster kept in ${k.dir}\n`);
      return;
    }
    await k.cluster('destroy');
  });

  return k;
}
