// Shared helpers of the browser tests: the browser, the stack and the API.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(here, '..', '..');
// The README's pictures are rewritten only on request (UPDATE_SCREENSHOTS=1); an ordinary
// run writes its copies beside the failure artifacts, so a test run leaves the tree clean.
export const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS
  ? join(here, 'screenshots')
  : join(here, 'screenshots-tmp', 'pages');
export const ARTIFACT_DIR = join(here, 'screenshots-tmp');

export const BASE_URL = (process.env.BASE_URL ?? 'http://localhost:8080').replace(/\/+$/, '');

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-gpu',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * A fresh browser context (own storage) with a fixed locale and time zone,
 * so dates read the same on every machine. Page errors fail loudly.
 */
export async function newPage(browser, { viewport = DESKTOP, deviceScaleFactor = 1 } = {}) {
  const context = await browser.newContext({
    baseURL: BASE_URL,
    viewport,
    deviceScaleFactor,
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // A CSP violation or a crash shows up here first.
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) {
      problems.push(`console: ${msg.text()}`);
    }
  });
  page.problems = problems;
  return page;
}

/** Saves a screenshot of a failed test's page for the post-mortem (not committed). */
export async function keepEvidence(page, name) {
  try {
    mkdirSync(ARTIFACT_DIR, { recursive: true });
    await page.screenshot({ path: join(ARTIFACT_DIR, `${name}.png`), fullPage: true });
  } catch {
    // the page may be gone already
  }
}

const run = promisify(execFile);
let serial = 0;

/** A unique suffix so every test gets concerts of its own. */
export function unique() {
  serial += 1;
  return `${process.pid.toString(36)}${Date.now().toString(36)}${serial}`;
}

/**
 * Creates a concert through deploy/add-concert (the stack's own tool) and
 * returns its id. Tiers are "NAME:QUANTITY:PRICE".
 */
export async function addConcert(name, venue, eventDate, ...tiers) {
  const { stdout } = await run(join(REPO_ROOT, 'deploy', 'add-concert'), [name, venue, eventDate, ...tiers], {
    env: process.env,
  });
  const id = stdout.trim().split('\n').pop();
  if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new Error(`deploy/add-concert printed no concert id: ${stdout}`);
  return id;
}

/**
 * deploy/add-concert with its options first (["--time-zone", "Europe/London"], ["--draft"], …).
 */
export async function addConcertWith(options, name, venue, start, ...tiers) {
  const { stdout } = await run(join(REPO_ROOT, 'deploy', 'add-concert'), [...options, name, venue, start, ...tiers], {
    env: process.env,
  });
  const id = stdout.trim().split('\n').pop();
  if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new Error(`deploy/add-concert printed no concert id: ${stdout}`);
  return id;
}

/**
 * A new box-office account made as operators make one, with deploy/add-admin (its
 * password from standard input); it signs in through the page like anyone else.
 */
export async function newAdmin(name) {
  return newOperator('admin', name ?? `E2E Box office ${unique()}`);
}

/** A door staff account (deploy/add-admin --staff): checks tickets in, no box office. */
export async function newStaff(name) {
  return newOperator('staff', name ?? `E2E Door ${unique()}`);
}

async function newOperator(role, name) {
  const id = unique();
  const account = { name, email: `e2e-${role}-${id}@example.test`, password: `e2e-${role}-password-${id}` };
  await new Promise((resolve, reject) => {
    const child = execFile(
      join(REPO_ROOT, 'deploy', 'add-admin'),
      [...(role === 'staff' ? ['--staff'] : []), '--password-stdin', account.email, account.name],
      // As an operator: the tables' owner (the daemon's role, DATABASE_URL, may not make accounts).
      { env: { ...process.env, DATABASE_URL: process.env.OWNER_DATABASE_URL || process.env.DATABASE_URL } },
      (err, _out, stderr) => (err ? reject(new Error(`deploy/add-admin: ${stderr}`)) : resolve()),
    );
    child.stdin.end(`${account.password}\n`);
  });
  return account;
}

/** The wall-clock time of an IANA zone at an instant, as a datetime-local input takes it. */
export function localTimeIn(zone, ms) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  // The input drops ":00" seconds; Playwright's fill() wants the value the input will hold.
  const seconds = parts.second === '00' ? '' : `:${parts.second}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}${seconds}`;
}

/**
 * One API request from node. `cookie` (from newApiFan) sends as that fan;
 * without it the request is signed out. 204 has no body (null).
 */
