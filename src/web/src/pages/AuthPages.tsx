// Sign in (/signin) and sign up (/signup). Both return the fan to ?next=
// (e.g. the concert page, where the selection was kept) once the session
// cookie is set; the page itself never sees a token.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type SyntheticEvent } from 'react';
import { login, register } from '../api/endpoints';
import type { User } from '../api/types';
import { SpinnerIcon } from '../components/icons';
import { Alert } from '../components/States';
import { TextField } from '../components/TextField';
import {
  describeAuthError,
  PASSWORD_MAX_BYTES,
  PASSWORD_MIN_BYTES,
  validateSignIn,
  validateSignUp,
  waitText,
  type AuthProblem,
  type FieldErrors,
} from '../lib/authErrors';
import { authPath, Link, navigate, safeNext, useLocation } from '../lib/router';
import { switchUser, useMe } from '../lib/session';
import { useDocumentTitle } from '../lib/useDocumentTitle';

type Mode = 'signin' | 'signup';

export function SignInPage() {
  return <AuthPage mode="signin" />;
}

export function SignUpPage() {
  return <AuthPage mode="signup" />;
}

/** Milliseconds left until `until` (null: not waiting), ticking once a second. */
function useRemaining(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    const timer = window.setInterval(() => {
      const t = Date.now();
      setNow(t);
      if (t >= until) window.clearInterval(timer);
    }, 1000);
    return () => {
      window.clearInterval(timer);
    };
  }, [until]);
  return until === null ? 0 : Math.max(0, until - now);
}

function AuthPage({ mode }: { mode: Mode }) {
  const signup = mode === 'signup';
  useDocumentTitle(signup ? 'Create an account' : 'Sign in');
  const { search, state } = useLocation();
  const next = safeNext(search);
  const me = useMe();
  // Arrived from /reset-password: the new password is set and every session ended.
  const passwordReset =
    !signup && typeof state === 'object' && state !== null && (state as Record<string, unknown>).passwordReset === true;

  return (
    <div className="mx-auto max-w-md">
      <div className="rounded-3xl bg-white p-6 shadow-lg ring-1 ring-slate-200 sm:p-8">
        <h1 className="text-2xl font-extrabold tracking-tight text-slate-900 sm:text-3xl">
          {signup ? 'Create your account' : 'Sign in'}
        </h1>
        <p className="mt-2 text-slate-600">
          {signup
            ? 'An account keeps your bookings together, on any device.'
            : 'Sign in to book tickets and see your bookings.'}
        </p>
        {passwordReset && !me.data && (
          <div role="status" className="mt-4">
            <Alert tone="success" title="Your password is changed">
              Sign in with the new one. Every device that was signed in to your account has been signed out.
            </Alert>
          </div>
        )}
        {me.data ? (
          <div className="mt-6">
            <Alert tone="info" title={`You’re signed in as ${me.data.name}.`} />
            <Link
              to={next}
              className="mt-4 inline-block rounded-lg bg-indigo-700 px-5 py-2.5 font-semibold text-white hover:bg-indigo-800"
            >
              Continue
            </Link>
          </div>
        ) : (
          <AuthForm key={mode} mode={mode} next={next} />
        )}
      </div>
    </div>
  );
}

