// Create or edit a concert: details, the venue's time zone, the sales
// window and the tiers; publish a draft; cancel a concert (with a reason).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { memo, useId, useMemo, useState, type ReactNode, type SyntheticEvent } from 'react';
import { bookingsCsvUrl, createConcert, getAdminConcert, updateConcert } from '../api/admin';
import { ApiError } from '../api/client';
import type { AdminConcert, AdminConcertStatus, ConcertInput } from '../api/types';
import { Alert, ErrorState, Loading, errorText } from '../components/States';
import {
  emptyForm,
  emptyTier,
  formFromConcert,
  MAX_PER_FAN,
  MAX_TIERS,
  serverFieldError,
  toCreateInput,
  toPatchInput,
  validateConcertForm,
  type ConcertForm,
  type FormErrors,
  type TierDraft,
} from '../lib/concertForm';
import { formatZonedDateTime, zoneAbbreviation } from '../lib/format';
import { Link, navigate, useLocation } from '../lib/router';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useNow } from '../lib/useNow';
import { browserTimeZone, localToInstant, timeZones } from '../lib/zonedTime';
import { NotFoundPage } from '../pages/NotFoundPage';
import { ReasonDialog } from './ReasonDialog';
import { adminKeys, adminPaths } from './routes';
import { buttonDanger, buttonPrimary, buttonSecondary, ConcertStatusBadge, inputClass, PageHeading } from './ui';

export function ConcertEditorPage({ id }: { id: string | null }) {
  const concert = useQuery({
    queryKey: adminKeys.concert(id ?? ''),
    queryFn: ({ signal }) => getAdminConcert(id ?? '', signal),
    enabled: id !== null,
  });
  useDocumentTitle(id === null ? 'Box office: new concert' : concert.data ? `Box office: ${concert.data.name}` : 'Box office');

  if (id === null) return <Editor original={null} />;
  if (concert.isError) {
    if (concert.error instanceof ApiError && concert.error.status === 404) return <NotFoundPage what="concert" />;
    return <ErrorState title="We couldn’t load this concert" error={concert.error} onRetry={() => void concert.refetch()} />;
  }
  if (concert.isPending) return <Loading label="Loading concert…" />;
  // A fresh editor whenever the server's copy changes (after a save).
  return <Editor key={concert.data.updatedAt} original={concert.data} />;
}

function savedNote(state: unknown): string | null {
  if (typeof state !== 'object' || state === null) return null;
  const saved = (state as Record<string, unknown>).saved;
  return typeof saved === 'string' ? saved : null;
}

