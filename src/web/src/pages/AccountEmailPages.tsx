// The pages the account emails link to, and asking for a reset link:
//   /verify-email#token=…     confirms the address (no session needed)
//   /forgot-password          asks for a reset link (the answer never says whether the address has an account)
//   /reset-password#token=…   sets a new password; every session ends, so the fan signs in again
// The tokens ride in the fragment, which no server sees; the page reads it once and
// takes it out of the address bar.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import { ApiError } from '../api/client';
import { confirmPasswordReset, requestPasswordReset, resendVerification, verifyEmail } from '../api/endpoints';
import type { User } from '../api/types';
import { CheckIcon, SpinnerIcon } from '../components/icons';
import { Alert, Loading, errorText } from '../components/States';
import { TextField } from '../components/TextField';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES, utf8Length, waitText } from '../lib/authErrors';
import { forgetHash, tokenFromHash } from '../lib/fragment';
import { queryKeys } from '../lib/queryClient';
import { authPath, Link, navigate } from '../lib/router';
import { switchUser, useMe } from '../lib/session';
import { useDocumentTitle } from '../lib/useDocumentTitle';

const primary =
  'inline-block rounded-lg bg-indigo-700 px-5 py-2.5 font-semibold text-white hover:bg-indigo-800 disabled:cursor-not-allowed disabled:bg-slate-300 disabled:text-slate-600';

function Card({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="mx-auto max-w-md">
      <div className="rounded-3xl bg-white p-6 shadow-lg ring-1 ring-slate-200 sm:p-8">
        <h1 className="text-2xl font-extrabold tracking-tight text-slate-900 sm:text-3xl">{title}</h1>
        {children}
      </div>
    </div>
  );
}

/** The token of the link this page was opened with, read once; the address bar loses it. */
function useLinkToken(): string | null {
  const [token] = useState(() => tokenFromHash(window.location.hash));
  useEffect(() => {
    forgetHash();
  }, []);
  return token;
}

const codeOf = (err: unknown) => (err instanceof ApiError ? err.code : null);

// --- /verify-email ---------------------------------------------------------

export type VerifyState = 'no-token' | 'checking' | 'verified' | 'expired' | 'invalid' | 'failed';

/** Where the verification stands, from the link and the server's answer. */
export function verifyState(token: string | null, status: 'idle' | 'pending' | 'success' | 'error', error: unknown): VerifyState {
  if (token === null) return 'no-token';
  if (status === 'success') return 'verified';
  if (status === 'error') {
    const code = codeOf(error);
    if (code === 'TOKEN_EXPIRED') return 'expired';
    if (code === 'INVALID_TOKEN' || code === 'INVALID_REQUEST') return 'invalid';
    return 'failed';
  }
  return 'checking';
}

export function VerifyEmailPage() {
  useDocumentTitle('Confirm your email');
  const token = useLinkToken();
  const queryClient = useQueryClient();
  const verify = useMutation({
    mutationFn: verifyEmail,
    onSuccess: (user: User) => {
      // The link may have been opened in a browser signed in as the same fan (or not at all).
      const me = queryClient.getQueryData<User | null>(queryKeys.me);
      if (me && me.id === user.id) queryClient.setQueryData(queryKeys.me, { ...me, emailVerified: true });
    },
  });
  const { mutate } = verify;
  const sent = useRef(false);
  useEffect(() => {
    if (token === null || sent.current) return;
    sent.current = true;
    mutate(token);
  }, [token, mutate]);

  const state = verifyState(token, verify.status, verify.error);
  switch (state) {
    case 'checking':
      return (
        <Card title="Confirm your email">
          <Loading label="Confirming your email…" />
        </Card>
      );
    case 'verified':
      return (
        <Card title="Your email is verified">
          <p className="mt-3 flex items-start gap-2 text-slate-700" role="status">
            <CheckIcon className="mt-1 shrink-0 text-emerald-700" />
            <span>
              Thanks: <span className="font-semibold">{verify.data?.email}</span> is confirmed. Booking confirmations
              and password resets go there.
            </span>
          </p>
          <Link to="/" className={`mt-6 ${primary}`}>
            See the concerts
          </Link>
        </Card>
      );
    case 'expired':
      return (
        <Card title="This link has expired">
          <p className="mt-3 text-slate-700">A confirmation link works for 48 hours. Ask for a new one below.</p>
          <NewLink />
        </Card>
      );
    case 'invalid':
    case 'no-token':
      return (
        <Card title="This link doesn’t work">
          <p className="mt-3 text-slate-700">
            {state === 'no-token'
              ? 'The address has no code in it: open the link from the email again, the whole of it.'
              : 'It was not complete, or your email address changed after it was sent. Ask for a new one below.'}
          </p>
          <NewLink />
        </Card>
      );
    case 'failed':
      return (
        <Card title="We couldn’t confirm your email">
          <div role="alert" className="mt-4">
            <Alert tone="error" title="Not confirmed yet">
              {errorText(verify.error)}
            </Alert>
          </div>
          <button
            type="button"
            className={`mt-6 ${primary}`}
            onClick={() => {
              if (token !== null) mutate(token);
            }}
          >
            Try again
          </button>
        </Card>
      );
  }
}

