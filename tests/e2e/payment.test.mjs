// A declined payment: the page says so, takes nothing, and lets the fan try again.
// The always-declining test card exists only where GET /api/config says testPayments.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addConcert,
  addTickets,
  availability,
  launch,
  scenario,
  signUpViaApi,
  testPaymentsOffered,
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

describe('payment', () => {
  it('offers the test card only when the server allows test payments', async () => {
    const offered = await testPaymentsOffered();
    const name = `E2E Pay options ${unique()}`;
    const concertId = await addConcert(name, 'Vicar Street', '2027-07-02T20:00:00Z', 'Stalls:10:45.00');
    await scenario(browser, 'payment-options', async (page) => {
      await signUpViaApi(page.context());
      const config = page.waitForResponse((res) => new URL(res.url()).pathname === '/api/config');
      await page.goto(`/concerts/${concertId}`);
      await page.getByRole('heading', { level: 1, name }).waitFor();
      const select = page.getByLabel('Payment method');
      await select.waitFor();
      // The option follows /api/config's answer.
      await config;
      if (offered) await select.locator('option[value="test_decline"]').waitFor({ state: 'attached' });
      else await page.waitForTimeout(300);
      const values = await select.locator('option').evaluateAll((os) => os.map((o) => o.value));
      assert.deepEqual(values, offered ? ['card', 'test_decline'] : ['card']);
    });
  });

  it('shows a declined test card and books on a retry with another card', async (t) => {
    if (!(await testPaymentsOffered())) {
      t.skip('the stack does not offer test payments (GET /api/config)');
      return;
    }
    const name = `E2E Decline ${unique()}`;
    const concertId = await addConcert(name, 'Vicar Street', '2027-07-01T20:00:00Z', 'Stalls:10:45.00');

    await scenario(browser, 'decline', async (page) => {
      await signUpViaApi(page.context());
      const keys = [];
      page.on('request', (req) => {
        if (req.method() === 'POST' && new URL(req.url()).pathname === '/api/bookings') {
          keys.push(JSON.parse(req.postData()).idempotencyKey);
        }
      });
      await page.goto(`/concerts/${concertId}`);
      await page.getByRole('heading', { level: 1, name }).waitFor();
      await addTickets(page, 'Stalls', 2);
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
