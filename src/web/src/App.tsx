import { lazy, Suspense, useEffect, useRef } from 'react';
import { ChunkBoundary } from './components/ChunkBoundary';
import { Layout } from './components/Layout';
import { ErrorState, Loading } from './components/States';
import { authPath, matchRoute, navigate, useLocation } from './lib/router';
import { useMe } from './lib/session';
import { SignInPage, SignUpPage } from './pages/AuthPages';
import { BookingPage } from './pages/BookingPage';
import { ConcertListPage } from './pages/ConcertListPage';
import { ConcertPage } from './pages/ConcertPage';
import { MyBookingsPage } from './pages/MyBookingsPage';
import { NotFoundPage } from './pages/NotFoundPage';

// The box office is its own chunk: a fan's browser never downloads it (the
// gate below asks for it only once /api/me says "admin").
const AdminApp = lazy(() => import('./admin/AdminApp'));

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
    case 'admin':
      page = <AdminGate />;
      break;
    case 'not-found':
      page = <NotFoundPage />;
      break;
  }
  return <Layout>{page}</Layout>;
}

/** /admin/*: admins only. Signed out: sign in and come back; a fan: told so (the server refuses them anyway). */
function AdminGate() {
  const me = useMe();
  const { pathname, search } = useLocation();
  const signedOut = me.data === null;

  useEffect(() => {
    if (signedOut) navigate(authPath('signin', `${pathname}${search}`), { replace: true });
  }, [signedOut, pathname, search]);

  if (me.isError && me.data === undefined) {
    return <ErrorState title="We couldn’t check who you are" error={me.error} onRetry={() => void me.refetch()} />;
  }
  if (me.data === undefined) return <Loading label="Checking your account…" />;
  if (me.data === null) return <Loading label="Taking you to sign in…" />;
  if (me.data.role !== 'admin') {
    return (
      <div className="mx-auto max-w-lg rounded-2xl bg-white p-8 text-center shadow-sm ring-1 ring-slate-200">
        <h1 className="text-2xl font-bold text-slate-900">This page is for the box office</h1>
        <p className="mt-2 text-slate-600">Your account can browse and book concerts, but not manage them.</p>
      </div>
    );
  }
  return (
    <ChunkBoundary what="the box office">
      <Suspense fallback={<Loading label="Loading the box office…" />}>
        <AdminApp />
      </Suspense>
    </ChunkBoundary>
  );
}
