// A node is ready when every worker has started (connected, and run its pool's hot statements
// once: store/warm_up.c): until the booking pool has, /health answers 503 "starting" (a load
// balancer keeps fans away from a node whose bookings would wait in its backlog), and a
// reload's new master takes over the sockets only then.
//
// ticketd runs on its own here (FastCGI straight to its sockets) against the stack's real
// PostgreSQL, through a relay that holds back the booking workers' connections
// (lib/pg-gate.mjs) for as long as a test needs: nothing depends on how fast they connect.

import assert from 'node:assert/strict';
import { copyFile, chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { defaultTicketdBin, pollUntil, startStack } from './stack.mjs';
import { alive, startDaemon } from './lib/daemon.mjs';
import { fcgiGet } from './lib/fcgi.mjs';
import { startPgGate } from './lib/pg-gate.mjs';
import { validateResponse } from './lib/contract.mjs';

const READ = 2;
const BOOK = 3;

let s;
let dir;
let password; // the daemon's role's

before(async () => {
  // The stack's own daemon is not used: small pools keep it out of the way.
  s = await startStack({ env: { TICKETD_BOOK_WORKERS: '1', TICKETD_READ_WORKERS: '1' } });
  dir = await mkdtemp(path.join(os.tmpdir(), 'ticketd-ready-'));
  // The daemon's role's password, from the stack's passfile, in one of ours for the relay's port.
  const passfile = decodeURIComponent(/[?&]passfile=([^&]+)/.exec(s.vars.DATABASE_URL)[1]);
  password = (await readFile(passfile, 'utf8')).split('\n')[0].split(':').slice(4).join(':');
});

after(async () => {
  await s?.destroy();
  if (dir && !process.env.KEEP_STACK) await rm(dir, { recursive: true, force: true });
});

// ticketd with its DATABASE_URL through a relay that holds the booking workers' connections.
// The master waits for them for four fifths of the reload timeout: longer than any test here
// unless it sets a shorter one.
async function startHeld(t, env = {}) {
  const gate = await startPgGate(Number(s.vars.PG_PORT), { hold: 'ticketd-book' });
  const sub = await mkdtemp(path.join(dir, 'd-'));
  const passfile = path.join(sub, 'pgpass');
  await writeFile(passfile, `127.0.0.1:${gate.port}:ticketd:ticketd:${password}\n`, { mode: 0o600 });
  // A copy of the binary: a reload execs the file the master started from.
  const bin = path.join(sub, 'ticketd');
  await copyFile(defaultTicketdBin(), bin);
  await chmod(bin, 0o755);
  const d = startDaemon({
    bin,
    dir: sub,
    env: {
      DATABASE_URL:
        `postgresql://ticketd@127.0.0.1:${gate.port}/ticketd?passfile=${passfile}&sslmode=disable&connect_timeout=60`,
      TICKETD_READ_WORKERS: String(READ),
      TICKETD_BOOK_WORKERS: String(BOOK),
      LOG_LEVEL: 'debug',
      TICKETD_RELOAD_TIMEOUT_MS: '600000',
      ...env,
    },
  });
  t.after(async () => {
    d.killAll();
    await gate.close();
  });
  await d.waitForLog(/serving: /);
  return { d, gate, sock: path.join(sub, 'read.sock') };
}

async function health(sock) {
  const r = await fcgiGet(sock, '/health');
  const json = JSON.parse(r.body);
  // nginx adds X-Request-Id; straight over FastCGI there is none.
  validateResponse('GET', '/health', r.status, { ...r.headers, 'x-request-id': '0'.repeat(32) }, json);
  return { ...r, json };
}

// One series of /metrics, asked of the read pool directly.
async function metric(sock, series) {
  const { body } = await fcgiGet(sock, '/metrics');
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('until every booking worker has connected, /health is 503 "starting" with each pool\'s count; then 200 healthy', async (t) => {
  const { d, gate, sock } = await startHeld(t);
  await gate.waitHeld(BOOK);
  // Both read workers up (each answers for itself, so wait for the count, not the first answer).
  const starting = await pollUntil(async () => {
    const r = await health(sock);
    return r.json.workers?.read.started === READ && r;
  }, 'both read workers to start');
  assert.equal(starting.status, 503);
  assert.deepEqual(starting.json, {
    status: 'starting',
    pool: 'read',
    workers: { read: { started: READ, workers: READ }, book: { started: 0, workers: BOOK } },
  });
  assert.equal(starting.headers['retry-after'], '1');
  assert.equal(await metric(sock, 'ticketd_ready'), 0);
  assert.equal(await metric(sock, 'ticketd_workers_started{pool="book"}'), 0);
  assert.equal(await metric(sock, 'ticketd_workers_started{pool="read"}'), READ);
  assert.doesNotMatch(d.log(), /ready: every worker started/);

  gate.release();
  const m = await d.waitForLog(/ready: every worker started in (\d+) ms/);
  assert.ok(Number(m[1]) >= 0);
  const up = await health(sock);
  assert.equal(up.status, 200);
  assert.deepEqual(up.json, { status: 'healthy', database: 'up', pool: 'read' });
  assert.equal(await metric(sock, 'ticketd_ready'), 1);
  assert.equal(await metric(sock, 'ticketd_workers_started{pool="book"}'), BOOK);

  // Started means warm: each booking worker's backend has run the check before the payment
  // (its last statement, and no fan has booked). Ours come through the relay, over TCP; the
  // stack's own daemon is on the socket.
  const last = (await s.psqlAs(s.vars.ADMIN_DATABASE_URL,
    "SELECT query FROM pg_stat_activity WHERE application_name = 'ticketd-book' AND client_addr IS NOT NULL"))
    .split('\n').filter(Boolean);
  assert.equal(last.length, BOOK);
  for (const q of last) assert.match(q, /^WITH f AS \(SELECT u\.id AS fan_id/);
});

test('once ready, a booking worker that dies and cannot reconnect leaves the node ready', async (t) => {
  const { d, gate, sock } = await startHeld(t);
  gate.release();
  await d.waitForLog(/ready: every worker started/);
  const pid = Number(d.log().match(/spawned book worker (\d+) in slot 0/)[1]);

  gate.holdAgain();
  process.kill(pid, 'SIGKILL');
  // Its replacement waits at the relay: the node is one booking worker short.
  await gate.waitHeld(1);
  await pollUntil(async () => (await metric(sock, 'ticketd_workers_started{pool="book"}')) === BOOK - 1,
    'the master to reap the killed worker');
  const r = await health(sock);
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'healthy');
  assert.equal(await metric(sock, 'ticketd_ready'), 1);
  gate.release();
  await pollUntil(async () => (await metric(sock, 'ticketd_workers_started{pool="book"}')) === BOOK,
    'the replacement to start');
});

test('a reload hands the sockets over only once the new master\'s booking pool has connected', async (t) => {
  const { d, gate, sock } = await startHeld(t);
  gate.release();
  await d.waitForLog(/ready: every worker started/);

  gate.holdAgain();
  process.kill(d.pid, 'SIGHUP');
  // The new master's booking workers wait at the relay, so it is not ready and the old one
  // serves on: the hand-over's line is not in the log, and nothing was drained.
  await gate.waitHeld(BOOK);
  assert.doesNotMatch(d.log(), /serves the sockets; draining/);
  assert.equal(await alive(d.pid), true);
  // Both masters' read workers answer meanwhile: the new one's do not say "starting", since
  // the old master serves until the hand-over (a load balancer must not take the node out).
  const statuses = [];
  for (let i = 0; i < 16; i++) statuses.push((await health(sock)).json.status);
  assert.deepEqual(statuses, Array(16).fill('healthy'));

  gate.release();
  const m = await d.waitForLog(/new master (\d+) serves the sockets; draining/);
  const { code } = await d.waitForExit();
  assert.equal(code, 0, d.log());
  const next = Number(m[1]);
  assert.equal(await alive(next), true);
  const r = await health(sock);
  assert.equal(r.status, 200);
  process.kill(next, 'SIGTERM');
  await pollUntil(async () => !(await alive(next)), 'the new master to drain');
});

test('a pool that cannot connect does not keep the node starting: ready with the workers it has at four fifths of the reload timeout', async (t) => {
  const { d, gate, sock } = await startHeld(t, { TICKETD_RELOAD_TIMEOUT_MS: '1000' });
  await gate.waitHeld(BOOK);
  const m = await d.waitForLog(/ready after (\d+) ms with (\d+) of 2 read and (\d+) of 3 booking workers started/);
  assert.ok(Number(m[1]) >= 800, m[0]);
  assert.equal(Number(m[3]), 0);
  assert.doesNotMatch(d.log(), /ready: every worker started/);
  const r = await health(sock);
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'healthy');
  assert.equal(await metric(sock, 'ticketd_ready'), 1);
  assert.equal(await metric(sock, 'ticketd_workers_started{pool="book"}'), 0);
  gate.release();
  await pollUntil(async () => (await metric(sock, 'ticketd_workers_started{pool="book"}')) === BOOK,
    'the booking workers to start once the database answers them');
});
