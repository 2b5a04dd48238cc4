// The ticket pages against a mocked API: the booking page's QR codes and
// print view, a void booking, the door page, and the account email pages.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Booking, Concert, Ticket, User } from '../api/types';
import { fail, installMockApi, ok, type MockRequest, type MockResponse } from './mockApi';
import { queryKeys } from '../lib/queryClient';
import { renderApp } from './render';

const fan: User = { id: 'u1', email: 'alex@example.com', name: 'Alex Rivera', role: 'fan', emailVerified: true };
const staff: User = { id: 'u9', email: 'door@example.com', name: 'Sam Okafor', role: 'staff', emailVerified: false };
const admin: User = { ...staff, id: 'u8', role: 'admin' };

const concert: Concert = {
  id: 'c1',
  name: 'Aurora Skies',
  venue: 'Hollywood Bowl',
  eventDate: '2099-07-18T02:30:00Z',
  startsAt: '2099-07-17T19:30:00-07:00',
  timeZone: 'America/Los_Angeles',
  createdAt: '2026-01-01T00:00:00Z',
};

const booking = (status: Booking['status'] = 'confirmed'): Booking => ({
  id: 'bk_1',
  concertId: 'c1',
  userId: 'u1',
  status,
  totalAmount: 320,
  items: [
    { tierId: 't_floor', tierName: 'Floor', quantity: 2, pricePerTicket: 85 },
    { tierId: 't_vip', tierName: 'VIP', quantity: 1, pricePerTicket: 150 },
  ],
  createdAt: '2026-06-01T10:00:00Z',
  updatedAt: '2026-06-01T10:00:00Z',
});

const code = (n: number) => `T1.code-${n}-${'x'.repeat(40)}`;
const tickets: Ticket[] = [
  { index: 0, tierId: 't_floor', tierName: 'Floor', code: code(0) },
  { index: 1, tierId: 't_floor', tierName: 'Floor', code: code(1) },
  { index: 2, tierId: 't_vip', tierName: 'VIP', code: code(2) },
];

afterEach(() => {
  vi.unstubAllGlobals();
});

function server(me: User | null, routes: (req: MockRequest) => MockResponse | undefined) {
  return installMockApi((req) => {
    const answer = routes(req);
    if (answer) return answer;
    if (req.path === '/api/me') return me ? ok(me) : fail(401, 'UNAUTHENTICATED', 'Sign in');
    if (req.path === '/api/config') return ok({ testPayments: false });
    if (req.path === '/api/concerts/c1') return ok({ ...concert, serverTime: new Date().toISOString() });
    return fail(404, 'NOT_FOUND', 'no route');
  });
}

