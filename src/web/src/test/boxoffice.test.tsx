// The box office in the page: the countdown on the server's clock, a
// cancelled concert, the booking page's review fixes, the admin gate, the
// concert form, cancel-for-a-fan and the dashboard.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type {
  AdminBookingDetail,
  AdminConcert,
  Availability,
  Booking,
  Concert,
  ConcertSales,
  User,
} from '../api/types';
import { fail, installMockApi, ok, type MockRequest, type MockResponse } from './mockApi';
import { renderApp } from './render';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const fan: User = { id: 'u1', email: 'alex@example.com', name: 'Alex Rivera', role: 'fan' };
const admin: User = { id: 'u9', email: 'boxoffice@example.com', name: 'Box Office', role: 'admin' };

const concert: Concert = {
  id: 'c1',
  name: 'The Midnight Echoes',
  venue: 'Madison Square Garden',
  eventDate: '2027-06-16T00:00:00Z',
  startsAt: '2027-06-15T20:00:00-04:00',
  doorsAt: '2027-06-15T18:30:00-04:00',
  timeZone: 'America/New_York',
  description: 'The last night of the tour.',
  salesStart: '2026-11-01T10:00:00-05:00',
  salesEnd: '2027-06-15T20:00:00-04:00',
  status: 'published',
  createdAt: '2026-01-01T00:00:00Z',
};

const availability: Availability = {
  concertId: 'c1',
  tiers: [{ id: 'ga', tierName: 'GA', price: 85, totalQuantity: 100, availableQuantity: 100 }],
};

type Routes = Record<string, (req: MockRequest) => MockResponse>;

function api(user: User | null, routes: Routes) {
  return installMockApi((req) => {
    if (req.method === 'GET' && req.path === '/api/me') return user ? ok(user) : fail(401, 'UNAUTHENTICATED', 'Sign in');
    if (req.method === 'GET' && req.path === '/api/config') return ok({ testPayments: false });
    const route = routes[`${req.method} ${req.path}`];
    return route ? route(req) : fail(404, 'NOT_FOUND', `no route ${req.method} ${req.path}`);
  });
}

describe('the phone’s order bar', () => {
  it('shows while the Book button is only partly on screen (the review’s "never appears")', async () => {
    const observers: { callback: IntersectionObserverCallback; options: IntersectionObserverInit | undefined }[] = [];
    vi.stubGlobal(
      'IntersectionObserver',
      class {
        constructor(callback: IntersectionObserverCallback, options?: IntersectionObserverInit) {
          observers.push({ callback, options });
        }
        observe() {}
        disconnect() {}
      },
    );
    api(fan, {
      'GET /api/concerts/c1': () => ok({ ...concert, serverTime: new Date().toISOString() }),
      'GET /api/concerts/c1/availability': () => ok(availability),
    });
    renderApp('/concerts/c1');
    fireEvent.click(await screen.findByRole('button', { name: 'Add one GA ticket' }));
    const watcher = observers.at(-1);
    expect(watcher?.options?.threshold).toContain(0.99);
    const report = (ratio: number) => {
      act(() => {
        watcher?.callback(
          [{ isIntersecting: ratio > 0, intersectionRatio: ratio } as IntersectionObserverEntry],
          {} as IntersectionObserver,
        );
      });
    };
    // A sliver of the checkout peeking in at the bottom of the screen is not "seen".
    report(0.2);
    expect(await screen.findByRole('button', { name: 'Review order' })).toBeTruthy();
    report(1);
    expect(screen.queryByRole('button', { name: 'Review order' })).toBeNull();
    report(0);
    expect(screen.getByRole('button', { name: 'Review order' })).toBeTruthy();
  });
});

