// The deployment that lets no one in (issue 14), attacked the way the issue measured it: who can
// reach the database and as what, which users the services run as, who can read the logs, how
// they rotate and how much a flood writes, /health's limit, and HTTPS. The checks that need
// another local user (nobody) or the services' own users run only as root, as deploy/test does.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, readFile, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';

import { REPO, assertError, defaultTicketdBin, freePorts, httpRequest, sleep, startStack } from './stack.mjs';
import { checkResponse } from './lib/contract.mjs';
import { uuid, workers } from './lib/booking-helpers.mjs';

const run = promisify(execFile);
const isRoot = process.getuid() === 0;
const rootOnly = isRoot ? {} : { skip: 'needs root: the services drop to their own users only when started as root' };

let s;
let metricsPort;
before(async () => {
  s = await startStack({ metrics: true });
  metricsPort = s.metricsPort;
});
after(async () => {
  await s?.destroy();
});

// A command's { code, stdout, stderr }, whatever its exit status.
async function sh(cmd, args, opts = {}) {
  try {
    const { stdout, stderr } = await run(cmd, args, { maxBuffer: 16 * 1024 * 1024, ...opts });
    return { code: 0, stdout, stderr };
  } catch (err) {
    if (typeof err.code !== 'number') throw err;
    return { code: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

// The same as `nobody`: any local user with no part in the stack.
const asNobody = (cmd, args) => sh('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', cmd, ...args],
  { cwd: '/', env: { PATH: process.env.PATH, HOME: '/nonexistent' } });

// (Not new URL(): a socket's URL has no host, which WHATWG URLs refuse.)
const passfile = () => new URLSearchParams(s.vars.DATABASE_URL.split('?')[1]).get('passfile');
const mode = async (p) => (await stat(p)).mode & 0o777;

async function uidOf(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^Uid:\s+(\d+)/m.exec(status)[1]);
}

async function childrenOf(ppid) {
  const { stdout } = await sh('ps', ['-o', 'pid=', '--ppid', String(ppid)]);
  return stdout.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
}

const userId = async (name) => Number((await sh('id', ['-u', name])).stdout.trim());

// Runs SQL as the daemon's role and returns psql's error text ('' when it succeeded).
async function appError(sql) {
  const r = await sh('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', s.vars.DATABASE_URL, '-c', sql]);
  return r.code === 0 ? '' : r.stderr;
}

