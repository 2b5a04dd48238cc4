import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Availability, Booking, Concert, User } from '../api/types';
import { postBookingBody } from '../api/endpoints';
import { Checkout } from '../lib/checkout';
import { createPendingStore, PENDING_STORAGE_KEY } from '../lib/pendingBookings';
import { setCheckout } from '../lib/useBooking';
import { fail, installMockApi, ok, type MockRequest, type MockResponse } from './mockApi';
import { renderApp } from './render';

const concert: Concert = {
  id: 'c1',
  name: 'The Midnight Echoes',
  venue: 'Madison Square Garden',
  eventDate: '2027-05-01T20:00:00Z',
  createdAt: '2026-01-01T00:00:00Z',
};

const availability: Availability = {
  concertId: 'c1',
  tiers: [
    { id: 'vip', tierName: 'VIP', price: 100, totalQuantity: 100, availableQuantity: 3 },
    { id: 'ga', tierName: 'General Admission', price: 10, totalQuantity: 1000, availableQuantity: 580 },
    { id: 'fr', tierName: 'Front Row', price: 50, totalQuantity: 20, availableQuantity: 0 },
  ],
};

const fan: User = { id: 'u1', email: 'alex@example.com', name: 'Alex Rivera', role: 'fan' };

const booking: Booking = {
  id: 'b42',
  concertId: 'c1',
  userId: 'u1',
  status: 'confirmed',
  totalAmount: 130,
  items: [
    { tierId: 'vip', tierName: 'VIP', quantity: 1, pricePerTicket: 100 },
    { tierId: 'ga', tierName: 'General Admission', quantity: 3, pricePerTicket: 10 },
  ],
  createdAt: '2026-06-01T10:00:00Z',
  updatedAt: '2026-06-01T10:00:00Z',
};

afterEach(() => {
  vi.unstubAllGlobals();
});

function api(
  onBook: (req: MockRequest) => MockResponse | 'network-error' | Promise<MockResponse>,
  { user = fan, testPayments = true }: { user?: User | null; testPayments?: boolean } = {},
) {
  return installMockApi((req) => {
    if (req.method === 'GET' && req.path === '/api/me') return user ? ok(user) : fail(401, 'UNAUTHENTICATED', 'Sign in');
    if (req.method === 'GET' && req.path === '/api/config') return ok({ testPayments });
    if (req.method === 'GET' && req.path === '/api/concerts/c1') return ok(concert);
    if (req.method === 'GET' && req.path === '/api/concerts/c1/availability') return ok(availability);
    if (req.method === 'GET' && req.path === '/api/bookings/b42') return ok(booking);
    if (req.method === 'POST' && req.path === '/api/bookings') return onBook(req);
    return fail(404, 'NOT_FOUND', 'no route');
  });
}

const bookings = (requests: MockRequest[]) => requests.filter((r) => r.method === 'POST' && r.path === '/api/bookings');

async function pick(user: ReturnType<typeof userEvent.setup>, tier: string, times: number) {
  const add = screen.getByRole('button', { name: `Add one ${tier} ticket` });
  for (let i = 0; i < times; i++) await user.click(add);
}

