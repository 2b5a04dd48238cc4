// Shared helpers of the browser tests: the browser, the stack and the API.
import { execFile } from 'node:child_process';
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

export async function api(path, init = {}) {
  const res = await fetch(`${BASE_URL}${path}`, {
    ...init,
    headers: { Accept: 'application/json', ...(init.body ? { 'Content-Type': 'application/json' } : {}) },
  });
  const body = await res.json();
  return { status: res.status, body };
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

/** Books straight through the API, as another fan would. */
export async function bookViaApi(concertId, tierName, quantity, userId = 'another-fan') {
  const tier = await tierByName(concertId, tierName);
  const cents = Math.round(tier.price * 100) * quantity;
  const body = JSON.stringify({
    concertId,
    userId,
    tickets: [{ tierId: tier.id, quantity }],
    idempotencyKey: crypto.randomUUID(),
  }).replace(/}$/, `,"totalAmount":${(cents / 100).toFixed(2)}}`);
  return api('/api/bookings', { method: 'POST', body });
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
