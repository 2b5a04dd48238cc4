// Helpers for the booking, fault and bad-input suites, on top of ../stack.mjs (the harness).
//
//   const c = await addConcert(s, ['VIP:5:100.00', 'GA:50:19.99']);   // { id, tiers: { VIP: {id, priceCents, total} } }
//   const res = await book(s, bookingBody(c, { VIP: 2 }));            // POST /api/bookings
//   await assertInvariant(assert, s);                                  // inventory_violations, fan_quota_violations and reference_violations empty
//   const w = await workers(s);                                        // { master, read: [pids], book: [pids] }
//
// Every loop here is bounded in count and in time.

import { spawn, execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, readdir, readlink } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

import { REPO, checkRaw, httpRequest, metricValue, sleep } from '../stack.mjs';
import { ContractError } from './contract.mjs';
import { childrenOf } from './daemon.mjs';
import { defaultFan } from './fans.mjs';

const run = promisify(execFile);

export const uuid = () => randomUUID();

// --- data -------------------------------------------------------------------------------------

// A fresh concert with its tiers ('NAME:QUANTITY:PRICE'), so tests never share inventory.
// One psql call (add_concert), then the tiers as the API shows them. Its limit per fan is the
// highest there is (100) unless the test is about the limit: most tests book as one fan.
export async function addConcert(s, tiers, name = 'IT concert', { maxPerFan = 100 } = {}) {
  const arr = tiers.map((t) => `'${t.replaceAll("'", "''")}'`).join(',');
  const id = await s.psql(
    `SELECT add_concert('${name.replaceAll("'", "''")}', 'IT Venue', '2027-05-01T20:00:00Z', ARRAY[${arr}], ${Number(maxPerFan)})`);
  const res = await httpRequest(s.port, 'GET', `/api/concerts/${id}/availability`);
  if (res.status !== 200) throw new Error(`availability of ${id}: ${res.status} ${res.body}`);
  const byName = {};
  for (const t of res.json.data.tiers) {
    byName[t.tierName] = { id: t.id, name: t.tierName, priceCents: Math.round(t.price * 100), total: t.totalQuantity };
  }
  return { id, tiers: byName };
}

// Every listed concert, page after page of GET /api/concerts (20 a page, meta.nextCursor), in
// the listing's order; each page must be a 200 within the page size.
export async function listedConcerts(s) {
  const all = [];
  let cursor = null;
  for (let pages = 0; pages < 100; pages++) {
    const res = await s.get(cursor === null ? '/api/concerts' : `/api/concerts?cursor=${cursor}`);
    if (res.status !== 200) throw new Error(`GET /api/concerts: ${res.status} ${res.body}`);
    if (res.json.data.length > 20) throw new Error(`a page of ${res.json.data.length} concerts`);
    all.push(...res.json.data);
    cursor = res.json.meta.nextCursor;
    if (cursor === null) return all;
  }
  throw new Error('GET /api/concerts: over 100 pages');
}

// Cents to the API's decimal amount (a number; JSON.stringify prints 59.97, 230).
export const amount = (cents) => Number((cents / 100).toFixed(2));

// A valid booking body: lines is { TIERNAME: quantity } or [[TIERNAME, quantity], ...] (order kept).
export function bookingBody(concert, lines, extra = {}) {
  const entries = Array.isArray(lines) ? lines : Object.entries(lines);
  let cents = 0;
  const tickets = entries.map(([tierName, quantity]) => {
    const t = concert.tiers[tierName];
    if (!t) throw new Error(`no tier ${tierName} in ${concert.id}`);
    cents += t.priceCents * quantity;
    return { tierId: t.id, quantity };
  });
  return {
    concertId: concert.id,
    tickets,
    idempotencyKey: uuid(),
    totalAmount: amount(cents),
    ...extra,
  };
}

// Sum of a tier's buckets, straight from the database.
export async function available(s, tierId) {
  return Number(await s.psql(`SELECT coalesce(sum(available), 0) FROM tier_buckets WHERE tier_id = '${tierId}'`));
}

export async function violations(s) {
  return Number(await s.psql('SELECT count(*) FROM inventory_violations'));
}

export async function assertInvariant(assert, s) {
  const n = await violations(s);
  if (n !== 0) {
    const rows = await s.psql('SELECT * FROM inventory_violations');
    assert.fail(`inventory_violations has ${n} row(s):\n${rows}`);
  }
  const quotas = await s.psql('SELECT * FROM fan_quota_violations');
  if (quotas !== '') assert.fail(`fan_quota_violations (concert|fan|quota|held):\n${quotas}`);
  const references = await s.psql('SELECT * FROM reference_violations');
  if (references !== '') assert.fail(`reference_violations (table|row|problem):\n${references}`);
  const script = await s.script('check-invariants');
  assert.equal(script.code, 0, `deploy/check-invariants: ${script.stderr}`);
}

