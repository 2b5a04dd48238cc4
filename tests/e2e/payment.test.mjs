// A declined payment: the page says so, takes nothing, and lets the fan try again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addConcert, addTickets, availability, launch, scenario, unique, waitForText } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

describe('payment', () => {
  it('shows a declined test card and books on a retry with another card', async () => {
    const name = `E2E Decline ${unique()}`;
    const concertId = await addConcert(name, 'Vicar Street', '2027-07-01T20:00:00Z', 'Stalls:10:45.00');

    await scenario(browser, 'decline', async (page) => {
      const keys = [];
      page.on('request', (req) => {
        if (req.method() === 'POST' && new URL(req.url()).pathname === '/api/bookings') {
          keys.push(JSON.parse(req.postData()).idempotencyKey);
        }
      });
      await page.goto(`/concerts/${concertId}`);
      await page.getByRole('heading', { level: 1, name }).waitFor();
      await addTickets(page, 'Stalls', 2);
      await page.getByLabel('Your name').fill('Declined Dana');
      await page.getByLabel('Payment method').selectOption({ label: 'Test card (always declines)' });
      await page.getByRole('button', { name: /^Book 2 tickets/ }).click();

      const alert = page.getByRole('alert').filter({ hasText: 'Your payment was declined' });
      await waitForText(alert, /not been charged/);
      assert.equal(new URL(page.url()).pathname, `/concerts/${concertId}`);
      const [stalls] = await availability(concertId);
      assert.equal(stalls.availableQuantity, 10, 'a declined payment takes no tickets');

      await page.getByLabel('Payment method').selectOption('card');
      await alert.getByRole('button', { name: 'Try again' }).click();
      await page.getByRole('heading', { name: 'You’re going!' }).waitFor();
      assert.equal(keys.length, 2);
      assert.notEqual(keys[0], keys[1], 'a new attempt after a definitive answer gets a new key');
      assert.equal((await availability(concertId))[0].availableQuantity, 8);
    });
  });
});
