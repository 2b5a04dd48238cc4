import { lazy, Suspense, useEffect, useRef, type ReactNode } from 'react';
import type { Role } from './api/types';
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
// The door's check-in page likewise, for staff and admins.
const DoorPage = lazy(() => import('./door/DoorPage'));
// The pages of the account emails' links: a fan sees them once or twice, if ever.
const VerifyEmailPage = lazy(() => import('./pages/AccountEmailPages').then((m) => ({ default: m.VerifyEmailPage })));
const ForgotPasswordPage = lazy(() => import('./pages/AccountEmailPages').then((m) => ({ default: m.ForgotPasswordPage })));
const ResetPasswordPage = lazy(() => import('./pages/AccountEmailPages').then((m) => ({ default: m.ResetPasswordPage })));

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
    case 'verify-email':
      page = <LazyPage what="this page" page={<VerifyEmailPage />} />;
      break;
    case 'forgot-password':
      page = <LazyPage what="this page" page={<ForgotPasswordPage />} />;
      break;
    case 'reset-password':
      page = <LazyPage what="this page" page={<ResetPasswordPage />} />;
      break;
    case 'door':
      page = <DoorGate />;
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

function LazyPage({ what, page }: { what: string; page: ReactNode }) {
  return (
    <ChunkBoundary what={what}>
      <Suspense fallback={<Loading label="Loading…" />}>{page}</Suspense>
    </ChunkBoundary>
  );
}

/**
 * A page for some roles only. Signed out: sign in and come back; any other
 * account: told so (the server refuses it anyway), and its chunk is never asked for.
 */
function RoleGate({ allow, refusal, children }: { allow: readonly Role[]; refusal: ReactNode; children: ReactNode }) {
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
  if (!allow.includes(me.data.role)) return <>{refusal}</>;
  return <>{children}</>;
}

function Refusal({ title, body }: { title: string; body: string }) {
  return (
    <div className="mx-auto max-w-lg rounded-2xl bg-white p-8 text-center shadow-sm ring-1 ring-slate-200">
      <h1 className="text-2xl font-bold text-slate-900">{title}</h1>
      <p className="mt-2 text-slate-600">{body}</p>
    </div>
  );
}

/** /admin/*: admins only. */
function AdminGate() {
  return (
    <RoleGate
      allow={['admin']}
      refusal={<Refusal title="This page is for the box office" body="Your account can browse and book concerts, but not manage them." />}
    >
      <ChunkBoundary what="the box office">
        <Suspense fallback={<Loading label="Loading the box office…" />}>
          <AdminApp />
        </Suspense>
      </ChunkBoundary>
    </RoleGate>
  );
}

/** /door: door staff and admins. */
function DoorGate() {
  return (
    <RoleGate
      allow={['staff', 'admin']}
      refusal={
        <Refusal
          title="Staff only"
          body="This page checks tickets in at the door, for the venue’s staff. Your account can browse and book concerts."
        />
      }
    >
      <ChunkBoundary what="the door page">
        <Suspense fallback={<Loading label="Loading the door page…" />}>
          <DoorPage />
        </Suspense>
      </ChunkBoundary>
    </RoleGate>
  );
}