describe('concert page', () => {
  it('shows tiers, marks a sold-out tier and caps the stepper at what is left', async () => {
    api(() => ok(booking, 201));
    const user = userEvent.setup();
    renderApp('/concerts/c1');
    expect(await screen.findByRole('heading', { level: 1, name: 'The Midnight Echoes' })).toBeTruthy();
    await screen.findByText('VIP');
    const frontRow = screen.getByText('Front Row').closest('li');
    expect(frontRow && within(frontRow).getAllByText('Sold out').length).toBeGreaterThan(0);
    expect(screen.queryByRole('button', { name: 'Add one Front Row ticket' })).toBeNull();

    expect(screen.getByText('3 left')).toBeTruthy();
    await pick(user, 'VIP', 5);
    expect(screen.getByRole('group', { name: 'VIP quantity' }).textContent).toContain('3');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Add one VIP ticket' }).disabled).toBe(true);
  });

  it('caps a line at 10 tickets', async () => {
    api(() => ok(booking, 201));
    const user = userEvent.setup();
    renderApp('/concerts/c1');
    await screen.findByText('General Admission');
    await pick(user, 'General Admission', 12);
    expect(screen.getByTestId('total').textContent).toBe('$100.00');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Add one General Admission ticket' }).disabled).toBe(true);
    expect(screen.getByText(/at most 10 per booking/)).toBeTruthy();
  });

  it('books once on a double click and shows the booking', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { requests } = api(async () => {
      await gate;
      return ok(booking, 201);
    });
    const user = userEvent.setup();
    renderApp('/concerts/c1');
    await screen.findByText('VIP');
    await pick(user, 'VIP', 1);
    await pick(user, 'General Admission', 3);
    const book = await screen.findByRole('button', { name: /^Book 4 tickets/ });
    await user.dblClick(book);
    expect(await screen.findByRole('button', { name: /Booking…/ })).toBeTruthy();
    release();
    expect(await screen.findByRole('heading', { name: 'You’re going!' })).toBeTruthy();
    expect(window.location.pathname).toBe('/bookings/b42');
    expect(bookings(requests)).toHaveLength(1);
    const sent = bookings(requests)[0];
    expect(sent?.rawBody).toContain('"totalAmount":130.00');
    expect(sent?.body).not.toHaveProperty('userId');
    expect(sent?.body).toMatchObject({
      concertId: 'c1',
      paymentMethod: 'card',
      tickets: [
        { tierId: 'vip', quantity: 1 },
        { tierId: 'ga', quantity: 3 },
      ],
    });
  });

  it('signed out: asks to sign in instead of booking, and keeps the selection for the way back', async () => {
    const { requests } = api(() => ok(booking, 201), { user: null });
    const user = userEvent.setup();
    const view = renderApp('/concerts/c1');
    await screen.findByText('VIP');
    await pick(user, 'VIP', 2);
    const signIn = await screen.findByRole('link', { name: 'Sign in to book' });
    expect(signIn.getAttribute('href')).toBe('/signin?next=%2Fconcerts%2Fc1');
    expect(screen.getByRole('link', { name: 'Create an account' }).getAttribute('href')).toBe('/signup?next=%2Fconcerts%2Fc1');
    expect(screen.queryByRole('button', { name: /^Book/ })).toBeNull();
    expect(screen.queryByLabelText('Your name')).toBeNull();
    expect(bookings(requests)).toHaveLength(0);

    // Back from signing in (a new page load): the two VIP tickets are still selected.
    view.unmount();
    api(() => ok(booking, 201));
    renderApp('/concerts/c1');
    expect(await screen.findByRole('button', { name: /^Book 2 tickets · \$200\.00/ })).toBeTruthy();
    expect(screen.getByRole('group', { name: 'VIP quantity' }).textContent).toContain('2');
  });

  it('offers the always-declining test card only when the server says test payments are on', async () => {
    api(() => ok(booking, 201), { testPayments: false });
    renderApp('/concerts/c1');
    const select = await screen.findByLabelText<HTMLSelectElement>('Payment method');
    await screen.findByRole('button', { name: /^Book/ });
    expect([...select.options].map((o) => o.value)).toEqual(['card']);
  });

  it('says how many tickets the fan may still buy on FAN_LIMIT_REACHED', async () => {
    api(() => fail(409, 'FAN_LIMIT_REACHED', 'Limit', { limit: 10, alreadyBooked: 8, requested: 3 }));
    const user = userEvent.setup();
    renderApp('/concerts/c1');
    await screen.findByText('VIP');
    await pick(user, 'VIP', 3);
    await user.click(await screen.findByRole('button', { name: /^Book 3 tickets/ }));
    expect(await screen.findByText(/You can buy at most 10 tickets for this concert; you already have 8\./)).toBeTruthy();
    expect(screen.getByText('Ticket limit reached')).toBeTruthy();
  });

  it('keeps an unanswered booking and, on the next visit, finds out it went through', async () => {
    const first = api(() => 'network-error');
    // The real retries, without their real waits.
    setCheckout(new Checkout(postBookingBody, createPendingStore(), { wait: () => Promise.resolve() }));
    const user = userEvent.setup();
    const view = renderApp('/concerts/c1');
    await screen.findByText('VIP');
    await pick(user, 'VIP', 1);
    await user.click(await screen.findByRole('button', { name: /^Book 1 ticket/ }));
    expect(await screen.findByText('We couldn’t confirm your booking')).toBeTruthy();
    const sent = bookings(first.requests);
    expect(new Set(sent.map((r) => r.rawBody)).size).toBe(1);
    const kept = JSON.parse(window.localStorage.getItem(PENDING_STORAGE_KEY) ?? '[]') as { body: string }[];
    expect(kept.map((k) => k.body)).toEqual([sent[0]?.rawBody]);

    // Next visit: the app replays it at start with the same key and body; it had gone through.
    view.unmount();
    setCheckout(null);
    const next = api(() => ok(booking, 200, { duplicate: true }));
    renderApp('/');
    expect(await screen.findByText('Your earlier booking went through')).toBeTruthy();
    expect(bookings(next.requests).map((r) => r.rawBody)).toEqual([sent[0]?.rawBody]);
    expect(window.localStorage.getItem(PENDING_STORAGE_KEY)).toBeNull();
    await user.click(screen.getByRole('link', { name: /View booking/ }));
    expect(await screen.findByRole('heading', { name: 'Your booking' })).toBeTruthy();
  });

  it('names the tier and what is left on INSUFFICIENT_INVENTORY, and refreshes availability', async () => {
    const { requests } = api(() =>
      fail(409, 'INSUFFICIENT_INVENTORY', 'Not enough tickets', { tierId: 'vip', requested: 3, available: 1 }),
    );
    const user = userEvent.setup();
    renderApp('/concerts/c1');
    await screen.findByText('VIP');
    await pick(user, 'VIP', 3);
    const availabilityCalls = () => requests.filter((r) => r.path.endsWith('/availability')).length;
    const before = availabilityCalls();
    await user.click(await screen.findByRole('button', { name: /^Book 3 tickets/ }));
    expect(await screen.findByText(/Only 1 VIP ticket is left — you asked for 3/)).toBeTruthy();
    await waitFor(() => {
      expect(availabilityCalls()).toBeGreaterThan(before);
    });
  });

  it('says a declined payment was declined, and trying again is a new attempt', async () => {
    const { requests } = api(() => fail(402, 'PAYMENT_FAILED', 'Payment declined', { bookingId: 'bx' }));
    const user = userEvent.setup();
    renderApp('/concerts/c1');
    await screen.findByText('VIP');
    await pick(user, 'VIP', 1);
    await screen.findByRole('option', { name: 'Test card (always declines)' });
    await user.selectOptions(screen.getByLabelText('Payment method'), 'test_decline');
    await user.click(await screen.findByRole('button', { name: /^Book 1 ticket/ }));
    expect(await screen.findByText('Your payment was declined')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => {
      expect(bookings(requests)).toHaveLength(2);
    });
    const [first, second] = bookings(requests).map((r) => (r.body as { idempotencyKey: string; paymentMethod: string }));
    expect(first?.paymentMethod).toBe('test_decline');
    expect(first?.idempotencyKey).not.toBe(second?.idempotencyKey);
  });

  it('points a 400 at the field the server named', async () => {
    api(() => fail(400, 'INVALID_REQUEST', 'quantity must be at most 10', { field: 'tickets[0].quantity' }));
    const user = userEvent.setup();
    renderApp('/concerts/c1');
    await screen.findByText('VIP');
    await pick(user, 'VIP', 1);
    await user.click(await screen.findByRole('button', { name: /^Book 1 ticket/ }));
    const vipRow = (await screen.findAllByText('quantity must be at most 10')).map((el) => el.closest('li'));
    expect(vipRow.some((li) => li?.getAttribute('data-tier-id') === 'vip')).toBe(true);
  });

  it('shows a not-found page for an unknown concert', async () => {
    installMockApi(() => fail(404, 'CONCERT_NOT_FOUND', 'Concert not found'));
    renderApp('/concerts/zzz');
    expect(await screen.findByRole('heading', { name: 'Concert not found' })).toBeTruthy();
  });
});

