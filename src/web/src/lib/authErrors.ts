// Sign-in and sign-up: what the form checks before sending (the server's
// rules, so most mistakes are caught without a round trip), and the
// server's refusals in words, on the field it names.
import { ApiError } from '../api/client';

export type AuthField = 'email' | 'password' | 'name';
export type FieldErrors = Partial<Record<AuthField, string>>;

export const PASSWORD_MIN_BYTES = 10;
export const PASSWORD_MAX_BYTES = 128;
export const NAME_MAX_CHARS = 100;

/** The server counts a password in UTF-8 bytes. */
export function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** Characters as the fan counts them (code points, not UTF-16 units). */
function charCount(s: string): number {
  return Array.from(s).length;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateSignUp(form: { email: string; password: string; name: string }): FieldErrors {
  const errors: FieldErrors = {};
  const name = form.name.trim();
  if (name === '') errors.name = 'Enter your name.';
  else if (charCount(name) > NAME_MAX_CHARS) errors.name = `Use at most ${NAME_MAX_CHARS} characters.`;
  if (!EMAIL.test(form.email.trim())) errors.email = 'Enter an email address like name@example.com.';
  const bytes = utf8Length(form.password);
  if (bytes < PASSWORD_MIN_BYTES) errors.password = `Use at least ${PASSWORD_MIN_BYTES} characters.`;
  else if (bytes > PASSWORD_MAX_BYTES) errors.password = `Use at most ${PASSWORD_MAX_BYTES} characters.`;
  return errors;
}

export function validateSignIn(form: { email: string; password: string }): FieldErrors {
  const errors: FieldErrors = {};
  if (form.email.trim() === '') errors.email = 'Enter your email address.';
  if (form.password === '') errors.password = 'Enter your password.';
  return errors;
}

export interface AuthProblem {
  /** For the form's alert; null when a field message says it all. */
  message: string | null;
  fields: FieldErrors;
  /** Rate limited: how long to wait before the form may be sent again. */
  retryAfterMs: number | null;
}

const FIELDS: readonly string[] = ['email', 'password', 'name'];

/** "Try again in 30 seconds" / "in 2 minutes". */
export function waitText(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s < 90) return `${s} ${s === 1 ? 'second' : 'seconds'}`;
  const m = Math.ceil(s / 60);
  return `${m} minutes`;
}

export function describeAuthError(err: unknown, form: 'signin' | 'signup'): AuthProblem {
  const none = { fields: {}, retryAfterMs: null };
  if (!(err instanceof ApiError)) return { ...none, message: 'Something went wrong. Please try again.' };
  switch (err.code) {
    case 'INVALID_CREDENTIALS':
      return { ...none, message: 'That email and password don’t match an account. Check them and try again.' };
    case 'EMAIL_TAKEN':
      return {
        ...none,
        message: null,
        fields: { email: 'An account with this email already exists. Sign in with it instead.' },
      };
    case 'RATE_LIMITED': {
      const wait = err.retryAfterMs ?? 30_000;
      const what = form === 'signin' ? 'sign-in attempts' : 'sign-up attempts';
      return { ...none, message: `Too many ${what}. Try again in ${waitText(wait)}.`, retryAfterMs: wait };
    }
    case 'INVALID_REQUEST': {
      const field = typeof err.details.field === 'string' ? err.details.field : '';
      if (FIELDS.includes(field)) return { ...none, message: null, fields: { [field as AuthField]: err.message } };
      return { ...none, message: err.message };
    }
    default:
      return { ...none, message: err.message };
  }
}