function Editor({ original }: { original: AdminConcert | null }) {
  const queryClient = useQueryClient();
  const location = useLocation();
  const [form, setForm] = useState<ConcertForm>(() => (original ? formFromConcert(original) : emptyForm(browserTimeZone())));
  const [showErrors, setShowErrors] = useState(false);
  const [serverErrors, setServerErrors] = useState<FormErrors>({});
  const [cancelling, setCancelling] = useState(false);
  const zones = useMemo(() => timeZones(), []);
  const now = useNow(10_000);
  const cancelled = original?.status === 'cancelled';

  const errors: FormErrors = showErrors ? { ...validateConcertForm(form, now, original ?? undefined), ...serverErrors } : serverErrors;
  const notice = savedNote(location.state);

  function saved(concert: AdminConcert, what: string) {
    queryClient.setQueryData(adminKeys.concert(concert.id), concert);
    void queryClient.invalidateQueries({ queryKey: adminKeys.concerts });
    // The public pages show this concert too.
    void queryClient.invalidateQueries({ queryKey: ['concerts'] });
    void queryClient.invalidateQueries({ queryKey: ['concert', concert.id] });
    navigate(adminPaths.concert(concert.id), { replace: original !== null, state: { saved: what } });
  }

  function failed(err: unknown) {
    if (err instanceof ApiError) setServerErrors(serverFieldError(err.code, err.message, err.details, form));
    else setServerErrors({ form: errorText(err) });
  }

  const save = useMutation({
    mutationFn: ({ input }: { input: ConcertInput; what: string }) =>
      original ? updateConcert(original.id, input) : createConcert(input),
    onSuccess: (concert, { what }) => {
      saved(concert, what);
    },
    onError: failed,
  });

  const cancelConcert = useMutation({
    mutationFn: (reason: string) => updateConcert(original?.id ?? '', { status: 'cancelled', cancelReason: reason }),
    onSuccess: (concert) => {
      setCancelling(false);
      saved(concert, 'cancelled');
    },
  });

  function submit(status: AdminConcertStatus | null) {
    setShowErrors(true);
    setServerErrors({});
    const problems = validateConcertForm(form, Date.now(), original ?? undefined);
    if (Object.keys(problems).length > 0) {
      // Take the eye (and a screen reader) to the first mistake.
      requestAnimationFrame(() => {
        document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      });
      return;
    }
    if (!original) {
      save.mutate({ input: toCreateInput(form, status ?? 'draft'), what: status === 'published' ? 'published' : 'created' });
      return;
    }
    const patch = toPatchInput(original, form);
    if (status !== null && status !== original.status) patch.status = status;
    if (Object.keys(patch).length === 0) {
      setServerErrors({ form: 'Nothing has changed.' });
      return;
    }
    save.mutate({ input: patch, what: status === 'published' && original.status !== 'published' ? 'published' : 'saved' });
  }

  function onSubmit(e: SyntheticEvent<HTMLFormElement>) {
    e.preventDefault();
    submit(null);
  }

  const set = <K extends keyof ConcertForm>(key: K) => (value: ConcertForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
  };
  const setTier = (key: string, change: Partial<TierDraft>) => {
    setForm((f) => ({ ...f, tiers: f.tiers.map((t) => (t.key === key ? { ...t, ...change } : t)) }));
  };

  const busy = save.isPending;
  const title = original ? original.name : 'New concert';
  const startInstant = localToInstant(form.startsAt, form.timeZone);
  const zoneHint = startInstant !== null ? zoneAbbreviation(new Date(startInstant).toISOString(), form.timeZone) : '';

  return (
    <section>
      <PageHeading
        title={title}
        sub={
          original ? (
            <span className="flex flex-wrap items-center gap-2">
              <ConcertStatusBadge status={original.status} />
              <span>{formatZonedDateTime(original.startsAt, original.timeZone)}</span>
            </span>
          ) : (
            'A draft is invisible to fans until you publish it.'
          )
        }
      >
        {original && (
          <>
            <Link to={adminPaths.sales(original.id)} className={buttonSecondary}>
              Sales dashboard
            </Link>
            <Link to={adminPaths.bookings({ concertId: original.id })} className={buttonSecondary}>
              Bookings
            </Link>
            <a href={bookingsCsvUrl(original.id)} download className={buttonSecondary}>
              Export CSV
            </a>
          </>
        )}
      </PageHeading>

      {notice && !busy && (
        <div role="status" className="mb-6">
          <Alert tone="success" title={{ created: 'Draft saved', published: 'Published: fans can see it', saved: 'Changes saved', cancelled: 'Concert cancelled' }[notice] ?? 'Saved'}>
            {notice === 'cancelled' ? <p>Every confirmed booking was cancelled and refunded.</p> : null}
          </Alert>
        </div>
      )}
      {cancelled && (
        <div className="mb-6">
          <Alert tone="warning" title="This concert is cancelled">
            <p>A cancelled concert cannot change. Its bookings were refunded.</p>
          </Alert>
        </div>
      )}

      <form onSubmit={onSubmit} noValidate className="space-y-8">
        <fieldset disabled={cancelled || busy} className="space-y-8">
          <Panel title="Details">
            <div className="grid gap-5 sm:grid-cols-2">
              <Field label="Name" error={errors.name}>
                {(p) => <input {...p} className={inputClass} value={form.name} onChange={(e) => { set('name')(e.target.value); }} />}
              </Field>
              <Field label="Venue" error={errors.venue}>
                {(p) => <input {...p} className={inputClass} value={form.venue} onChange={(e) => { set('venue')(e.target.value); }} />}
              </Field>
              <div className="sm:col-span-2">
                <Field label="Description" hint="Optional. Shown on the concert’s page." error={errors.description}>
                  {(p) => (
                    <textarea {...p} rows={3} className={inputClass} value={form.description} onChange={(e) => { set('description')(e.target.value); }} />
                  )}
                </Field>
              </div>
            </div>
          </Panel>

          <Panel title="When" note="Times are the venue’s wall-clock times in its time zone.">
            <div className="grid gap-5 sm:grid-cols-2">
              <Field label="Time zone" hint={zoneHint ? `${zoneHint} on the day of the concert` : 'The venue’s time zone.'} error={errors.timeZone}>
                {(p) => (
                  <select {...p} className={inputClass} value={form.timeZone} onChange={(e) => { set('timeZone')(e.target.value); }}>
                    {!zones.includes(form.timeZone) && <option value={form.timeZone}>{form.timeZone}</option>}
                    <ZoneOptions zones={zones} />
                  </select>
                )}
              </Field>
              <Field label="Max tickets per fan" hint={`1 to ${MAX_PER_FAN}.`} error={errors.maxTicketsPerFan}>
                {(p) => (
                  <input {...p} type="number" min={1} max={MAX_PER_FAN} inputMode="numeric" className={inputClass} value={form.maxTicketsPerFan} onChange={(e) => { set('maxTicketsPerFan')(e.target.value); }} />
                )}
              </Field>
              <Field label="Starts" error={errors.startsAt}>
                {(p) => <input {...p} type="datetime-local" className={inputClass} value={form.startsAt} onChange={(e) => { set('startsAt')(e.target.value); }} />}
              </Field>
              <Field label="Doors open" hint="Optional." error={errors.doorsAt}>
                {(p) => <input {...p} type="datetime-local" className={inputClass} value={form.doorsAt} onChange={(e) => { set('doorsAt')(e.target.value); }} />}
              </Field>
              <Field label="Sales open" hint={original ? undefined : 'Empty: as soon as it is published.'} error={errors.salesStart}>
                {(p) => <input {...p} type="datetime-local" step={1} className={inputClass} value={form.salesStart} onChange={(e) => { set('salesStart')(e.target.value); }} />}
              </Field>
              <Field label="Sales close" hint={original ? undefined : 'Empty: when the concert starts.'} error={errors.salesEnd}>
                {(p) => <input {...p} type="datetime-local" step={1} className={inputClass} value={form.salesEnd} onChange={(e) => { set('salesEnd')(e.target.value); }} />}
              </Field>
            </div>
          </Panel>

          <Panel title="Ticket tiers" note={errors.tiers}>
            <ul className="space-y-3">
              {form.tiers.map((tier, i) => (
                <TierEditor
                  key={tier.key}
                  tier={tier}
                  index={i}
                  errors={errors}
                  canRemove={tier.id === undefined && form.tiers.length > 1}
                  onChange={(change) => {
                    setTier(tier.key, change);
                  }}
                  onRemove={() => {
                    setForm((f) => ({ ...f, tiers: f.tiers.filter((t) => t.key !== tier.key) }));
                  }}
                />
              ))}
            </ul>
            <button
              type="button"
              className={`${buttonSecondary} mt-4`}
              disabled={form.tiers.length >= MAX_TIERS}
              onClick={() => {
                setForm((f) => ({ ...f, tiers: [...f.tiers, emptyTier()] }));
              }}
            >
              Add a tier
            </button>
          </Panel>
        </fieldset>

        <div role="alert" className="empty:hidden">
          {errors.form && <Alert tone="error" title="Not saved">{errors.form}</Alert>}
          {showErrors && Object.keys(errors).some((k) => k !== 'form') && (
            <Alert tone="error" title="Please check the highlighted fields">
              Nothing was saved.
            </Alert>
          )}
        </div>

        {!cancelled && (
          <div className="flex flex-wrap items-center gap-3">
            {!original ? (
              <>
                <button type="button" className={buttonPrimary} disabled={busy} onClick={() => { submit('published'); }}>
                  Publish
                </button>
                <button type="button" className={buttonSecondary} disabled={busy} onClick={() => { submit('draft'); }}>
                  Save as draft
                </button>
              </>
            ) : (
              <>
                <button type="submit" className={buttonPrimary} disabled={busy}>
                  Save changes
                </button>
                {original.status === 'draft' && (
                  <button type="button" className={buttonSecondary} disabled={busy} onClick={() => { submit('published'); }}>
                    Save and publish
                  </button>
                )}
                <button
                  type="button"
                  className={`${buttonDanger} sm:ml-auto`}
                  disabled={busy}
                  onClick={() => {
                    cancelConcert.reset();
                    setCancelling(true);
                  }}
                >
                  Cancel concert…
                </button>
              </>
            )}
            {busy && <span role="status" className="text-slate-600">Saving…</span>}
          </div>
        )}
      </form>

      {original && (
        <ReasonDialog
          open={cancelling}
          title={`Cancel ${original.name}?`}
          body="Every confirmed booking is cancelled and refunded, and the concert can no longer be booked or changed. This cannot be undone."
          confirmLabel="Cancel the concert"
          busy={cancelConcert.isPending}
          error={cancelConcert.isError ? errorText(cancelConcert.error) : null}
          onConfirm={(reason) => {
            cancelConcert.mutate(reason);
          }}
          onClose={() => {
            if (!cancelConcert.isPending) setCancelling(false);
          }}
        />
      )}
    </section>
  );
}

