import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Booking, Concert, User } from '../api/types';
import { fail, installMockApi, ok, type MockRequest, type MockResponse } from './mockApi';
import { renderApp } from './render';

const fan: User = { id: 'u1', email: 'alex@example.com', name: 'Alex Rivera', role: 'fan' };

const concert = (id: string, name: string, eventDate: string): Concert => ({
  id,
  name,
  venue: 'The Fillmore',
  eventDate,
  createdAt: '2026-01-01T00:00:00Z',
});
const future = concert('c1', 'Future Sound', '2099-05-01T20:00:00Z');
const later = concert('c3', 'Later Still', '2099-09-01T20:00:00Z');
const past = concert('c2', 'Yesterday’s Band', '2001-05-01T20:00:00Z');

const booking = (id: string, concertId: string, status: Booking['status'] = 'confirmed'): Booking => ({
  id,
  concertId,
  userId: 'u1',
  status,
  totalAmount: 80,
  items: [{ tierId: 't', tierName: 'FRONT_ROW', quantity: 2, pricePerTicket: 40 }],
  createdAt: '2026-06-01T10:00:00Z',
  updatedAt: '2026-06-01T10:00:00Z',
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A server with a session: /api/me answers for whoever signed in last. */
function server(routes: (req: MockRequest) => MockResponse | undefined, { signedIn = null as User | null } = {}) {
  let me = signedIn;
  const mock = installMockApi((req) => {
    const answer = routes(req);
    if (answer) {
      if (answer.status < 300 && (req.path === '/api/auth/login' || req.path === '/api/auth/register')) {
        me = (answer.body as { data: { user: User } }).data.user;
      }
      return answer;
    }
    if (req.path === '/api/me') return me ? ok(me) : fail(401, 'UNAUTHENTICATED', 'Sign in');
    if (req.path === '/api/config') return ok({ testPayments: false });
    if (req.path === '/api/auth/logout' && req.method === 'POST') {
      me = null;
      return { status: 204 };
    }
    if (req.path === '/api/concerts') return ok([future, past, later]);
    return fail(404, 'NOT_FOUND', 'no route');
  });
  return mock;
}

describe('sign in', () => {
  it('signs in with JSON, then returns to where the fan came from', async () => {
    const { requests } = server((req) => (req.path === '/api/auth/login' ? ok({ user: fan }) : undefined));
    const user = userEvent.setup();
    renderApp('/signin?next=%2Fme%2Fbookings');
    await user.type(await screen.findByLabelText('Email'), 'alex@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => {
      expect(window.location.pathname).toBe('/me/bookings');
    });
    const post = requests.find((r) => r.path === '/api/auth/login');
    expect(post?.body).toEqual({ email: 'alex@example.com', password: 'correct horse' });
    const banner = screen.getByRole('banner');
    expect(await within(banner).findByText('Alex Rivera')).toBeTruthy();
  });

  it('says a wrong email or password plainly, and links to sign-up keeping ?next', async () => {
    server((req) => (req.path === '/api/auth/login' ? fail(401, 'INVALID_CREDENTIALS', 'Invalid') : undefined));
    const user = userEvent.setup();
    renderApp('/signin?next=%2Fconcerts%2Fc1');
    await user.type(await screen.findByLabelText('Email'), 'alex@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText(/don’t match an account/)).toBeTruthy();
    expect(window.location.pathname).toBe('/signin');
    expect(screen.getByRole('link', { name: 'Create an account' }).getAttribute('href')).toBe(
      '/signup?next=%2Fconcerts%2Fc1',
    );
  });

  it('waits out a 429 with its Retry-After before the form can be sent again', async () => {
    const { requests } = server((req) =>
      req.path === '/api/auth/login'
        ? { ...fail(429, 'RATE_LIMITED', 'Slow down'), headers: { 'Retry-After': '30' } }
        : undefined,
    );
    const user = userEvent.setup();
    renderApp('/signin');
    await user.type(await screen.findByLabelText('Email'), 'alex@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText(/Too many sign-in attempts\. Try again in (30|29) seconds\./)).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Sign in' }).disabled).toBe(true);
    expect(requests.filter((r) => r.path === '/api/auth/login')).toHaveLength(1);
  });

  it('never goes to another site after signing in', async () => {
    server((req) => (req.path === '/api/auth/login' ? ok({ user: fan }) : undefined));
    const user = userEvent.setup();
    renderApp('/signin?next=%2F%2Fevil.example%2F');
    await user.type(await screen.findByLabelText('Email'), 'alex@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => {
      expect(window.location.pathname).toBe('/');
    });
  });
});

