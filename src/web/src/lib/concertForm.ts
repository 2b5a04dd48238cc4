// The box office's concert form: what the admin typed (strings, as inputs
// hold them), its checks (the server's rules, so most mistakes are caught
// before a round trip), and the request bodies it becomes.
import type { AdminConcert, AdminConcertStatus, ConcertInput, TierInput } from '../api/types';
import { centsToDecimal, toCents } from './money';
import { instantToLocal, instantWithOffset, isLocalDateTime, localToInstant, normalizeLocal } from './zonedTime';
import { isKnownTimeZone } from './format';

export const MAX_TIERS = 64;
export const MAX_PER_FAN = 100;
export const DEFAULT_PER_FAN = 10;
export const MAX_NAME = 200;
export const MAX_TIER_NAME = 64;
export const MAX_DESCRIPTION = 2000;
export const MAX_CAPACITY = 1_000_000;

export interface TierDraft {
  /** A React key that survives edits. */
  key: string;
  /** Set for a tier the server already has. */
  id?: string;
  tierName: string;
  price: string;
  capacity: string;
  /** Tickets already sold (existing tiers): capacity cannot go below it, the price cannot change. */
  sold: number;
}

export interface ConcertForm {
  name: string;
  venue: string;
  description: string;
  timeZone: string;
  /** Wall-clock times in timeZone, "YYYY-MM-DDTHH:MM" (datetime-local inputs). */
  startsAt: string;
  /** "" = none. */
  doorsAt: string;
  /** "" = now (a new concert only). */
  salesStart: string;
  /** "" = until the start (a new concert only). */
  salesEnd: string;
  maxTicketsPerFan: string;
  tiers: TierDraft[];
}

/** Errors by field path, as the server names them ("startsAt", "tiers[1].capacity"); "form" for the whole. */
export type FormErrors = Record<string, string>;

let keySerial = 0;
export function newTierKey(): string {
  keySerial += 1;
  return `tier-${keySerial}`;
}

export function emptyTier(): TierDraft {
  return { key: newTierKey(), tierName: '', price: '', capacity: '', sold: 0 };
}

export function emptyForm(timeZone: string): ConcertForm {
  return {
    name: '',
    venue: '',
    description: '',
    timeZone,
    startsAt: '',
    doorsAt: '',
    salesStart: '',
    salesEnd: '',
    maxTicketsPerFan: String(DEFAULT_PER_FAN),
    tiers: [emptyTier()],
  };
}

/** The form showing a concert the server has, every time on the venue's clocks. */
export function formFromConcert(c: AdminConcert): ConcertForm {
  const local = (iso: string | null) => (iso ? instantToLocal(iso, c.timeZone) : '');
  return {
    name: c.name,
    venue: c.venue,
    description: c.description,
    timeZone: c.timeZone,
    startsAt: local(c.startsAt),
    doorsAt: local(c.doorsAt),
    salesStart: local(c.salesStart),
    salesEnd: local(c.salesEnd),
    maxTicketsPerFan: String(c.maxTicketsPerFan),
    tiers: c.tiers.map((t) => ({
      key: newTierKey(),
      id: t.id,
      tierName: t.tierName,
      price: centsToDecimal(toCents(t.price)),
      capacity: String(t.capacity),
      sold: t.sold,
    })),
  };
}

/** "85", "85.5", "85.50" → cents; null for anything else (negative, 3 decimals, "1e3", ""). */
export function parsePriceCents(text: string): number | null {
  const m = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m?.[1]) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** A whole number in [min, max] written plainly; null otherwise. */
export function parseWhole(text: string, min: number, max: number): number | null {
  const t = text.trim();
  if (!/^\d{1,9}$/.test(t)) return null;
  const n = Number(t);
  return n >= min && n <= max ? n : null;
}

interface Instants {
  start: number | null;
  doors: number | null;
  salesStart: number | null;
  salesEnd: number | null;
}

function instantsOf(form: ConcertForm): Instants {
  const at = (local: string) => (local === '' || !isKnownTimeZone(form.timeZone) ? null : localToInstant(local, form.timeZone));
  return { start: at(form.startsAt), doors: at(form.doorsAt), salesStart: at(form.salesStart), salesEnd: at(form.salesEnd) };
}

/**
 * The form's mistakes, by field. `now` is the server's clock. Editing
 * (`original` given): a start that did not change may be in the past, and
 * the sales window must be filled in.
 */
