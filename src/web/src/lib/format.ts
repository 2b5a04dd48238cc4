// Dates. A concert's times are shown in the venue's time zone, with the
// zone's abbreviation ("8:00 PM EDT"): a fan travelling to a show wants the
// time on the venue's clocks. Everything else (when a booking was made) is
// in the fan's own time zone and locale.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function parse(iso: string): Date | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Whether the runtime knows the IANA zone (an unknown one makes Intl throw). */
export function isKnownTimeZone(zone: string | undefined): zone is string {
  if (zone === undefined || zone === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Intl.DateTimeFormat is costly to build: one per (options, zone, locale). */
function formatter(kind: 'date' | 'time' | 'month' | 'day' | 'monthDay', zone: string | undefined, locale?: string): Intl.DateTimeFormat {
  const key = `${kind}|${zone ?? ''}|${locale ?? ''}`;
  let f = formatters.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions = {
      date: { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' } as const,
      time: { hour: 'numeric', minute: '2-digit', timeZoneName: zone === undefined ? undefined : 'short' } as const,
      month: { month: 'short' } as const,
      day: { day: 'numeric' } as const,
      monthDay: { month: 'short', day: 'numeric' } as const,
    }[kind];
    f = new Intl.DateTimeFormat(locale, zone === undefined ? options : { ...options, timeZone: zone });
    formatters.set(key, f);
  }
  return f;
}

export interface EventTime {
  /** "Tue, Jun 15, 2027" */
  date: string;
  /** "8:00 PM EDT" in the venue's zone; "8:00 PM" (the fan's own zone) when the zone is unknown. */
  time: string;
}

/**
 * A concert's instant in the venue's zone (`timeZone`, IANA) with the zone's
 * short name; without a usable zone, in the fan's own zone as before.
 */
export function formatEventDate(iso: string, timeZone?: string, locale?: string): EventTime {
  const d = parse(iso);
  if (!d) return { date: iso, time: '' };
  const zone = isKnownTimeZone(timeZone) ? timeZone : undefined;
  return { date: formatter('date', zone, locale).format(d), time: formatter('time', zone, locale).format(d) };
}

/** "Tue, Jun 15, 2027, 8:00 PM EDT": one line. */
export function formatZonedDateTime(iso: string, timeZone?: string, locale?: string): string {
  const { date, time } = formatEventDate(iso, timeZone, locale);
  return time ? `${date}, ${time}` : date;
}

/** The zone's short name at that instant ("EDT", "GMT+1"); "" when unknown. */
export function zoneAbbreviation(iso: string, timeZone: string, locale?: string): string {
  const d = parse(iso);
  if (!d || !isKnownTimeZone(timeZone)) return '';
  return formatter('time', timeZone, locale).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

/** "Jun 1" on the venue's calendar. */
export function formatMonthDay(iso: string, timeZone?: string): string {
  const d = parse(iso);
  if (!d) return iso;
  return formatter('monthDay', isKnownTimeZone(timeZone) ? timeZone : undefined).format(d);
}

export function formatDateTime(iso: string): string {
  const d = parse(iso);
  return d ? dateTime.format(d) : iso;
}

/** Parts for a calendar-style badge: { month: "MAY", day: "1" }, on the venue's calendar when known. */
export function calendarParts(iso: string, timeZone?: string): { month: string; day: string } | null {
  const d = parse(iso);
  if (!d) return null;
  const zone = isKnownTimeZone(timeZone) ? timeZone : undefined;
  return {
    month: formatter('month', zone).format(d).toUpperCase(),
    day: formatter('day', zone).format(d),
  };
}

/** Tier names are data ("FRONT_ROW"); show them as words. */
export function tierLabel(name: string): string {
  return name.replace(/_+/g, ' ').trim() || name;
}