test('a local user cannot reach the database: no password for TCP, no way into the socket directory, no passfile', rootOnly, async (t) => {
  for (const role of ['postgres', 'ticketd_owner', 'ticketd']) {
    await t.test(`TCP as ${role}`, async () => {
      const r = await asNobody('psql', ['-X', '-w', '-h', '127.0.0.1', '-p', s.vars.PG_PORT, '-U', role, '-d', 'ticketd',
        '-c', 'SELECT 1']);
      assert.notEqual(r.code, 0, `connected as ${role}: ${r.stdout}`);
      assert.match(r.stderr, /password|authentication failed/);
    });
  }
  await t.test('the operators\' unix socket is inside a 0700 directory', async () => {
    assert.equal(await mode(s.vars.PGHOST), 0o700);
    const r = await asNobody('psql', ['-X', '-w', '-h', s.vars.PGHOST, '-p', s.vars.PG_PORT, '-U', 'postgres', '-c', 'SELECT 1']);
    assert.notEqual(r.code, 0, r.stdout);
  });
  await t.test('the daemon\'s unix socket is inside a 0750 directory of the daemon\'s group, apart from the cluster\'s home', async () => {
    const st = await stat(s.vars.DB_SOCKDIR);
    assert.equal(st.mode & 0o777, 0o750);
    assert.equal(st.uid, await userId('postgres'));
    assert.equal(st.gid, Number((await sh('id', ['-g', s.vars.TICKETD_USER])).stdout.trim()));
    const home = path.dirname(s.vars.PGDATA);
    assert.notEqual(await realpath(s.vars.DB_SOCKDIR), await realpath(home));
    assert.equal(await mode(home), 0o700, 'the cluster\'s home (data, log) stays its own');
    for (const [who, as] of [['nobody', asNobody], ['nginx\'s user', asNginxUser]]) {
      const r = await as('psql', ['-X', '-w', '-h', s.vars.DB_SOCKDIR, '-p', s.vars.PG_PORT, '-U', 'ticketd', '-c', 'SELECT 1']);
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stderr, /Permission denied/, `${who} does not reach the socket`);
    }
  });
  await t.test('no pg_hba.conf line trusts; only root and the cluster\'s OS user are mapped to roles', async () => {
    const admin = (sql) => s.psqlAs(s.vars.ADMIN_DATABASE_URL, sql);
    assert.equal(await admin("SELECT count(*) FROM pg_hba_file_rules WHERE auth_method = 'trust' OR error IS NOT NULL"), '0');
    assert.equal(await admin("SELECT string_agg(DISTINCT sys_name, ',' ORDER BY sys_name) FROM pg_ident_file_mappings WHERE error IS NULL"),
      'postgres,root');
    assert.equal(await admin('SELECT count(*) FROM pg_ident_file_mappings WHERE error IS NOT NULL'), '0');
  });
  await t.test('the daemon\'s passfile', async () => {
    assert.equal(await mode(passfile()), 0o600);
    assert.notEqual((await asNobody('cat', [passfile()])).code, 0);
    const r = await asNobody('psql', ['-X', '-w', s.vars.DATABASE_URL, '-c', 'SELECT 1']);
    assert.notEqual(r.code, 0, r.stdout);
  });
  await t.test('stack.env is root\'s', async () => {
    assert.equal(await mode(path.join(s.dir, 'stack.env')), 0o600);
  });
});

// nginx's workers' user: it reaches the daemon's FastCGI sockets, never the database's.
const asNginxUser = (cmd, args) => sh('runuser', ['-u', s.vars.NGINX_USER, '--', cmd, ...args],
  { cwd: '/', env: { PATH: process.env.PATH, HOME: '/nonexistent' } });

// The daemon's own OS user, as a compromised daemon would be.
const asDaemonUser = (cmd, args, env = {}) => sh('runuser', ['-u', s.vars.TICKETD_USER, '--', cmd, ...args],
  { cwd: '/', env: { PATH: process.env.PATH, HOME: '/nonexistent', ...env } });

test('deploy/stack refuses a STACK_DIR that its database URL or passfile could not carry, and makes nothing', async () => {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'ticketd-names-'));
  const start = (env, cwd = '/') => sh(path.join(REPO, 'deploy/stack'), ['start'], { cwd, env: { ...process.env, ...env } });
  const refused = /must not contain spaces, quotes, shell characters or any of : & \? # % = , ; \{ \}/;
  try {
    for (const name of ['a b', 'a:b', 'a&b', 'a?b', 'a#b', 'a%b', 'a=b', 'a,b', 'a;b', 'a{b', 'a}b', 'a\'b', 'a$b']) {
      const r = await start({ STACK_DIR: path.join(parent, name) });
      assert.equal(r.code, 1, name);
      assert.match(r.stderr, refused, name);
    }
    // A relative STACK_DIR is checked as it resolves.
    await mkdir(path.join(parent, 'x:y'));
    const r = await start({ STACK_DIR: 'stack' }, path.join(parent, 'x:y'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, refused);
    assert.deepEqual(await readdir(parent), ['x:y']);
    assert.deepEqual(await readdir(path.join(parent, 'x:y')), []);
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
});

