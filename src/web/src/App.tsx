import { useEffect, useRef } from 'react';
import { Layout } from './components/Layout';
import { matchRoute, useLocation } from './lib/router';
import { SignInPage, SignUpPage } from './pages/AuthPages';
import { BookingPage } from './pages/BookingPage';
import { ConcertListPage } from './pages/ConcertListPage';
import { ConcertPage } from './pages/ConcertPage';
import { MyBookingsPage } from './pages/MyBookingsPage';
import { NotFoundPage } from './pages/NotFoundPage';

export function App() {
  const { pathname } = useLocation();
  const route = matchRoute(pathname);
  const first = useRef(true);

  // After an in-app navigation, move focus to the new page so a screen
  // reader starts reading there (a full page load starts there anyway).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [pathname]);

  let page;
  switch (route.name) {
    case 'concerts':
      page = <ConcertListPage />;
      break;
    case 'concert':
      page = <ConcertPage key={route.id} id={route.id} />;
      break;
    case 'booking':
      page = <BookingPage key={route.id} id={route.id} />;
      break;
    case 'signin':
      page = <SignInPage />;
      break;
    case 'signup':
      page = <SignUpPage />;
      break;
    case 'my-bookings':
      page = <MyBookingsPage />;
      break;
    case 'not-found':
      page = <NotFoundPage />;
      break;
  }
  return <Layout>{page}</Layout>;
}
