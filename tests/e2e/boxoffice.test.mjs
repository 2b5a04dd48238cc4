// The box office end to end: an admin signs in and publishes a concert whose sale opens a
// few seconds later; a fan waits on the countdown and books the instant the button opens;
// the admin's live dashboard shows the sale within two seconds; the admin cancels the
// booking for the fan with a reason; the fan sees it cancelled; the CSV lists it.
// Along the way it takes the README's pictures of the admin pages (SCREENSHOT_DIR).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  addConcertWith,
  addTickets,
  apiAs,
  bookViaApi,
  eventually,
  keepEvidence,
  launch,
  localTimeIn,
  newAdmin,
  newFan,
  newPage,
  SCREENSHOT_DIR,
  signInViaUi,
  signUpViaApi,
  waitForText,
} from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
});
after(async () => {
  await browser?.close();
});

const ZONE = 'America/New_York';
// How far ahead of "Publish" the sale opens: room for the fan's page to load and show the
// countdown first, on a slow shared machine.
const SALE_DELAY_MS = 15_000;

const shot = (page, name) => page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: 'disabled' });

async function blur(page) {
  await page.evaluate(() => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  });
  await page.mouse.move(0, 0);
}

/** Runs fn with the admin's and the fan's pages; a failure keeps both pages' pictures. */
async function twoPages(name, fn) {
  const adminPage = await newPage(browser);
  const fanPage = await newPage(browser);
  try {
    await fn(adminPage, fanPage);
    const problems = [...adminPage.problems, ...fanPage.problems];
    if (problems.length) throw new Error(`the pages reported errors:\n${problems.join('\n')}`);
  } catch (err) {
    await keepEvidence(adminPage, `${name}-admin`);
    await keepEvidence(fanPage, `${name}-fan`);
    throw err;
  } finally {
    await adminPage.context().close();
    await fanPage.context().close();
  }
}