// A deep STACK_DIR's sockets do not fit a socket's path: their directories are in /tmp, under
// names derived from STACK_DIR that any local user can work out and make first. (The homes in
// /var/tmp of a STACK_DIR the services cannot reach have random names.)
for (const [what, suffix] of [['the daemon\'s sockets', '-run'], ['the operators\' database socket', '-pg'],
  ['the daemon\'s database socket', '-db']]) {
  test(`deploy/stack stops when the directory in /tmp for ${what} was made first by another user, and writes nothing into it`, rootOnly, async () => {
    const parent = await mkdtemp(path.join(os.tmpdir(), 'ticketd-squat-'));
    await chmod(parent, 0o755);
    const dir = path.join(parent, 'd'.repeat(80));
    await mkdir(dir);
    const hash = createHash('sha1').update(await realpath(dir)).digest('hex').slice(0, 12);
    const squat = `/tmp/ticketd-${hash}${suffix}`;
    await mkdir(squat);
    await chown(squat, await userId('nobody'), 0);
    const [port, pgPort] = await freePorts(2);
    const env = { ...process.env, STACK_DIR: dir, PORT: String(port), PG_PORT: String(pgPort), TICKETD_BIN: defaultTicketdBin(),
      MAIL_PORT: '', METRICS_PORT: '' };
    try {
      const r = await sh(path.join(REPO, 'deploy/stack'), ['start'], { env });
      assert.notEqual(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`${squat} belongs to nobody \\(mode 755\\), not to this stack: remove it`));
      assert.deepEqual(await readdir(squat), []);
      assert.equal((await stat(squat)).uid, await userId('nobody'));
    } finally {
      await sh(path.join(REPO, 'deploy/stack'), ['destroy'], { env });
      await rm(squat, { recursive: true, force: true });
      await rm(parent, { recursive: true, force: true });
    }
  });
}

test('what root writes is not in the daemon\'s run directory, whose files are the daemon\'s user\'s', rootOnly, async () => {
  const runDir = path.dirname(s.vars.TICKETD_READ_SOCKET);
  const daemonUid = await userId(s.vars.TICKETD_USER);
  const names = await readdir(runDir);
  assert.ok(names.includes('ticketd.pid') && names.includes('read.sock'), names.join(' '));
  for (const name of names) assert.equal((await stat(path.join(runDir, name))).uid, daemonUid, name);
  assert.equal((await stat(runDir)).uid, daemonUid);
});

test('through its socket the daemon\'s user is the daemon\'s role, with its password, and nothing more', rootOnly, async (t) => {
  const over = (role) => ['-X', '-w', '-h', s.vars.DB_SOCKDIR, '-p', s.vars.PG_PORT, '-U', role, '-d', 'ticketd', '-At', '-c', 'SELECT current_user'];
  for (const role of ['postgres', 'ticketd_owner']) {
    await t.test(`not ${role}: its OS user is not the daemon's`, async () => {
      const r = await asDaemonUser('psql', over(role));
      assert.notEqual(r.code, 0, `connected as ${role}: ${r.stdout}`);
      assert.match(r.stderr, /Peer authentication failed/);
    });
  }
  await t.test('not the daemon\'s role without its password', async () => {
    const r = await asDaemonUser('psql', over('ticketd'), { PGPASSFILE: '/dev/null' });
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /password/);
  });
  await t.test('the daemon\'s role with its passfile, as the daemon connects', async () => {
    const r = await asDaemonUser('psql', ['-X', '-w', '-At', s.vars.DATABASE_URL, '-c', 'SELECT current_user']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'ticketd');
  });
  await t.test('the daemon\'s connections come over its socket', async () => {
    assert.equal((await httpRequest(s.port, 'GET', '/api/concerts')).status, 200); // a worker's connection is open
    assert.equal(await s.psqlAs(s.vars.ADMIN_DATABASE_URL, `SELECT count(*) FROM pg_stat_activity
      WHERE usename = 'ticketd' AND application_name LIKE 'ticketd%' AND client_port IS DISTINCT FROM -1`), '0');
    assert.notEqual(await s.psqlAs(s.vars.ADMIN_DATABASE_URL, `SELECT count(*) FROM pg_stat_activity
      WHERE usename = 'ticketd' AND client_port = -1`), '0');
  });
});

