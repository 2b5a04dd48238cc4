// The ticket itself (issue 13), in the browser: a fan books and the booking page shows one
// QR code per ticket; the test reads a QR back from the page's pixels (jsQR) and finds the
// code printed under it; door staff check that code in on /door: ADMITTED, then ALREADY
// ADMITTED. A cancelled booking's page says its tickets are void; a fan at /door is told it
// is staff only; a sign-up's verification email leads to "verified". The README's pictures
// of tickets and of the door come from here (UPDATE_SCREENSHOTS=1).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import {
  addConcertWith,
  addTickets,
  api,
  apiAs,
  bookViaApi,
  DESKTOP,
  eventually,
  launch,
  newFan,
  newStaff,
  PHONE,
  scenario,
  SCREENSHOT_DIR,
  signInViaUi,
  signUpViaApi,
  signUpViaUi,
  unique,
  waitForText,
  withoutEmailReminder,
} from './lib.mjs';
import { emailedLink, mailDir } from './mail.mjs';

let browser;
let staff;
before(async () => {
  browser = await launch();
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  staff = await newStaff('Sam Okafor');
});
after(async () => {
  await browser?.close();
});

const shot = (page, name, fullPage = false) =>
  page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage, animations: 'disabled' });

async function blur(page) {
  await page.evaluate(() => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  });
  await page.mouse.move(0, 0);
}

/**
 * The text of the QR code an element shows, read from a screenshot of it as a scanner would.
 * The page shows the codes only once the booking's card above them is complete, so nothing
 * moves a code while it is photographed (a late "Name" row did, on a phone).
 */
async function readQr(locator) {
  const png = PNG.sync.read(await locator.screenshot({ animations: 'disabled' }));
  const found = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  assert.ok(found, 'the picture is a readable QR code');
  return found.data;
}

/** The booking page's tickets: each one's label, QR text (decoded) and printed code. */
async function ticketsOnPage(page, expected) {
  const tickets = page.getByTestId('ticket');
  await eventually(async () => (await tickets.count()) === expected, `${expected} tickets on the page`);
  const out = [];
  for (let i = 0; i < expected; i++) {
    const t = tickets.nth(i);
    out.push({
      label: await t.getAttribute('aria-label'),
      text: await t.innerText(),
      scanned: await readQr(t.getByTestId('ticket-qr')),
      printed: (await t.getByTestId('ticket-code').textContent()).trim(),
    });
  }
  return out;
}

/** The code with its i-th character changed to another one. */
const changeOneCharacter = (code, i) => code.slice(0, i) + (code[i] === 'A' ? 'B' : 'A') + code.slice(i + 1);

/** The door page, set to a concert and a door: the concert picked from the list. */
async function openDoor(page, concertId, concertName, door) {
  await page.goto('/door');
  await page.getByRole('heading', { level: 1, name: 'Door check-in' }).waitFor();
  const select = page.getByLabel('Concert', { exact: true });
  await eventually(async () => (await select.locator(`option[value="${concertId}"]`).count()) === 1, 'the concert in the list');
  await select.selectOption(concertId);
  await page.getByLabel('Door name').fill(door);
  await waitForText(page.getByRole('main'), concertName);
}

/** Types (as a handheld scanner would) or pastes a code and checks it in; returns the answer's text. */
async function checkIn(page, code, verdict) {
  const answer = page.getByTestId('door-answer');
  const before = (await answer.textContent()) ?? '';
  const seq = Number(/Scan (\d+)/.exec(before)?.[1] ?? 0);
  await page.getByLabel('Ticket code').fill(code);
  await page.getByRole('button', { name: 'Check in' }).click();
  await waitForText(answer, `Scan ${seq + 1}`);
  assert.equal(await answer.getAttribute('data-verdict'), verdict);
  return answer.textContent();
}

