// The box office (/admin): loaded on demand, for admins only (App.tsx).
import { Link, useLocation } from '../lib/router';
import { NotFoundPage } from '../pages/NotFoundPage';
import { AdminBookingPage } from './AdminBookingPage';
import { BookingsPage } from './BookingsPage';
import { ConcertEditorPage } from './ConcertEditorPage';
import { ConcertsPage } from './ConcertsPage';
import { adminPaths, matchAdminRoute } from './routes';
import { SalesDashboardPage } from './SalesDashboardPage';

function Tab({ to, current, children }: { to: string; current: boolean; children: string }) {
  return (
    <Link
      to={to}
      aria-current={current ? 'page' : undefined}
      className={`rounded-lg px-3 py-1.5 text-sm font-semibold ${
        current ? 'bg-indigo-700 text-white' : 'text-slate-700 hover:bg-slate-200'
      }`}
    >
      {children}
    </Link>
  );
}

export default function AdminApp() {
  const { pathname } = useLocation();
  const route = matchAdminRoute(pathname);
  const onBookings = route.name === 'bookings' || route.name === 'booking';

  let page;
  switch (route.name) {
    case 'concerts':
      page = <ConcertsPage />;
      break;
    case 'new-concert':
      page = <ConcertEditorPage key="new" id={null} />;
      break;
    case 'concert':
      page = <ConcertEditorPage key={route.id} id={route.id} />;
      break;
    case 'sales':
      page = <SalesDashboardPage key={route.id} id={route.id} />;
      break;
    case 'bookings':
      page = <BookingsPage />;
      break;
    case 'booking':
      page = <AdminBookingPage key={route.id} id={route.id} />;
      break;
    case 'not-found':
      page = <NotFoundPage />;
      break;
  }

  return (
    <div>
      <nav aria-label="Box office" className="mb-6 flex flex-wrap items-center gap-2 border-b border-slate-200 pb-3">
        <span className="mr-2 text-xs font-bold uppercase tracking-wider text-slate-500">Box office</span>
        <Tab to={adminPaths.concerts} current={!onBookings}>
          Concerts
        </Tab>
        <Tab to={adminPaths.bookings()} current={onBookings}>
          Bookings
        </Tab>
      </nav>
      {page}
    </div>
  );
}
