import { useEffect, useId, useRef, useState, type SyntheticEvent } from 'react';

/**
 * A modal that asks for a reason before doing something that cannot be
 * undone (cancelling a concert): the confirm button works only once a
 * reason is written.
 */
export function ReasonDialog({
  open,
  title,
  body,
  confirmLabel,
  busy,
  error,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  body: string;
  confirmLabel: string;
  busy: boolean;
  error: string | null;
  onConfirm: (reason: string) => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const titleId = useId();
  const bodyId = useId();
  const fieldId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  function submit(e: SyntheticEvent<HTMLFormElement>) {
    e.preventDefault();
    if (reason.trim() !== '' && !busy) onConfirm(reason.trim());
  }

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onClose={onClose}
      onCancel={(e) => {
        if (busy) e.preventDefault();
      }}
      className="m-auto w-[min(92vw,32rem)] rounded-2xl bg-white p-0 text-slate-900 shadow-2xl"
    >
      <form className="p-6" onSubmit={submit}>
        <h2 id={titleId} className="text-lg font-semibold">
          {title}
        </h2>
        <p id={bodyId} className="mt-2 text-slate-600">
          {body}
        </p>
        <label htmlFor={fieldId} className="mt-4 block font-semibold">
          Reason (kept in every booking’s audit trail)
        </label>
        <textarea
          id={fieldId}
          required
          maxLength={500}
          rows={3}
          value={reason}
          onChange={(e) => {
            setReason(e.target.value);
          }}
          className="mt-1.5 w-full rounded-lg border border-slate-300 px-3 py-2 shadow-sm outline-none focus:ring-2 focus:ring-indigo-500"
        />
        {error && (
          <p role="alert" className="mt-2 text-sm font-medium text-rose-700">
            {error}
          </p>
        )}
        <div className="mt-6 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <button
            type="button"
            disabled={busy}
            onClick={onClose}
            className="rounded-lg border border-slate-300 px-4 py-2.5 font-medium text-slate-800 hover:bg-slate-50 disabled:opacity-50"
          >
            Keep it
          </button>
          <button
            type="submit"
            disabled={busy || reason.trim() === ''}
            className="rounded-lg bg-rose-700 px-4 py-2.5 font-medium text-white hover:bg-rose-800 disabled:cursor-not-allowed disabled:opacity-60"
          >
            {busy ? 'Working…' : confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
