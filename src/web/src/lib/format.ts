// Dates are shown in the fan's own time zone and locale.

const longDate = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});
const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function parse(iso: string): Date | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function formatEventDate(iso: string): { date: string; time: string } {
  const d = parse(iso);
  if (!d) return { date: iso, time: '' };
  return { date: longDate.format(d), time: time.format(d) };
}

export function formatDateTime(iso: string): string {
  const d = parse(iso);
  return d ? dateTime.format(d) : iso;
}

/** Parts for a calendar-style badge: { month: "MAY", day: "1" }. */
export function calendarParts(iso: string): { month: string; day: string } | null {
  const d = parse(iso);
  if (!d) return null;
  return {
    month: d.toLocaleString(undefined, { month: 'short' }).toUpperCase(),
    day: String(d.getDate()),
  };
}

/** Tier names are data ("FRONT_ROW"); show them as words. */
export function tierLabel(name: string): string {
  return name.replace(/_+/g, ' ').trim() || name;
}