describe('sign up', () => {
  it('checks the fields before sending, then puts the server’s complaint on the field it names', async () => {
    const { requests } = server((req) =>
      req.path === '/api/auth/register'
        ? fail(400, 'INVALID_REQUEST', 'email is not a valid address', { field: 'email' })
        : undefined,
    );
    const user = userEvent.setup();
    renderApp('/signup');
    await user.click(await screen.findByRole('button', { name: 'Create account' }));
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('Password').getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(screen.getByLabelText('Name'));
    expect(requests.filter((r) => r.path === '/api/auth/register')).toHaveLength(0);

    await user.type(screen.getByLabelText('Name'), 'Alex Rivera');
    await user.type(screen.getByLabelText('Email'), 'alex@example.co');
    await user.type(screen.getByLabelText('Password'), 'long enough pass');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByText('email is not a valid address')).toBeTruthy();
    const email = screen.getByLabelText('Email');
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(email);
    expect(requests.find((r) => r.path === '/api/auth/register')?.body).toEqual({
      email: 'alex@example.co',
      password: 'long enough pass',
      name: 'Alex Rivera',
    });
  });

  it('says when the email already has an account', async () => {
    server((req) => (req.path === '/api/auth/register' ? fail(409, 'EMAIL_TAKEN', 'taken') : undefined));
    const user = userEvent.setup();
    renderApp('/signup');
    await user.type(await screen.findByLabelText('Name'), 'Alex');
    await user.type(screen.getByLabelText('Email'), 'alex@example.com');
    await user.type(screen.getByLabelText('Password'), 'long enough pass');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByText(/already exists/)).toBeTruthy();
    expect(within(screen.getByRole('main')).getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/signin');
  });

  it('signs the new fan in and returns to the concert', async () => {
    server((req) => {
      if (req.path === '/api/auth/register') return ok({ user: fan }, 201);
      if (req.path === '/api/concerts/c1') return ok(future);
      if (req.path === '/api/concerts/c1/availability') return ok({ concertId: 'c1', tiers: [] });
      return undefined;
    });
    const user = userEvent.setup();
    renderApp('/signup?next=%2Fconcerts%2Fc1');
    await user.type(await screen.findByLabelText('Name'), 'Alex Rivera');
    await user.type(screen.getByLabelText('Email'), 'alex@example.com');
    await user.type(screen.getByLabelText('Password'), 'long enough pass');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Future Sound' })).toBeTruthy();
    expect(window.location.pathname).toBe('/concerts/c1');
  });
});

describe('the header', () => {
  it('shows Sign in when signed out (a 401 from /api/me is no error)', async () => {
    server(() => undefined);
    renderApp('/');
    const banner = screen.getByRole('banner');
    expect(await within(banner).findByRole('link', { name: 'Sign in' })).toBeTruthy();
    expect(within(banner).queryByRole('link', { name: 'My bookings' })).toBeNull();
    expect(screen.queryByText(/can’t reach/)).toBeNull();
  });

  it('shows the fan, My bookings and Sign out; signing out ends up signed out', async () => {
    const { requests } = server(() => undefined, { signedIn: fan });
    const user = userEvent.setup();
    renderApp('/');
    const banner = screen.getByRole('banner');
    expect(await within(banner).findByText('Alex Rivera')).toBeTruthy();
    expect(within(banner).getByRole('link', { name: 'My bookings' }).getAttribute('href')).toBe('/me/bookings');
    await user.click(within(banner).getByRole('button', { name: 'Sign out' }));
    expect(await within(banner).findByRole('link', { name: 'Sign in' })).toBeTruthy();
    const logout = requests.find((r) => r.path === '/api/auth/logout');
    expect(logout).toMatchObject({ method: 'POST', rawBody: '{}' });
  });
});

