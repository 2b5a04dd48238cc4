// A throwaway ticketd stack for the integration tests: its own PostgreSQL cluster, ticketd and
// nginx on free ports, started by deploy/stack (the same mechanism deploy/up uses) in a temp
// directory and destroyed afterwards. KEEP_STACK=1 keeps the directory for a post-mortem;
// TEST_LOG_DIR=dir (deploy/test sets it) keeps a copy of each stack's logs in dir/<name>/.
//
//   const s = await startStack({ env: { PAYMENT_LATENCY_MS: '5' } });
//   const r = await s.request('GET', '/api/concerts');   // { status, headers, body, json }
//   await s.stack('db-stop');
//   await s.destroy();

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { defaultFan } from './lib/fans.mjs';

import { ContractError, checkResponse, requestLine } from './lib/contract.mjs';

const run = promisify(execFile);

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// The sanitizer build when it exists (deploy/test builds it), else the normal one.
export function defaultTicketdBin() {
  if (process.env.TICKETD_BIN) return process.env.TICKETD_BIN;
  const asan = path.join(REPO, 'build-asan', 'ticketd');
  return existsSync(asan) ? asan : path.join(REPO, 'build', 'ticketd');
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// n free ports, distinct from one another: every listener stays open until all are chosen.
export async function freePorts(n) {
  const servers = [];
  try {
    for (let i = 0; i < n; i++) {
      const srv = net.createServer();
      srv.unref();
      await new Promise((resolve, reject) => {
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', resolve);
      });
      servers.push(srv);
    }
    return servers.map((srv) => srv.address().port);
  } finally {
    await Promise.all(servers.map((srv) => new Promise((resolve) => srv.close(resolve))));
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Calls get() every everyMs until it returns something truthy, and returns that; throws once
// timeoutMs has passed without it. For waiting on a state the test can observe, never on time.
export async function pollUntil(get, what, timeoutMs = 15000, everyMs = 20) {
  for (const deadline = Date.now() + timeoutMs; ; await sleep(everyMs)) {
    const got = await get();
    if (got) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

// One sample of the operators' /metrics (Prometheus text) on `port`, `series` as written there
// (`name` or `name{labels}`): its value, or undefined when no line has it.
export async function metricValue(port, series) {
  const res = await httpRequest(port, 'GET', '/metrics', { contract: false });
  if (res.status !== 200) throw new Error(`/metrics: ${res.status} ${res.body}`);
  const line = res.body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

// Runs one of the deploy/ scripts; resolves to { code, stdout, stderr } whatever the exit code.
async function script(name, args, env) {
  try {
    const { stdout, stderr } = await run(path.join(REPO, 'deploy', name), args, {
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    if (typeof err.code !== 'number') throw err;
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

function parseEnvFile(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)='(.*)'$/.exec(line);
    if (m) env[m[1]] = m[2].replaceAll(`'\\''`, `'`);
  }
  return env;
}

// One HTTP request without any of fetch's help (no decompression, no keep-alive), so the
// tests see exactly what nginx sent. Every answer is checked against conf/openapi.yaml
// (lib/contract.mjs): one the document does not allow rejects with a ContractError.
// contract: false skips that check, for the operators' metrics port only (not the public API).
export function httpRequest(port, method, urlPath, { headers = {}, body, localAddress, contract = true } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: urlPath, headers, agent: false, localAddress },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const text = raw.toString('utf8');
          let json;
          if (/json/.test(res.headers['content-type'] ?? '') && !res.headers['content-encoding']) {
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
          }
          const answer = { status: res.statusCode, headers: res.headers, raw, body: text, json };
          try {
            if (contract) checkResponse(method, urlPath, answer);
          } catch (err) {
            reject(err);
            return;
          }
          resolve(answer);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(30000, () => req.destroy(new Error(`${method} ${urlPath}: no answer in 30s`)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// A chunked body as its bytes (nginx sends the daemon's answers to HTTP/1.1 clients chunked).
function dechunk(text) {
  const out = [];
  let rest = text;
  for (;;) {
    const nl = rest.indexOf('\r\n');
    if (nl < 0) break;
    const n = parseInt(rest.slice(0, nl), 16);
    if (Number.isNaN(n) || n === 0) break;
    out.push(rest.slice(nl + 2, nl + 2 + n));
    rest = rest.slice(nl + 2 + n + 2);
  }
  return out.join('');
}

// Sends bytes as they are (for requests no HTTP client would make) and reads until nginx
// closes the connection. Returns { status, headers, body }. The answer is checked against
// conf/openapi.yaml like httpRequest's: by its request line's method and path, or, when the
// bytes have no readable request line, against nginx's generic errors (lib/contract.mjs).
export function rawRequest(port, bytes) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks = [];
    sock.setTimeout(10000, () => sock.destroy(new Error('raw request: no close in 10s')));
    sock.on('connect', () => sock.end(bytes));
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...headerLines] = head.split('\r\n');
      const headers = {};
      for (const h of headerLines) {
        const i = h.indexOf(':');
        if (i > 0) headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
      }
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
      let body = rest.join('\r\n\r\n');
      if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
      let json;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const answer = { status, headers, body, json };
      try {
        checkRaw(bytes, answer);
      } catch (err) {
        reject(err);
        return;
      }
      resolve(answer);
    });
  });
}

// Checks the answer to raw request bytes (see rawRequest); throws a ContractError.
export function checkRaw(bytes, answer) {
  const line = requestLine(bytes);
  return line ? checkResponse(line.method, line.path, answer)
    : checkResponse('?', '(unreadable request line)', answer, { generic: true });
}

// name: what the stack's logs are called under TEST_LOG_DIR (default: the calling test file).
// mail: run the stack's mail sink (deploy/lib/mail-sink.sh) on a port of its own.
// metrics: run the operators' server (/metrics, /health) on a port of its own (stack.metricsPort).
// microcache: nginx's one-second cache of the listing and availability (conf/microcache.conf),
// which deploy/up ships; off by default, so a test reads what it just wrote.
// Every port is chosen in one freePorts() call: ports picked one by one can collide.
export async function startStack({ env = {}, rateLimit = 'on', name = callerName(), mail = false, metrics = false,
  microcache = false } = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ticketd-it-'));
  const [port, pgPort, mailPort, metricsPort] = await freePorts(4);

  const stackEnv = {
    ...process.env,
    STACK_DIR: dir,
    PORT: String(port),
    PG_PORT: String(pgPort),
    TICKETD_BIN: defaultTicketdBin(),
    RATE_LIMIT: rateLimit,
    MICROCACHE: microcache ? 'on' : 'off',
    MAIL_PORT: mail ? String(mailPort) : '',
    METRICS_PORT: metrics ? String(metricsPort) : '',
    PAYMENT_DECLINE_RATE: '0',
    PAYMENT_LATENCY_MS: '5',
    // The listing's totals as of the last second (015) are for fans; a test reads what it wrote.
    TICKETD_LISTING_TOTALS_MS: '0',
    ...env,
  };
  const started = await script('stack', ['start'], stackEnv);
  if (started.code !== 0) {
    await keepLogs(dir, name);
    await script('stack', ['destroy'], stackEnv).catch(() => {});
    throw new Error(`deploy/stack start failed (exit ${started.code}):\n${started.stderr}`);
  }
  const vars = parseEnvFile(await readFile(path.join(dir, 'stack.env'), 'utf8'));
  const stack = new Stack(dir, port, stackEnv, vars, name);
  stack.metricsPort = metrics ? metricsPort : null;
  await everyWorkerStarted(stack);
  return stack;
}

// The stack answers once one read worker has; the master forks the rest of its pools (96
// booking workers by default) before it logs "serving: ...". A test that began before would
// share a loaded machine's CPU with those forks.
async function everyWorkerStarted(stack) {
  await pollUntil(async () => /serving: \d+ read workers/.test(
    await readFile(stack.vars.TICKETD_LOG, 'utf8').catch(() => '')), 'ticketd to start every worker', 120000);
}

function callerName() {
  const file = process.argv[1] ?? 'stack';
  return path.basename(file).replace(/\.test\.mjs$/, '');
}

// Copies the stack's logs (PostgreSQL's through its symlink) to TEST_LOG_DIR/<name>/.
async function keepLogs(dir, name) {
  if (!process.env.TEST_LOG_DIR) return;
  const dest = path.join(process.env.TEST_LOG_DIR, name);
  await mkdir(dest, { recursive: true });
  const logDir = path.join(dir, 'log');
  for (const f of await readdir(logDir).catch(() => [])) {
    await cp(path.join(logDir, f), path.join(dest, f), { dereference: true }).catch(() => {});
  }
}

class Stack {
  constructor(dir, port, env, vars, name) {
    this.dir = dir;
    this.name = name;
    this.port = port;
    this.env = env;
    this.vars = vars;
    this.baseUrl = vars.BASE_URL;
  }

  // A request as the stack's default fan (lib/fans.mjs); { fan } names another, { fan: null }
  // sends no session at all.
  async request(method, urlPath, opts = {}) {
    const { fan: who, ...rest } = opts;
    const fan = who === undefined ? await defaultFan(this) : who;
    const headers = fan ? { cookie: fan.cookie, ...(rest.headers ?? {}) } : rest.headers;
    return httpRequest(this.port, method, urlPath, { ...rest, headers });
  }

  get(urlPath, opts) {
    return this.request('GET', urlPath, opts);
  }

  raw(bytes) {
    return rawRequest(this.port, bytes);
  }

  // deploy/stack <cmd> on this stack; throws when it fails.
  async stack(cmd) {
    const r = await script('stack', [cmd], this.env);
    if (r.code !== 0) throw new Error(`deploy/stack ${cmd} failed (exit ${r.code}):\n${r.stderr}`);
    return r;
  }

  // Any deploy/ script with this stack's STACK_DIR; never throws on a non-zero exit.
  script(name, args = []) {
    return script(name, args, this.env);
  }

  // Runs SQL as the tables' owner (an operator: the daemon's role may not, say, add a concert);
  // returns psql's unaligned, tuples-only output.
  async psql(sql) {
    return this.psqlAs(this.vars.OWNER_DATABASE_URL || this.vars.DATABASE_URL, sql);
  }

  // The same as the daemon's own role (DATABASE_URL: its socket, its password in a passfile).
  async psqlApp(sql) {
    return this.psqlAs(this.vars.DATABASE_URL, sql);
  }

  async psqlAs(url, sql) {
    const { stdout } = await run('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1',
      url, '-c', sql], { env: this.env });
    return stdout.trim();
  }

  // Polls until GET urlPath answers `status`, or fails after timeoutMs.
  async waitFor(urlPath, status, timeoutMs = 15000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
      try {
        last = await this.get(urlPath);
        if (last.status === status) return last;
      } catch (err) {
        if (err instanceof ContractError) throw err;
        last = { status: String(err) };
      }
      await sleep(100);
    }
    throw new Error(`GET ${urlPath} did not answer ${status} within ${timeoutMs} ms (last: ${last?.status})`);
  }

  // The access log entry of one request id (nginx flushes its log buffer every second).
  async accessLogEntry(requestId, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await readFile(this.vars.ACCESS_LOG, 'utf8').catch(() => '');
      for (const line of text.split('\n')) {
        if (line.includes(requestId)) return { line, entry: JSON.parse(line) };
      }
      if (Date.now() > deadline) throw new Error(`request id ${requestId} not in ${this.vars.ACCESS_LOG}`);
      await sleep(200);
    }
  }

  ticketdLog() {
    return readFile(this.vars.TICKETD_LOG, 'utf8');
  }

  // Stops ticketd (SIGTERM: workers drain and exit, so LeakSanitizer reports now) and returns
  // every sanitizer report its log holds; the caller asserts there are none.
  async stopTicketdAndCollectSanitizerReports() {
    await this.stack('ticketd-stop');
    const text = await this.ticketdLog();
    return text
      .split('\n')
      .filter((l) => /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)/.test(l));
  }

  async destroy() {
    await keepLogs(this.dir, this.name);
    if (process.env.KEEP_STACK) {
      await script('stack', ['stop'], this.env);
      process.stderr.write(`# KEEP_STACK: stack kept in ${this.dir}\n`);
      return;
    }
    const r = await script('stack', ['destroy'], this.env);
    if (r.code !== 0) throw new Error(`deploy/stack destroy failed:\n${r.stderr}`);
  }
}