// Everything a rejected request must leave as it was.
export async function dbSnapshot(s) {
  const line = await s.psql(`SELECT (SELECT count(*) FROM bookings), (SELECT count(*) FROM booking_items),
    (SELECT count(*) FROM booking_events), (SELECT coalesce(sum(available), 0) FROM tier_buckets),
    (SELECT count(*) FROM concerts), (SELECT count(*) FROM ticket_tiers)`);
  const [bookings, items, events, available, concerts, tiers] = line.split('|').map(Number);
  return { bookings, items, events, available, concerts, tiers };
}

// --- HTTP -------------------------------------------------------------------------------------

// POST with an object (JSON-encoded), a string or a Buffer, always with an exact Content-Length
// (node would otherwise send chunked), as the stack's default fan unless { fan } names another
// ({ fan: null }: signed out).
export async function post(s, urlPath, body, { contentType = 'application/json', headers = {}, fan } = {}) {
  const buf = body === undefined ? Buffer.alloc(0)
    : Buffer.isBuffer(body) ? body
      : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  const who = fan === undefined ? await defaultFan(s) : fan;
  const h = { 'content-length': String(buf.length), ...(who ? { cookie: who.cookie } : {}), ...headers };
  if (contentType !== null) h['content-type'] = contentType;
  return httpRequest(s.port, 'POST', urlPath, { headers: h, body: buf });
}

export const book = (s, body, opts) => post(s, '/api/bookings', body, opts);

// Like book(), with the time it took.
export async function timedBook(s, body, opts) {
  const t0 = performance.now();
  try {
    const res = await book(s, body, opts);
    res.ms = performance.now() - t0;
    return res;
  } catch (err) {
    if (err instanceof ContractError) throw err; // a wrong answer is not a lost one
    return { status: 0, error: String(err), ms: performance.now() - t0, headers: {}, body: '' };
  }
}

export const DEFINITE = new Set([200, 201, 402, 409]);

// Sends one booking body (one idempotency key) until a definite answer (201/200/402/409) or
// until maxAttempts / deadlineMs, as `fan` (default: the stack's default fan). Returns every
// answer in order.
export async function bookUntilDefinite(s, body, { maxAttempts = 40, deadlineMs = 20000, pauseMs = 150, fan } = {}) {
  const answers = [];
  const until = Date.now() + deadlineMs;
  for (let i = 0; i < maxAttempts && Date.now() < until; i++) {
    const res = await timedBook(s, body, { fan });
    answers.push(res);
    if (DEFINITE.has(res.status)) break;
    await sleep(pauseMs);
  }
  return answers;
}

// Runs `tasks` (functions returning promises) with at most `width` in flight.
export async function inPool(width, tasks) {
  const results = new Array(tasks.length);
  let next = 0;
  async function lane() {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, lane));
  return results;
}

// Raw bytes to nginx without half-closing our side (a half-close makes nginx log 499 and drop
// the answer of anything slower than a few ms). Resolves when nginx closes or after timeoutMs.
// A complete answer is checked against conf/openapi.yaml (stack.mjs's checkRaw) and rejects
// with a ContractError when the document does not allow it; a partial one is no answer to check.
export function rawExchange(port, bytes, { timeoutMs = 15000 } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const sock = net.connect(port, '127.0.0.1');
    const chunks = [];
    let done = false;
    const finish = (extra = {}) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const answer = { ...parseRawResponse(Buffer.concat(chunks)), ms: performance.now() - t0, ...extra };
      try {
        if (answer.complete) checkRaw(bytes, answer);
      } catch (err) {
        reject(err);
        return;
      }
      resolve(answer);
    };
    const timer = setTimeout(() => finish({ timedOut: true }), timeoutMs);
    sock.on('connect', () => sock.write(bytes));
    sock.on('data', (c) => {
      chunks.push(c);
      // One response is enough: Connection: close requests end here anyway.
      const parsed = parseRawResponse(Buffer.concat(chunks));
      if (parsed.complete) finish();
    });
    sock.on('error', (err) => finish({ error: String(err) }));
    sock.on('close', () => finish());
  });
}

