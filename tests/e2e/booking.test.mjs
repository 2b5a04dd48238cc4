// The main path of a signed-in fan: listing → concert → book → booking page → reload
// → cancel, and a double click that must book once. (Signing up, in and out, and whose
// booking is whose: accounts.test.mjs.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addConcert,
  addTickets,
  apiAs,
  availability,
  countBookingRows,
  launch,
  scenario,
  signUpViaApi,
  unique,
  waitForText,
} from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const byName = (tiers) => Object.fromEntries(tiers.map((t) => [t.tierName, t.availableQuantity]));

describe('booking', () => {
  it('lists, books, shows the booking after a reload and cancels it after confirmation', async () => {
    const name = `E2E Flow ${unique()}`;
    const concertId = await addConcert(name, 'The Fillmore', '2027-05-01T20:00:00Z', 'VIP:5:100.00', 'Floor:50:40.00');

    await scenario(browser, 'flow', async (page) => {
      const fan = await signUpViaApi(page.context());
      const asFan = (path, init) => apiAs(page.context(), path, init);
      await page.goto('/');
      await page.getByRole('heading', { level: 1, name: 'Upcoming concerts' }).waitFor();
      const card = page.getByRole('link').filter({ hasText: name });
      await waitForText(card, 'From $40.00');
      await card.click();

      await page.waitForURL(`**/concerts/${concertId}`);
      await page.getByRole('heading', { level: 1, name }).waitFor();
      await addTickets(page, 'VIP', 1);
      await addTickets(page, 'Floor', 2);
      await waitForText(page.getByTestId('total'), '$180.00');
      await page.getByRole('button', { name: /^Book 3 tickets/ }).click();

      await page.waitForURL(/\/bookings\/[A-Za-z0-9_-]+$/);
      await page.getByRole('heading', { name: 'You’re going!' }).waitFor();
      const bookingId = (await page.getByTestId('booking-id').textContent()).trim();
      assert.equal(new URL(page.url()).pathname, `/bookings/${bookingId}`);
      await waitForText(page.getByTestId('booking-total'), '$180.00');

      const stored = await asFan(`/api/bookings/${bookingId}`);
      assert.equal(stored.status, 200);
      assert.equal(stored.body.data.status, 'confirmed');
      assert.equal(stored.body.data.userId, fan.user.id, 'booked for the signed-in fan');
      assert.deepEqual(byName(await availability(concertId)), { VIP: 4, Floor: 48 });

      // The link can be bookmarked: a reload shows the same booking.
      await page.reload();
      await page.getByRole('heading', { level: 1 }).waitFor();
      await waitForText(page.getByTestId('booking-id'), bookingId);
      await waitForText(page.locator('article'), 'Confirmed');
      await waitForText(page.getByRole('row').filter({ hasText: 'Floor' }), /Floor\s*2/);

      // Cancel asks first; "keep" changes nothing.
      await page.getByRole('button', { name: 'Cancel booking' }).click();
      const dialog = page.getByRole('dialog', { name: 'Cancel this booking?' });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Keep my booking' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.equal((await asFan(`/api/bookings/${bookingId}`)).body.data.status, 'confirmed');

      await page.getByRole('button', { name: 'Cancel booking' }).click();
      await dialog.getByRole('button', { name: 'Yes, cancel booking' }).click();
      await page.getByRole('heading', { level: 1, name: 'Booking cancelled' }).waitFor();
      await waitForText(page.locator('article'), 'Cancelled');
      assert.equal(await page.getByRole('button', { name: 'Cancel booking' }).count(), 0);

      assert.equal((await asFan(`/api/bookings/${bookingId}`)).body.data.status, 'cancelled');
      assert.deepEqual(byName(await availability(concertId)), { VIP: 5, Floor: 50 });
    });
  });

  it('books once when the Book button is double-clicked', async () => {
    const name = `E2E Double ${unique()}`;
    const concertId = await addConcert(name, 'Paradiso', '2027-05-02T20:00:00Z', 'VIP:5:100.00');

    await scenario(browser, 'double-click', async (page) => {
      await signUpViaApi(page.context());
      const posts = [];
      page.on('request', (req) => {
        if (req.method() === 'POST' && new URL(req.url()).pathname === '/api/bookings') posts.push(req.postData());
      });
      await page.goto(`/concerts/${concertId}`);
      await page.getByRole('heading', { level: 1, name }).waitFor();
      await addTickets(page, 'VIP', 2);
      await page.getByRole('button', { name: /^Book 2 tickets/ }).dblclick();
      await page.getByRole('heading', { name: 'You’re going!' }).waitFor();

      assert.equal(posts.length, 1, `the page sent ${posts.length} booking requests`);
      const [vip] = await availability(concertId);
      assert.equal(vip.availableQuantity, 3, 'two tickets taken, not four');
      const rows = await countBookingRows(concertId);
      if (rows !== null) assert.equal(rows, 1, 'one booking row in the database');
    });
  });

  it('books once when two clicks land in the same frame', async () => {
    const name = `E2E Same frame ${unique()}`;
    const concertId = await addConcert(name, 'Paradiso', '2027-05-03T20:00:00Z', 'VIP:5:100.00');

    await scenario(browser, 'same-frame-clicks', async (page) => {
      await signUpViaApi(page.context());
      let posts = 0;
      page.on('request', (req) => {
        if (req.method() === 'POST' && new URL(req.url()).pathname === '/api/bookings') posts += 1;
      });
      await page.goto(`/concerts/${concertId}`);
      await page.getByRole('heading', { level: 1, name }).waitFor();
      await addTickets(page, 'VIP', 1);
      // Both clicks run before React re-renders: only the in-flight guard stops the second.
      await page.getByRole('button', { name: /^Book 1 ticket/ }).evaluate((button) => {
        button.click();
        button.click();
      });
      await page.getByRole('heading', { name: 'You’re going!' }).waitFor();
      assert.equal(posts, 1);
      const [vip] = await availability(concertId);
      assert.equal(vip.availableQuantity, 4);
      const rows = await countBookingRows(concertId);
      if (rows !== null) assert.equal(rows, 1);
    });
  });

  it('can be booked with the keyboard alone', async () => {
    const name = `E2E Keyboard ${unique()}`;
    const concertId = await addConcert(name, 'Paradiso', '2027-05-04T20:00:00Z', 'Floor:20:30.00');

    await scenario(browser, 'keyboard', async (page) => {
      await signUpViaApi(page.context());
      await page.goto(`/concerts/${concertId}`);
      await page.getByRole('heading', { level: 1, name }).waitFor();
      // Tab until focus reaches the described control; fails if it never does.
      const tabTo = async (matches) => {
        for (let i = 0; i < 40; i++) {
          await page.keyboard.press('Tab');
          if (await page.evaluate(matches)) return;
        }
        throw new Error(`Tab never reached ${matches}`);
      };
      await tabTo(() => document.activeElement?.getAttribute('aria-label') === 'Add one Floor ticket');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Space');
      await waitForText(page.getByTestId('total'), '$60.00');
      await tabTo(() => document.activeElement?.textContent?.startsWith('Book 2 tickets') ?? false);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'You’re going!' }).waitFor();
      // After the navigation, focus is on the new page's content for screen readers.
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    });
  });
});
