// A very small client-side router: a handful of routes do not need a library.
// The history API is the store; components read it with useSyncExternalStore.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

const listeners = new Set<() => void>();

function notify(): void {
  for (const l of listeners) l();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) window.addEventListener('popstate', notify);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) window.removeEventListener('popstate', notify);
  };
}

export interface Location {
  pathname: string;
  /** The query string with its "?", or "". */
  search: string;
  /** history.state of the entry (survives a reload of the same entry). */
  state: unknown;
}

let cached: Location | null = null;

function snapshot(): Location {
  const { pathname, search } = window.location;
  const state: unknown = window.history.state;
  if (cached?.pathname !== pathname || cached.search !== search || cached.state !== state) {
    cached = { pathname, search, state };
  }
  return cached;
}

export function useLocation(): Location {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

export function navigate(to: string, opts: { replace?: boolean; state?: unknown } = {}): void {
  if (opts.replace) window.history.replaceState(opts.state ?? null, '', to);
  else window.history.pushState(opts.state ?? null, '', to);
  window.scrollTo({ top: 0 });
  notify();
}

export type Route =
  | { name: 'concerts' }
  | { name: 'concert'; id: string }
  | { name: 'booking'; id: string }
  | { name: 'signin' }
  | { name: 'signup' }
  | { name: 'my-bookings' }
  /** The account emails' links (#token=…) and asking for a reset. */
  | { name: 'verify-email' }
  | { name: 'forgot-password' }
  | { name: 'reset-password' }
  /** Checking tickets in at a door (staff and admins). */
  | { name: 'door' }
  /** The box office: /admin and everything under it (admin/routes.ts routes within). */
  | { name: 'admin' }
  | { name: 'not-found' };

const ID = '([A-Za-z0-9_-]{1,64})';
const CONCERT = new RegExp(`^/concerts/${ID}/?$`);
const BOOKING = new RegExp(`^/bookings/${ID}/?$`);

export function matchRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { name: 'concerts' };
  const bare = pathname.replace(/\/+$/, '');
  if (bare === '/signin') return { name: 'signin' };
  if (bare === '/signup') return { name: 'signup' };
  if (bare === '/me/bookings') return { name: 'my-bookings' };
  if (bare === '/verify-email') return { name: 'verify-email' };
  if (bare === '/forgot-password') return { name: 'forgot-password' };
  if (bare === '/reset-password') return { name: 'reset-password' };
  if (bare === '/door') return { name: 'door' };
  if (bare === '/admin' || pathname.startsWith('/admin/')) return { name: 'admin' };
  let m = CONCERT.exec(pathname);
  if (m?.[1]) return { name: 'concert', id: m[1] };
  m = BOOKING.exec(pathname);
  if (m?.[1]) return { name: 'booking', id: m[1] };
  return { name: 'not-found' };
}

/**
 * Where to go back to after signing in: an in-app path from ?next=, never
 * another site ("//evil.example", "/\\evil", "https://…" all become "/").
 */
export function safeNext(search: string): string {
  const next = new URLSearchParams(search).get('next');
  if (next === null || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  // Back to the sign-in page itself would be a loop.
  if (/^\/sign(in|up)(\/|\?|$)/.test(next)) return '/';
  return next;
}

/** The sign-in (or sign-up) page, returning to `next` afterwards. */
export function authPath(page: 'signin' | 'signup', next: string): string {
  return next === '/' || next === '' ? `/${page}` : `/${page}?next=${encodeURIComponent(next)}`;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & {
  to: string;
  children: ReactNode;
};

/** An <a> that navigates in-app on a plain click and behaves normally otherwise (new tab, etc.). */
export function Link({ to, onClick, children, ...rest }: LinkProps) {
  function handle(e: MouseEvent<HTMLAnchorElement>) {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (rest.target && rest.target !== '_self') return;
    e.preventDefault();
    navigate(to);
  }
  return (
    <a href={to} onClick={handle} {...rest}>
      {children}
    </a>
  );
}