describe('box office', () => {
  it('publishes a concert, the fan books at the on-sale instant, the admin sees it, cancels it; CSV', async () => {
    // Readable names for the README's pictures; the test finds everything by id.
    const name = 'The Midnight Orchestra';
    const admin = await newAdmin('Sam Okafor');
    // Neighbours for the concert list's picture: a concert at a Los Angeles venue and a London draft.
    const neighbours = [
      await addConcertWith(['--draft', '--time-zone', 'Europe/London'], 'Quiet Hours (acoustic)', 'Union Chapel, London', '2027-09-12T19:30', 'Seated:300:40.00'),
      await addConcertWith(['--time-zone', 'America/Los_Angeles'], 'Aurora Skies — World Tour', 'Hollywood Bowl, Los Angeles', '2027-07-17T19:30', 'VIP:12:150.00', 'Bowl:4000:45.00'),
    ];

    await twoPages('boxoffice', async (adminPage, fanPage) => {
      const fan = await signUpViaApi(fanPage.context(), { ...newFan(), name: 'Alex Rivera' });

      // The admin signs in and lands on the box office.
      await signInViaUi(adminPage, admin, '/admin');
      await adminPage.getByRole('heading', { level: 1, name: 'Concerts' }).waitFor();
      await adminPage.getByRole('link', { name: 'New concert' }).click();
      await adminPage.getByRole('heading', { level: 1, name: 'New concert' }).waitFor();

      const startsAt = localTimeIn(ZONE, Date.now() + 60 * 86_400_000).slice(0, 11) + '20:00';
      await adminPage.getByLabel('Name', { exact: true }).fill(name);
      await adminPage.getByLabel('Venue', { exact: true }).fill('Radio City Music Hall, New York');
      await adminPage.getByLabel('Description').fill('One night only, with the full orchestra.');
      await adminPage.getByLabel('Time zone').selectOption(ZONE);
      await adminPage.getByLabel('Starts').fill(startsAt);
      await adminPage.getByLabel('Doors open').fill(startsAt.replace('20:00', '18:30'));
      await adminPage.getByLabel('Max tickets per fan').fill('6');
      await adminPage.getByLabel('Tier 1 name').fill('VIP');
      await adminPage.getByLabel('Tier 1 price ($)').fill('150');
      await adminPage.getByLabel('Tier 1 capacity').fill('20');
      await adminPage.getByRole('button', { name: 'Add a tier' }).click();
      await adminPage.getByLabel('Tier 2 name').fill('Orchestra');
      await adminPage.getByLabel('Tier 2 price ($)').fill('85.50');
      await adminPage.getByLabel('Tier 2 capacity').fill('200');
      // Last, so the few seconds count from here: the sale opens on a whole second, venue time.
      const salesStart = Math.ceil((Date.now() + SALE_DELAY_MS) / 1000) * 1000;
      await adminPage.getByLabel('Sales open').fill(localTimeIn(ZONE, salesStart));
      await adminPage.getByRole('button', { name: 'Publish', exact: true }).click();
      await adminPage.getByText('Published: fans can see it').waitFor();
      const concertId = /\/admin\/concerts\/([A-Za-z0-9_-]+)$/.exec(adminPage.url())?.[1];
      assert.ok(concertId, `the editor's address names the concert: ${adminPage.url()}`);

      const stored = await apiAs(adminPage.context(), `/api/admin/concerts/${concertId}`);
      assert.equal(stored.status, 200);
      assert.equal(stored.body.data.status, 'published');
      assert.equal(stored.body.data.timeZone, ZONE);
      assert.equal(Date.parse(stored.body.data.salesStart), salesStart, 'the sale opens at the venue-local second typed');
      assert.deepEqual(
        stored.body.data.tiers.map((t) => [t.tierName, t.price, t.capacity]),
        [['VIP', 150, 20], ['Orchestra', 85.5, 200]],
      );

      // The fan opens the concert before the sale: a countdown, and no way to book yet.
      await fanPage.goto(`/concerts/${concertId}`);
      await fanPage.getByRole('heading', { level: 1, name }).waitFor();
      const countdown = fanPage.getByTestId('sales-countdown');
      await waitForText(countdown, /Tickets go on sale .* E[SD]T/);
      await addTickets(fanPage, 'VIP', 1);
      await addTickets(fanPage, 'Orchestra', 1);
      await waitForText(fanPage.getByTestId('total'), '$235.50');
      const waiting = fanPage.getByRole('button', { name: /^On sale in \d+:\d\d/ });
      assert.equal(await waiting.isDisabled(), true, 'the Book button is shut before the sale');
      assert.ok(Date.now() < salesStart, 'the page showed the countdown before the sale opened');

      // Meanwhile the admin watches the live dashboard.
      await adminPage.getByRole('link', { name: 'Sales dashboard' }).click();
      await waitForText(adminPage.getByTestId('sales-sold'), '0 / 220');

      // The button opens when the server's clock reaches the sale: click() waits for it.
      const booked = fanPage.waitForResponse(
        (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/bookings',
        { timeout: SALE_DELAY_MS + 30_000 },
      );
      await fanPage.getByRole('button', { name: /^Book 2 tickets · \$235\.50$/ }).click({ timeout: SALE_DELAY_MS + 30_000 });
      const response = await booked;
      const answeredAt = Date.now();
      assert.equal(response.status(), 201, `the booking at the on-sale instant: ${await response.text()}`);
      await fanPage.getByRole('heading', { name: 'You’re going!' }).waitFor();
      const bookingId = (await fanPage.getByTestId('booking-id').textContent()).trim();
      const booking = (await apiAs(fanPage.context(), `/api/bookings/${bookingId}`)).body.data;
      assert.ok(Date.parse(booking.createdAt) >= salesStart - 999, `booked at ${booking.createdAt}, not before the sale`);

      // The dashboard shows it within two seconds of the fan's confirmation.
      await waitForText(adminPage.getByTestId('sales-sold'), '2 / 220', 2_000);
      const seenAfterMs = Date.now() - answeredAt;
      assert.ok(seenAfterMs <= 2_000, `the dashboard showed the sale after ${seenAfterMs} ms`);
      await waitForText(adminPage.getByTestId('sales-confirmed'), '1');
      await waitForText(adminPage.getByTestId('rate-current'), /^[1-9]/);

      // A few more fans for the picture of a sale under way.
      for (const [tier, quantity] of [['Orchestra', 4], ['Orchestra', 2], ['VIP', 2], ['Orchestra', 6], ['Orchestra', 3]]) {
        assert.equal((await bookViaApi(concertId, tier, quantity)).status, 201);
      }
      await waitForText(adminPage.getByTestId('sales-sold'), '19 / 220');
      await blur(adminPage);
      await shot(adminPage, 'admin-dashboard');

      // The admin finds the fan's booking by email and cancels it with a reason.
      await adminPage.getByRole('link', { name: 'Bookings', exact: true }).first().click();
      await adminPage.getByRole('heading', { level: 1, name: 'Bookings' }).waitFor();
      await adminPage.getByLabel('Reference, email or name').fill(fan.email);
      await adminPage.getByRole('button', { name: 'Search' }).click();
      const row = adminPage.locator(`tr[data-booking-id="${bookingId}"]`);
      // The unfiltered list shows it too: wait for the search's answer, one row.
      await eventually(async () => (await adminPage.locator('tbody tr').count()) === 1 && (await row.count()) === 1,
        'the search by email to find the fan’s one booking');
      await waitForText(row, 'Confirmed');
      await row.getByRole('link', { name: bookingId }).click();
      await adminPage.getByRole('heading', { level: 1, name: `Booking of ${fan.name}` }).waitFor();
      const cancel = adminPage.getByRole('button', { name: 'Cancel booking and refund' });
      await cancel.click();
      await adminPage.getByText('Say why: the reason is kept in the booking’s audit trail.').waitFor();
      assert.equal((await apiAs(fanPage.context(), `/api/bookings/${bookingId}`)).body.data.status, 'confirmed', 'no reason, no cancel');
      const reason = 'The fan phoned: they cannot travel on the day.';
      await adminPage.getByLabel('Reason').fill(reason);
      await cancel.click();
      await waitForText(adminPage.getByTestId('audit-event').last(), reason);
      await waitForText(adminPage.getByRole('main'), 'Cancelled');
      await waitForText(adminPage.getByTestId('audit-event').last(), admin.email);
      await blur(adminPage);
      await shot(adminPage, 'admin-booking');

      // The fan sees it cancelled.
      await fanPage.reload();
      await fanPage.getByRole('heading', { level: 1, name: 'Booking cancelled' }).waitFor();
      await waitForText(fanPage.locator('article'), 'Cancelled');

      // The CSV route lists the booking, cancelled; the page links to it.
      await adminPage.goto(`/admin/concerts/${concertId}`);
      await adminPage.getByRole('heading', { level: 1, name }).waitFor();
      const csvHref = await adminPage.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
      assert.equal(csvHref, `/api/admin/concerts/${concertId}/bookings.csv`);
      const csv = await adminPage.context().request.get(csvHref, { failOnStatusCode: false });
      assert.equal(csv.status(), 200);
      assert.match(csv.headers()['content-type'] ?? '', /^text\/csv/);
      const lines = (await csv.text()).trim().split('\n');
      assert.match(lines[0], /^booking_id,/);
      const line = lines.find((l) => l.includes(bookingId));
      assert.ok(line, `the CSV lists ${bookingId}`);
      assert.match(line, /cancelled/);
      assert.equal(lines.length, 1 + 6, 'a header line and one line per booking');
      await blur(adminPage);
      await shot(adminPage, 'admin-concert');

      // The list, with only this test's concerts in the picture (the suite leaves others behind).
      const ours = new Set([concertId, ...neighbours]);
      await adminPage.route('**/api/admin/concerts', async (route) => {
        const res = await route.fetch();
        const body = await res.json();
        body.data = body.data.filter((c) => ours.has(c.id));
        await route.fulfill({ response: res, json: body });
      });
      await adminPage.getByRole('navigation', { name: 'Box office' }).getByRole('link', { name: 'Concerts' }).click();
      await adminPage.getByRole('heading', { level: 1, name: 'Concerts' }).waitFor();
      const listed = adminPage.locator(`tr[data-concert-id="${concertId}"]`);
      await waitForText(listed, '17 / 220'); // the fan's two went back on sale
      await waitForText(listed, /8:00\s?PM E[SD]T/);
      await waitForText(adminPage.locator(`tr[data-concert-id="${neighbours[0]}"]`), 'Draft');
      await blur(adminPage);
      await shot(adminPage, 'admin-concerts');
    });
  });

  it('refuses fans: the page says so and the API answers 403', async () => {
    await twoPages('boxoffice-fan', async (_adminPage, fanPage) => {
      await signUpViaApi(fanPage.context());
      const adminRequests = [];
      fanPage.on('request', (req) => {
        if (new URL(req.url()).pathname.startsWith('/api/admin')) adminRequests.push(req.url());
      });
      await fanPage.goto('/admin');
      await fanPage.getByRole('heading', { name: 'This page is for the box office' }).waitFor();
      assert.deepEqual(adminRequests, [], 'a fan’s page asks nothing of the admin API');
      const asFan = await apiAs(fanPage.context(), '/api/admin/concerts');
      assert.equal(asFan.status, 403);
      assert.equal(asFan.body.error.code, 'FORBIDDEN');
      await eventually(async () => (await fanPage.title()).includes('ticketd'), 'a title');
    });
  });
});