export async function api(path, { cookie, ...init } = {}) {
  const res = await fetch(`${BASE_URL}${path}`, {
    ...init,
    headers: {
      Accept: 'application/json',
      ...(init.body ? { 'Content-Type': 'application/json' } : {}),
      ...(cookie ? { Cookie: cookie } : {}),
    },
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text), headers: res.headers };
}

/**
 * An API request as a browser context's fan: context.request shares the
 * context's cookie jar (and its baseURL), so it is signed in exactly when
 * the context's pages are.
 */
export async function apiAs(context, path, { method = 'GET', data } = {}) {
  const res = await context.request.fetch(path, {
    method,
    ...(data !== undefined ? { data } : {}),
    headers: { Accept: 'application/json' },
    failOnStatusCode: false,
  });
  const text = await res.text();
  return { status: res.status(), body: text === '' ? null : JSON.parse(text) };
}

/** A fan nobody has used yet: a unique email, a password the policy accepts. */
export function newFan(label = 'Fan') {
  const id = unique();
  return { name: `E2E ${label} ${id}`, email: `e2e-${id}@example.test`, password: `e2e-password-${id}` };
}

/**
 * A fan made straight in the database, as the integration tests make theirs
 * (tests/integration/lib/fans.mjs): a user row (password hash "!", so it can
 * never sign in with a password) and a session whose token only the test
 * holds. Fast and outside nginx's per-address sign-up limit, which the UI
 * sign-ups of the suite stay well within. Needs DATABASE_URL (deploy/test
 * exports it); without it, the fan signs up through the API.
 */
async function dbFan(fan) {
  const hex = randomBytes(16).toString('hex');
  const token = randomBytes(32).toString('base64url');
  const id = `u_${hex}`;
  const sql = `INSERT INTO users (id, email, name, password_hash) VALUES (:'id', :'email', :'name', '!');
INSERT INTO sessions (token_hash, user_id) VALUES (:'hash', :'id');
`;
  await new Promise((resolve, reject) => {
    const child = execFile('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-v', `id=${id}`, '-v', `email=${fan.email}`,
      '-v', `name=${fan.name}`, '-v', `hash=${createHash('sha256').update(token).digest('hex')}`, '-f', '-',
      process.env.DATABASE_URL], (err, _out, stderr) => (err ? reject(new Error(`making a fan: ${stderr}`)) : resolve()));
    child.stdin.end(sql);
  });
  return { ...fan, token, user: { id, email: fan.email, name: fan.name, role: 'fan' } };
}

/** Signs a fan up through the API from node; a 429 from nginx fails loudly. */
async function registerViaApi(fan) {
  const r = await fetch(`${BASE_URL}/api/auth/register`, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: fan.email, password: fan.password, name: fan.name }),
  });
  const body = await r.json().catch(() => null);
  if (r.status !== 201) throw new Error(`signing up ${fan.email}: HTTP ${r.status} ${JSON.stringify(body)}`);
  const token = /ticketd_session=([^;]+)/.exec(r.headers.getSetCookie().join('; '))?.[1];
  if (!token) throw new Error('sign-up set no session cookie');
  return { ...fan, token, user: body.data.user };
}

const apiFan = (fan) => (process.env.DATABASE_URL ? dbFan(fan) : registerViaApi(fan));

/**
 * A fresh fan signed in in a browser context: its session cookie lands in
 * the context's jar, so its pages are signed in from then on. Returns the
 * fan with `user` (the server's {id, email, name, role}).
 */
export async function signUpViaApi(context, fan = newFan()) {
  const made = await apiFan(fan);
  await context.addCookies([{ name: 'ticketd_session', value: made.token, url: BASE_URL, httpOnly: true, sameSite: 'Lax' }]);
  return made;
}

/**
 * For the README's pictures: the fan has dismissed the "confirm your email" reminder (the
 * fans made here never verify their address), as a fan may for the tab's session.
 */
export async function withoutEmailReminder(context, userId) {
  await context.addInitScript((id) => window.sessionStorage.setItem('ticketd.emailBanner.dismissed', id), userId);
}

/** A fresh fan for node's requests; `cookie` is its session for api(..., { cookie }). */
export async function newApiFan(label = 'API fan') {
  const made = await apiFan(newFan(label));
  return { ...made, cookie: `ticketd_session=${made.token}` };
}

/** Signs up on the sign-up page (returning to `next`, default "/") and waits for the header to name the fan. */
export async function signUpViaUi(page, fan = newFan(), next = '/') {
  await page.goto(next === '/' ? '/signup' : `/signup?next=${encodeURIComponent(next)}`);
  await fillSignUp(page, fan);
  await signedInAs(page, fan);
  return fan;
}