for (const [suffix, viewport, deviceScaleFactor] of [
  ['', DESKTOP, 1],
  ['-phone', PHONE, 2],
]) {
  describe(`tickets${suffix || ''}`, () => {
    it(`a booking's QR codes read back as its codes, and admit once at the door${suffix ? ' (phone)' : ''}`, async () => {
      const name = suffix ? 'Aurora Skies — Encore' : 'Aurora Skies — World Tour';
      const concertId = await addConcertWith(
        ['--time-zone', 'America/Los_Angeles'],
        name,
        'Hollywood Bowl, Los Angeles',
        '2027-07-17T19:30',
        'VIP:40:150.00',
        'Floor:400:85.00',
      );
      let codes;

      await scenario(
        browser,
        `tickets${suffix}`,
        async (page) => {
          const fan = await signUpViaApi(page.context(), { ...newFan(), name: 'Alex Rivera' });
          await withoutEmailReminder(page.context(), fan.user.id);
          let bookingId;
          if (suffix) {
            // The phone's booking is made as the API would (the desktop run books through the page).
            const res = await bookViaApi(concertId, 'Floor', 2, { ...fan, cookie: `ticketd_session=${fan.token}` });
            assert.equal(res.status, 201);
            bookingId = res.body.data.id;
            await page.goto(`/bookings/${bookingId}`);
          } else {
            await page.goto(`/concerts/${concertId}`);
            await page.getByRole('heading', { level: 1, name }).waitFor();
            await addTickets(page, 'VIP', 1);
            await addTickets(page, 'Floor', 2);
            await page.getByRole('button', { name: /^Book 3 tickets/ }).click();
            await page.getByRole('heading', { name: 'You’re going!' }).waitFor();
            bookingId = (await page.getByTestId('booking-id').textContent()).trim();
          }
          const count = suffix ? 2 : 3;
          const shown = await ticketsOnPage(page, count);

          // What the page shows is what the API issued, in its order, and each QR carries its code.
          const issued = await apiAs(page.context(), `/api/bookings/${bookingId}/tickets`);
          assert.equal(issued.status, 200);
          codes = issued.body.data.map((t) => t.code);
          assert.deepEqual(shown.map((t) => t.printed), codes);
          assert.deepEqual(shown.map((t) => t.scanned), codes, 'each QR code decodes to the code under it');
          assert.equal(new Set(codes).size, count, 'every ticket has its own code');
          shown.forEach((t, i) => {
            assert.equal(t.label, `Ticket ${i + 1} of ${count}`);
            assert.match(t.text, new RegExp(`Ticket ${i + 1} of ${count}`));
          });
          if (!suffix) {
            assert.deepEqual(shown.map((t) => /^(VIP|Floor)/.exec(t.text)?.[1]), issued.body.data.map((t) => t.tierName));
          }

          // Printed: the tickets alone, each with the concert's name, no header or booking card.
          await page.emulateMedia({ media: 'print' });
          assert.equal(await page.getByRole('banner').isVisible(), false, 'no page header on paper');
          assert.equal(await page.getByRole('button', { name: 'Print tickets' }).isVisible(), false);
          assert.equal(await page.getByTestId('ticket-print-header').first().isVisible(), true);
          await waitForText(page.getByTestId('ticket-print-header').first(), name);
          await page.emulateMedia({ media: 'screen' });

          await blur(page);
          if (suffix) {
            // One screenful from "Your tickets": the first ticket whole, as a fan holds it up.
            await page.getByRole('heading', { name: 'Your tickets' }).evaluate((h) => {
              h.scrollIntoView({ block: 'start' });
              window.scrollBy(0, -12);
            });
            await shot(page, 'tickets-phone');
          } else {
            await page.getByRole('heading', { name: 'Your tickets' }).scrollIntoViewIfNeeded();
            await shot(page, 'tickets', true);
          }
        },
        { viewport, deviceScaleFactor },
      );

      await scenario(
        browser,
        `door${suffix}`,
        async (page) => {
          await signInViaUi(page, staff, '/door');
          await openDoor(page, concertId, name, 'North gate');
          const admitted = await checkIn(page, codes[0], 'admit');
          assert.match(admitted, /ADMITTED/);
          assert.match(admitted, suffix ? /Floor — Alex Rivera/ : /(VIP|Floor) — Alex Rivera/);
          await waitForText(page.getByTestId('door-count'), /^1 \/ \d+/);
          await blur(page);
          await page.evaluate(() => window.scrollTo(0, 0));
          await shot(page, `door-admitted${suffix}`);

          const again = await checkIn(page, codes[0], 'refuse');
          assert.match(again, /ALREADY ADMITTED/);
          assert.match(again, /at North gate/);
          await waitForText(page.getByTestId('door-count'), /^1 \/ \d+/);
          await blur(page);
          await page.evaluate(() => window.scrollTo(0, 0));
          await shot(page, `door-refused${suffix}`);

          // The door name and the concert are remembered on this device.
          await page.reload();
          await waitForText(page.getByRole('main'), name);
          assert.equal(await page.getByLabel('Door name').inputValue(), 'North gate');
          // Anything else than a ticket: INVALID TICKET. One character of the signature is
          // changed, always to another one (writing "AA" over the last two characters left the
          // code valid whenever they were "AA" already: one run in 1,024).
          const forged = changeOneCharacter(codes[1], 100);
          assert.notEqual(forged, codes[1]);
          assert.match(await checkIn(page, forged, 'refuse'), /INVALID TICKET/);
        },
        { viewport, deviceScaleFactor },
      );
    });
  });
}