export function parseRawResponse(buf) {
  const text = buf.toString('utf8');
  const sep = text.indexOf('\r\n\r\n');
  if (sep < 0) return { status: 0, headers: {}, body: '', json: undefined, complete: false, bytes: buf.length };
  const [statusLine, ...headerLines] = text.slice(0, sep).split('\r\n');
  const headers = {};
  for (const h of headerLines) {
    const i = h.indexOf(':');
    if (i > 0) headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  let body = text.slice(sep + 4);
  let complete = false;
  if (headers['content-length'] !== undefined) {
    complete = Buffer.byteLength(body) >= Number(headers['content-length']);
  } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const out = [];
    let rest = body;
    for (;;) {
      const nl = rest.indexOf('\r\n');
      if (nl < 0) break;
      const n = parseInt(rest.slice(0, nl), 16);
      if (Number.isNaN(n)) break;
      if (n === 0) { complete = true; break; }
      out.push(rest.slice(nl + 2, nl + 2 + n));
      rest = rest.slice(nl + 2 + n + 2);
    }
    body = out.join('');
  }
  let json;
  try { json = JSON.parse(body); } catch { json = undefined; }
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  return { status, headers, body, json, complete, bytes: buf.length };
}

// --- processes --------------------------------------------------------------------------------

async function stackEnvFile(s) {
  const text = await readFile(path.join(s.dir, 'stack.env'), 'utf8');
  const env = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)='(.*)'$/.exec(line);
    if (m) env[m[1]] = m[2].replaceAll(`'\\''`, `'`);
  }
  return env;
}

// The ticketd master's pid as the stack last recorded it (ticketd-start changes it).
export async function masterPid(s) {
  return Number((await stackEnvFile(s)).TICKETD_PID);
}

// The pid of the stack's booking writer (the master's child named ticketd-writer), or 0.
export async function writerPid(s) {
  for (const pid of await childrenOf(await masterPid(s))) {
    if ((await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() === 'ticketd-writer') return pid;
  }
  return 0;
}

async function socketInodes() {
  // /proc/net/unix: Num RefCount Protocol Flags Type St Inode Path
  const text = await readFile('/proc/net/unix', 'utf8');
  const byInode = new Map();
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8) byInode.set(f[6], f[7]);
  }
  return byInode;
}

// The master's live children, told apart by the listening socket each one holds (a worker
// closes the other pool's socket right after fork).
export async function workers(s) {
  const master = await masterPid(s);
  const bookSock = s.vars.TICKETD_BOOK_SOCKET;
  const readSock = s.vars.TICKETD_READ_SOCKET;
  const inodes = await socketInodes();
  const res = { master, read: [], book: [], other: [] };
  for (const pid of await childrenOf(master)) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
    let kind = 'other';
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (!m) continue;
      const p = inodes.get(m[1]);
      if (p === bookSock) { kind = 'book'; break; }
      if (p === readSock) { kind = 'read'; break; }
    }
    res[kind].push(pid);
  }
  return res;
}

// Waits until the pools have `read` and `book` workers (after kills: the master respawns).
export async function waitForWorkers(s, { read, book }, timeoutMs = 10000) {
  const until = Date.now() + timeoutMs;
  let w;
  while (Date.now() < until) {
    w = await workers(s);
    if (w.read.length === read && w.book.length === book) return w;
    await sleep(100);
  }
  return w;
}

// Restarts ticketd alone with extra settings (deploy/stack ticketd-start; settings given here
// win over the ones stack.env recorded). DB_* settings are not recorded in stack.env, so pass
// them on every restart that needs them.
export async function restartTicketdWith(s, overrides = {}) {
  const env = { ...s.env, ...overrides };
  try {
    await run(path.join(REPO, 'deploy', 'stack'), ['ticketd-start'], { env, maxBuffer: 4 << 20 });
  } catch (err) {
    throw new Error(`deploy/stack ticketd-start failed: ${err.stderr ?? err}`);
  }
}

// ticketd's log from byte `from` on (to look only at what a test caused).
export async function ticketdLogSize(s) {
  return Buffer.byteLength(await s.ticketdLog().catch(() => ''));
}
export async function ticketdLogSince(s, from) {
  return Buffer.from(await s.ticketdLog().catch(() => '')).subarray(from).toString('utf8');
}

// The master's line when the drain deadline cut workers off (with the sanitizer build under load,
// LeakSanitizer's exit checks can take that long): their leak reports are then lost.
export const DRAIN_CUT = /workers still busy after \d+ ms: killing them/;

// Lines a worker death leaves in ticketd's log.
export const WORKER_DEATH = /(read|book) worker (\d+) (killed by signal \d+|exited with status \d+)/g;

