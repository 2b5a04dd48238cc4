import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Availability, Booking, Concert } from '../api/types';
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

const booking: Booking = {
  id: 'b42',
  concertId: 'c1',
  userId: 'Alex',
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

function api(onBook: (req: MockRequest) => MockResponse | 'network-error' | Promise<MockResponse>) {
  return installMockApi((req) => {
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
    await user.type(screen.getByLabelText('Your name'), 'Alex');
    const book = screen.getByRole('button', { name: /^Book 4 tickets/ });
    await user.dblClick(book);
    expect(await screen.findByRole('button', { name: /Booking…/ })).toBeTruthy();
    release();
    expect(await screen.findByRole('heading', { name: 'You’re going!' })).toBeTruthy();
    expect(window.location.pathname).toBe('/bookings/b42');
    expect(bookings(requests)).toHaveLength(1);
    const sent = bookings(requests)[0];
    expect(sent?.rawBody).toContain('"totalAmount":130.00');
    expect(sent?.body).toMatchObject({
      concertId: 'c1',
      userId: 'Alex',
      paymentMethod: 'card',
      tickets: [
        { tierId: 'vip', quantity: 1 },
        { tierId: 'ga', quantity: 3 },
      ],
    });
  });

  it('asks for a name before sending anything', async () => {
    const { requests } = api(() => ok(booking, 201));
    const user = userEvent.setup();
    renderApp('/concerts/c1');
    await screen.findByText('VIP');
    await pick(user, 'VIP', 1);
    await user.click(screen.getByRole('button', { name: /^Book 1 ticket/ }));
    expect(screen.getByText(/Enter your name/)).toBeTruthy();
    expect(screen.getByLabelText('Your name').getAttribute('aria-invalid')).toBe('true');
    expect(bookings(requests)).toHaveLength(0);
  });

  it('names the tier and what is left on INSUFFICIENT_INVENTORY, and refreshes availability', async () => {
    const { requests } = api(() =>
      fail(409, 'INSUFFICIENT_INVENTORY', 'Not enough tickets', { tierId: 'vip', requested: 3, available: 1 }),
    );
    const user = userEvent.setup();
    renderApp('/concerts/c1');
    await screen.findByText('VIP');
    await pick(user, 'VIP', 3);
    await user.type(screen.getByLabelText('Your name'), 'Alex');
    const availabilityCalls = () => requests.filter((r) => r.path.endsWith('/availability')).length;
    const before = availabilityCalls();
    await user.click(screen.getByRole('button', { name: /^Book 3 tickets/ }));
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
    await user.type(screen.getByLabelText('Your name'), 'Alex');
    await user.selectOptions(screen.getByLabelText('Payment method'), 'test_decline');
    await user.click(screen.getByRole('button', { name: /^Book 1 ticket/ }));
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
    api(() => fail(400, 'INVALID_REQUEST', 'userId must be at most 64 characters', { field: 'userId' }));
    const user = userEvent.setup();
    renderApp('/concerts/c1');
    await screen.findByText('VIP');
    await pick(user, 'VIP', 1);
    await user.type(screen.getByLabelText('Your name'), 'Alex');
    await user.click(screen.getByRole('button', { name: /^Book 1 ticket/ }));
    await waitFor(() => {
      expect(screen.getByLabelText('Your name').getAttribute('aria-invalid')).toBe('true');
    });
    expect(screen.getAllByText('userId must be at most 64 characters').length).toBeGreaterThan(0);
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
