// The account emails' links carry their token in the fragment
// (/verify-email#token=…, /reset-password#token=…): a browser never sends
// a fragment to a server, so the token reaches no access log or proxy.

/** The token of "#token=…" (other parameters ignored), or null when there is none. */
export function tokenFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const token = params.get('token')?.trim() ?? '';
  // The server's tokens are base64url with dots; anything much longer is not one.
  return token === '' || token.length > 1024 ? null : token;
}

/**
 * Takes the token out of the address bar (and this history entry), so it is
 * neither bookmarked nor shown over a shoulder once the page has read it.
 */
export function forgetHash(): void {
  if (window.location.hash === '') return;
  const { pathname, search } = window.location;
  window.history.replaceState(window.history.state, '', `${pathname}${search}`);
}
