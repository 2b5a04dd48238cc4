// Loading, error and empty states shared by the pages.
import type { ReactNode } from 'react';
import { ApiError } from '../api/client';
import { AlertIcon, SpinnerIcon } from './icons';

export function Loading({ label }: { label: string }) {
  return (
    <div role="status" className="flex items-center justify-center gap-3 py-16 text-slate-600">
      <SpinnerIcon className="h-5 w-5" />
      <span>{label}</span>
    </div>
  );
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err === null) return 'Check your connection and reload the page.';
  return 'Something went wrong.';
}

export function ErrorState({
  title,
  error,
  onRetry,
}: {
  title: string;
  error: unknown;
  onRetry?: () => void;
}) {
  return (
    <div role="alert" className="mx-auto max-w-lg rounded-2xl border border-rose-200 bg-white p-6 text-center shadow-sm">
      <AlertIcon className="mx-auto h-8 w-8 text-rose-600" />
      <h2 className="mt-3 text-lg font-semibold text-slate-900">{title}</h2>
      <p className="mt-1 text-slate-600">{errorText(error)}</p>
      {onRetry && (
        <button
          type="button"
          onClick={onRetry}
          className="mt-4 rounded-lg bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800"
        >
          Try again
        </button>
      )}
    </div>
  );
}

export function Alert({
  tone,
  title,
  children,
}: {
  tone: 'error' | 'warning' | 'info' | 'success';
  title: string;
  children?: ReactNode;
}) {
  const styles = {
    error: 'border-rose-300 bg-rose-50 text-rose-900',
    warning: 'border-amber-300 bg-amber-50 text-amber-950',
    info: 'border-sky-300 bg-sky-50 text-sky-950',
    success: 'border-emerald-300 bg-emerald-50 text-emerald-950',
  }[tone];
  return (
    <div className={`rounded-xl border p-4 ${styles}`}>
      <p className="font-semibold">{title}</p>
      {children && <div className="mt-1 text-sm leading-relaxed">{children}</div>}
    </div>
  );
}