// Asserts the API's error envelope: exactly success:false and error {code, message[, details]}.
export function assertError(assert, res, status, code) {
  assert.equal(res.status, status, `status of ${res.body}`);
  assert.match(res.headers['content-type'] ?? '', /^application\/json\b/);
  assert.ok(res.json, `a JSON body: ${res.body}`);
  assert.deepEqual(Object.keys(res.json).sort(), ['error', 'success']);
  assert.equal(res.json.success, false);
  assert.equal(res.json.error.code, code);
  assert.equal(typeof res.json.error.message, 'string');
  assert.ok(res.json.error.message.length > 0, 'a message');
  for (const k of Object.keys(res.json.error)) {
    assert.ok(['code', 'message', 'details'].includes(k), `unexpected error field ${k}`);
  }
}

// Asserts a success envelope and returns its data.
export function assertOk(assert, res, status = 200) {
  assert.equal(res.status, status, `status of ${res.body}`);
  assert.match(res.headers['content-type'] ?? '', /^application\/json\b/);
  assert.ok(res.json, `a JSON body: ${res.body}`);
  assert.equal(res.json.success, true);
  for (const k of Object.keys(res.json)) {
    assert.ok(['success', 'data', 'meta'].includes(k), `unexpected envelope field ${k}`);
  }
  assert.ok('data' in res.json, 'a data field');
  return res.json.data;
}