describe('the concert page and the sales window', () => {
  it('counts down on the server’s clock and opens the Book button at that instant', async () => {
    // This browser's clock is a minute behind the server's.
    const browserNow = Date.parse('2026-12-01T18:00:00.000Z');
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    vi.setSystemTime(browserNow);
    const serverTime = new Date(browserNow + 60_000).toISOString();
    const salesStart = new Date(browserNow + 60_000 + 5_000).toISOString();
    api(fan, {
      'GET /api/concerts/c1': () => ok({ ...concert, serverTime, salesStart }),
      'GET /api/concerts/c1/availability': () => ok(availability),
    });
    renderApp('/concerts/c1');
    const timer = await screen.findByRole('timer', { name: 'Time until tickets go on sale' });
    // 5 s on the server's clock, not 1:05 on the browser's.
    expect(timer.textContent).toMatch(/^0:0[45]$/);
    fireEvent.click(screen.getByRole('button', { name: 'Add one GA ticket' }));
    const waiting = await screen.findByRole<HTMLButtonElement>('button', { name: /^On sale in 0:0\d/ });
    expect(waiting.disabled).toBe(true);

    act(() => {
      vi.advanceTimersByTime(5_000);
    });
    const book = await screen.findByRole<HTMLButtonElement>('button', { name: /^Book 1 ticket · \$85\.00/ });
    expect(book.disabled).toBe(false);
    expect(screen.queryByRole('timer')).toBeNull();
    expect(screen.getByText('Tickets are on sale now.')).toBeTruthy();
  });

  it('shows the start on the venue’s clock with its zone, and the doors', async () => {
    api(fan, {
      'GET /api/concerts/c1': () => ok({ ...concert, serverTime: new Date().toISOString() }),
      'GET /api/concerts/c1/availability': () => ok(availability),
    });
    renderApp('/concerts/c1');
    expect(await screen.findByText(/8:00\s?PM EDT/)).toBeTruthy();
    expect(screen.getByText(/doors 6:30\s?PM EDT/)).toBeTruthy();
    expect(screen.getByText('The last night of the tour.')).toBeTruthy();
  });

  it('says a cancelled concert is cancelled and offers no booking', async () => {
    api(fan, {
      'GET /api/concerts/c1': () => ok({ ...concert, status: 'cancelled', serverTime: new Date().toISOString() }),
      'GET /api/concerts/c1/availability': () => ok(availability),
    });
    renderApp('/concerts/c1');
    expect(await screen.findByText('This concert has been cancelled')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /^Book/ })).toBeNull();
  });

  it('puts SALES_CLOSED into words and reads the concert again', async () => {
    const { requests } = api(fan, {
      'GET /api/concerts/c1': () => ok({ ...concert, serverTime: new Date().toISOString() }),
      'GET /api/concerts/c1/availability': () => ok(availability),
      'POST /api/bookings': () => fail(409, 'SALES_CLOSED', 'Sales closed', { salesEnd: '2026-12-01T12:00:00Z' }),
    });
    const user = userEvent.setup();
    renderApp('/concerts/c1');
    await user.click(await screen.findByRole('button', { name: 'Add one GA ticket' }));
    const concertReads = () => requests.filter((r) => r.path === '/api/concerts/c1').length;
    const before = concertReads();
    await user.click(screen.getByRole('button', { name: /^Book 1 ticket/ }));
    expect(await screen.findByText('Sales have closed')).toBeTruthy();
    expect(screen.getByText(/Nothing was booked and you were not charged/)).toBeTruthy();
    await waitFor(() => {
      expect(concertReads()).toBeGreaterThan(before);
    });
  });

  it('puts SALES_NOT_STARTED into words', async () => {
    api(fan, {
      'GET /api/concerts/c1': () => ok({ ...concert, serverTime: new Date().toISOString() }),
      'GET /api/concerts/c1/availability': () => ok(availability),
      'POST /api/bookings': () => fail(409, 'SALES_NOT_STARTED', 'Not yet', { salesStart: '2030-01-01T12:00:00Z' }),
    });
    const user = userEvent.setup();
    renderApp('/concerts/c1');
    await user.click(await screen.findByRole('button', { name: 'Add one GA ticket' }));
    await user.click(screen.getByRole('button', { name: /^Book 1 ticket/ }));
    expect(await screen.findByText('Tickets aren’t on sale yet')).toBeTruthy();
  });
});

const booking: Booking = {
  id: 'b42',
  concertId: 'c1',
  userId: 'u1',
  status: 'confirmed',
  totalAmount: 85,
  items: [{ tierId: 'ga', tierName: 'GA', quantity: 1, pricePerTicket: 85 }],
  createdAt: '2026-06-01T10:00:00Z',
  updatedAt: '2026-06-01T10:00:00Z',
};

