import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConcertSummary } from '../api/types';
import { uniqueConcerts } from '../pages/ConcertListPage';
import { fail, installMockApi, ok } from './mockApi';
import { renderApp } from './render';

const listed = (i: number): ConcertSummary => ({
  id: `c${String(i).padStart(2, '0')}`,
  name: `Show number ${i}`,
  venue: 'The Fillmore',
  eventDate: `2099-05-${String(1 + (i % 28)).padStart(2, '0')}T20:00:00Z`,
  createdAt: '2026-01-01T00:00:00Z',
  minPrice: 25,
  totalQuantity: 100,
  availableQuantity: 60,
});
const all = Array.from({ length: 25 }, (_, i) => listed(i + 1));

afterEach(() => {
  vi.unstubAllGlobals();
});

function server() {
  return installMockApi((req) => {
    if (req.path === '/api/me') return fail(401, 'UNAUTHENTICATED', 'Sign in');
    if (req.path === '/api/config') return ok({ testPayments: false });
    if (req.path === '/api/concerts') {
      // 20 a page after the cursor, as ticketd pages it.
      const after = req.query.get('cursor');
      const from = after === null ? 0 : all.findIndex((c) => c.id === after) + 1;
      const page = all.slice(from, from + 20);
      const more = from + 20 < all.length;
      return ok(page, 200, { nextCursor: more ? page.at(-1)?.id : null });
    }
    return fail(404, 'NOT_FOUND', 'no route');
  });
}

describe('the listing, page by page', () => {
  it('shows the first 20 concerts, and the next ones after "More concerts"; then no button', async () => {
    const { requests } = server();
    const user = userEvent.setup();
    renderApp('/');
    expect(await screen.findByText('Show number 20')).toBeTruthy();
    const cards = () => within(screen.getByRole('region', { name: 'Upcoming concerts' })).getAllByRole('listitem');
    expect(cards()).toHaveLength(20);
    expect(screen.queryByText('Show number 21')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'More concerts' }));
    expect(await screen.findByText('Show number 25')).toBeTruthy();
    expect(cards()).toHaveLength(25);
    expect(screen.queryByRole('button', { name: 'More concerts' })).toBeNull();
    const asked = requests.filter((r) => r.path === '/api/concerts').map((r) => r.query.get('cursor'));
    expect(asked).toEqual([null, 'c20']);
  });

  it('shows a concert that moved to the next page between two fetches once', () => {
    const [a, b, c] = [listed(1), listed(2), listed(3)];
    expect(uniqueConcerts([[a, b], [b, c]]).map((x) => x.id)).toEqual(['c01', 'c02', 'c03']);
  });
});
