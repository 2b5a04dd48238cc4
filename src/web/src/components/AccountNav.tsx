import { useMutation, useQueryClient } from '@tanstack/react-query';
import { logout } from '../api/endpoints';
import { authPath, Link, matchRoute, navigate, useLocation } from '../lib/router';
import { switchUser, useMe } from '../lib/session';

const navLink = 'rounded px-2 py-1 text-sm font-medium text-indigo-100 hover:text-white';

/** The header's account corner: the fan's name, My bookings and Sign out; or Sign in. */
export function AccountNav() {
  const me = useMe();
  const queryClient = useQueryClient();
  const location = useLocation();
  const signOut = useMutation({
    mutationFn: logout,
    onSuccess: () => {
      switchUser(queryClient, null);
      // A private page has nothing to show any more.
      const route = matchRoute(location.pathname).name;
      if (route === 'my-bookings' || route === 'booking' || route === 'admin' || route === 'door') {
        navigate('/', { replace: true });
      }
    },
  });

  // Not known yet: keep the space, say nothing (no "Sign in" flashing for a signed-in fan).
  if (me.data === undefined) return <span className="inline-block w-16" aria-hidden="true" />;

  if (me.data === null) {
    const route = matchRoute(location.pathname).name;
    const here = route === 'signin' || route === 'signup' ? '/' : `${location.pathname}${location.search}`;
    return (
      <Link to={authPath('signin', here)} className={`${navLink} ring-1 ring-indigo-400/60`}>
        Sign in
      </Link>
    );
  }

  return (
    <>
      <span className="hidden max-w-[12rem] truncate text-sm text-indigo-100 sm:inline" data-testid="account-name">
        <span className="sr-only">Signed in as </span>
        {me.data.name}
      </span>
      {me.data.role === 'admin' && (
        <Link to="/admin" className={navLink}>
          Box office
        </Link>
      )}
      {(me.data.role === 'staff' || me.data.role === 'admin') && (
        <Link to="/door" className={navLink}>
          Door
        </Link>
      )}
      <Link to="/me/bookings" className={navLink}>
        My bookings
      </Link>
      <button
        type="button"
        onClick={() => {
          signOut.mutate();
        }}
        disabled={signOut.isPending}
        className={`${navLink} ring-1 ring-indigo-400/60 disabled:opacity-60`}
      >
        {signOut.isPending ? 'Signing out…' : 'Sign out'}
      </button>
      {signOut.isError && (
        <span role="alert" className="sr-only">
          Signing out failed. Please try again.
        </span>
      )}
    </>
  );
}