describe('tickets that are void or not for you', () => {
  it('a cancelled booking shows no QR code and says its tickets are void; the door refuses them', async () => {
    const concertId = await addConcertWith([], `E2E Void ${unique()}`, 'The Fillmore', '2027-05-01T20:00Z', 'GA:10:40.00');
    await scenario(browser, 'tickets-void', async (page) => {
      const fan = await signUpViaApi(page.context());
      const booked = await bookViaApi(concertId, 'GA', 2, { ...fan, cookie: `ticketd_session=${fan.token}` });
      assert.equal(booked.status, 201);
      const id = booked.body.data.id;
      const { body } = await apiAs(page.context(), `/api/bookings/${id}/tickets`);
      const code = body.data[0].code;
      assert.equal((await apiAs(page.context(), `/api/bookings/${id}/cancel`, { method: 'POST', data: {} })).status, 200);

      await page.goto(`/bookings/${id}`);
      await page.getByRole('heading', { level: 1, name: 'Booking cancelled' }).waitFor();
      await waitForText(page.getByTestId('tickets-void'), 'Its tickets are void');
      assert.equal(await page.getByTestId('ticket-qr').count(), 0);
      assert.equal(await page.getByTestId('ticket-code').count(), 0);

      // The door says so too (staff through the API here; the page maps the same answer).
      const login = await api('/api/auth/login', {
        method: 'POST',
        body: JSON.stringify({ email: staff.email, password: staff.password }),
      });
      assert.equal(login.status, 200);
      const cookie = /ticketd_session=[^;]+/.exec(login.headers.get('set-cookie'))[0];
      const door = await api('/api/checkin', {
        method: 'POST',
        body: JSON.stringify({ code, concertId, door: 'Side door' }),
        cookie,
      });
      assert.equal(door.status, 409);
      assert.equal(door.body.error.code, 'TICKET_CANCELLED');
    });
  });

  it('a fan at /door is told the page is for staff, and asks nothing of the check-in API', async () => {
    await scenario(browser, 'door-fan', async (page) => {
      await signUpViaApi(page.context());
      const asked = [];
      page.on('request', (r) => {
        if (/\/api\/(checkin|admin)/.test(r.url())) asked.push(r.url());
      });
      await page.goto('/door');
      await page.getByRole('heading', { level: 1, name: 'Staff only' }).waitFor();
      assert.deepEqual(asked, []);
    });
  });

  it('signed out, /door asks to sign in first and comes back', async () => {
    await scenario(browser, 'door-signed-out', async (page) => {
      await page.goto('/door');
      await page.waitForURL(/\/signin\?next=%2Fdoor$/);
    });
  });
});

describe('account emails', () => {
  const dir = mailDir();
  it('a sign-up is emailed a link; opening it says the address is verified', { skip: dir === null && 'the stack has no mail sink' }, async () => {
    await scenario(browser, 'verify-email', async (page) => {
      const fan = await signUpViaUi(page, newFan('Verify'));
      // Until then a small reminder asks for it (booking is not held back).
      await waitForText(page.getByRole('region', { name: 'Confirm your email' }), fan.email);

      const link = await emailedLink(dir, fan.email, 'verify-email');
      await page.goto(link);
      await page.getByRole('heading', { level: 1, name: 'Your email is verified' }).waitFor();
      await waitForText(page.getByRole('main'), fan.email);
      assert.equal(new URL(page.url()).hash, '', 'the token is taken out of the address bar');
      assert.equal(await page.getByRole('region', { name: 'Confirm your email' }).count(), 0);
      const me = await apiAs(page.context(), '/api/me');
      assert.equal(me.body.data.emailVerified, true);
    });
  });
});