/** Fills and sends the sign-up form the page shows. */
export async function fillSignUp(page, fan) {
  await page.getByRole('heading', { level: 1, name: 'Create your account' }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill(fan.name);
  await page.getByLabel('Email', { exact: true }).fill(fan.email);
  await page.getByLabel('Password', { exact: true }).fill(fan.password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

/** Signs in on the sign-in page (returning to `next`) and waits for the header to name the fan. */
export async function signInViaUi(page, fan, next = '/') {
  await page.goto(next === '/' ? '/signin' : `/signin?next=${encodeURIComponent(next)}`);
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await page.getByLabel('Email', { exact: true }).fill(fan.email);
  await page.getByLabel('Password', { exact: true }).fill(fan.password);
  await page.getByRole('main').getByRole('button', { name: 'Sign in' }).click();
  await signedInAs(page, fan);
}

/** Waits until the header shows the fan's name (desktop widths show it). */
export async function signedInAs(page, fan) {
  await waitForText(page.getByRole('banner').getByTestId('account-name'), fan.name);
}

/** Whether the stack offers the always-declining test card (GET /api/config). */
export async function testPaymentsOffered() {
  const { status, body } = await api('/api/config');
  return status === 200 && body?.data?.testPayments === true;
}

export async function availability(concertId) {
  const { status, body } = await api(`/api/concerts/${concertId}/availability`);
  if (status !== 200) throw new Error(`availability of ${concertId}: HTTP ${status}`);
  return body.data.tiers;
}

export async function tierByName(concertId, tierName) {
  const tier = (await availability(concertId)).find((t) => t.tierName === tierName);
  if (!tier) throw new Error(`no tier ${tierName} in ${concertId}`);
  return tier;
}

/**
 * Books straight through the API, as another fan would: by default a fresh
 * fan each time (each fan may buy only so many tickets per concert); pass
 * one from newApiFan() to book as that fan.
 */
export async function bookViaApi(concertId, tierName, quantity, fan) {
  const as = fan ?? (await newApiFan('Other fan'));
  const tier = await tierByName(concertId, tierName);
  const cents = Math.round(tier.price * 100) * quantity;
  const body = JSON.stringify({
    concertId,
    tickets: [{ tierId: tier.id, quantity }],
    idempotencyKey: crypto.randomUUID(),
  }).replace(/}$/, `,"totalAmount":${(cents / 100).toFixed(2)}}`);
  return api('/api/bookings', { method: 'POST', body, cookie: as.cookie });
}

/**
 * How many booking rows the database holds for a concert, when the test can
 * reach the database (deploy/test exports DATABASE_URL); null otherwise.
 */
export async function countBookingRows(concertId) {
  if (!process.env.DATABASE_URL) return null;
  // The id travels as a psql variable (psql interpolates only in scripts, not -c).
  const sql = "SELECT count(*) FROM bookings WHERE concert_id = :'concert';\n";
  return new Promise((resolve) => {
    const child = execFile(
      'psql',
      ['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-v', `concert=${concertId}`, '-f', '-', process.env.DATABASE_URL],
      (err, stdout) => resolve(err ? null : Number(stdout.trim())),
    );
    child.stdin.end(sql);
  });
}

/**
 * Runs one scenario in a fresh page; on failure keeps a screenshot in
 * screenshots-tmp/ and says what the page logged. A script error or CSP
 * violation in the page fails the test even if the assertions passed.
 */
export async function scenario(browser, name, fn, options) {
  const page = await newPage(browser, options);
  try {
    await fn(page);
    if (page.problems.length) throw new Error(`the page reported errors:\n${page.problems.join('\n')}`);
  } catch (err) {
    await keepEvidence(page, name);
    if (page.problems.length) err.message += `\npage log:\n${page.problems.join('\n')}`;
    throw err;
  } finally {
    await page.context().close();
  }
}

/** Adds `count` tickets of a tier with its stepper's + button. */
export async function addTickets(page, tierLabel, count) {
  const plus = page.getByRole('button', { name: `Add one ${tierLabel} ticket` });
  for (let i = 0; i < count; i++) await plus.click();
}

/** Waits until the locator's text matches (playwright-core has no expect()). */
export async function waitForText(locator, pattern, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      last = (await locator.first().textContent({ timeout: 1_000 })) ?? '';
      if (typeof pattern === 'string' ? last.includes(pattern) : pattern.test(last)) return last;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error(`text ${pattern} not found; last seen: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls an async check until it returns true. */
export async function eventually(check, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