/** "Send a new link" for a signed-in fan; sign in first otherwise. */
function NewLink() {
  const me = useMe();
  const resend = useMutation({ mutationFn: resendVerification });
  if (me.data === undefined) return null;
  if (me.data === null) {
    return (
      <p className="mt-6 text-slate-700">
        <Link to={authPath('signin', '/verify-email')} className="font-semibold text-indigo-700 hover:underline">
          Sign in
        </Link>{' '}
        to get a new link.
      </p>
    );
  }
  if (me.data.emailVerified === true) {
    return (
      <div className="mt-6">
        <Alert tone="success" title="Your email is already verified">
          Nothing more to do.
        </Alert>
      </div>
    );
  }
  const err = resend.error;
  const waitMs = err instanceof ApiError && err.code === 'RATE_LIMITED' ? (err.retryAfterMs ?? 60_000) : null;
  return (
    <div className="mt-6">
      <div role="status" className="mb-3 empty:hidden">
        {resend.isSuccess ? (
          <Alert tone="success" title="A new link is on its way">
            We sent it to {me.data.email}.
          </Alert>
        ) : waitMs !== null ? (
          <Alert tone="warning" title="A link went out a moment ago">
            Try again in {waitText(waitMs)}.
          </Alert>
        ) : resend.isError ? (
          <Alert tone="error" title="The link was not sent">
            {errorText(err)}
          </Alert>
        ) : null}
      </div>
      {!resend.isSuccess && (
        <button
          type="button"
          className={primary}
          disabled={resend.isPending}
          onClick={() => {
            resend.mutate();
          }}
        >
          {resend.isPending ? 'Sending…' : 'Send a new link'}
        </button>
      )}
    </div>
  );
}

// --- /forgot-password -------------------------------------------------------

export function ForgotPasswordPage() {
  useDocumentTitle('Reset your password');
  const [email, setEmail] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const ask = useMutation({ mutationFn: requestPasswordReset });

  function onSubmit(e: SyntheticEvent<HTMLFormElement>) {
    e.preventDefault();
    if (ask.isPending) return;
    const trimmed = email.trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(trimmed)) {
      setFieldError('Enter an email address like name@example.com.');
      return;
    }
    setFieldError(undefined);
    ask.mutate(trimmed);
  }

  if (ask.isSuccess) {
    return (
      <Card title="Check your email">
        <p className="mt-3 text-slate-700" role="status">
          If an account exists for <span className="break-all font-semibold">{ask.variables}</span>, we sent a link to
          reset its password. It works once, within an hour.
        </p>
        <p className="mt-3 text-sm text-slate-600">Nothing arrived? Look in spam, or ask again in a few minutes.</p>
        <Link to="/signin" className={`mt-6 ${primary}`}>
          Back to sign in
        </Link>
      </Card>
    );
  }
  const err = ask.error;
  const waitMs = err instanceof ApiError && err.code === 'RATE_LIMITED' ? (err.retryAfterMs ?? 60_000) : null;
  return (
    <Card title="Reset your password">
      <p className="mt-2 text-slate-600">Enter your account’s email: we’ll send a link to choose a new password.</p>
      <form onSubmit={onSubmit} noValidate className="mt-6 space-y-4" aria-busy={ask.isPending}>
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          inputMode="email"
          spellCheck={false}
          value={email}
          onChange={(v) => {
            setEmail(v);
            setFieldError(undefined);
          }}
          error={fieldError}
          disabled={ask.isPending}
        />
        <div role="alert" className="empty:hidden">
          {ask.isError && (
            <Alert tone={waitMs !== null ? 'warning' : 'error'} title="No link was sent">
              {waitMs !== null ? `Too many requests. Try again in ${waitText(waitMs)}.` : errorText(err)}
            </Alert>
          )}
        </div>
        <button type="submit" disabled={ask.isPending} className={`w-full ${primary} flex items-center justify-center gap-2`}>
          {ask.isPending ? (
            <>
              <SpinnerIcon /> Sending…
            </>
          ) : (
            'Send the link'
          )}
        </button>
        <p className="text-center text-sm text-slate-700">
          Remembered it?{' '}
          <Link to="/signin" className="font-semibold text-indigo-700 hover:underline">
            Sign in
          </Link>
        </p>
      </form>
    </Card>
  );
}