test('the daemon\'s role is no superuser, owns nothing, and may do only what the daemon does', async (t) => {
  assert.equal(await s.psqlApp('SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = current_user'), 'f');
  assert.equal(await s.psql("SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'public'"), 'ticketd_owner');
  assert.equal(await s.psql("SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proowner <> 'ticketd_owner'::regrole"), '0');
  const denied = [
    ['COPY TO PROGRAM (what made a local user the postgres OS user)', "COPY (SELECT 1) TO PROGRAM 'id'"],
    ['DROP TABLE', 'DROP TABLE bookings'],
    ['TRUNCATE', 'TRUNCATE booking_events'],
    ['ALTER TABLE', 'ALTER TABLE users ADD COLUMN x int'],
    ['CREATE TABLE', 'CREATE TABLE planted (i int)'],
    ['DELETE a booking', 'DELETE FROM bookings'],
    ['INSERT a concert', "INSERT INTO concerts (id, name, venue, event_date) VALUES ('x', 'x', 'x', now())"],
    ['UPDATE a price', 'UPDATE ticket_tiers SET price_cents = 1'],
    ['add_concert()', "SELECT add_concert('x', 'y', now(), ARRAY['GA:1:1.00'], 1)"],
    ['become the owner', 'SET ROLE ticketd_owner'],
  ];
  for (const [name, sql] of denied) {
    await t.test(`denied: ${name}`, async () => {
      assert.match(await appError(sql), /permission denied|must be owner|must be superuser/);
    });
  }
  await t.test('allowed: what the daemon reads and writes', async () => {
    assert.equal(await appError('SELECT count(*) FROM bookings, concerts'), '');
    assert.equal(await appError("UPDATE sessions SET last_seen_at = now() WHERE token_hash = 'none'"), '');
    assert.equal(await appError("DELETE FROM login_failures WHERE email = 'none'"), '');
  });
  await t.test('no function is PUBLIC\'s to call; the views are read-only to the daemon', async () => {
    assert.equal(await s.psql(`SELECT coalesce(string_agg(p.oid::regprocedure::text, ', '), '') FROM pg_proc p
                               WHERE p.pronamespace = 'public'::regnamespace
                                 AND has_function_privilege('public', p.oid, 'EXECUTE')`), '');
    assert.equal(await s.psql(`SELECT coalesce(string_agg(c.relname, ', '), '') FROM pg_class c
                               WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v'
                                 AND has_table_privilege('ticketd', c.oid, 'INSERT, UPDATE')`), '');
    assert.equal(await appError('SELECT count(*) FROM booking_history'), '');
  });
  await t.test('a later migration\'s table: SELECT, INSERT, UPDATE by default, never DELETE or TRUNCATE', async () => {
    await s.psql('CREATE TABLE later_migration (i int)');
    try {
      assert.equal(await appError('INSERT INTO later_migration VALUES (1); UPDATE later_migration SET i = 2'), '');
      assert.equal(await s.psqlApp('SELECT i FROM later_migration'), '2');
      assert.match(await appError('DELETE FROM later_migration'), /permission denied/);
      assert.match(await appError('TRUNCATE later_migration'), /permission denied/);
    } finally {
      await s.psql('DROP TABLE later_migration');
    }
  });
});