describe('the booking page', () => {
  it('a declined payment reads as nothing charged, and the title names the concert', async () => {
    api(fan, {
      'GET /api/bookings/b42': () => ok({ ...booking, status: 'payment_failed', items: [] }),
      'GET /api/concerts/c1': () => ok(concert),
    });
    renderApp('/bookings/b42');
    expect(await screen.findByRole('heading', { level: 1, name: 'Payment declined' })).toBeTruthy();
    expect(screen.getByText('Nothing was charged')).toBeTruthy();
    expect(screen.getByText(/The payment of \$85\.00 was declined/)).toBeTruthy();
    expect(screen.queryByText('0 tickets')).toBeNull();
    expect(screen.queryByText('Total')).toBeNull();
    await waitFor(() => {
      expect(document.title).toBe('Declined payment · The Midnight Echoes · ticketd');
    });
  });

  it('a confirmed booking’s title is the concert, not the id', async () => {
    api(fan, { 'GET /api/bookings/b42': () => ok(booking), 'GET /api/concerts/c1': () => ok(concert) });
    renderApp('/bookings/b42');
    await waitFor(() => {
      expect(document.title).toBe('Your booking · The Midnight Echoes · ticketd');
    });
    expect(document.title).not.toContain('b42');
  });

  it('a stale tab that cancels an already cancelled booking says so, without "was not cancelled"', async () => {
    let current: Booking = booking;
    api(fan, {
      'GET /api/bookings/b42': () => ok(current),
      'GET /api/concerts/c1': () => ok(concert),
      'POST /api/bookings/b42/cancel': () => {
        current = { ...booking, status: 'cancelled' };
        return fail(409, 'BOOKING_NOT_CANCELLABLE', 'Booking is cancelled', { status: 'cancelled' });
      },
    });
    const user = userEvent.setup();
    renderApp('/bookings/b42');
    await user.click(await screen.findByRole('button', { name: 'Cancel booking' }));
    await user.click(screen.getByRole('button', { name: 'Yes, cancel booking' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Booking cancelled' })).toBeTruthy();
    expect(await screen.findByText('It was already cancelled')).toBeTruthy();
    expect(screen.queryByText('The booking was not cancelled')).toBeNull();
  });

  it('CANCELLATION_CLOSED: too late to cancel', async () => {
    api(fan, {
      'GET /api/bookings/b42': () => ok(booking),
      'GET /api/concerts/c1': () => ok(concert),
      'POST /api/bookings/b42/cancel': () => fail(409, 'CANCELLATION_CLOSED', 'The concert has started'),
    });
    const user = userEvent.setup();
    renderApp('/bookings/b42');
    await user.click(await screen.findByRole('button', { name: 'Cancel booking' }));
    await user.click(screen.getByRole('button', { name: 'Yes, cancel booking' }));
    expect(await screen.findByText('It’s too late to cancel')).toBeTruthy();
  });
});

const adminConcert: AdminConcert = {
  id: 'c1',
  name: 'The Midnight Echoes',
  venue: 'Madison Square Garden',
  description: '',
  timeZone: 'America/New_York',
  startsAt: '2027-06-15T20:00:00-04:00',
  doorsAt: null,
  salesStart: '2026-11-02T10:00:00-05:00',
  salesEnd: '2027-06-15T20:00:00-04:00',
  maxTicketsPerFan: 10,
  status: 'published',
  createdAt: '2026-10-01T00:00:00Z',
  updatedAt: '2026-10-01T00:00:00Z',
  tiers: [
    { id: 't_vip', tierName: 'VIP', price: 150, capacity: 100, sold: 40, available: 60 },
    { id: 't_ga', tierName: 'GA', price: 85, capacity: 500, sold: 0, available: 500 },
  ],
};

describe('the box office', () => {
  it('is not for fans: no admin request is made, the page says so', async () => {
    const { requests } = api(fan, {});
    renderApp('/admin');
    expect(await screen.findByRole('heading', { name: 'This page is for the box office' })).toBeTruthy();
    expect(requests.some((r) => r.path.startsWith('/api/admin'))).toBe(false);
  });

  it('sends a signed-out visitor to sign in and back', async () => {
    api(null, {});
    renderApp('/admin/bookings');
    await waitFor(() => {
      expect(`${window.location.pathname}${window.location.search}`).toBe('/signin?next=%2Fadmin%2Fbookings');
    });
  });

  it('lists concerts with their state, on the venue’s clock, with a CSV link', async () => {
    api(admin, { 'GET /api/admin/concerts': () => ok([adminConcert, { ...adminConcert, id: 'c2', name: 'Draft Night', status: 'draft' }]) });
    renderApp('/admin');
    const row = (await screen.findByRole('link', { name: 'The Midnight Echoes' })).closest('tr');
    expect(row).toBeTruthy();
    const cells = within(row as HTMLElement);
    expect(cells.getByText('Published')).toBeTruthy();
    expect(cells.getAllByText(/8:00\s?PM EDT/).length).toBeGreaterThan(0);
    expect(cells.getByText('40 / 600')).toBeTruthy();
    expect(cells.getByRole('link', { name: 'CSV of the bookings of The Midnight Echoes' }).getAttribute('href')).toBe(
      '/api/admin/concerts/c1/bookings.csv',
    );
    expect(screen.getByText('Draft')).toBeTruthy();
  });

  it('creates and publishes a concert with two tiers; mistakes stay on the page', async () => {
    const { requests } = api(admin, {
      'POST /api/admin/concerts': (req) => {
        const body = req.body as { name: string };
        return ok({ ...adminConcert, id: 'c_new', name: body.name, tiers: [] }, 201);
      },
      'GET /api/admin/concerts/c_new': () => ok({ ...adminConcert, id: 'c_new', name: 'Aurora Skies' }),
      'GET /api/admin/concerts': () => ok([]),
    });
    const user = userEvent.setup();
    renderApp('/admin/concerts/new');
    await user.click(await screen.findByRole('button', { name: 'Publish' }));
    expect(await screen.findByText('Please check the highlighted fields')).toBeTruthy();
    expect(requests.some((r) => r.method === 'POST')).toBe(false);

    await user.type(screen.getByLabelText('Name'), 'Aurora Skies');
    await user.type(screen.getByLabelText('Venue'), 'Hollywood Bowl');
    await user.selectOptions(screen.getByLabelText('Time zone'), 'America/Los_Angeles');
    fireEvent.change(screen.getByLabelText('Starts'), { target: { value: '2030-07-17T19:30' } });
    fireEvent.change(screen.getByLabelText('Sales open'), { target: { value: '2030-01-10T10:00:30' } });
    await user.type(screen.getByLabelText('Tier 1 name'), 'VIP');
    await user.type(screen.getByLabelText('Tier 1 price ($)'), '150');
    await user.type(screen.getByLabelText('Tier 1 capacity'), '12');
    await user.click(screen.getByRole('button', { name: 'Add a tier' }));
    await user.type(screen.getByLabelText('Tier 2 name'), 'Floor');
    await user.type(screen.getByLabelText('Tier 2 price ($)'), '85.5');
    await user.type(screen.getByLabelText('Tier 2 capacity'), '400');
    await user.click(screen.getByRole('button', { name: 'Publish' }));

    await waitFor(() => {
      expect(window.location.pathname).toBe('/admin/concerts/c_new');
    });
    const post = requests.find((r) => r.method === 'POST');
    expect(post?.rawBody).toBe(
      '{"name":"Aurora Skies","venue":"Hollywood Bowl","timeZone":"America/Los_Angeles","startsAt":"2030-07-17T19:30",' +
        '"status":"published","maxTicketsPerFan":10,"salesStart":"2030-01-10T10:00:30-08:00",' +
        '"tiers":[{"tierName":"VIP","capacity":12,"price":150.00},{"tierName":"Floor","capacity":400,"price":85.50}]}',
    );
    expect(await screen.findByText('Published: fans can see it')).toBeTruthy();
  });

  it('edits: sends only the change, and cancels the concert only with a reason', async () => {
    let current = adminConcert;
    const { requests } = api(admin, {
      'GET /api/admin/concerts/c1': () => ok(current),
      'GET /api/admin/concerts': () => ok([current]),
      'PATCH /api/admin/concerts/c1': (req) => {
        const { tiers = [], ...rest } = req.body as Partial<AdminConcert>;
        const changed = new Map(tiers.map((t) => [t.id, t]));
        current = {
          ...current,
          ...rest,
          tiers: current.tiers.map((t) => ({ ...t, ...changed.get(t.id) })),
          updatedAt: new Date(Date.parse(current.updatedAt) + 1000).toISOString(),
        };
        return ok(current);
      },
    });
    const user = userEvent.setup();
    renderApp('/admin/concerts/c1');
    const capacity = await screen.findByLabelText('Tier 2 capacity');
    // VIP has sales: its price is fixed.
    expect(screen.getByLabelText<HTMLInputElement>('Tier 1 price ($)').disabled).toBe(true);
    await user.clear(capacity);
    await user.type(capacity, '450');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Changes saved')).toBeTruthy();
    expect(requests.find((r) => r.method === 'PATCH')?.rawBody).toBe('{"tiers":[{"id":"t_ga","capacity":450}]}');

    await user.click(screen.getByRole('button', { name: 'Cancel concert…' }));
    const dialog = screen.getByRole('dialog', { name: 'Cancel The Midnight Echoes?' });
    const confirm = within(dialog).getByRole<HTMLButtonElement>('button', { name: 'Cancel the concert' });
    expect(confirm.disabled).toBe(true);
    await user.type(within(dialog).getByLabelText('Reason (kept in every booking’s audit trail)'), 'The venue flooded');
    await user.click(confirm);
    expect(await screen.findByText('Concert cancelled')).toBeTruthy();
    expect(requests.filter((r) => r.method === 'PATCH').at(-1)?.body).toEqual({ status: 'cancelled', cancelReason: 'The venue flooded' });
    expect(screen.getByText('This concert is cancelled')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Save changes' })).toBeNull();
  });

  it('cancels a booking for a fan only with a reason, and shows the audit trail', async () => {
    const detail: AdminBookingDetail = {
      id: 'b42',
      concertId: 'c1',
      userId: 'u1',
      concertName: 'The Midnight Echoes',
      status: 'confirmed',
      totalAmount: 170,
      createdAt: '2026-12-01T18:00:05Z',
      updatedAt: '2026-12-01T18:00:05Z',
      fan: { id: 'u1', email: 'alex@example.com', name: 'Alex Rivera' },
      guestName: null,
      items: [{ tierId: 'ga', tierName: 'GA', quantity: 2, pricePerTicket: 85 }],
      events: [{ at: '2026-12-01T18:00:05Z', fromStatus: null, toStatus: 'confirmed', actor: null, reason: null }],
    };
    const { requests } = api(admin, {
      'GET /api/admin/bookings/b42': () => ok(detail),
      'POST /api/admin/bookings/b42/cancel': (req) => {
        const { reason } = req.body as { reason: string };
        return ok({
          ...detail,
          status: 'cancelled',
          events: [
            ...detail.events,
            { at: '2026-12-01T18:10:00Z', fromStatus: 'confirmed', toStatus: 'cancelled', actor: admin, reason },
          ],
        });
      },
    });
    const user = userEvent.setup();
    renderApp('/admin/bookings/b42');
    expect(await screen.findByRole('heading', { level: 1, name: 'Booking of Alex Rivera' })).toBeTruthy();
    expect(screen.getAllByTestId('audit-event')).toHaveLength(1);
    await user.click(screen.getByRole('button', { name: 'Cancel booking and refund' }));
    expect(screen.getByText(/Say why/)).toBeTruthy();
    expect(requests.some((r) => r.method === 'POST')).toBe(false);

    await user.type(screen.getByLabelText('Reason'), 'Fan asked by phone');
    await user.click(screen.getByRole('button', { name: 'Cancel booking and refund' }));
    expect(await screen.findByText('“Fan asked by phone”')).toBeTruthy();
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({ reason: 'Fan asked by phone' });
    expect(screen.getAllByTestId('audit-event')).toHaveLength(2);
    expect(screen.getByText(/by Box Office \(boxoffice@example\.com\)/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Cancel booking and refund' })).toBeNull();
  });

  it('the dashboard shows the totals and the per-minute chart, and keeps refreshing', async () => {
    let confirmed = 3;
    const sales = (): ConcertSales => ({
      concertId: 'c1',
      generatedAt: new Date().toISOString(),
      tiers: [
        { tierId: 't_ga', tierName: 'GA', price: 85, capacity: 500, sold: confirmed * 2, available: 500 - confirmed * 2, grossAmount: confirmed * 170, refundedAmount: 0 },
      ],
      totals: { capacity: 500, sold: confirmed * 2, available: 500 - confirmed * 2, grossAmount: confirmed * 170, refundedAmount: 0 },
      outcomes: { confirmed, declined: 1, rejected: 0, cancelled: 0 },
      perMinute: [{ minute: new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString(), confirmed }],
    });
    api(admin, {
      'GET /api/admin/concerts/c1': () => ok(adminConcert),
      'GET /api/admin/concerts/c1/sales': () => ok(sales()),
    });
    renderApp('/admin/concerts/c1/sales');
    expect((await screen.findByTestId('sales-confirmed')).textContent).toBe('3');
    expect(screen.getByTestId('sales-gross').textContent).toBe('$510.00');
    expect(screen.getByRole('img', { name: /Confirmed bookings per minute, last hour.*this minute so far 3/ })).toBeTruthy();
    confirmed = 4;
    await waitFor(() => {
      expect(screen.getByTestId('sales-confirmed').textContent).toBe('4');
    });
  });
});
