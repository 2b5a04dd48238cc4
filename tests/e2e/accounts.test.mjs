// Fans have accounts: sign up from the checkout (the selection survives the
// detour), book, sign out, sign in again in a fresh browser, find the booking
// under My bookings; and a booking is its fan's alone: another fan opening its
// link sees "not found", a signed-out visitor is sent to sign in.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addConcert,
  addTickets,
  apiAs,
  fillSignUp,
  launch,
  newFan,
  scenario,
  signedInAs,
  signInViaUi,
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

describe('accounts', () => {
  it('sign up → book → sign out → sign in elsewhere → My bookings; another fan sees "not found"', async () => {
    const name = `E2E Accounts ${unique()}`;
    const concertId = await addConcert(name, 'Roundhouse', '2027-09-01T20:00:00Z', 'VIP:10:100.00', 'Floor:50:40.00');
    const fan = newFan('Owner');
    let bookingId;

    // 1. A signed-out fan picks tickets, signs up from the checkout, comes back and books.
    await scenario(browser, 'accounts-sign-up-and-book', async (page) => {
      await page.goto(`/concerts/${concertId}`);
      await page.getByRole('heading', { level: 1, name }).waitFor();
      await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).waitFor();
      await addTickets(page, 'VIP', 1);
      await addTickets(page, 'Floor', 2);
      await waitForText(page.getByTestId('total'), '$180.00');
      assert.equal(await page.getByRole('button', { name: /^Book/ }).count(), 0, 'signed out: no Book button');

      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.waitForURL(/\/signup\?next=/);
      await fillSignUp(page, fan);
      await page.waitForURL(`**/concerts/${concertId}`);
      await signedInAs(page, fan);
      // The selection was kept across the detour.
      await waitForText(page.getByTestId('total'), '$180.00');
      await page.getByRole('button', { name: /^Book 3 tickets/ }).click();

      await page.waitForURL(/\/bookings\/[A-Za-z0-9_-]+$/);
      await page.getByRole('heading', { name: 'You’re going!' }).waitFor();
      bookingId = (await page.getByTestId('booking-id').textContent()).trim();
      const me = await apiAs(page.context(), '/api/me');
      assert.equal(me.status, 200);
      const stored = await apiAs(page.context(), `/api/bookings/${bookingId}`);
      assert.equal(stored.status, 200);
      assert.equal(stored.body.data.userId, me.body.data.id);

      // Sign out: the header says so, and the booking's link now asks to sign in.
      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).waitFor();
      assert.equal((await apiAs(page.context(), '/api/me')).status, 401);
      await page.goto(`/bookings/${bookingId}`);
      await page.waitForURL(`**/signin?next=${encodeURIComponent(`/bookings/${bookingId}`)}`);
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    });
    assert.ok(bookingId, 'a booking was made');

    // 2. A fresh browser: sign in, My bookings lists the booking, its link opens it.
    await scenario(browser, 'accounts-sign-in-elsewhere', async (page) => {
      await signInViaUi(page, fan);
      await page.getByRole('banner').getByRole('link', { name: 'My bookings' }).click();
      await page.waitForURL('**/me/bookings');
      await page.getByRole('heading', { level: 1, name: 'My bookings' }).waitFor();
      const upcoming = page.getByRole('region', { name: 'Upcoming' });
      const card = upcoming.getByRole('link').filter({ hasText: name });
      await waitForText(card, 'Confirmed');
      await waitForText(card, '3 tickets');
      await waitForText(card, '$180.00');
      await card.click();
      await page.waitForURL(`**/bookings/${bookingId}`);
      await waitForText(page.getByTestId('booking-id'), bookingId);
      await waitForText(page.locator('article'), fan.name);
    });

    // 3. Another fan opening the first fan's booking link: "not found", and the API agrees.
    await scenario(browser, 'accounts-other-fan', async (page) => {
      await signUpViaApi(page.context(), newFan('Stranger'));
      await page.goto(`/bookings/${bookingId}`);
      await page.getByRole('heading', { level: 1, name: 'Booking not found' }).waitFor();
      const theirs = await apiAs(page.context(), `/api/bookings/${bookingId}`);
      assert.equal(theirs.status, 404);
      assert.equal(theirs.body.error.code, 'BOOKING_NOT_FOUND');
      const cancel = await apiAs(page.context(), `/api/bookings/${bookingId}/cancel`, { method: 'POST', data: {} });
      assert.equal(cancel.status, 404, 'nor can they cancel it');
      // Their own list is empty.
      await page.goto('/me/bookings');
      await page.getByText('You haven’t booked any tickets yet.').waitFor();
    });
  });

  it('shows field errors from the server, and a taken email', async () => {
    await scenario(browser, 'accounts-errors', async (page) => {
      const taken = await signUpViaApi(page.context(), newFan('Taken'));
      await page.context().clearCookies();
      await page.goto('/signup');
      await fillSignUp(page, { ...newFan('Again'), email: taken.email });
      await waitForText(page.getByRole('main'), 'already exists');
      assert.equal(await page.getByLabel('Email', { exact: true }).getAttribute('aria-invalid'), 'true');

      await page.goto('/signin');
      await page.getByLabel('Email', { exact: true }).fill(taken.email);
      await page.getByLabel('Password', { exact: true }).fill('not the password');
      await page.getByRole('main').getByRole('button', { name: 'Sign in' }).click();
      await waitForText(page.getByRole('alert').filter({ hasText: 'don’t match' }), 'don’t match');
      assert.equal(new URL(page.url()).pathname, '/signin');
    });
  });
});
