import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../api/client';
import { resendVerification } from '../api/endpoints';
import { waitText } from '../lib/authErrors';
import { matchRoute, useLocation } from '../lib/router';
import { useMe } from '../lib/session';

const DISMISSED_KEY = 'ticketd.emailBanner.dismissed';

function dismissedFor(): string | null {
  try {
    return window.sessionStorage.getItem(DISMISSED_KEY);
  } catch {
    return null;
  }
}

/**
 * A signed-in fan whose address is not verified yet: a small reminder with
 * "send a new link". Verifying is not required to book (policy), so this
 * only asks; dismissed, it stays away for this tab's session.
 */
export function EmailBanner() {
  const me = useMe();
  const { pathname } = useLocation();
  const [dismissed, setDismissed] = useState(dismissedFor);
  const resend = useMutation({ mutationFn: resendVerification });

  const user = me.data;
  // emailVerified absent (an older server) asks nothing; the verify page says it all itself.
  // Staff and admins are made by operators (deploy/add-admin), not by a sign-up's email.
  if (!user || user.role !== 'fan' || user.emailVerified !== false || dismissed === user.id) return null;
  if (matchRoute(pathname).name === 'verify-email') return null;

  const err = resend.error;
  const waitMs = err instanceof ApiError && err.code === 'RATE_LIMITED' ? (err.retryAfterMs ?? 60_000) : null;
  return (
    <div role="region" aria-label="Confirm your email" className="border-b border-sky-200 bg-sky-50">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-2.5 text-sm text-sky-950">
        <p className="flex-1">
          <strong className="font-semibold">Confirm your email:</strong> we sent a link to{' '}
          <span className="break-all font-medium">{user.email}</span>.
        </p>
        <div role="status" className="empty:hidden">
          {resend.isSuccess
            ? 'A new link is on its way.'
            : waitMs !== null
              ? `A link went out a moment ago; try again in ${waitText(waitMs)}.`
              : resend.isError
                ? 'The link was not sent. Try again.'
                : null}
        </div>
        {!resend.isSuccess && (
          <button
            type="button"
            onClick={() => {
              resend.mutate();
            }}
            disabled={resend.isPending}
            className="rounded-lg border border-sky-400 bg-white px-3 py-1 font-semibold text-sky-950 hover:bg-sky-100 disabled:opacity-60"
          >
            {resend.isPending ? 'Sending…' : 'Send a new link'}
          </button>
        )}
        <button
          type="button"
          aria-label="Dismiss the reminder"
          onClick={() => {
            try {
              window.sessionStorage.setItem(DISMISSED_KEY, user.id);
            } catch {
              // the reminder comes back on the next page load: harmless
            }
            setDismissed(user.id);
          }}
          className="rounded px-2 py-1 text-lg leading-none text-sky-900 hover:bg-sky-100"
        >
          ×
        </button>
      </div>
    </div>
  );
}