test('a slow statement is logged without its bind parameters', async () => {
  assert.equal(await s.psqlApp('SHOW log_parameter_max_length'), '0');
  assert.equal(await s.psqlApp('SHOW log_parameter_max_length_on_error'), '0');
  // pgbench sends :secret as a bind parameter (extended protocol), as ticketd does; every
  // statement of its session counts as slow.
  const secret = String(900000000000 + Math.floor(Math.random() * 99999999));
  const marker = `marker_${uuid().replaceAll('-', '')}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ticketd-pgbench-'));
  try {
    const script = path.join(dir, 'slow.sql');
    await writeFile(script, `SET log_min_duration_statement = 0;\n\\set secret ${secret}\nSELECT :secret::text AS ${marker};\n`);
    const pgbench = (await sh('sh', ['-c', 'ls /usr/lib/postgresql/*/bin/pgbench | sort -V | tail -n 1'])).stdout.trim();
    const r = await sh(pgbench, ['-n', '-t', '1', '-M', 'extended', '-f', script, s.vars.ADMIN_DATABASE_URL]);
    assert.equal(r.code, 0, r.stderr);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const deadline = Date.now() + 10000;
  while (!(await readFile(s.vars.PG_LOG, 'utf8')).includes(marker)) {
    assert.ok(Date.now() < deadline, 'the slow statement reached the log');
    await sleep(100);
  }
  const text = await readFile(s.vars.PG_LOG, 'utf8');
  assert.ok(!text.includes(secret), 'the parameter is not in the log');
  assert.doesNotMatch(text, /parameters: \$1/);
});

test('ticketd\'s master and workers and nginx\'s workers are not root, and reach each other only through their group', rootOnly, async () => {
  const ticketdUid = await userId('ticketd');
  const wwwUid = await userId('www-data');
  assert.ok(ticketdUid > 0);
  const w = await workers(s);
  const pids = [w.master, ...w.read, ...w.book];
  assert.ok(pids.length >= 3);
  for (const pid of pids) assert.equal(await uidOf(pid), ticketdUid, `ticketd process ${pid}`);
  const nginxWorkers = await childrenOf(Number(s.vars.NGINX_PID));
  assert.ok(nginxWorkers.length > 0);
  for (const pid of nginxWorkers) assert.equal(await uidOf(pid), wwwUid, `nginx worker ${pid}`);
  for (const sock of [s.vars.TICKETD_READ_SOCKET, s.vars.TICKETD_BOOK_SOCKET]) {
    const st = await stat(sock);
    assert.equal(st.mode & 0o777, 0o660, sock);
    assert.equal(st.gid, Number((await sh('getent', ['group', 'www-data'])).stdout.split(':')[2]));
  }
  assert.notEqual((await asNobody('ls', [path.dirname(s.vars.TICKETD_READ_SOCKET)])).code, 0);
});

test('every log file is 0640: booking ids are for the log group only', async () => {
  // Something in each log first (the operators' port has its own access log).
  assert.equal((await httpRequest(metricsPort, 'GET', '/health')).status, 200);
  for (const f of ['access.log', 'metrics-access.log', 'nginx-error.log', 'ticketd.log']) {
    const p = path.join(s.vars.LOG_DIR, f);
    assert.equal((await mode(p)).toString(8), '640', p);
    if (isRoot) assert.notEqual((await asNobody('cat', [p])).code, 0, `nobody reads ${p}`);
  }
});

// The marker: a request whose entry in the access log shows that everything before it is there.
async function flushAccessLog(localAddress) {
  const res = await httpRequest(s.port, 'GET', '/', { localAddress });
  await s.accessLogEntry(res.headers['x-request-id'], 15000);
}

test('a flood of rate-limited requests writes a few bytes a refusal: 429s are sampled, not warned about', async (t) => {
  const src = '127.0.0.3';
  const accessBefore = (await stat(s.vars.ACCESS_LOG)).size;
  const errorBefore = (await stat(s.vars.NGINX_ERROR_LOG)).size;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8, localAddress: src });
  const counts = {};
  const total = 2000;
  let sent = 0;
  const one = () => new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: s.port, path: '/api/concerts', agent }, (res) => {
      res.resume();
      res.on('end', () => { counts[res.statusCode] = (counts[res.statusCode] ?? 0) + 1; resolve(); });
    }).on('error', reject);
  });
  await Promise.all(Array.from({ length: 8 }, async () => { while (sent < total) { sent++; await one(); } }));
  agent.destroy();
  const refused = counts[429] ?? 0;
  assert.ok(refused >= 500, `a flood: ${JSON.stringify(counts)}`);
  await flushAccessLog(src);

  const access = (await readFile(s.vars.ACCESS_LOG)).subarray(accessBefore).toString('utf8');
  const refusedLines = access.split('\n').filter((l) => l.includes('"status":"429"'));
  const refusedBytes = refusedLines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  const errorText = (await readFile(s.vars.NGINX_ERROR_LOG)).subarray(errorBefore).toString('utf8');
  const perRefusal = (refusedBytes + Buffer.byteLength(errorText)) / refused;
  t.diagnostic(`${refused} refusals: ${refusedLines.length} sampled in the access log, ${refusedBytes} + ${Buffer.byteLength(errorText)} bytes, ${perRefusal.toFixed(1)} bytes a refusal`);
  assert.doesNotMatch(errorText, /limiting requests/);
  // One in a hundred sampled (~3.7 bytes a refusal); every refusal logged was ~480.
  assert.ok(perRefusal < 40, `${perRefusal} bytes a refusal`);
  assert.ok(refusedLines.length < refused / 10, `${refusedLines.length} of ${refused} refusals logged`);
});

test('/health on the public port is rate limited per address; the operators\' port answers the load balancer without a limit', async () => {
  // 10 a second with a burst of 20: of 80 at once, most are refused.
  const burst = (port, localAddress) => Promise.all(Array.from({ length: 80 },
    () => httpRequest(port, 'GET', '/health', { localAddress })));
  const pub = await burst(s.port, '127.0.0.4');
  const limited = pub.filter((r) => r.status === 429);
  assert.ok(limited.length >= 30, `429s: ${limited.length} of 80`);
  assertError(assert, limited[0], 429, 'RATE_LIMITED');
  assert.ok(pub.some((r) => r.status === 200));
  const ops = await burst(metricsPort, '127.0.0.4');
  for (const r of ops) assert.equal(r.status, 200, r.body);
  assert.equal(ops[0].json.status, 'healthy');
});

test('logrotate: the shipped configuration is valid, and a rotation makes nginx and ticketd write to new 0640 files', async () => {
  const conf = s.vars.LOGROTATE_CONF;
  const check = await sh('logrotate', ['-d', conf]);
  assert.equal(check.code, 0, check.stderr);
  assert.doesNotMatch(check.stdout + check.stderr, /^error:/im);

  const state = await mkdtemp(path.join(os.tmpdir(), 'ticketd-logrotate-'));
  try {
    const rotated = await sh('logrotate', ['-f', '-s', path.join(state, 'status'), conf]);
    assert.equal(rotated.code, 0, rotated.stderr);
  } finally {
    await rm(state, { recursive: true, force: true });
  }
  assert.ok((await stat(`${s.vars.TICKETD_LOG}.1`)).size > 0);
  assert.ok((await stat(`${s.vars.ACCESS_LOG}.1`)).size > 0);
  // ticketd's master reopens its log on SIGUSR1 and says so in the new file.
  const deadline = Date.now() + 15000;
  while (!(await readFile(s.vars.TICKETD_LOG, 'utf8')).includes('log file reopened')) {
    assert.ok(Date.now() < deadline, 'ticketd wrote to its new log');
    await sleep(100);
  }
  // nginx's workers write the next request to the new access log.
  const res = await httpRequest(s.port, 'GET', '/api/concerts', { localAddress: '127.0.0.5' });
  assert.equal(res.status, 200);
  await s.accessLogEntry(res.headers['x-request-id'], 15000);
  assert.ok(!(await readFile(`${s.vars.ACCESS_LOG}.1`, 'utf8')).includes(res.headers['x-request-id']));
  for (const p of [s.vars.ACCESS_LOG, s.vars.TICKETD_LOG]) assert.equal((await mode(p)).toString(8), '640', p);
  if (isRoot) {
    assert.equal((await stat(s.vars.ACCESS_LOG)).uid, await userId('www-data'));
    assert.equal((await stat(s.vars.TICKETD_LOG)).uid, await userId('ticketd'));
  }
});

// The daemon's user writes its pid file, and root's daily logrotate signals what it names.
test('logrotate signals only a process of the daemon\'s user: a pid file naming another is left alone', rootOnly, async () => {
  const pidFile = path.join(path.dirname(s.vars.TICKETD_READ_SOCKET), 'ticketd.pid');
  const kept = await readFile(pidFile, 'utf8');
  // A bystander that blocks SIGUSR1: one sent to it stays pending, to be read off /proc as soon
  // as logrotate's kill has returned.
  const bystander = spawn('python3', ['-c', 'import signal, time\n'
    + 'signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])\nprint("ready", flush=True)\ntime.sleep(300)'],
  { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise((resolve, reject) => {
    bystander.stdout.once('data', resolve);
    bystander.once('exit', () => reject(new Error('the bystander exited')));
  });
  const pendingUsr1 = async () => {
    const status = await readFile(`/proc/${bystander.pid}/status`, 'utf8');
    const mask = BigInt(`0x${/^ShdPnd:\s+([0-9a-f]+)/m.exec(status)[1]}`) | BigInt(`0x${/^SigPnd:\s+([0-9a-f]+)/m.exec(status)[1]}`);
    return (mask & (1n << BigInt(os.constants.signals.SIGUSR1 - 1))) !== 0n;
  };
  const state = await mkdtemp(path.join(os.tmpdir(), 'ticketd-logrotate-'));
  try {
    assert.equal(await pendingUsr1(), false);
    await writeFile(pidFile, `${bystander.pid}\n`);
    const rotated = await sh('logrotate', ['-f', '-s', path.join(state, 'status'), s.vars.LOGROTATE_CONF]);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.equal(await pendingUsr1(), false, 'the bystander was sent SIGUSR1');
  } finally {
    await writeFile(pidFile, kept);
    process.kill(Number(kept.trim()), 'SIGUSR1'); // the rotation the daemon missed: its new log
    bystander.kill('SIGKILL');
    await rm(state, { recursive: true, force: true });
  }
});

// --- HTTPS --------------------------------------------------------------------------------------

function httpsRequest(port, ca, method, urlPath, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', servername: 'localhost', port, method, path: urlPath, headers, ca,
      agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        const answer = { status: res.statusCode, headers: res.headers, body: text, json };
        try {
          checkResponse(method, urlPath, answer);
        } catch (err) {
          reject(err);
          return;
        }
        resolve(answer);
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

test('with a certificate, nginx serves HTTPS: HSTS, and the session cookie is __Host- and Secure', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ticketd-tls-'));
  const cert = path.join(dir, 'localhost.crt');
  const key = path.join(dir, 'localhost.key');
  let tls;
  try {
    const made = await sh('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert]);
    assert.equal(made.code, 0, made.stderr);
    tls = await startStack({ name: 'deployment-tls', env: { TLS_CERT: cert, TLS_KEY: key } });
    assert.equal(tls.vars.BASE_URL, `https://127.0.0.1:${tls.port}`);
    const ca = await readFile(cert);

    await t.test('GET /health over HTTPS, with Strict-Transport-Security', async () => {
      const res = await httpsRequest(tls.port, ca, 'GET', '/health');
      assert.equal(res.status, 200, res.body);
      assert.match(res.headers['strict-transport-security'] ?? '', /max-age=\d{7,}/);
    });
    await t.test('a fan who signs up over HTTPS gets a __Host- Secure HttpOnly cookie', async () => {
      const body = JSON.stringify({ email: `tls-${uuid().slice(0, 8)}@example.com`, password: 'correct horse battery', name: 'TLS fan' });
      const res = await httpsRequest(tls.port, ca, 'POST', '/api/auth/register',
        { headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, body });
      assert.equal(res.status, 201, res.body);
      const cookie = [].concat(res.headers['set-cookie'] ?? []).find((c) => c.includes('ticketd_session='));
      assert.ok(cookie, 'a session cookie');
      assert.match(cookie, /^__Host-ticketd_session=[^;]+;/);
      assert.match(cookie, /;\s*Secure/i);
      assert.match(cookie, /;\s*HttpOnly/i);
      assert.match(cookie, /;\s*Path=\//);
    });
  } finally {
    await tls?.destroy();
    await rm(dir, { recursive: true, force: true });
  }
});