export function validateConcertForm(form: ConcertForm, now: number, original?: AdminConcert): FormErrors {
  const errors: FormErrors = {};
  const editing = original !== undefined;
  if (form.name.trim() === '') errors.name = 'Give the concert a name.';
  else if (form.name.trim().length > MAX_NAME) errors.name = `At most ${MAX_NAME} characters.`;
  if (form.venue.trim() === '') errors.venue = 'Say where it takes place.';
  else if (form.venue.trim().length > MAX_NAME) errors.venue = `At most ${MAX_NAME} characters.`;
  if (form.description.trim().length > MAX_DESCRIPTION) errors.description = `At most ${MAX_DESCRIPTION} characters.`;
  const zoneOk = isKnownTimeZone(form.timeZone);
  if (!zoneOk) errors.timeZone = 'Pick the venue’s time zone.';

  const t = instantsOf(form);
  const startChanged =
    !editing || instantsOf(formFromConcert(original)).start !== t.start || original.timeZone !== form.timeZone;
  if (form.startsAt === '') errors.startsAt = 'When does it start?';
  else if (!isLocalDateTime(form.startsAt)) errors.startsAt = 'Write the start as a date and time.';
  else if (zoneOk && t.start !== null && startChanged && t.start <= now) errors.startsAt = 'The start must be in the future.';

  if (form.doorsAt !== '') {
    if (!isLocalDateTime(form.doorsAt)) errors.doorsAt = 'Write the doors time as a date and time.';
    else if (t.doors !== null && t.start !== null && t.doors > t.start) errors.doorsAt = 'Doors open before the start.';
  }

  if (form.salesStart === '') {
    if (editing) errors.salesStart = 'When do sales open?';
  } else if (!isLocalDateTime(form.salesStart)) errors.salesStart = 'Write it as a date and time.';

  if (form.salesEnd === '') {
    if (editing) errors.salesEnd = 'When do sales close?';
  } else if (!isLocalDateTime(form.salesEnd)) errors.salesEnd = 'Write it as a date and time.';
  else {
    const opens = t.salesStart ?? now;
    if (t.salesEnd !== null && t.salesEnd <= opens) errors.salesEnd = 'Sales must close after they open.';
    else if (t.salesEnd !== null && t.start !== null && t.salesEnd > t.start) errors.salesEnd = 'Sales close at the start at the latest.';
  }
  if (!errors.salesStart && t.salesStart !== null && t.start !== null && t.salesStart >= t.start && form.salesEnd === '') {
    errors.salesStart = 'Sales must open before the start.';
  }

  if (parseWhole(form.maxTicketsPerFan, 1, MAX_PER_FAN) === null) {
    errors.maxTicketsPerFan = `A whole number from 1 to ${MAX_PER_FAN}.`;
  }

  if (form.tiers.length === 0) errors.tiers = 'Add at least one ticket tier.';
  else if (form.tiers.length > MAX_TIERS) errors.tiers = `At most ${MAX_TIERS} tiers.`;
  const seen = new Set<string>();
  const before = new Map(original?.tiers.map((tier) => [tier.id, tier]) ?? []);
  form.tiers.forEach((tier, i) => {
    const at = `tiers[${i}]`;
    const name = tier.tierName.trim();
    if (name === '') errors[`${at}.tierName`] = 'Name the tier.';
    else if (name.length > MAX_TIER_NAME) errors[`${at}.tierName`] = `At most ${MAX_TIER_NAME} characters.`;
    else if (seen.has(name.toLowerCase())) errors[`${at}.tierName`] = 'Another tier has this name.';
    seen.add(name.toLowerCase());
    const cents = parsePriceCents(tier.price);
    if (cents === null) errors[`${at}.price`] = 'A price like 45 or 45.50.';
    else {
      const old = tier.id ? before.get(tier.id) : undefined;
      if (old && old.sold > 0 && cents !== toCents(old.price)) {
        errors[`${at}.price`] = `${old.sold} sold at ${centsToDecimal(toCents(old.price))}: the price cannot change.`;
      }
    }
    const capacity = parseWhole(tier.capacity, 1, MAX_CAPACITY);
    if (capacity === null) errors[`${at}.capacity`] = `A whole number from 1 to ${MAX_CAPACITY.toLocaleString('en-US')}.`;
    else if (capacity < tier.sold) errors[`${at}.capacity`] = `${tier.sold} already sold: at least ${tier.sold}.`;
  });
  return errors;
}

function tierInput(tier: TierDraft): Required<Omit<TierInput, 'id'>> {
  const cents = parsePriceCents(tier.price);
  const capacity = parseWhole(tier.capacity, 1, MAX_CAPACITY);
  if (cents === null || capacity === null) throw new Error('tierInput: validate the form first');
  return { tierName: tier.tierName.trim(), priceCents: cents, capacity };
}

/** POST /api/admin/concerts's body for a valid form. Empty sales fields take the server's defaults. */
export function toCreateInput(form: ConcertForm, status: AdminConcertStatus): ConcertInput {
  const t = instantsOf(form);
  const input: ConcertInput = {
    name: form.name.trim(),
    venue: form.venue.trim(),
    timeZone: form.timeZone,
    startsAt: normalizeLocal(form.startsAt) ?? form.startsAt,
    status,
    maxTicketsPerFan: Number(form.maxTicketsPerFan.trim()),
    tiers: form.tiers.map(tierInput),
  };
  if (form.doorsAt !== '') input.doorsAt = normalizeLocal(form.doorsAt) ?? form.doorsAt;
  if (form.description.trim() !== '') input.description = form.description.trim();
  if (t.salesStart !== null) input.salesStart = instantWithOffset(t.salesStart, form.timeZone);
  if (t.salesEnd !== null) input.salesEnd = instantWithOffset(t.salesEnd, form.timeZone);
  return input;
}

