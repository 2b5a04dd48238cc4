// /door: checking tickets in at a door, on a phone. Pick the concert and
// name the door (both remembered on this device), then scan with the camera
// (the browser's BarcodeDetector, where it exists) or type/paste a code;
// POST /api/checkin answers, shown as a big green or red verdict. Its own
// chunk: only staff and admins load it (App.tsx's gate).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useId, useRef, useState, type RefObject, type SyntheticEvent } from 'react';
import { ApiError } from '../api/client';
import { getAllListedConcerts, getAvailability, getConcert } from '../api/endpoints';
import type { Admission, Role } from '../api/types';
import { SpinnerIcon } from '../components/icons';
import { TextField } from '../components/TextField';
import { formatZonedDateTime } from '../lib/format';
import { queryKeys } from '../lib/queryClient';
import { sessionEnded, useMe } from '../lib/session';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { CameraScanner, cameraScanning } from './CameraScanner';
import { admittedAnswer, refusedAnswer, type DoorAnswer } from './doorAnswer';
import { checkIn, getAllConcerts } from './doorApi';
import {
  admittedHere,
  countAdmission,
  doorNameProblem,
  loadDoorConcert,
  loadDoorName,
  saveDoorConcert,
  saveDoorName,
} from './doorStorage';

interface ConcertChoice {
  id: string;
  label: string;
}

/**
 * The concerts a door can be set to. Admins read the box office's list (every concert,
 * drafts and cancelled ones too); staff may not (403), so they get the public listing
 * (published concerts until six hours after their start), and anyone may type an id.
 */
async function doorConcerts(role: Role, signal: AbortSignal): Promise<ConcertChoice[]> {
  const when = (iso: string, zone?: string) => formatZonedDateTime(iso, zone);
  if (role === 'admin') {
    const all = await getAllConcerts(signal);
    return [...all]
      .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))
      .map((c) => ({
        id: c.id,
        label: `${c.name} — ${when(c.startsAt, c.timeZone)}${c.status === 'published' ? '' : ` (${c.status})`}`,
      }));
  }
  const listed = await getAllListedConcerts(signal);
  return listed.map((c) => ({ id: c.id, label: `${c.name} — ${when(c.startsAt ?? c.eventDate, c.timeZone)}` }));
}

/** Tickets sold for the concert: its tiers' capacity less what is left (public, any role). */
function soldOf(tiers: readonly { totalQuantity: number; availableQuantity: number }[]): number {
  return tiers.reduce((n, t) => n + Math.max(0, t.totalQuantity - t.availableQuantity), 0);
}

interface Shown {
  answer: DoorAnswer;
  /** Counts the answers, so the same verdict twice still reads as a new one. */
  seq: number;
  at: number;
}