describe('My bookings', () => {
  it('lists upcoming concerts first, then past ones, with Load more following the cursor', async () => {
    const { requests } = server(
      (req) => {
        if (req.path !== '/api/me/bookings') return undefined;
        return requests.some((r) => r.path === '/api/me/bookings' && r !== req)
          ? ok([booking('b3', 'c2', 'cancelled')], 200, { nextCursor: null })
          : ok([booking('b1', 'c3'), booking('b2', 'c1')], 200, { nextCursor: 'abc' });
      },
      { signedIn: fan },
    );
    const user = userEvent.setup();
    renderApp('/me/bookings');
    const upcoming = await screen.findByRole('region', { name: 'Upcoming' });
    const names = within(upcoming)
      .getAllByRole('link')
      .map((a) => a.getAttribute('href'));
    expect(names).toEqual(['/bookings/b2', '/bookings/b1']); // the sooner concert first
    expect(within(upcoming).getAllByText('Confirmed')).toHaveLength(2);
    expect(within(upcoming).getAllByText(/2 × FRONT ROW/)).toHaveLength(2);
    expect(screen.queryByRole('region', { name: 'Past' })).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    const pastRegion = await screen.findByRole('region', { name: 'Past' });
    expect(within(pastRegion).getByText('Yesterday’s Band')).toBeTruthy();
    expect(within(pastRegion).getByText('Cancelled')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    const pages = requests.filter((r) => r.path === '/api/me/bookings');
    expect(pages).toHaveLength(2);
    const urls = (vi.mocked(fetch).mock.calls as [string][]).map(([u]) => u).filter((u) => u.startsWith('/api/me/bookings'));
    expect(urls).toEqual(['/api/me/bookings', '/api/me/bookings?cursor=abc']);
  });

  it('has an empty state', async () => {
    server((req) => (req.path === '/api/me/bookings' ? ok([], 200, { nextCursor: null }) : undefined), { signedIn: fan });
    renderApp('/me/bookings');
    expect(await screen.findByText('You haven’t booked any tickets yet.')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Browse concerts' })).toBeTruthy();
  });

  it('sends a signed-out fan to sign in, and back here afterwards', async () => {
    server(() => undefined);
    renderApp('/me/bookings');
    await waitFor(() => {
      expect(`${window.location.pathname}${window.location.search}`).toBe('/signin?next=%2Fme%2Fbookings');
    });
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeTruthy();
  });
});

describe('a booking belongs to its fan', () => {
  it('someone else’s booking is "not found"', async () => {
    server((req) => (req.path === '/api/bookings/b9' ? fail(404, 'BOOKING_NOT_FOUND', 'Booking not found') : undefined), {
      signedIn: fan,
    });
    renderApp('/bookings/b9');
    expect(await screen.findByRole('heading', { name: 'Booking not found' })).toBeTruthy();
  });

  it('signed out, it sends to sign-in and comes back', async () => {
    server((req) => (req.path === '/api/bookings/b9' ? fail(401, 'UNAUTHENTICATED', 'Sign in') : undefined));
    renderApp('/bookings/b9');
    await waitFor(() => {
      expect(`${window.location.pathname}${window.location.search}`).toBe('/signin?next=%2Fbookings%2Fb9');
    });
  });

  it('shows the owner’s name', async () => {
    server(
      (req) => {
        if (req.path === '/api/bookings/b1') return ok(booking('b1', 'c1'));
        if (req.path === '/api/concerts/c1') return ok(future);
        return undefined;
      },
      { signedIn: fan },
    );
    renderApp('/bookings/b1');
    expect(await screen.findByRole('heading', { name: 'Your booking' })).toBeTruthy();
    expect(await screen.findByText('Alex Rivera', { selector: 'dd' })).toBeTruthy();
  });
});
