// The master as a supervisor, on ticketd alone (no PostgreSQL, no nginx): a reload whose new
// master never gets ready or dies does not take the service down, a crash-looping pool does
// not delay SIGTERM, and every worker (and the booking writer) holds only its own pool's socket.
//
// Waits are on log lines and process states; their deadlines only turn a hang into a failure.

import assert from 'node:assert/strict';
import { chmod, copyFile, mkdtemp, readFile, readdir, readlink, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';

import { defaultTicketdBin } from './stack.mjs';
import { alive, childrenOf, startDaemon, waitGone } from './lib/daemon.mjs';
import { fcgiGet } from './lib/fcgi.mjs';

let dir;
let daemons;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ticketd-sup-'));
  daemons = [];
});

afterEach(async () => {
  for (const d of daemons) d.killAll();
  if (!process.env.KEEP_STACK) await rm(dir, { recursive: true, force: true });
});

// Starts ticketd from a copy of the binary in dir, so a test can replace what a reload execs.
async function startCopy(env = {}) {
  const bin = path.join(dir, 'ticketd');
  await copyFile(defaultTicketdBin(), bin);
  await chmod(bin, 0o755);
  const d = startDaemon({ bin, dir, env });
  daemons.push(d);
  await d.waitForLog(/serving: /);
  return d;
}

// Replaces the binary a reload execs (rename: the running one is untouched).
async function replaceBinary(script) {
  const tmp = path.join(dir, 'ticketd.next');
  await writeFile(tmp, script);
  await chmod(tmp, 0o755);
  await rename(tmp, path.join(dir, 'ticketd'));
}

// The database is down, so a serving read worker answers /health with 503.
async function assertServes() {
  const r = await fcgiGet(path.join(dir, 'read.sock'), '/health');
  assert.equal(r.status, 503, r.body);
}

async function assertDrainsCleanly(d) {
  process.kill(d.pid, 'SIGTERM');
  const { code } = await d.waitForExit();
  assert.equal(code, 0, d.log());
  assert.match(d.log(), /all workers done/);
}

const sorted = (a) => [...a].sort((x, y) => x - y);

describe('reload hand-over', () => {
  test('a new master that never reports ready is killed and the old one keeps serving', async () => {
    const d = await startCopy({ TICKETD_RELOAD_TIMEOUT_MS: '1000' });
    await assertServes();
    const workers = sorted(await childrenOf(d.pid));
    assert.equal(workers.length, 5, 'two read workers, two booking workers and the booking writer');

    // Neither reports ready nor exits: exec keeps the pid the master knows.
    await replaceBinary('#!/bin/sh\nexec sleep 600\n');
    process.kill(d.pid, 'SIGHUP');
    const m = await d.waitForLog(/new master (\d+) did not report ready in time: killed it/);
    await d.waitForLog(/reload failed: this master keeps serving/);

    assert.equal(await alive(Number(m[1])), false, 'the hung new master is gone');
    assert.equal(await alive(d.pid), true, 'the old master runs');
    assert.deepEqual(sorted(await childrenOf(d.pid)), workers, 'the same workers, none drained');
    await assertServes();
    await assertDrainsCleanly(d);
  });

  test('a new master that exits at once leaves the old one serving, and SIGHUP retries', async () => {
    const d = await startCopy();
    const workers = sorted(await childrenOf(d.pid));
    const real = await readFile(path.join(dir, 'ticketd'));

    await replaceBinary('#!/bin/sh\nexit 3\n');
    process.kill(d.pid, 'SIGHUP');
    await d.waitForLog(/new master \d+ exited with status 3 before it was ready/);
    await d.waitForLog(/reload failed: this master keeps serving/);
    assert.equal(await alive(d.pid), true, 'the old master runs');
    assert.deepEqual(sorted(await childrenOf(d.pid)), workers, 'the same workers, none drained');
    await assertServes();

    // The real binary again: the next SIGHUP hands over and the old master exits.
    await replaceBinary(real);
    process.kill(d.pid, 'SIGHUP');
    const m = await d.waitForLog(/new master (\d+) serves the sockets; draining/);
    const { code } = await d.waitForExit();
    assert.equal(code, 0, d.log());
    await assertServes();
    process.kill(Number(m[1]), 'SIGTERM');
    await waitGone(Number(m[1]));
  });
});