// How many paid one-tier bookings the one statement (017) left to book(), from the stack's
// /metrics (the stack must be started with metrics: true).
export async function bookingFallbacks(s) {
  const n = await metricValue(s.metricsPort, 'ticketd_booking_fallbacks_total');
  if (n === undefined) throw new Error('/metrics has no ticketd_booking_fallbacks_total');
  return n;
}

// pg_stat_activity's query of a booking's transaction: the one statement (017) or book().
// (pg_stat_activity keeps a statement's first kilobyte: the one statement's name comes first.)
export const BOOKING_STATEMENT = "(query LIKE '%FROM book(%' OR query LIKE '%book_one_line%')";

// A psql session that holds row locks until release(): `sql` runs inside BEGIN, and the
// session prints a marker once it holds them.
export function holdLocks(s, sql, { timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', s.vars.OWNER_DATABASE_URL || s.vars.DATABASE_URL],
      { env: s.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`psql did not take the locks in ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    p.stdout.on('data', (c) => {
      out += c;
      if (out.includes('LOCKS_HELD')) {
        clearTimeout(timer);
        resolve({
          async release() {
            p.stdin.end('ROLLBACK;\n\\q\n');
            await new Promise((r) => {
              const t = setTimeout(() => { p.kill('SIGKILL'); r(); }, 5000);
              p.on('exit', () => { clearTimeout(t); r(); });
            });
          },
        });
      }
    });
    p.stderr.on('data', (c) => { err += c; });
    p.on('exit', (code) => {
      clearTimeout(timer);
      if (!out.includes('LOCKS_HELD')) reject(new Error(`psql exited (${code}): ${err}`));
    });
    p.stdin.write(`BEGIN;\n${sql};\nSELECT 'LOCKS_HELD';\n`);
  });
}

// Percentile of a sorted list of numbers.
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// One psql session driven statement by statement (for interleavings no HTTP client can force).
//   const a = await PsqlSession.open(s);  await a.run('BEGIN');
//   const p = a.run('SELECT ...');        await a.waitUntilBlocked(other);   const { out, err } = await p;
export class PsqlSession {
  static async open(s) {
    const sess = new PsqlSession(s);
    sess.pid = Number((await sess.run('SELECT pg_backend_pid()')).out.trim());
    return sess;
  }

  constructor(s) {
    this.s = s;
    this.seq = 0;
    this.buf = '';
    this.errBuf = '';
    this.waiters = new Map();
    this.proc = spawn('psql', ['-X', '-q', '-At', '-v', 'VERBOSITY=terse', s.vars.OWNER_DATABASE_URL || s.vars.DATABASE_URL],
      { env: s.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (c) => { this.buf += c; this.flush(); });
    this.proc.stderr.on('data', (c) => { this.errBuf += c; });
    this.proc.on('exit', () => {
      for (const w of this.waiters.values()) w.reject(new Error(`psql exited: ${this.errBuf}`));
      this.waiters.clear();
    });
  }

  flush() {
    for (;;) {
      const m = /__done_(\d+)__\n/.exec(this.buf);
      if (!m) return;
      const w = this.waiters.get(Number(m[1]));
      const out = this.buf.slice(0, m.index);
      this.buf = this.buf.slice(m.index + m[0].length);
      const err = this.errBuf;
      this.errBuf = '';
      if (w) {
        this.waiters.delete(Number(m[1]));
        w.resolve({ out, err });
      }
    }
  }

  // Runs one statement; resolves with its output and error text once it has finished.
  run(sql, timeoutMs = 20000) {
    const n = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`psql statement ${n} still running after ${timeoutMs} ms: ${sql}`)), timeoutMs);
      this.waiters.set(n, {
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.proc.stdin.write(`${sql.replace(/;\s*$/, '')};\n\\echo __done_${n}__\n`);
    });
  }

  // Waits until this session's backend waits for a lock (seen from `observer`, another session).
  async waitUntilBlocked(observer, timeoutMs = 10000) {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const { out } = await observer.run(`SELECT wait_event_type FROM pg_stat_activity WHERE pid = ${this.pid}`);
      if (out.trim() === 'Lock') return;
      await sleep(50);
    }
    throw new Error(`session ${this.pid} did not block on a lock in ${timeoutMs} ms`);
  }

  async close() {
    this.proc.stdin.end('\\q\n');
    await new Promise((r) => {
      const t = setTimeout(() => { this.proc.kill('SIGKILL'); r(); }, 5000);
      this.proc.on('exit', () => { clearTimeout(t); r(); });
      if (this.proc.exitCode !== null) { clearTimeout(t); r(); }
    });
  }
}
