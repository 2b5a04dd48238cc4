// What the fan sees when tickets run out: a sold-out tier, and losing a race
// for the last tickets to another fan.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addConcert,
  addTickets,
  availability,
  bookViaApi,
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

describe('availability', () => {
  it('shows a sold-out tier as sold out and does not let it be booked', async () => {
    const name = `E2E Sold out ${unique()}`;
    const concertId = await addConcert(name, 'Bowery Ballroom', '2027-06-01T20:00:00Z', 'VIP:2:100.00', 'Balcony:40:25.00');
    const sold = await bookViaApi(concertId, 'VIP', 2);
    assert.equal(sold.status, 201, JSON.stringify(sold.body));

    await scenario(browser, 'sold-out', async (page) => {
      await signUpViaApi(page.context());
      await page.goto(`/concerts/${concertId}`);
      await page.getByRole('heading', { level: 1, name }).waitFor();
      const vip = page.locator('li').filter({ has: page.getByRole('heading', { name: 'VIP' }) });
      await waitForText(vip, 'Sold out');
      assert.equal(await page.getByRole('button', { name: 'Add one VIP ticket' }).count(), 0);
      // The other tier is still on sale, and the Book button waits for a choice.
      assert.equal(await page.getByRole('button', { name: /^Book/ }).isDisabled(), true);
      await addTickets(page, 'Balcony', 1);
      assert.equal(await page.getByRole('button', { name: /^Book 1 ticket/ }).isEnabled(), true);
    });
  });

  it('shows "sold out" on the listing when no tier has tickets left', async () => {
    const name = `E2E All gone ${unique()}`;
    const concertId = await addConcert(name, 'Bowery Ballroom', '2027-06-02T20:00:00Z', 'GA:1:30.00');
    assert.equal((await bookViaApi(concertId, 'GA', 1)).status, 201);

    await scenario(browser, 'listing-sold-out', async (page) => {
      await page.goto('/');
      await waitForText(page.getByRole('link').filter({ hasText: name }), 'Sold out');
    });
  });

  it('names the tier and what is left when another fan wins the race', async () => {
    const name = `E2E Race ${unique()}`;
    const concertId = await addConcert(name, 'Melkweg', '2027-06-03T20:00:00Z', 'VIP:3:120.00');

    await scenario(browser, 'race', async (page) => {
      await signUpViaApi(page.context());
      await page.goto(`/concerts/${concertId}`);
      await page.getByRole('heading', { level: 1, name }).waitFor();
      await addTickets(page, 'VIP', 3);

      // Right after the page's own availability refresh, so the next one is
      // seconds away: the page still believes 3 are left when it books.
      await page.waitForResponse((res) => res.url().endsWith(`/api/concerts/${concertId}/availability`));
      const other = await bookViaApi(concertId, 'VIP', 2);
      assert.equal(other.status, 201, JSON.stringify(other.body));
      await page.getByRole('button', { name: /^Book 3 tickets/ }).click();

      const alert = page.getByRole('alert').filter({ hasText: 'Not enough tickets left' });
      await waitForText(alert, /Only 1 VIP ticket is left — you asked for 3/);
      await waitForText(alert, /not charged/);
      // Availability was refreshed: the tier says what is left and the stepper follows it.
      await waitForText(page.locator('li').filter({ has: page.getByRole('heading', { name: 'VIP' }) }), '1 left');
      await waitForText(page.getByRole('group', { name: 'VIP quantity' }), '1');
      assert.equal(new URL(page.url()).pathname, `/concerts/${concertId}`);
      const [vip] = await availability(concertId);
      assert.equal(vip.availableQuantity, 1, 'the losing request took nothing');
    });
  });
});