// The unix socket inode of each listening path, from /proc/net/unix (a RegExp matches a name).
async function socketInodes(paths) {
  const inodes = {};
  for (const line of (await readFile('/proc/net/unix', 'utf8')).split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (paths.some((p) => (p instanceof RegExp ? p.test(f[7] ?? '') : p === f[7]))) inodes[f[6]] = f[7];
  }
  return inodes;
}

// Every descriptor above stderr that pid holds, as readlink shows it ("socket:[123]", "pipe:[4]").
async function openFiles(pid) {
  const fds = (await readdir(`/proc/${pid}/fd`)).map(Number).filter((fd) => fd > 2);
  return Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`)));
}

describe('workers', () => {
  test('after a reload each worker holds only its own listening socket', async () => {
    const d = await startCopy();
    process.kill(d.pid, 'SIGHUP');
    const m = await d.waitForLog(/new master (\d+) serves the sockets; draining/);
    const next = Number(m[1]);
    await d.waitForExit();
    daemons.push({ killAll: () => { try { process.kill(next, 'SIGKILL'); } catch { /* gone */ } } });

    // The booking writer's socket is abstract, named after its master and a random nonce
    // (/proc/net/unix shows @).
    const sockets = await socketInodes([path.join(dir, 'read.sock'), path.join(dir, 'book.sock'),
      new RegExp(`^@ticketd-writer-${next}-[0-9a-f]{16}$`)]);
    assert.equal(Object.keys(sockets).length, 3, 'every listening socket found');
    const workers = await childrenOf(next);
    assert.equal(workers.length, 5);
    const seen = [];
    for (const w of workers) {
      const files = await openFiles(w);
      assert.equal(files.length, 1, `worker ${w} holds ${files.join(', ')}`);
      const inode = /^socket:\[(\d+)\]$/.exec(files[0])?.[1];
      assert.ok(inode in sockets, `worker ${w} holds ${files[0]}, not a listening socket`);
      seen.push(sockets[inode]);
    }
    assert.equal(new Set(seen).size, 3, 'both pools have workers, and the writer is there');

    process.kill(next, 'SIGTERM');
    await waitGone(next);
  });
});

describe('respawn back-off', () => {
  test('SIGTERM while a crash-looping pool backs off drains at once, spawning nothing more', async () => {
    // fds 3 and 4 are socketpairs, not listening sockets: every worker's accept(2) fails and
    // it exits at once, so every slot crash-loops and backs off. The back-off is made a minute
    // long, so no respawn can be due while the test runs: a master that slept through its
    // back-off (the old one did, with SIGTERM pending) would hang here until the test's
    // deadline, and one that kept respawning would log more spawns. Every death counts as quick
    // (a minimum life of ten minutes), however slowly a loaded machine starts a worker. Nothing
    // is timed.
    const d = startDaemon({
      bin: defaultTicketdBin(),
      dir,
      env: {
        TICKETD_LISTEN_FDS: '3,4', TICKETD_READ_WORKERS: '1', TICKETD_BOOK_WORKERS: '8',
        TICKETD_RESPAWN_DELAY_MS: '60000', TICKETD_RESPAWN_MIN_LIFE_MS: '600000', LOG_LEVEL: 'debug',
      },
      extraFds: ['pipe', 'pipe'],
    });
    daemons.push(d);
    await d.waitForLog(/serving: /);
    // Every slot's first worker has died: each now waits a minute.
    await d.waitForLogCount(/(read|book) worker \d+ exited/g, 9);
    const spawned = d.log().match(/spawned (read|book) worker/g).length;
    assert.equal(spawned, 9, 'one worker per slot, none respawned yet');

    process.kill(d.pid, 'SIGTERM');
    const { code } = await d.waitForExit();
    assert.equal(code, 0, d.log());
    assert.match(d.log(), /draining/);
    assert.equal(d.log().match(/spawned (read|book) worker/g).length, spawned, 'no worker spawned after SIGTERM');
  });
});
