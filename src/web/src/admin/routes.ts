// The box office's pages, under /admin.

export type AdminRoute =
  | { name: 'concerts' }
  | { name: 'new-concert' }
  | { name: 'concert'; id: string }
  | { name: 'sales'; id: string }
  | { name: 'bookings' }
  | { name: 'booking'; id: string }
  | { name: 'not-found' };

const ID = '([A-Za-z0-9_-]{1,64})';
const CONCERT = new RegExp(`^/admin/concerts/${ID}$`);
const SALES = new RegExp(`^/admin/concerts/${ID}/sales$`);
const BOOKING = new RegExp(`^/admin/bookings/${ID}$`);

export function matchAdminRoute(pathname: string): AdminRoute {
  const bare = pathname.replace(/\/+$/, '');
  if (bare === '/admin' || bare === '/admin/concerts') return { name: 'concerts' };
  if (bare === '/admin/concerts/new') return { name: 'new-concert' };
  if (bare === '/admin/bookings') return { name: 'bookings' };
  let m = SALES.exec(bare);
  if (m?.[1]) return { name: 'sales', id: m[1] };
  m = CONCERT.exec(bare);
  if (m?.[1]) return { name: 'concert', id: m[1] };
  m = BOOKING.exec(bare);
  if (m?.[1]) return { name: 'booking', id: m[1] };
  return { name: 'not-found' };
}

export const adminPaths = {
  concerts: '/admin',
  newConcert: '/admin/concerts/new',
  concert: (id: string) => `/admin/concerts/${id}`,
  sales: (id: string) => `/admin/concerts/${id}/sales`,
  bookings: (params?: { concertId?: string; q?: string; status?: string }) => {
    const qs = new URLSearchParams();
    if (params?.concertId) qs.set('concertId', params.concertId);
    if (params?.q) qs.set('q', params.q);
    if (params?.status) qs.set('status', params.status);
    const text = qs.toString();
    return text ? `/admin/bookings?${text}` : '/admin/bookings';
  },
  booking: (id: string) => `/admin/bookings/${id}`,
};

export const adminKeys = {
  all: ['admin'] as const,
  concerts: ['admin', 'concerts'] as const,
  concert: (id: string) => ['admin', 'concert', id] as const,
  sales: (id: string) => ['admin', 'sales', id] as const,
  bookings: (params: { concertId: string; q: string; status: string }) => ['admin', 'bookings', params] as const,
  booking: (id: string) => ['admin', 'booking', id] as const,
};