export default function DoorPage() {
  useDocumentTitle('Door check-in');
  const me = useMe();
  const role = me.data?.role ?? 'staff';
  const queryClient = useQueryClient();
  const [concertId, setConcertId] = useState(loadDoorConcert);
  const [door, setDoor] = useState(loadDoorName);
  const [code, setCode] = useState('');
  const [shown, setShown] = useState<Shown | null>(null);
  const [admitted, setAdmitted] = useState(() => (concertId === '' ? 0 : admittedHere(concertId)));
  const codeInput = useRef<HTMLInputElement>(null);
  const lastScan = useRef<{ code: string; at: number } | null>(null);

  const concerts = useQuery({
    queryKey: ['door', 'concerts', role],
    queryFn: ({ signal }) => doorConcerts(role, signal),
  });
  const concert = useQuery({
    queryKey: queryKeys.concert(concertId),
    queryFn: ({ signal }) => getConcert(concertId, signal),
    enabled: concertId !== '',
    retry: false,
  });
  const availability = useQuery({
    queryKey: queryKeys.availability(concertId),
    queryFn: ({ signal }) => getAvailability(concertId, signal),
    enabled: concertId !== '',
    refetchInterval: 15_000,
  });

  const doorProblem = doorNameProblem(door);
  const ready = concertId !== '' && doorProblem === null;

  const check = useMutation({
    mutationFn: (scanned: string) => checkIn({ code: scanned, concertId, door: door.trim() }),
    onSuccess: (admission: Admission) => {
      setAdmitted(countAdmission(admission.concertId));
      show(admittedAnswer(admission));
    },
    onError: (err) => {
      const answer = refusedAnswer(err, concert.data?.timeZone);
      if (answer.signedOut) sessionEnded(queryClient);
      show(answer);
    },
  });
  const { mutate, isPending } = check;

  function show(answer: DoorAnswer) {
    setShown((prev) => ({ answer, seq: (prev?.seq ?? 0) + 1, at: Date.now() }));
    setCode('');
    codeInput.current?.focus({ preventScroll: true });
  }

  const submit = useCallback(
    (raw: string) => {
      const scanned = raw.trim();
      if (scanned === '' || isPending || !ready) return;
      mutate(scanned);
    },
    [isPending, ready, mutate],
  );

  // The camera sees a code many times a second: one check per code, unless it is shown again later.
  const onCameraCode = useCallback(
    (scanned: string) => {
      const now = Date.now();
      const last = lastScan.current;
      if (last && last.code === scanned && now - last.at < 4_000) return;
      if (isPending) return;
      lastScan.current = { code: scanned, at: now };
      submit(scanned);
    },
    [isPending, submit],
  );

  function chooseConcert(id: string) {
    setConcertId(id);
    saveDoorConcert(id);
    setAdmitted(id === '' ? 0 : admittedHere(id));
    setShown(null);
  }

  function onSubmit(e: SyntheticEvent<HTMLFormElement>) {
    e.preventDefault();
    submit(code);
  }

  const sold = availability.data ? soldOf(availability.data.tiers) : null;
  const unknownConcert = concert.error instanceof ApiError && concert.error.status === 404;

  return (
    <div className="mx-auto flex max-w-3xl flex-col gap-5">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-extrabold tracking-tight text-slate-900 sm:text-3xl">Door check-in</h1>
          <p className="mt-1 text-slate-600">
            {concert.data ? (
              <>
                <span className="font-semibold text-slate-900">{concert.data.name}</span>
                {door.trim() !== '' && ` · ${door.trim()}`}
              </>
            ) : (
              'Choose the concert and name this door to start.'
            )}
          </p>
        </div>
        {concertId !== '' && (
          <p className="text-right" data-testid="door-count" aria-live="polite">
            <span className="block text-3xl font-black tabular-nums text-slate-900">
              {admitted} <span className="text-slate-400">/</span> {sold ?? '…'}
            </span>
            <span className="text-sm text-slate-600">admitted here / sold</span>
          </p>
        )}
      </div>

      {/* Set up first; once it is, the verdict and the scanner come first (a phone's first
          screenful). Moved by CSS order, not in the DOM: typing in it never loses focus. */}
      <div className={ready ? 'order-last' : ''}>
        <DoorSettings
          concertId={concertId}
          onConcert={chooseConcert}
          choices={concerts.data}
          choicesError={concerts.isError}
          role={role}
          door={door}
          onDoor={(name) => {
            setDoor(name);
            saveDoorName(name.trim());
          }}
          doorProblem={door === '' ? null : doorProblem}
          unknownConcert={unknownConcert}
        />
      </div>

      <Verdict shown={shown} pending={isPending} ready={ready} />

      <section aria-label="Scan a ticket" className="space-y-4 rounded-2xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:p-6">
        {cameraScanning() && <CameraScanner disabled={!ready} onCode={onCameraCode} />}
        <form onSubmit={onSubmit} className="flex flex-col gap-3 sm:flex-row sm:items-end" noValidate>
          <div className="flex-1">
            <TicketCodeField inputRef={codeInput} value={code} onChange={setCode} disabled={!ready} />
          </div>
          <button
            type="submit"
            disabled={!ready || isPending || code.trim() === ''}
            className="flex items-center justify-center gap-2 rounded-xl bg-indigo-700 px-6 py-3 text-lg font-bold text-white hover:bg-indigo-800 disabled:cursor-not-allowed disabled:bg-slate-300 disabled:text-slate-600"
          >
            {isPending ? (
              <>
                <SpinnerIcon /> Checking…
              </>
            ) : (
              'Check in'
            )}
          </button>
        </form>
        {!ready && <p className="text-sm text-slate-600">Choose the concert and name this door first.</p>}
      </section>
      <p className="order-last text-sm text-slate-600">
        “Admitted here” counts the tickets this device let in for this concert; “sold” is the concert’s tickets
        sold, refreshed every 15 seconds.
      </p>
    </div>
  );
}

function TicketCodeField({
  inputRef,
  value,
  onChange,
  disabled,
}: {
  inputRef: RefObject<HTMLInputElement | null>;
  value: string;
  onChange: (v: string) => void;
  disabled: boolean;
}) {
  const id = useId();
  return (
    <>
      <label htmlFor={id} className="block font-semibold text-slate-900">
        Ticket code
      </label>
      <input
        id={id}
        ref={inputRef}
        value={value}
        onChange={(e) => {
          onChange(e.target.value);
        }}
        disabled={disabled}
        autoComplete="off"
        autoCapitalize="off"
        autoCorrect="off"
        spellCheck={false}
        placeholder="T1.…"
        className="mt-1.5 w-full rounded-lg border border-slate-300 px-3 py-3 font-mono text-slate-900 shadow-sm outline-none focus:ring-2 focus:ring-indigo-500 disabled:bg-slate-50"
      />
    </>
  );
}