function AuthForm({ mode, next }: { mode: Mode; next: string }) {
  const signup = mode === 'signup';
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [local, setLocal] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<AuthProblem | null>(null);
  const [waitUntil, setWaitUntil] = useState<number | null>(null);
  const remaining = useRemaining(waitUntil);
  const waiting = waitUntil !== null && remaining > 0;
  const formRef = useRef<HTMLFormElement>(null);
  const [focusTick, setFocusTick] = useState(0);

  const mutation = useMutation({
    mutationFn: (): Promise<User> =>
      signup
        ? register({ name: name.trim(), email: email.trim(), password })
        : login({ email: email.trim(), password }),
    onSuccess: (user) => {
      switchUser(queryClient, user);
      navigate(next, { replace: true });
    },
    onError: (err) => {
      const described = describeAuthError(err, mode);
      setProblem(described);
      setWaitUntil(described.retryAfterMs !== null ? Date.now() + described.retryAfterMs : null);
      setFocusTick((n) => n + 1);
    },
  });
  const pending = mutation.isPending;

  // After a refusal, focus goes to the first field in error (else the alert is read out).
  useEffect(() => {
    if (focusTick === 0) return;
    formRef.current?.querySelector<HTMLInputElement>('input[aria-invalid="true"]')?.focus();
  }, [focusTick]);

  const fields: FieldErrors = { ...problem?.fields, ...local };
  // Rate limited: a countdown, and once it is over the form may simply be sent again.
  const message = waiting
    ? `Too many ${signup ? 'sign-up' : 'sign-in'} attempts. Try again in ${waitText(remaining)}.`
    : problem?.retryAfterMs != null
      ? null
      : (problem?.message ?? null);

  function onSubmit(e: SyntheticEvent<HTMLFormElement>) {
    e.preventDefault();
    if (pending || waiting) return;
    const errors = signup ? validateSignUp({ name, email, password }) : validateSignIn({ email, password });
    setLocal(errors);
    setProblem(null);
    setFocusTick((n) => n + 1);
    if (Object.keys(errors).length > 0) return;
    mutation.mutate();
  }

  // Editing a field clears what was said about it.
  function edit(field: keyof FieldErrors, set: (v: string) => void) {
    return (v: string) => {
      set(v);
      if (local[field]) {
        setLocal((prev) => Object.fromEntries(Object.entries(prev).filter(([k]) => k !== field)));
      }
      if (problem?.fields[field]) setProblem({ ...problem, fields: {} });
    };
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="mt-6 space-y-4" aria-busy={pending}>
      {signup && (
        <TextField
          label="Name"
          name="name"
          type="text"
          autoComplete="name"
          value={name}
          onChange={edit('name', setName)}
          error={fields.name}
          disabled={pending}
          maxLength={200}
        />
      )}
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        inputMode="email"
        spellCheck={false}
        value={email}
        onChange={edit('email', setEmail)}
        error={fields.email}
        disabled={pending}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete={signup ? 'new-password' : 'current-password'}
        value={password}
        onChange={edit('password', setPassword)}
        error={fields.password}
        hint={signup ? `At least ${PASSWORD_MIN_BYTES} characters (at most ${PASSWORD_MAX_BYTES}).` : undefined}
        disabled={pending}
      />
      {!signup && (
        <p className="-mt-2 text-right text-sm">
          <Link to="/forgot-password" className="rounded font-semibold text-indigo-700 hover:underline">
            Forgot your password?
          </Link>
        </p>
      )}

      <div role="alert" className="empty:hidden">
        {message !== null && !pending && (
          <Alert tone={waiting ? 'warning' : 'error'} title={signup ? 'Your account was not created' : 'You are not signed in'}>
            <p>{message}</p>
          </Alert>
        )}
      </div>

      <button
        type="submit"
        disabled={pending || waiting}
        aria-disabled={pending || waiting}
        className="flex w-full items-center justify-center gap-2 rounded-xl bg-indigo-700 px-5 py-3 text-lg font-bold text-white shadow-sm transition-colors hover:bg-indigo-800 disabled:cursor-not-allowed disabled:bg-slate-300 disabled:text-slate-600"
      >
        {pending ? (
          <>
            <SpinnerIcon /> {signup ? 'Creating account…' : 'Signing in…'}
          </>
        ) : signup ? (
          'Create account'
        ) : (
          'Sign in'
        )}
      </button>

      <p className="text-center text-sm text-slate-700">
        {signup ? 'Already have an account? ' : 'New to ticketd? '}
        <Link to={authPath(signup ? 'signin' : 'signup', next)} className="rounded font-semibold text-indigo-700 hover:underline">
          {signup ? 'Sign in' : 'Create an account'}
        </Link>
      </p>
    </form>
  );
}