/** The ~400 zones, rendered once: the form re-renders on every keystroke. */
const ZoneOptions = memo(function ZoneOptions({ zones }: { zones: string[] }) {
  return zones.map((z) => (
    <option key={z} value={z}>
      {z.replace(/_/g, ' ')}
    </option>
  ));
});

function Panel({ title, note, children }: { title: string; note?: string | undefined; children: ReactNode }) {
  return (
    <section className="rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200 sm:p-6">
      <h2 className="text-lg font-bold text-slate-900">{title}</h2>
      {note && <p className="mt-1 text-sm text-slate-600">{note}</p>}
      <div className="mt-4">{children}</div>
    </section>
  );
}

interface ControlProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/** A label, a control (given its id and ARIA wiring), a hint and an error. */
function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: string | undefined;
  error: string | undefined;
  children: (props: ControlProps) => ReactNode;
}) {
  const id = useId();
  const hintId = useId();
  const errorId = useId();
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div>
      <label htmlFor={id} className="block font-semibold text-slate-900">
        {label}
      </label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {hint && (
        <p id={hintId} className="mt-1 text-sm text-slate-600">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="mt-1 text-sm font-medium text-rose-700">
          {error}
        </p>
      )}
    </div>
  );
}

function TierEditor({
  tier,
  index,
  errors,
  canRemove,
  onChange,
  onRemove,
}: {
  tier: TierDraft;
  index: number;
  errors: FormErrors;
  canRemove: boolean;
  onChange: (change: Partial<TierDraft>) => void;
  onRemove: () => void;
}) {
  const at = `tiers[${index}]`;
  const n = index + 1;
  return (
    <li className="rounded-xl bg-slate-50 p-4 ring-1 ring-slate-200" data-tier-index={index}>
      <div className="grid gap-4 sm:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(0,1fr)_auto] sm:items-start">
        <Field label={`Tier ${n} name`} error={errors[`${at}.tierName`]}>
          {(p) => <input {...p} className={inputClass} value={tier.tierName} onChange={(e) => { onChange({ tierName: e.target.value }); }} />}
        </Field>
        <Field label={`Tier ${n} price ($)`} error={errors[`${at}.price`]}>
          {(p) => (
            <input {...p} inputMode="decimal" className={inputClass} value={tier.price} disabled={tier.sold > 0} onChange={(e) => { onChange({ price: e.target.value }); }} />
          )}
        </Field>
        <Field label={`Tier ${n} capacity`} hint={tier.id ? `${tier.sold} sold` : undefined} error={errors[`${at}.capacity`]}>
          {(p) => (
            <input {...p} type="number" min={Math.max(1, tier.sold)} inputMode="numeric" className={inputClass} value={tier.capacity} onChange={(e) => { onChange({ capacity: e.target.value }); }} />
          )}
        </Field>
        <div className="sm:pt-8">
          {canRemove && (
            <button type="button" onClick={onRemove} className="rounded px-2 py-2 text-sm font-semibold text-rose-700 hover:underline" aria-label={`Remove tier ${n}`}>
              Remove
            </button>
          )}
        </div>
      </div>
    </li>
  );
}