describe('the booking page’s tickets', () => {
  it('shows one QR code per ticket with its tier, "Ticket n of N" and the code; Print prints', async () => {
    const print = vi.fn();
    vi.stubGlobal('print', print);
    server(fan, (req) => {
      if (req.path === '/api/bookings/bk_1') return ok(booking());
      if (req.path === '/api/bookings/bk_1/tickets') return ok(tickets);
      return undefined;
    });
    renderApp('/bookings/bk_1');
    const list = await screen.findByRole('list', { name: 'Tickets' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((li) => li.getAttribute('aria-label'))).toEqual(['Ticket 1 of 3', 'Ticket 2 of 3', 'Ticket 3 of 3']);
    expect(items.map((li) => within(li).getByTestId('ticket-code').textContent)).toEqual(tickets.map((t) => t.code));
    expect(within(items[2] as HTMLElement).getByText('VIP')).toBeTruthy();
    const qrs = screen.getAllByRole('img', { name: /^QR code of ticket \d of 3$/ });
    expect(qrs).toHaveLength(3);
    // Dark modules on white, whatever the page's colours.
    expect(qrs[0]?.querySelector('path')?.getAttribute('d')).toMatch(/^M\d+ \d+h1v1h-1z/);

    await userEvent.setup().click(screen.getByRole('button', { name: 'Print tickets' }));
    expect(print).toHaveBeenCalledTimes(1);
  });

  it('prints the tickets alone: each one says what, where and whose; the page around them stays off paper', async () => {
    server(fan, (req) => {
      if (req.path === '/api/bookings/bk_1') return ok(booking());
      if (req.path === '/api/bookings/bk_1/tickets') return ok(tickets);
      return undefined;
    });
    renderApp('/bookings/bk_1');
    await screen.findAllByTestId('ticket');
    await waitFor(() => {
      expect(screen.getAllByTestId('ticket-print-header')[0]?.textContent).toContain('Aurora Skies');
    });
    const header = screen.getAllByTestId('ticket-print-header')[0] as HTMLElement;
    expect(header.textContent).toContain('Hollywood Bowl');
    expect(header.textContent).toContain('Alex Rivera');
    expect(header.textContent).toContain('bk_1');
    expect(header.className).toMatch(/\bhidden\b.*\bprint:block\b/);
    // One ticket a page; the header, footer and the booking card are not printed.
    for (const t of screen.getAllByTestId('ticket')) expect(t.className).toContain('print:break-after-page');
    expect(screen.getByRole('banner').className).toContain('print:hidden');
    expect(screen.getByRole('contentinfo').className).toContain('print:hidden');
    expect(screen.getByRole('article').className).toContain('print:hidden');
    expect(screen.getByRole('button', { name: 'Print tickets' }).parentElement?.className).toContain('print:hidden');
  });

  it('shows the codes only once the card above them is complete: a code never moves while it is scanned', async () => {
    // The concert and the signed-in fan arrive by queries of their own; each one, late, makes
    // the card above the tickets taller (the concert's lines, the "Name" row).
    let sendConcert: () => void = () => undefined;
    let sendMe: () => void = () => undefined;
    const concertSent = new Promise<MockResponse>((resolve) => {
      sendConcert = () => {
        resolve(ok({ ...concert, serverTime: new Date().toISOString() }));
      };
    });
    const meSent = new Promise<MockResponse>((resolve) => {
      sendMe = () => {
        resolve(ok(fan));
      };
    });
    installMockApi((req) => {
      if (req.path === '/api/bookings/bk_1') return ok(booking());
      if (req.path === '/api/bookings/bk_1/tickets') return ok(tickets);
      if (req.path === '/api/concerts/c1') return concertSent;
      if (req.path === '/api/me') return meSent;
      if (req.path === '/api/config') return ok({ testPayments: false });
      return fail(404, 'NOT_FOUND', 'no route');
    });
    const { client } = renderApp('/bookings/bk_1');
    // The codes are fetched meanwhile...
    await waitFor(() => {
      expect(client.getQueryState(queryKeys.tickets('bk_1'))?.status).toBe('success');
    });
    // ... and the card's next render (the concert's lines) still shows none of them.
    sendConcert();
    await waitFor(() => {
      expect(within(screen.getByRole('article')).getByText('Aurora Skies')).toBeTruthy();
    });
    expect(screen.queryAllByTestId('ticket')).toHaveLength(0);
    expect(screen.getByText('Loading your tickets…')).toBeTruthy();

    sendMe();
    expect(await screen.findAllByTestId('ticket')).toHaveLength(3);
    expect(within(screen.getByRole('article')).getByText('Alex Rivera')).toBeTruthy();
  });

  it('a cancelled booking says its tickets are void, shows no code and asks for none', async () => {
    const { requests } = server(fan, (req) => (req.path === '/api/bookings/bk_1' ? ok(booking('cancelled')) : undefined));
    renderApp('/bookings/bk_1');
    expect(await screen.findByText('Its tickets are void')).toBeTruthy();
    expect(screen.queryByRole('img', { name: /QR code/ })).toBeNull();
    expect(screen.queryByTestId('ticket-code')).toBeNull();
    expect(requests.some((r) => r.path.endsWith('/tickets'))).toBe(false);
  });

  it('409 BOOKING_NOT_CONFIRMED shows nothing scannable and reads the booking again', async () => {
    const { requests } = server(fan, (req) => {
      if (req.path === '/api/bookings/bk_1') return ok(booking());
      if (req.path === '/api/bookings/bk_1/tickets') {
        return fail(409, 'BOOKING_NOT_CONFIRMED', 'not confirmed', { status: 'cancelled' });
      }
      return undefined;
    });
    renderApp('/bookings/bk_1');
    expect(await screen.findByText('These tickets are no longer valid')).toBeTruthy();
    expect(screen.queryByRole('img', { name: /QR code/ })).toBeNull();
    expect(screen.queryByTestId('ticket-code')).toBeNull();
    await waitFor(() => {
      expect(requests.filter((r) => r.path === '/api/bookings/bk_1').length).toBeGreaterThanOrEqual(2);
    });
  });
});

describe('the door page', () => {
  function doorServer(me: User, checkin: (req: MockRequest) => MockResponse) {
    return server(me, (req) => {
      if (req.path === '/api/concerts') return ok([concert]);
      if (req.path === '/api/admin/concerts') {
        return ok([{ ...concert, status: 'published', description: '', doorsAt: null, salesStart: '', salesEnd: '', maxTicketsPerFan: 10, updatedAt: '', tiers: [] }]);
      }
      if (req.path === '/api/concerts/c1/availability') {
        return ok({
          concertId: 'c1',
          tiers: [
            { id: 't_floor', tierName: 'Floor', price: 85, totalQuantity: 100, availableQuantity: 98 },
            { id: 't_vip', tierName: 'VIP', price: 150, totalQuantity: 10, availableQuantity: 9 },
          ],
        });
      }
      if (req.path === '/api/checkin' && req.method === 'POST') return checkin(req);
      return undefined;
    });
  }

  const admitted = ok({
    ticket: { bookingId: 'bk_1', index: 2, tierName: 'VIP' },
    fan: { name: 'Alex Rivera' },
    concertId: 'c1',
    door: 'North gate',
    admittedAt: '2099-07-18T03:14:00Z',
  });

  async function setUp(user: ReturnType<typeof userEvent.setup>) {
    const select = await screen.findByLabelText('Concert');
    await waitFor(() => {
      expect(within(select).getByRole('option', { name: /Aurora Skies/ })).toBeTruthy();
    });
    await user.selectOptions(select, 'c1');
    await user.type(screen.getByLabelText('Door name'), 'North gate');
  }

  it('staff pick a concert (the public list), name the door, and a typed code is ADMITTED, then ALREADY ADMITTED', async () => {
    let n = 0;
    const { requests } = doorServer(staff, () =>
      ++n === 1
        ? admitted
        : fail(409, 'ALREADY_ADMITTED', 'already', { admittedAt: '2099-07-18T03:14:00Z', door: 'North gate' }),
    );
    const user = userEvent.setup();
    renderApp('/door');
    await setUp(user);
    await user.type(screen.getByLabelText('Ticket code'), `${code(2)}{Enter}`);
    const answer = screen.getByTestId('door-answer');
    await waitFor(() => {
      expect(answer.textContent).toContain('ADMITTED');
    });
    expect(answer.getAttribute('data-verdict')).toBe('admit');
    expect(answer.textContent).toContain('VIP — Alex Rivera');
    expect(requests.find((r) => r.path === '/api/checkin')?.body).toEqual({ code: code(2), concertId: 'c1', door: 'North gate' });
    // Admitted here / sold (capacity less what is left: 2 + 1).
    await waitFor(() => {
      expect(screen.getByTestId('door-count').textContent).toMatch(/^1 \/ 3/);
    });
    expect(requests.some((r) => r.path.startsWith('/api/admin'))).toBe(false);

    // Pasted this time, the same code again.
    fireEvent.change(screen.getByLabelText('Ticket code'), { target: { value: code(2) } });
    await user.click(screen.getByRole('button', { name: 'Check in' }));
    await waitFor(() => {
      expect(answer.getAttribute('data-verdict')).toBe('refuse');
    });
    expect(answer.textContent).toContain('ALREADY ADMITTED');
    expect(answer.textContent).toContain('at 8:14 PM PDT at North gate');
    expect(screen.getByTestId('door-count').textContent).toMatch(/^1 \/ 3/);
    // Remembered on this device.
    expect(window.localStorage.getItem('ticketd.door.name')).toBe('North gate');
    expect(window.localStorage.getItem('ticketd.door.concert')).toBe('c1');
  });

  it('an admin picks from the box office’s list; a refusal the server did not judge is amber', async () => {
    const { requests } = doorServer(admin, () => fail(503, 'SERVICE_UNAVAILABLE', 'Busy.'));
    const user = userEvent.setup();
    renderApp('/door');
    await setUp(user);
    expect(requests.some((r) => r.path === '/api/admin/concerts')).toBe(true);
    await user.type(screen.getByLabelText('Ticket code'), `${code(0)}{Enter}`);
    const answer = screen.getByTestId('door-answer');
    await waitFor(() => {
      expect(answer.getAttribute('data-verdict')).toBe('retry');
    });
    expect(answer.textContent).toContain('NOT CHECKED');
  });

  it('a fan is told it is staff only, and the page asks nothing of check-in', async () => {
    const { requests } = server(fan, () => undefined);
    renderApp('/door');
    expect(await screen.findByRole('heading', { level: 1, name: 'Staff only' })).toBeTruthy();
    expect(requests.some((r) => r.path === '/api/checkin' || r.path.startsWith('/api/admin'))).toBe(false);
  });

  it('signed out, it asks to sign in and come back', async () => {
    server(null, () => undefined);
    renderApp('/door');
    await waitFor(() => {
      expect(window.location.pathname + window.location.search).toBe('/signin?next=%2Fdoor');
    });
  });
});

describe('account email pages', () => {
  it('/verify-email posts the fragment’s token once, says verified, and takes the token out of the address', async () => {
    const { requests } = server(null, (req) =>
      req.path === '/api/auth/verify-email' ? ok({ user: { ...fan, emailVerified: true } }) : undefined,
    );
    renderApp('/verify-email#token=tok.en_1');
    expect(await screen.findByRole('heading', { name: 'Your email is verified' })).toBeTruthy();
    expect(screen.getByText('alex@example.com')).toBeTruthy();
    const posts = requests.filter((r) => r.path === '/api/auth/verify-email');
    expect(posts.map((r) => r.body)).toEqual([{ token: 'tok.en_1' }]);
    expect(window.location.hash).toBe('');
  });

  it('an expired link offers a new one to a signed-in fan (resend)', async () => {
    const unverified = { ...fan, emailVerified: false };
    const { requests } = server(unverified, (req) => {
      if (req.path === '/api/auth/verify-email') return fail(400, 'TOKEN_EXPIRED', 'expired');
      if (req.path === '/api/auth/verify-email/resend') return ok({}, 202);
      return undefined;
    });
    const user = userEvent.setup();
    renderApp('/verify-email#token=old');
    expect(await screen.findByRole('heading', { name: 'This link has expired' })).toBeTruthy();
    await user.click(await within(screen.getByRole('main')).findByRole('button', { name: 'Send a new link' }));
    expect(await screen.findByText('A new link is on its way')).toBeTruthy();
    expect(requests.filter((r) => r.path === '/api/auth/verify-email/resend')).toHaveLength(1);
  });

  it('an invalid link, signed out: sign in for a new one', async () => {
    const { requests } = server(null, (req) =>
      req.path === '/api/auth/verify-email' ? fail(400, 'INVALID_TOKEN', 'invalid') : undefined,
    );
    renderApp('/verify-email#token=forged');
    expect(await screen.findByRole('heading', { name: 'This link doesn’t work' })).toBeTruthy();
    const signIn = await within(screen.getByRole('main')).findByRole('link', { name: 'Sign in' });
    expect(signIn.getAttribute('href')).toBe('/signin?next=%2Fverify-email');
    expect(requests.filter((r) => r.path === '/api/auth/verify-email')).toHaveLength(1);
  });

  it('a link without its token asks the server nothing', async () => {
    const { requests } = server(null, () => undefined);
    renderApp('/verify-email');
    expect(await screen.findByRole('heading', { name: 'This link doesn’t work' })).toBeTruthy();
    expect(screen.getByText(/has no code in it/)).toBeTruthy();
    expect(requests.some((r) => r.path.startsWith('/api/auth'))).toBe(false);
  });

  it('/forgot-password always says "if an account exists"', async () => {
    const { requests } = server(null, (req) => (req.path === '/api/auth/password-reset' ? ok({}, 202) : undefined));
    const user = userEvent.setup();
    renderApp('/forgot-password');
    await user.type(await screen.findByLabelText('Email'), ' nobody@example.com ');
    await user.click(screen.getByRole('button', { name: 'Send the link' }));
    expect(await screen.findByText(/If an account exists for/)).toBeTruthy();
    expect(requests.find((r) => r.path === '/api/auth/password-reset')?.body).toEqual({ email: 'nobody@example.com' });
  });

  it('/reset-password asks twice, sets it, and sends the fan to sign in (every session ended)', async () => {
    // Signed in before; the reset ends every session, this one too.
    let me: User | null = fan;
    const { requests } = server(null, (req) => {
      if (req.path === '/api/me') return me ? ok(me) : fail(401, 'UNAUTHENTICATED', 'Sign in');
      if (req.path !== '/api/auth/password-reset/confirm') return undefined;
      me = null;
      return { status: 204 };
    });
    const user = userEvent.setup();
    renderApp('/reset-password#token=reset-1');
    await user.type(await screen.findByLabelText('New password'), 'a new password');
    await user.type(screen.getByLabelText('New password, again'), 'a new passwort');
    await user.click(screen.getByRole('button', { name: 'Set the new password' }));
    expect(await screen.findByText('The two passwords are not the same.')).toBeTruthy();
    expect(requests.some((r) => r.path === '/api/auth/password-reset/confirm')).toBe(false);

    await user.clear(screen.getByLabelText('New password, again'));
    await user.type(screen.getByLabelText('New password, again'), 'a new password');
    await user.click(screen.getByRole('button', { name: 'Set the new password' }));
    await waitFor(() => {
      expect(window.location.pathname).toBe('/signin');
    });
    expect(await screen.findByText('Your password is changed')).toBeTruthy();
    expect(requests.find((r) => r.path === '/api/auth/password-reset/confirm')?.body).toEqual({
      token: 'reset-1',
      password: 'a new password',
    });
  });

  it('/reset-password with an expired token says so and links to a new one', async () => {
    server(null, (req) => (req.path === '/api/auth/password-reset/confirm' ? fail(400, 'TOKEN_EXPIRED', 'expired') : undefined));
    const user = userEvent.setup();
    renderApp('/reset-password#token=old');
    await user.type(await screen.findByLabelText('New password'), 'a new password');
    await user.type(screen.getByLabelText('New password, again'), 'a new password');
    await user.click(screen.getByRole('button', { name: 'Set the new password' }));
    expect(await screen.findByRole('heading', { name: 'This link has expired' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Send me a new link' }).getAttribute('href')).toBe('/forgot-password');
  });

  it('the sign-in page links to "Forgot your password?"', async () => {
    server(null, () => undefined);
    renderApp('/signin');
    const link = await screen.findByRole('link', { name: 'Forgot your password?' });
    expect(link.getAttribute('href')).toBe('/forgot-password');
  });

  it('an unverified fan sees a dismissible reminder with resend; a verified one does not', async () => {
    const { requests } = server({ ...fan, emailVerified: false }, (req) => {
      if (req.path === '/api/auth/verify-email/resend') return ok({}, 202);
      if (req.path === '/api/concerts') return ok([]);
      return undefined;
    });
    const user = userEvent.setup();
    renderApp('/');
    const banner = await screen.findByRole('region', { name: 'Confirm your email' });
    await user.click(within(banner).getByRole('button', { name: 'Send a new link' }));
    expect(await within(banner).findByText('A new link is on its way.')).toBeTruthy();
    expect(requests.filter((r) => r.path === '/api/auth/verify-email/resend')).toHaveLength(1);
    await user.click(within(banner).getByRole('button', { name: 'Dismiss the reminder' }));
    expect(screen.queryByRole('region', { name: 'Confirm your email' })).toBeNull();
  });
});