describe('booking page', () => {
  it('cancels after confirmation', async () => {
    const { requests } = installMockApi((req) => {
      if (req.path === '/api/bookings/b42' && req.method === 'GET') return ok(booking);
      if (req.path === '/api/concerts/c1') return ok(concert);
      if (req.path === '/api/bookings/b42/cancel' && req.method === 'POST')
        return ok({ ...booking, status: 'cancelled', updatedAt: '2026-06-02T10:00:00Z' });
      return fail(404, 'NOT_FOUND', 'no route');
    });
    const user = userEvent.setup();
    renderApp('/bookings/b42');
    expect(await screen.findByRole('heading', { name: 'Your booking' })).toBeTruthy();
    expect(screen.getByTestId('booking-id').textContent).toBe('b42');
    expect(screen.getByTestId('booking-total').textContent).toBe('$130.00');
    await user.click(screen.getByRole('button', { name: 'Cancel booking' }));
    await user.click(screen.getByRole('button', { name: 'Keep my booking' }));
    expect(requests.some((r) => r.path.endsWith('/cancel'))).toBe(false);
    await user.click(screen.getByRole('button', { name: 'Cancel booking' }));
    await user.click(screen.getByRole('button', { name: 'Yes, cancel booking' }));
    expect(await screen.findByRole('heading', { name: 'Booking cancelled' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Cancel booking' })).toBeNull();
  });

  it('shows the server-down banner instead of a blank page', async () => {
    installMockApi(() => ({ status: 502, text: '<html>Bad Gateway</html>' }));
    renderApp('/bookings/b42');
    const alerts = await screen.findAllByRole('alert');
    expect(alerts.map((a) => a.textContent).join(' ')).toMatch(/can’t reach the ticket service/);
  });
});
