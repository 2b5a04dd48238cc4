// Screenshots of the three pages for the README, taken from the real stack
// on a desktop and a phone. Written to tests/e2e/screenshots/ (committed) with
// UPDATE_SCREENSHOTS=1, else to tests/e2e/screenshots-tmp/pages/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  addConcertWith,
  addTickets,
  bookViaApi,
  DESKTOP,
  eventually,
  launch,
  newFan,
  PHONE,
  scenario,
  SCREENSHOT_DIR,
  signUpViaApi,
  waitForText,
  withoutEmailReminder,
} from './lib.mjs';

let browser;
const showcase = {};

before(async () => {
  browser = await launch();
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Concerts that show each state of a listing card, each in its venue's time zone (the
  // pages say "7:30 PM PDT" wherever the fan is).
  showcase.main = await addConcertWith(
    ['--time-zone', 'America/Los_Angeles'],
    'Aurora Skies — World Tour',
    'Hollywood Bowl, Los Angeles',
    '2027-07-17T19:30',
    'VIP:12:150.00',
    'Floor:400:85.00',
    'Balcony:600:45.00',
  );
  showcase.fast = await addConcertWith(['--time-zone', 'Europe/London'], 'Neon Harbor', 'The Roundhouse, London', '2027-04-24T20:00', 'GA:40:35.00');
  for (let i = 0; i < 3; i++) assert.equal((await bookViaApi(showcase.fast, 'GA', 10)).status, 201);
  showcase.gone = await addConcertWith(['--time-zone', 'Europe/London'], 'Quiet Hours (acoustic)', 'Union Chapel, London', '2027-05-08T19:00', 'Seated:4:60.00');
  assert.equal((await bookViaApi(showcase.gone, 'Seated', 4)).status, 201);
  // A few VIP seats gone, so the concert page shows "n left".
  assert.equal((await bookViaApi(showcase.main, 'VIP', 5)).status, 201);
});

after(async () => {
  await browser?.close();
});

// Desktop: the whole page. Phone: one screenful, as a phone shows it.
const shot = (page, name, fullPage) =>
  page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage, animations: 'disabled' });

async function blur(page) {
  await page.evaluate(() => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  });
  await page.mouse.move(0, 0);
}

for (const [suffix, viewport, deviceScaleFactor] of [
  ['', DESKTOP, 1],
  ['-phone', PHONE, 2],
]) {
  describe(`screenshots${suffix || '-desktop'}`, () => {
    it(`listing, concert and booking pages${suffix ? ' on a phone' : ''}`, async () => {
      await scenario(
        browser,
        `screenshots${suffix}`,
        async (page) => {
          // Signed in, as a fan who books is; the header shows the name.
          const fan = newFan();
          const made = await signUpViaApi(page.context(), { ...fan, name: 'Alex Rivera' });
          await withoutEmailReminder(page.context(), made.user.id);
          // The other e2e tests (and earlier runs on the same stack) leave
          // concerts behind: only this file's are in the docs picture. The
          // response is otherwise the server's own.
          const ours = new Set(Object.values(showcase));
          await page.route('**/api/concerts', async (route) => {
            const res = await route.fetch();
            const body = await res.json();
            body.data = body.data.filter((c) => ours.has(c.id));
            await route.fulfill({ response: res, json: body });
          });
          await page.goto('/');
          await waitForText(page.getByRole('link').filter({ hasText: 'Neon Harbor' }), 'Selling fast');
          await waitForText(page.getByRole('link').filter({ hasText: 'Quiet Hours' }), 'Sold out');
          await waitForText(page.getByRole('link').filter({ hasText: 'Aurora Skies' }), 'From $45.00');
          await blur(page);
          await shot(page, `listing${suffix}`, !suffix);

          await page.getByRole('link').filter({ hasText: 'Aurora Skies' }).click();
          await page.getByRole('heading', { level: 1, name: 'Aurora Skies — World Tour' }).waitFor();
          await waitForText(page.locator('li').filter({ has: page.getByRole('heading', { name: 'VIP' }) }), /\d+ left/);
          await addTickets(page, 'VIP', 2);
          await addTickets(page, 'Floor', 1);
          await waitForText(page.getByTestId('total'), '$385.00');
          await blur(page);
          if (suffix) {
            // A phone shows the top of the page, with the order bar at the bottom.
            await page.evaluate(() => window.scrollTo(0, 0));
            await page.getByRole('button', { name: 'Review order' }).waitFor();
          }
          await shot(page, `concert${suffix}`, !suffix);

          await page.getByRole('button', { name: /^Book 3 tickets/ }).click();
          await page.getByRole('heading', { name: 'You’re going!' }).waitFor();
          await waitForText(page.getByRole('article'), 'Hollywood Bowl');
          // The tickets (their own chunk, then their codes) are part of the page.
          await eventually(async () => (await page.getByTestId('ticket-qr').count()) === 3, 'the three tickets');
          await blur(page);
          await shot(page, `booking${suffix}`, !suffix);
        },
        { viewport, deviceScaleFactor },
      );
    });
  });
}