// --- /reset-password --------------------------------------------------------

export interface ResetFields {
  password?: string;
  repeat?: string;
}

/** The new password as the server takes it, typed the same twice. */
export function validateReset(password: string, repeat: string): ResetFields {
  const errors: ResetFields = {};
  const bytes = utf8Length(password);
  if (bytes < PASSWORD_MIN_BYTES) errors.password = `Use at least ${PASSWORD_MIN_BYTES} characters.`;
  else if (bytes > PASSWORD_MAX_BYTES) errors.password = `Use at most ${PASSWORD_MAX_BYTES} characters.`;
  else if (repeat !== password) errors.repeat = 'The two passwords are not the same.';
  return errors;
}

export function ResetPasswordPage() {
  useDocumentTitle('Choose a new password');
  const token = useLinkToken();
  const queryClient = useQueryClient();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [fields, setFields] = useState<ResetFields>({});
  const reset = useMutation({
    mutationFn: (pw: string) => confirmPasswordReset(token ?? '', pw),
    onSuccess: () => {
      // Every session of the account was revoked, this browser's too.
      switchUser(queryClient, null);
      navigate('/signin', { replace: true, state: { passwordReset: true } });
    },
    onError: (err) => {
      if (err instanceof ApiError && err.code === 'INVALID_REQUEST' && err.details.field === 'password') {
        setFields({ password: err.message });
      }
    },
  });

  const code = codeOf(reset.error);
  if (token === null || code === 'TOKEN_EXPIRED' || code === 'INVALID_TOKEN') {
    const expired = code === 'TOKEN_EXPIRED';
    return (
      <Card title={expired ? 'This link has expired' : 'This link doesn’t work'}>
        <p className="mt-3 text-slate-700">
          {expired
            ? 'A reset link works for an hour.'
            : token === null
              ? 'The address has no code in it: open the link from the email again, the whole of it.'
              : 'It was used already, or is not complete. A reset link works once.'}{' '}
          Ask for a new one: your password has not changed.
        </p>
        <Link to="/forgot-password" className={`mt-6 ${primary}`}>
          Send me a new link
        </Link>
      </Card>
    );
  }

  function onSubmit(e: SyntheticEvent<HTMLFormElement>) {
    e.preventDefault();
    if (reset.isPending) return;
    const errors = validateReset(password, repeat);
    setFields(errors);
    if (Object.keys(errors).length > 0) return;
    reset.mutate(password);
  }

  const other = reset.isError && !(code === 'INVALID_REQUEST' && fields.password);
  return (
    <Card title="Choose a new password">
      <p className="mt-2 text-slate-600">Once it is set, every device signed in to your account is signed out.</p>
      <form onSubmit={onSubmit} noValidate className="mt-6 space-y-4" aria-busy={reset.isPending}>
        <TextField
          label="New password"
          name="password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(v) => {
            setPassword(v);
            setFields({});
          }}
          error={fields.password}
          hint={`At least ${PASSWORD_MIN_BYTES} characters (at most ${PASSWORD_MAX_BYTES}).`}
          disabled={reset.isPending}
        />
        <TextField
          label="New password, again"
          name="repeat"
          type="password"
          autoComplete="new-password"
          value={repeat}
          onChange={(v) => {
            setRepeat(v);
            setFields({});
          }}
          error={fields.repeat}
          disabled={reset.isPending}
        />
        <div role="alert" className="empty:hidden">
          {other && (
            <Alert tone="error" title="Your password was not changed">
              {errorText(reset.error)}
            </Alert>
          )}
        </div>
        <button type="submit" disabled={reset.isPending} className={`w-full ${primary} flex items-center justify-center gap-2`}>
          {reset.isPending ? (
            <>
              <SpinnerIcon /> Saving…
            </>
          ) : (
            'Set the new password'
          )}
        </button>
      </form>
    </Card>
  );
}