function Verdict({ shown, pending, ready }: { shown: Shown | null; pending: boolean; ready: boolean }) {
  const look = !shown
    ? 'bg-slate-100 text-slate-700 ring-1 ring-slate-200'
    : shown.answer.verdict === 'admit'
      ? 'bg-emerald-600 text-white'
      : shown.answer.verdict === 'refuse'
        ? 'bg-rose-700 text-white'
        : 'bg-amber-300 text-amber-950';
  return (
    <div
      role="status"
      aria-live="assertive"
      aria-atomic="true"
      data-testid="door-answer"
      data-verdict={shown?.answer.verdict ?? 'none'}
      className={`rounded-3xl px-5 py-8 text-center sm:py-12 ${look} ${pending ? 'opacity-70' : ''}`}
    >
      {shown ? (
        <>
          <p className="text-5xl font-black leading-none tracking-tight sm:text-7xl">
            <span aria-hidden="true">{shown.answer.verdict === 'admit' ? '✓ ' : shown.answer.verdict === 'refuse' ? '✕ ' : ''}</span>
            {shown.answer.headline}
          </p>
          <p className="mt-4 text-2xl font-semibold sm:text-3xl">{shown.answer.detail}</p>
          <p className="mt-4 text-sm opacity-80">
            Scan {shown.seq} · {new Date(shown.at).toLocaleTimeString()}
          </p>
        </>
      ) : (
        <p className="text-2xl font-bold sm:text-3xl">{ready ? 'Ready: scan a ticket' : 'Not set up yet'}</p>
      )}
    </div>
  );
}

function DoorSettings({
  concertId,
  onConcert,
  choices,
  choicesError,
  role,
  door,
  onDoor,
  doorProblem,
  unknownConcert,
}: {
  concertId: string;
  onConcert: (id: string) => void;
  choices: ConcertChoice[] | undefined;
  choicesError: boolean;
  role: Role;
  door: string;
  onDoor: (name: string) => void;
  doorProblem: string | null;
  unknownConcert: boolean;
}) {
  const selectId = useId();
  const listed = choices?.some((c) => c.id === concertId) ?? false;
  const [typed, setTyped] = useState('');
  return (
    <section aria-label="This door" className="grid gap-4 rounded-2xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:grid-cols-2 sm:p-6">
      <div>
        <label htmlFor={selectId} className="block font-semibold text-slate-900">
          Concert
        </label>
        <select
          id={selectId}
          value={listed ? concertId : ''}
          onChange={(e) => {
            if (e.target.value !== '') onConcert(e.target.value);
          }}
          className="mt-1.5 w-full rounded-lg border border-slate-300 bg-white px-3 py-2.5 text-slate-900 shadow-sm outline-none focus:ring-2 focus:ring-indigo-500"
        >
          <option value="">{choices ? 'Choose a concert…' : choicesError ? 'The list did not load' : 'Loading…'}</option>
          {choices?.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label}
            </option>
          ))}
        </select>
        <details className="mt-2 text-sm" open={!listed && concertId !== ''}>
          <summary className="cursor-pointer text-indigo-700">
            {role === 'admin' ? 'Or type a concert’s id' : 'Not listed? Type the concert’s id'}
          </summary>
          <form
            className="mt-2 flex gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              const id = typed.trim();
              if (id !== '') onConcert(id);
            }}
          >
            <input
              aria-label="Concert id"
              value={typed}
              onChange={(e) => {
                setTyped(e.target.value);
              }}
              spellCheck={false}
              autoCapitalize="off"
              className="w-full rounded-lg border border-slate-300 px-3 py-2 font-mono text-slate-900 outline-none focus:ring-2 focus:ring-indigo-500"
            />
            <button type="submit" className="rounded-lg border border-slate-300 px-3 py-2 font-semibold text-slate-800 hover:bg-slate-50">
              Use
            </button>
          </form>
        </details>
        {unknownConcert && (
          <p className="mt-1 text-sm font-medium text-rose-700" role="alert">
            No published concert has this id. Check it, or ask the box office.
          </p>
        )}
      </div>
      <TextField
        label="Door name"
        name="door"
        value={door}
        onChange={onDoor}
        maxLength={64}
        autoComplete="off"
        placeholder="North gate"
        hint="Kept with each admission, so “already admitted” says where."
        error={doorProblem ?? undefined}
      />
    </section>
  );
}
