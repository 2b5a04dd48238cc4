// Wall-clock times in a named zone, for the box office's form: an admin
// types the start as the venue's clocks will show it ("2027-06-15T20:00"
// in America/New_York); the sales window is sent as instants.

const two = (n: number) => String(n).padStart(2, '0');

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(zone: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatters.set(zone, f);
  }
  return f;
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallAt(ms: number, zone: string): Wall {
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    Number(partsFormatter(zone).formatToParts(ms).find((p) => p.type === type)?.value ?? NaN);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

const wallAsUtc = (w: Wall) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

/** The zone's offset from UTC at an instant, in minutes (New York in June: -240). */
export function zoneOffsetMinutes(ms: number, zone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return Math.round((wallAsUtc(wallAt(whole, zone)) - whole) / 60_000);
}

// Seconds and a fraction are optional: a datetime-local input with step=1 may give "…T10:00:30.000".
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/;

type Fields = [year: number, month: number, day: number, hour: number, minute: number, second: number];

function fieldsOf(local: string): Fields | null {
  const m = LOCAL.exec(local);
  if (!m) return null;
  const n = (i: number) => Number(m[i] ?? 0);
  return [n(1), n(2), n(3), n(4), n(5), n(6)];
}

/** Whether text is a wall-clock time: "YYYY-MM-DDTHH:MM", or with ":SS" (and a fraction, dropped). */
export function isLocalDateTime(text: string): boolean {
  const f = fieldsOf(text);
  if (!f) return false;
  const [y, mo, d, h, mi, s] = f;
  const back = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return (
    back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && s < 60
  );
}

/** A wall-clock time as the API takes it: "YYYY-MM-DDTHH:MM" or "…:SS", no fraction; null if invalid. */
export function normalizeLocal(text: string): string | null {
  const f = fieldsOf(text);
  if (!f || !isLocalDateTime(text)) return null;
  const [y, mo, d, h, mi, s] = f;
  return `${y}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}${s === 0 ? '' : `:${two(s)}`}`;
}

/**
 * The instant (epoch ms) at which the clocks of `zone` show `local`; null
 * for text that is not a wall-clock time. A time skipped by a DST change
 * ("02:30" on the spring-forward night) lands just after the gap.
 */
export function localToInstant(local: string, zone: string): number | null {
  const f = fieldsOf(local);
  if (!f || !isLocalDateTime(local)) return null;
  const [y, mo, d, h, mi, s] = f;
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  const first = asUtc - zoneOffsetMinutes(asUtc, zone) * 60_000;
  const second = asUtc - zoneOffsetMinutes(first, zone) * 60_000;
  return second;
}


/**
 * The wall-clock time of `zone` at an instant, as "YYYY-MM-DDTHH:MM" (the
 * input's format), with ":SS" only when the seconds are not zero.
 */
export function instantToLocal(instant: string | number, zone: string): string {
  const ms = typeof instant === 'number' ? instant : Date.parse(instant);
  if (Number.isNaN(ms)) return '';
  const w = wallAt(ms, zone);
  const seconds = w.second === 0 ? '' : `:${two(w.second)}`;
  return `${w.year}-${two(w.month)}-${two(w.day)}T${two(w.hour)}:${two(w.minute)}${seconds}`;
}

/** An instant written in the zone's offset, to the second: "2027-06-15T20:00:00-04:00", "…+00:00". */
export function instantWithOffset(ms: number, zone: string): string {
  const w = wallAt(ms, zone);
  const off = zoneOffsetMinutes(ms, zone);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  // "+00:00", never "Z": the API's instants carry an offset.
  const zonePart = `${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
  return `${w.year}-${two(w.month)}-${two(w.day)}T${two(w.hour)}:${two(w.minute)}:${two(w.second)}${zonePart}`;
}

/** Every IANA zone this browser knows, for the picker (a short list where the runtime cannot tell). */
export function timeZones(): string[] {
  // Older browsers lack supportedValuesOf: the type says it is always there.
  const supported = (Intl as { supportedValuesOf?: (key: 'timeZone') => string[] }).supportedValuesOf;
  try {
    const zones = supported ? supported('timeZone') : [];
    if (zones.length > 0) return zones.includes('UTC') ? zones : ['UTC', ...zones];
  } catch {
    // fall through
  }
  return ['UTC', 'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'Europe/London', 'Europe/Paris', 'Europe/Berlin', 'Asia/Tokyo', 'Australia/Sydney'];
}

/** The browser's own zone: a sensible default for a new concert. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