/** PATCH's body: only what differs from `original` (tiers: changed ones by id, new ones without). */
export function toPatchInput(original: AdminConcert, form: ConcertForm): ConcertInput {
  const was = formFromConcert(original);
  const patch: ConcertInput = {};
  if (form.name.trim() !== was.name) patch.name = form.name.trim();
  if (form.venue.trim() !== was.venue) patch.venue = form.venue.trim();
  if (form.description.trim() !== was.description) patch.description = form.description.trim();
  const zoneChanged = form.timeZone !== was.timeZone;
  if (zoneChanged) patch.timeZone = form.timeZone;
  // Wall-clock times mean another instant in another zone: send them again with it.
  const startsAt = normalizeLocal(form.startsAt) ?? form.startsAt;
  const doorsAt = form.doorsAt === '' ? null : (normalizeLocal(form.doorsAt) ?? form.doorsAt);
  if (zoneChanged || startsAt !== was.startsAt) patch.startsAt = startsAt;
  if (zoneChanged || (doorsAt ?? '') !== was.doorsAt) patch.doorsAt = doorsAt;
  const t = instantsOf(form);
  const w = instantsOf(was);
  if ((zoneChanged || t.salesStart !== w.salesStart) && t.salesStart !== null) {
    patch.salesStart = instantWithOffset(t.salesStart, form.timeZone);
  }
  if ((zoneChanged || t.salesEnd !== w.salesEnd) && t.salesEnd !== null) {
    patch.salesEnd = instantWithOffset(t.salesEnd, form.timeZone);
  }
  const perFan = Number(form.maxTicketsPerFan.trim());
  if (perFan !== original.maxTicketsPerFan) patch.maxTicketsPerFan = perFan;

  const before = new Map(original.tiers.map((tier) => [tier.id, tier]));
  const tiers: TierInput[] = [];
  for (const draft of form.tiers) {
    const next = tierInput(draft);
    const old = draft.id ? before.get(draft.id) : undefined;
    if (!draft.id || !old) {
      tiers.push(next);
      continue;
    }
    const change: TierInput = { id: old.id };
    if (next.tierName !== old.tierName) change.tierName = next.tierName;
    if (next.priceCents !== toCents(old.price)) change.priceCents = next.priceCents;
    if (next.capacity !== old.capacity) change.capacity = next.capacity;
    if (Object.keys(change).length > 1) tiers.push(change);
  }
  if (tiers.length > 0) patch.tiers = tiers;
  return patch;
}

/**
 * The JSON text of a body, with each price written as the exact decimal
 * ("85.00"; the server parses the number's text into cents, never a float).
 */
export function serializeConcertInput(input: ConcertInput): string {
  const { tiers, ...rest } = input;
  const head = JSON.stringify(rest);
  if (tiers === undefined) return head;
  const lines = tiers.map((tier) => {
    const { priceCents, ...plain } = tier;
    const text = JSON.stringify(plain);
    if (priceCents === undefined) return text;
    const price = `"price":${centsToDecimal(priceCents)}`;
    return text === '{}' ? `{${price}}` : `${text.slice(0, -1)},${price}}`;
  });
  const array = `"tiers":[${lines.join(',')}]`;
  return head === '{}' ? `{${array}}` : `${head.slice(0, -1)},${array}}`;
}

/** A server's VALIDATION_ERROR (or 409) on a field, as a form error. */
export function serverFieldError(code: string, message: string, details: Record<string, unknown>, form: ConcertForm): FormErrors {
  const field = typeof details.field === 'string' ? details.field : null;
  switch (code) {
    case 'DUPLICATE_TIER_NAME': {
      const name = typeof details.tierName === 'string' ? details.tierName : '';
      const i = form.tiers.findIndex((t) => t.tierName.trim() === name);
      return i >= 0 ? { [`tiers[${i}].tierName`]: 'Another tier has this name.' } : { form: message };
    }
    case 'CAPACITY_BELOW_SOLD':
    case 'TIER_HAS_SALES': {
      const i = form.tiers.findIndex((t) => t.id !== undefined && t.id === details.tierId);
      const sold = typeof details.sold === 'number' ? details.sold : null;
      const text =
        code === 'TIER_HAS_SALES'
          ? 'Tickets of this tier are sold: its price cannot change.'
          : `Capacity cannot go below the ${sold ?? ''} sold.`.replace('  ', ' ');
      return i >= 0 ? { [`tiers[${i}].${code === 'TIER_HAS_SALES' ? 'price' : 'capacity'}`]: text } : { form: message };
    }
    case 'CONCERT_CANCELLED':
      return { form: 'This concert was cancelled and can no longer change.' };
    case 'CONCERT_HAS_SALES':
      return { form: 'This concert has confirmed bookings: it cannot go back to a draft.' };
    default:
      return field ? { [field]: message } : { form: message };
  }
}
